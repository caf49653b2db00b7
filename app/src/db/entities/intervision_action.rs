use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intervision_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub community_id: Uuid,
    /// The case bringer who chose the action.
    pub owner_id: Option<Uuid>,
    pub body: String,
    pub check_in_on: TimeDate,
    /// `done`, `partly` or `not_done` once reported.
    pub outcome: Option<String>,
    pub report: Option<String>,
    pub reported_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    /// When the owner was reminded of the check-in date.
    pub reminded_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
