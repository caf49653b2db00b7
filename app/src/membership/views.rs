//! How membership reads on a page.

use super::domain::CommunityRole;
use crate::i18n::*;

pub fn community_role_text(locale: Locale, role: CommunityRole) -> &'static str {
    match role {
        CommunityRole::Facilitator => td_string!(locale, community_roles.facilitator),
        CommunityRole::Member => td_string!(locale, community_roles.member),
        CommunityRole::Guest => td_string!(locale, community_roles.guest),
    }
}
