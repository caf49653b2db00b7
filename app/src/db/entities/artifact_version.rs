use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub artifact_id: Uuid,
    pub number: i32,
    pub title: String,
    pub kind: String,
    pub body: String,
    /// Comma-separated, as the tags stood in this version.
    pub tags: String,
    pub author_id: Option<Uuid>,
    /// Set when this version brought back an earlier one.
    pub restored_from: Option<i32>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
