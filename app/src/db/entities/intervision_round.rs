use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intervision_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub case_id: Uuid,
    pub method_key: String,
    /// The method as it was when the round was planned (JSON).
    pub method: String,
    /// `round::RoundState` as JSON.
    pub state: String,
    /// The state's version, for optimistic updates.
    pub version: i64,
    pub status: String,
    pub planned_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub started_at: Option<TimeDateTimeWithTimeZone>,
    pub ended_at: Option<TimeDateTimeWithTimeZone>,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub purged_at: Option<TimeDateTimeWithTimeZone>,
    /// The de-identified summary the case bringer published, if any.
    pub summary_artifact_id: Option<Uuid>,
    /// When a screen of the round lead was last connected (renewed while one is).
    pub lead_seen_at: Option<TimeDateTimeWithTimeZone>,
    /// The note taker's notes, for the case bringer after the round.
    pub notes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
