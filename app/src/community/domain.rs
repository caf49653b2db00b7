//! Plain rules about communities, shared by server and browser: their lifecycle and
//! what valid input about them looks like. Belonging to one is `crate::membership`.

use crate::error::ErrorKey;
use crate::shared::string_enum;

pub const COMMUNITY_NAME_MIN: usize = 3;
pub const COMMUNITY_NAME_MAX: usize = 120;
pub const GOAL_MAX: usize = 2_000;
pub const CRITERIA_MAX: usize = 4_000;
pub const AGREEMENTS_MAX: usize = 8_000;
pub const RHYTHM_MAX: usize = 200;
pub const NOTE_MAX: usize = 200;
pub const WINDOW_DAYS_MIN: i32 = 14;
pub const WINDOW_DAYS_MAX: i32 = 365;

string_enum! {
    CommunityStatus { Active => "active", Paused => "paused", Archived => "archived" }
}

pub fn validate_name(name: &str) -> Result<(), ErrorKey> {
    let length = name.trim().chars().count();
    if length == 0 {
        Err(ErrorKey::Required)
    } else if length < COMMUNITY_NAME_MIN {
        Err(ErrorKey::TooShort)
    } else if length > COMMUNITY_NAME_MAX {
        Err(ErrorKey::TooLong)
    } else {
        Ok(())
    }
}

pub fn validate_window(days: i32) -> Result<(), ErrorKey> {
    if (WINDOW_DAYS_MIN..=WINDOW_DAYS_MAX).contains(&days) { Ok(()) } else { Err(ErrorKey::InvalidChoice) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in CommunityStatus::ALL {
            assert_eq!(CommunityStatus::parse(status.as_str()), Ok(*status));
        }
        assert_eq!(CommunityStatus::parse("gone"), Err(ErrorKey::InvalidChoice));
    }

    #[test]
    fn names_need_three_to_120_characters() {
        assert_eq!(validate_name("  "), Err(ErrorKey::Required));
        assert_eq!(validate_name("ab"), Err(ErrorKey::TooShort));
        assert_eq!(validate_name("PLG Lezen"), Ok(()));
        assert_eq!(validate_name(&"x".repeat(121)), Err(ErrorKey::TooLong));
    }

    #[test]
    fn window_is_two_weeks_to_a_year() {
        assert!(validate_window(90).is_ok());
        assert!(validate_window(7).is_err());
        assert!(validate_window(400).is_err());
    }
}
