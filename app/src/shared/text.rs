//! Rules for text people type: one line (names, titles) or several (bodies), the
//! characters allowed and how text is stored.

use crate::error::ErrorKey;

/// A required line of text of at most `max` characters, without control characters.
pub fn validate_text(value: &str, max: usize) -> Result<(), ErrorKey> {
    let value = value.trim();
    if value.is_empty() {
        Err(ErrorKey::Required)
    } else if value.chars().count() > max {
        Err(ErrorKey::TooLong)
    } else if value.chars().any(char::is_control) {
        Err(ErrorKey::InvalidChoice)
    } else {
        Ok(())
    }
}

/// An optional line of text: empty is fine, otherwise as [`validate_text`].
pub fn validate_optional_text(value: &str, max: usize) -> Result<(), ErrorKey> {
    if value.trim().is_empty() { Ok(()) } else { validate_text(value, max) }
}

/// Required text of several lines, at most `max` characters, no control characters
/// other than line breaks and tabs.
pub fn validate_body(text: &str, max: usize) -> Result<(), ErrorKey> {
    let text = text.trim();
    if text.is_empty() {
        Err(ErrorKey::Required)
    } else if text.chars().count() > max {
        Err(ErrorKey::TooLong)
    } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        Err(ErrorKey::InvalidChoice)
    } else {
        Ok(())
    }
}

/// Optional text: empty is fine, otherwise as [`validate_body`].
pub fn validate_optional(text: &str, max: usize) -> Result<(), ErrorKey> {
    if text.trim().is_empty() { Ok(()) } else { validate_body(text, max) }
}

/// Normalises user text for storage: trimmed, Windows line ends made plain.
pub fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_required_bounded_and_single() {
        assert_eq!(validate_text("  ", 120), Err(ErrorKey::Required));
        assert_eq!(validate_text(&"n".repeat(121), 120), Err(ErrorKey::TooLong));
        assert_eq!(validate_text("Anouk de Bruin", 120), Ok(()));
        assert_eq!(validate_text("a\nb", 120), Err(ErrorKey::InvalidChoice));
        assert_eq!(validate_optional_text("", 10), Ok(()));
    }

    #[test]
    fn bodies_keep_line_breaks_but_not_other_control_characters() {
        assert_eq!(validate_body("Eén\nTwee", 20), Ok(()));
        assert_eq!(validate_body("a\u{0007}b", 20), Err(ErrorKey::InvalidChoice));
        assert_eq!(validate_optional("", 5), Ok(()));
        assert_eq!(validate_optional("zes tekens", 5), Err(ErrorKey::TooLong));
    }
}
