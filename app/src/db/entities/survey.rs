use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The school (or board) it belongs to, also for a community's survey.
    pub organisation_id: Uuid,
    pub community_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub opens_at: TimeDateTimeWithTimeZone,
    /// Moved to the moment of closing when closed early.
    pub closes_at: TimeDateTimeWithTimeZone,
    pub created_at: TimeDateTimeWithTimeZone,
    /// How many people answered.
    pub respondents: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
