use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub title: String,
    pub starts_at: TimeDateTimeWithTimeZone,
    pub duration_minutes: i32,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// Raised on every change, so calendars replace their copy (iCalendar SEQUENCE).
    pub sequence: i32,
    pub reminded_at: Option<TimeDateTimeWithTimeZone>,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
