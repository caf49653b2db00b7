//! Plain rules about belonging to a community, shared by server and browser: the roles
//! inside it, where a membership stands, what happened to it, and how many fit.

use serde::{Deserialize, Serialize};

use crate::error::ErrorKey;
use crate::shared::string_enum;

/// The size a community of practice works best at.
pub const IDEAL_MIN: usize = 6;
pub const IDEAL_MAX: usize = 10;
/// The hard cap when a board has not set its own.
pub const DEFAULT_MEMBER_CAP: i32 = 12;
/// The range a board may set its hard cap in.
pub const MEMBER_CAP_MIN: i32 = IDEAL_MIN as i32;
pub const MEMBER_CAP_MAX: i32 = 30;

string_enum! {
    /// A person's role inside one community.
    CommunityRole { Facilitator => "facilitator", Member => "member", Guest => "guest" }
}

string_enum! {
    /// Where a membership stands. People who left or were removed have none.
    MembershipStatus { Invited => "invited", Requested => "requested", Active => "active" }
}

string_enum! {
    /// What happened to a membership; every change is recorded.
    MembershipChange {
        Created => "created",
        Invited => "invited",
        InvitationAccepted => "invitation_accepted",
        InvitationDeclined => "invitation_declined",
        Requested => "requested",
        RequestWithdrawn => "request_withdrawn",
        RequestAccepted => "request_accepted",
        RequestDeclined => "request_declined",
        RoleChanged => "role_changed",
        Left => "left",
        Removed => "removed",
    }
}

/// How a community's size compares with the 6–10 that works best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SizeAdvice {
    /// Fewer than six: too few perspectives, and a round stalls when two are absent.
    Small,
    Good,
    /// More than ten: not everyone gets to speak, and trust grows slower.
    Large,
}

impl SizeAdvice {
    pub fn for_size(members: usize) -> Self {
        if members < IDEAL_MIN {
            SizeAdvice::Small
        } else if members > IDEAL_MAX {
            SizeAdvice::Large
        } else {
            SizeAdvice::Good
        }
    }
}

/// Whether one more person fits under the board's hard cap, counting people who are
/// already invited (they can accept at any moment).
pub fn check_capacity(active: usize, invited: usize, cap: i32) -> Result<(), ErrorKey> {
    if (active + invited) as i64 >= i64::from(cap) { Err(ErrorKey::CommunityFull) } else { Ok(()) }
}

/// A board's hard cap on members, from a form field.
pub fn parse_member_cap(value: &str) -> Result<i32, ErrorKey> {
    match value.trim().parse::<i32>() {
        Ok(cap) if (MEMBER_CAP_MIN..=MEMBER_CAP_MAX).contains(&cap) => Ok(cap),
        _ => Err(ErrorKey::InvalidChoice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_changes_round_trip() {
        for role in CommunityRole::ALL {
            assert_eq!(CommunityRole::parse(role.as_str()), Ok(*role));
        }
        for change in MembershipChange::ALL {
            assert_eq!(MembershipChange::parse(change.as_str()), Ok(*change));
        }
    }

    #[test]
    fn size_advice_follows_six_to_ten() {
        assert_eq!(SizeAdvice::for_size(5), SizeAdvice::Small);
        assert_eq!(SizeAdvice::for_size(6), SizeAdvice::Good);
        assert_eq!(SizeAdvice::for_size(10), SizeAdvice::Good);
        assert_eq!(SizeAdvice::for_size(11), SizeAdvice::Large);
    }

    #[test]
    fn the_cap_counts_invited_people() {
        assert_eq!(check_capacity(11, 0, 12), Ok(()));
        assert_eq!(check_capacity(12, 0, 12), Err(ErrorKey::CommunityFull));
        assert_eq!(check_capacity(10, 2, 12), Err(ErrorKey::CommunityFull));
    }

    #[test]
    fn a_board_caps_communities_between_six_and_thirty() {
        assert_eq!(parse_member_cap(" 12 "), Ok(12));
        assert_eq!(parse_member_cap("5"), Err(ErrorKey::InvalidChoice));
        assert_eq!(parse_member_cap("31"), Err(ErrorKey::InvalidChoice));
        assert_eq!(parse_member_cap("twaalf"), Err(ErrorKey::InvalidChoice));
    }
}
