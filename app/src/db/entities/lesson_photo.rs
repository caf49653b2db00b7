use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson_photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lesson_id: Uuid,
    /// Counts toward the organisation's storage quota.
    pub organisation_id: Uuid,
    pub observer_id: Option<Uuid>,
    pub pupil_code: String,
    pub phase: i16,
    pub content_type: String,
    pub size_bytes: i64,
    /// The file store's name for the bytes (metadata already stripped).
    pub storage_key: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
