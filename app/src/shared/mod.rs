//! Helpers every feature uses and none owns: string enums, rules for typed text, and
//! (on the server) dates in the school's time zone.

mod string_enum;
pub mod text;
#[cfg(feature = "ssr")]
pub mod time;

pub(crate) use string_enum::string_enum;
