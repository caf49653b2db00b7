//! Helpers every feature uses and none owns: string enums, rules for typed text, and
//! (on the server) dates in the school's time zone.

mod string_enum;
pub mod text;
#[cfg(feature = "ssr")]
pub mod time;

pub(crate) use string_enum::string_enum;

/// A value read from the database that no variant matches (a newer version wrote it,
/// or someone edited the row): logged with what it was, and the request fails rather
/// than guess a default.
#[cfg(feature = "ssr")]
pub fn unknown_stored_value(kind: &'static str, value: &str) -> crate::error::AppError {
    tracing::error!(kind, value, "unknown value in the database");
    crate::error::AppError::Internal
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use crate::error::AppError;

    super::string_enum! {
        Colour { Red => "red", Blue => "blue" }
    }

    #[test]
    fn stored_values_decode_and_unknown_ones_fail_instead_of_defaulting() {
        assert!(matches!(Colour::decode("blue"), Ok(Colour::Blue)));
        assert!(matches!(Colour::decode("green"), Err(AppError::Internal)));
    }
}
