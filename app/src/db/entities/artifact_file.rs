use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub artifact_id: Uuid,
    /// Counts toward this organisation's storage limit.
    pub organisation_id: Uuid,
    /// The uploader's file name, cleaned; never used as a path.
    pub name: String,
    /// As detected from the content.
    pub content_type: String,
    pub size_bytes: i64,
    /// The server-generated name in the file store.
    pub storage_key: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
