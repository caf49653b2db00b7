//! The one error type of Kring. Server functions and plain routes return it; the
//! browser gets it back intact and shows a translated message. Internal failures are
//! logged with their context on the server and reach the user only as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong with one form field; `message` is a translation key (see
/// [`crate::ui::error_text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: ErrorKey,
}

/// Everything a user can be told about a failed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    /// Also used where a resource exists but the user may not know that.
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("link is invalid or expired")]
    InvalidToken,
    #[error("too many attempts, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    #[error("conflict: {0:?}")]
    Conflict(ErrorKey),
    /// An upload over a size limit (the file's, or the organisation's storage).
    #[error("too large: {0:?}")]
    TooLarge(ErrorKey),
    /// An upload whose content is not an allowed type, or does not match its name.
    #[error("unsupported file type")]
    UnsupportedType,
    #[error("internal error")]
    Internal,
    /// Transport-level failures (network down, server unreachable).
    #[error("request failed: {0}")]
    Request(String),
}

/// Translation keys for messages, checked at compile time through the `i18n` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKey {
    Required,
    TooLong,
    TooShort,
    InvalidEmail,
    InvalidChoice,
    PasswordTooShort,
    PasswordTooLong,
    PasswordsDiffer,
    WrongPassword,
    EmailTaken,
    LastAdmin,
    CommunityFull,
    StartingRestricted,
    MembershipChanged,
    CaseChanged,
    NotAColleague,
    AlreadyMember,
    LastFacilitator,
    LeaveInstead,
    PlaceOrLink,
    InvalidLink,
    InThePast,
    CheckInClosed,
    MeetingCancelled,
    NotStarted,
    ColleagueNotGuest,
    InvalidTag,
    TooManyTags,
    InvalidDate,
    EditConflict,
    ArtifactArchived,
    FileTooLarge,
    StorageFull,
    RoleTaken,
    RoundChanged,
    LeadStillConnected,
    TimeLeft,
    StepNotPossible,
    NotWritingPhase,
    TooFarAhead,
    ConsentNeeded,
    QuotesCase,
    MinutesRange,
    NoPhases,
    TooManyPhases,
    PurgeNeedsConfirmation,
    EvaluationClosed,
    LinkTeachersOnly,
    PupilCode,
    DuplicatePupil,
    TooManyPupils,
    PlanClosed,
    CycleChanged,
    NotObserving,
    TeacherObserves,
    LessonSetUpClosed,
    DiscussionClosed,
    SurveyStatementCount,
    SurveyClosed,
    AlreadyAnswered,
    AnswerEveryStatement,
}

impl AppError {
    pub fn field(field: &str, message: ErrorKey) -> Self {
        AppError::Invalid(vec![FieldError { field: field.to_string(), message }])
    }

    /// The same error with each field renamed by `rename` (a part's field errors
    /// placed inside a larger form, e.g. `text` → `notes[2][text]`); other errors as
    /// they are.
    pub fn rename_fields(self, rename: impl Fn(&str) -> String) -> Self {
        match self {
            AppError::Invalid(fields) => AppError::Invalid(
                fields.into_iter().map(|f| FieldError { field: rename(&f.field), message: f.message }).collect(),
            ),
            other => other,
        }
    }

    /// The message key for one field, if this error names that field.
    pub fn field_error(&self, field: &str) -> Option<ErrorKey> {
        match self {
            AppError::Invalid(fields) => fields.iter().find(|f| f.field == field).map(|f| f.message),
            _ => None,
        }
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Unauthenticated => S::UNAUTHORIZED,
            AppError::NotFound => S::NOT_FOUND,
            AppError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            AppError::InvalidCredentials => S::UNAUTHORIZED,
            AppError::InvalidToken => S::GONE,
            AppError::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::TooLarge(_) => S::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType => S::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal | AppError::Request(_) => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => AppError::Invalid(Vec::new()),
            other => AppError::Request(other.to_string()),
        }
    }
}

