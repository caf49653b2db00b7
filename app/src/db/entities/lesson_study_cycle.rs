use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson_study_cycles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub title: String,
    pub subject: String,
    pub year_group: String,
    pub theme: String,
    pub learning_question: String,
    pub agreements: String,
    pub knowledgeable_other: Option<Uuid>,
    pub lessons_planned: i16,
    /// A `CyclePhase`.
    pub phase: String,
    pub started_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub completed_at: Option<TimeDateTimeWithTimeZone>,
    /// The report this cycle published in the knowledge base.
    pub report_artifact_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
