use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participation_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub user_id: Uuid,
    /// See `community::participation::EventKind`.
    pub kind: String,
    pub occurred_at: TimeDateTimeWithTimeZone,
    pub recorded_by: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    /// The meeting an `attended` event stands for.
    pub meeting_id: Option<Uuid>,
    /// Set when a facilitator corrected the attendance; retracted events do not count.
    pub retracted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