/// Collects field errors while validating a form; `finish` fails if any were found.
#[derive(Debug, Default)]
pub struct Validation(Vec<FieldError>);

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, field: &str, result: Result<(), ErrorKey>) -> &mut Self {
        if let Err(message) = result
            && !self.0.iter().any(|f| f.field == field)
        {
            self.0.push(FieldError { field: field.to_string(), message });
        }
        self
    }

    pub fn finish(&mut self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(std::mem::take(&mut self.0))) }
    }
}

/// Runs the body of a server function: on failure, sets the HTTP status (and
/// `Retry-After`) for calls from the hydrated app. Plain HTML form posts keep the
/// redirect back to the form, which shows the error; pages set their own status.
#[cfg(feature = "ssr")]
pub async fn respond<T>(work: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = work.await;
    if let Err(err) = &result {
        ssr::report(err);
    }
    result
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{AppError, ErrorKey};
    use leptos::prelude::use_context;

    pub(super) fn report(err: &AppError) {
        let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
            return;
        };
        // Only calls from the hydrated app get the status: a plain form post must keep
        // its redirect back to the form, and a page render decides its own status.
        let api_call = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts.method == http::Method::POST
                && !parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        });
        if !api_call {
            return;
        }
        response.set_status(err.status());
        if let AppError::RateLimited { retry_after_secs } = err {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*retry_after_secs));
        }
    }

    /// What a request that lost a race on a unique constraint gets: the answer the
    /// check before the insert would have given.
    enum Lost {
        /// A value a person typed was taken meanwhile: a field error.
        Field(&'static str, ErrorKey),
        /// Someone else saved the same version first: a conflict.
        Conflict(ErrorKey),
    }

    /// Unique constraints that guard a check-before-insert: (how SQLite names the
    /// column, how PostgreSQL names the constraint, what the loser gets).
    const UNIQUE_CONSTRAINTS: &[(&str, &str, Lost)] = &[
        ("users.email", "\"users_email_key\"", Lost::Field("email", ErrorKey::EmailTaken)),
        ("lesson_plan_versions.version", "\"ux_lesson_plan_versions\"", Lost::Conflict(ErrorKey::EditConflict)),
        ("survey_respondents.survey_id", "\"ux_survey_respondents\"", Lost::Conflict(ErrorKey::AlreadyAnswered)),
    ];

    impl From<sea_orm::DbErr> for AppError {
        #[track_caller]
        fn from(err: sea_orm::DbErr) -> Self {
            if let Some(sea_orm::SqlErr::UniqueConstraintViolation(message)) = err.sql_err()
                && let Some((.., lost)) = UNIQUE_CONSTRAINTS
                    .iter()
                    .find(|(sqlite, postgres, _)| message.contains(sqlite) || message.contains(postgres))
            {
                return match lost {
                    Lost::Field(field, key) => {
                        tracing::info!(field, "a unique value was taken meanwhile");
                        AppError::field(field, *key)
                    }
                    Lost::Conflict(key) => {
                        tracing::info!(?key, "a racing save came second");
                        AppError::Conflict(*key)
                    }
                };
            }
            tracing::error!(error = %err, at = %std::panic::Location::caller(), "database error");
            AppError::Internal
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(err: tokio::task::JoinError) -> Self {
            tracing::error!(error = %err, "background task failed");
            AppError::Internal
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(err: tower_sessions::session::Error) -> Self {
            tracing::error!(error = %err, "session store error");
            AppError::Internal
        }
    }

    impl axum::response::IntoResponse for AppError {
        fn into_response(self) -> axum::response::Response {
            let mut response = (self.status(), self.to_string()).into_response();
            if let AppError::RateLimited { retry_after_secs } = self {
                response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after_secs));
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_keeps_first_error_per_field() {
        let mut v = Validation::new();
        v.check("email", Err(ErrorKey::Required)).check("email", Err(ErrorKey::InvalidEmail));
        let err = v.finish().unwrap_err();
        assert_eq!(err.field_error("email"), Some(ErrorKey::Required));
    }

    #[test]
    fn validation_without_errors_passes() {
        assert!(Validation::new().check("name", Ok(())).finish().is_ok());
    }

    #[test]
    fn errors_round_trip_through_json() {
        let err = AppError::field("password", ErrorKey::PasswordTooShort);
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), err);
    }
}
