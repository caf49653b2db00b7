use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The board; organisation-wide artifacts are visible to its staff.
    pub organisation_id: Uuid,
    pub community_id: Uuid,
    pub title: String,
    /// See `artifact::domain::ArtifactKind`.
    pub kind: String,
    /// Markdown, as written; rendered and sanitised on output.
    pub body: String,
    pub seci_phase: String,
    /// `community` or `organisation`.
    pub scope: String,
    /// `direct`, `intervision` or `lesson_study`.
    pub source: String,
    /// `current`, `outdated` or `archived`; "review due" is derived from the date.
    pub status: String,
    pub owner_id: Option<Uuid>,
    pub review_due_at: TimeDateTimeWithTimeZone,
    pub review_notified_at: Option<TimeDateTimeWithTimeZone>,
    /// The number of the newest version.
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::community::Entity",
        from = "Column::CommunityId",
        to = "super::community::Column::Id"
    )]
    Community,
}

impl ActiveModelBehavior for ActiveModel {}
