//! Plain rules about accounts, shared by server and browser: roles, languages,
//! experience bands, and what counts as a valid email, name or password.

use serde::{Deserialize, Serialize};

use crate::error::ErrorKey;

pub const NAME_MAX: usize = 120;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
pub const PROFILE_FIELD_MAX: usize = 120;

/// A role in the organisation. Community roles (facilitator, member, guest) are separate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Teacher,
    Leader,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Teacher, Role::Leader, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ErrorKey> {
        Role::ALL.into_iter().find(|r| r.as_str() == value).ok_or(ErrorKey::InvalidChoice)
    }

    /// A role read from the database; an unknown one is logged and fails.
    #[cfg(feature = "ssr")]
    pub fn decode(value: &str) -> Result<Self, crate::error::AppError> {
        Self::parse(value).map_err(|_| crate::shared::unknown_stored_value("Role", value))
    }
}

/// The interface language a person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nl,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Nl, Language::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ErrorKey> {
        Language::ALL.into_iter().find(|l| l.as_str() == value).ok_or(ErrorKey::InvalidChoice)
    }

    /// A language read from the database; an unknown one is logged and fails.
    #[cfg(feature = "ssr")]
    pub fn decode(value: &str) -> Result<Self, crate::error::AppError> {
        Self::parse(value).map_err(|_| crate::shared::unknown_stored_value("Language", value))
    }
}

/// Years of teaching experience, self-declared, used only in aggregated breadth figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExperienceBand {
    #[serde(rename = "0-2")]
    UpTo2,
    #[serde(rename = "3-5")]
    From3To5,
    #[serde(rename = "6-10")]
    From6To10,
    #[serde(rename = "11-20")]
    From11To20,
    #[serde(rename = "20+")]
    Over20,
}

impl ExperienceBand {
    pub const ALL: [ExperienceBand; 5] = [
        ExperienceBand::UpTo2,
        ExperienceBand::From3To5,
        ExperienceBand::From6To10,
        ExperienceBand::From11To20,
        ExperienceBand::Over20,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExperienceBand::UpTo2 => "0-2",
            ExperienceBand::From3To5 => "3-5",
            ExperienceBand::From6To10 => "6-10",
            ExperienceBand::From11To20 => "11-20",
            ExperienceBand::Over20 => "20+",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ErrorKey> {
        ExperienceBand::ALL.into_iter().find(|b| b.as_str() == value).ok_or(ErrorKey::InvalidChoice)
    }
}

/// Lower-cases and trims an email address so one person has one account.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A pragmatic check: one `@`, something before it, a dot in the domain, no spaces.
pub fn validate_email(email: &str) -> Result<(), ErrorKey> {
    let email = email.trim();
    if email.is_empty() {
        return Err(ErrorKey::Required);
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(ErrorKey::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(ErrorKey::InvalidEmail);
    };
    let valid = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid { Ok(()) } else { Err(ErrorKey::InvalidEmail) }
}

/// Length rules only (NIST SP 800-63B): at least 10 characters, at most 128.
pub fn validate_password(password: &str) -> Result<(), ErrorKey> {
    let length = password.chars().count();
    if length == 0 {
        Err(ErrorKey::Required)
    } else if length < PASSWORD_MIN {
        Err(ErrorKey::PasswordTooShort)
    } else if length > PASSWORD_MAX {
        Err(ErrorKey::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Where to go after signing in: only a path on this site, never another host.
pub fn safe_next_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalise_email("  Anouk.Bakker@School.NL "), "anouk.bakker@school.nl");
        assert_eq!(validate_email("anouk@school.nl"), Ok(()));
        assert_eq!(validate_email(""), Err(ErrorKey::Required));
        assert_eq!(validate_email("anouk"), Err(ErrorKey::InvalidEmail));
        assert_eq!(validate_email("anouk@school"), Err(ErrorKey::InvalidEmail));
        assert_eq!(validate_email("a b@school.nl"), Err(ErrorKey::InvalidEmail));
        assert_eq!(validate_email("<script>@x.nl"), Err(ErrorKey::InvalidEmail));
        assert_eq!(validate_email(&format!("{}@school.nl", "a".repeat(250))), Err(ErrorKey::TooLong));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn stored_roles_and_languages_decode_and_unknown_ones_fail() {
        assert_eq!(Role::decode("leader"), Ok(Role::Leader));
        assert_eq!(Role::decode("koning"), Err(crate::error::AppError::Internal));
        assert_eq!(Language::decode("xx"), Err(crate::error::AppError::Internal));
    }

    #[test]
    fn passwords_need_ten_to_128_characters() {
        assert_eq!(validate_password("kort"), Err(ErrorKey::PasswordTooShort));
        assert_eq!(validate_password("lang genoeg wachtwoord"), Ok(()));
        assert_eq!(validate_password(&"x".repeat(129)), Err(ErrorKey::PasswordTooLong));
        assert_eq!(validate_password(""), Err(ErrorKey::Required));
    }

    #[test]
    fn next_path_never_leaves_the_site() {
        assert_eq!(safe_next_path(Some("/profile")), "/profile");
        assert_eq!(safe_next_path(Some("//evil.example")), "/");
        assert_eq!(safe_next_path(Some("https://evil.example")), "/");
        assert_eq!(safe_next_path(Some("/\\evil.example")), "/");
        assert_eq!(safe_next_path(None), "/");
    }

    #[test]
    fn choices_parse_from_their_codes() {
        assert_eq!(Role::parse("leader"), Ok(Role::Leader));
        assert_eq!(Role::parse("king"), Err(ErrorKey::InvalidChoice));
        assert_eq!(Language::parse("en"), Ok(Language::En));
        assert_eq!(ExperienceBand::parse("20+"), Ok(ExperienceBand::Over20));
        assert!(Role::Admin > Role::Leader && Role::Leader > Role::Teacher);
    }
}

/// The client behind a trusted proxy: walking `X-Forwarded-For` from the right (the
/// entries nearest to us), the first address that is not a trusted proxy; entries
/// further left were written by the client itself and cannot be believed.
pub fn forwarded_client(peer: std::net::IpAddr, forwarded: &[&str], trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    let chain: Vec<std::net::IpAddr> =
        forwarded.iter().flat_map(|v| v.split(',')).filter_map(|a| a.trim().parse().ok()).collect();
    chain.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer)
}

/// What a form post that succeeded tells the next page, once ("your changes are
/// saved"). Forms post without JavaScript, so the confirmation travels in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flash {
    ProfileSaved,
    PasswordChanged,
    ReuseRecorded,
    CriteriaSaved,
    MemberInvited,
    GuestInvited,
    EmailPreferencesSaved,
    StaffInvited,
    PolicySaved,
    PlanSaved,
    LessonSetUp,
    NoteSaved,
    DiscussionSaved,
    InterviewSaved,
    PhotoRemoved,
    StatementsSaved,
    /// A shareable invitation address, shown once.
    InvitationLink(String),
}

/// What the server carries from a form post to the page it returns to: a
/// confirmation after success, or the fields as typed after an error (never
/// passwords), so nothing has to be typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterPost {
    pub flash: Option<Flash>,
    pub input: Vec<(String, String)>,
}

