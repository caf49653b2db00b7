use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "communities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The board the community belongs to.
    pub organisation_id: Uuid,
    pub name: String,
    pub goal: String,
    pub agreements: String,
    pub rhythm: String,
    /// `active`, `paused` or `archived`.
    pub status: String,
    /// Shown in the organisation directory.
    pub listed: bool,
    /// The rolling window participation levels are computed over.
    pub window_days: i32,
    /// How long case text is kept (`CaseKeeping`).
    pub case_keeping: String,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The board's rules for communities; a board without a row has the defaults.
    #[sea_orm(
        belongs_to = "super::community_policy::Entity",
        from = "Column::OrganisationId",
        to = "super::community_policy::Column::OrganisationId"
    )]
    Policy,
}

impl Related<super::community_policy::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Policy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
