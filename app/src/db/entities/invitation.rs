use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// Set for an invitation by email; `None` for a shareable link.
    pub email: Option<String>,
    pub role: String,
    /// SHA-256 of the token; the token itself is only ever in the link.
    pub token_hash: String,
    pub single_use: bool,
    pub accepted_count: i32,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    /// Set for a guest's invitation into this one community (role `guest`).
    pub community_id: Option<Uuid>,
    /// A shareable link's use cap, set by the admin.
    pub max_uses: Option<i32>,
    /// Set for a personal invitation someone requested through a shareable link: it
    /// counts towards that link's cap and dies with it.
    pub link_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
