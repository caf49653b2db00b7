//! Helpers every feature uses and none owns: string enums, rules for typed text, and
//! (on the server) dates in the school's time zone and what plain HTTP routes share.

#[cfg(feature = "ssr")]
pub mod http;
mod string_enum;
pub mod text;
#[cfg(feature = "ssr")]
pub mod time;

pub(crate) use string_enum::string_enum;

/// The smallest group of people a figure about them may cover (k), and its default:
/// leaders' dashboards and survey results show nothing about fewer.
pub const MIN_GROUP: u32 = 5;

/// A value read from the database that no variant matches (a newer version wrote it,
/// or someone edited the row): logged with what it was, and the request fails rather
/// than guess a default.
#[cfg(feature = "ssr")]
pub fn unknown_stored_value(kind: &'static str, value: &str) -> crate::error::AppError {
    tracing::error!(kind, value, "unknown value in the database");
    crate::error::AppError::Internal
}

/// The span of the request being served, kept in its extensions by the server: spans
/// opened inside (a server function's own) would otherwise take the fields.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct RequestSpan(pub tracing::Span);

/// Records an id (the person, community or round) on the request's span, so every log
/// line of the request says whom and what it concerned.
#[cfg(feature = "ssr")]
pub fn record_in_request(field: &'static str, id: uuid::Uuid) {
    let span = leptos::prelude::use_context::<::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestSpan>().map(|s| s.0.clone()))
        .unwrap_or_else(tracing::Span::current);
    span.record(field, tracing::field::display(id));
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
