use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson_observations")]
pub struct Model {
    /// Made by the observer's phone, so a resend is stored once.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lesson_id: Uuid,
    pub observer_id: Option<Uuid>,
    pub pupil_code: String,
    pub phase: i16,
    /// A `Mark`, if the observer tapped one.
    pub mark: Option<String>,
    pub text: String,
    pub noted_at: TimeDateTimeWithTimeZone,
    pub received_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