impl AfterPost {
    /// The value typed into field `name` before the post that failed.
    pub fn input(&self, name: &str) -> Option<&str> {
        self.input.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Whether a field posted to server function `endpoint` may be carried back in the
    /// session: everything but secrets, and nothing of a case or of what is written in
    /// a round (that text stays confidential to the round, and out of the session).
    pub fn may_keep(endpoint: &str, name: &str) -> bool {
        !CONFIDENTIAL_FORMS.contains(&endpoint)
            && !name.contains("password")
            && !name.contains("token")
            && !name.starts_with("__")
    }
}

/// Server functions whose text belongs to an intervision round.
const CONFIDENTIAL_FORMS: [&str; 3] = ["submit_case", "contribute", "answer_question"];

#[cfg(test)]
mod after_post_tests {
    use super::AfterPost;

    #[test]
    fn the_client_is_the_nearest_untrusted_forwarded_address() {
        use super::forwarded_client;
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = [proxy, "10.0.0.3".parse().unwrap()];
        let client: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(forwarded_client(proxy, &["198.51.100.1, 203.0.113.9"], &trusted), client, "the left one is forged");
        assert_eq!(forwarded_client(proxy, &["203.0.113.9", "10.0.0.3"], &trusted), client);
        assert_eq!(forwarded_client(proxy, &["not an address"], &trusted), proxy);
        assert_eq!(forwarded_client(proxy, &[], &trusted), proxy);
    }

    #[test]
    fn secrets_and_case_text_are_never_carried_back() {
        assert!(AfterPost::may_keep("update_profile", "name"));
        assert!(!AfterPost::may_keep("change_password", "new_password"));
        assert!(!AfterPost::may_keep("reset_password", "token"));
        for field in ["title", "situation", "question"] {
            assert!(!AfterPost::may_keep("submit_case", field), "{field}");
        }
        assert!(!AfterPost::may_keep("contribute", "body"));
    }
}
