use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_flags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub artifact_id: Uuid,
    pub flagged_by: Option<Uuid>,
    pub reason: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<TimeDateTimeWithTimeZone>,
    /// `updated`, `confirmed` or `archived`.
    pub resolution: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
