//! The rules of the knowledge base, in plain Rust: what an artifact is (kind, SECI
//! phase, scope, source), how long it stays current before review, what makes a form
//! valid, how tags and search terms are cleaned, and which file types may be attached.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::error::{AppError, ErrorKey, Validation};
use crate::participation::domain::SeciPhase;
use crate::shared::string_enum;

string_enum! {
    ArtifactKind {
        LessonPlan => "lesson_plan",
        CaseSummary => "case_summary",
        ObservationForm => "observation_form",
        Protocol => "protocol",
        ResearchReport => "research_report",
        HowTo => "how_to",
        Other => "other",
    }
}

string_enum! {
    /// Who may see an artifact: its community, or all staff of the board.
    Scope { Community => "community", Organisation => "organisation" }
}

string_enum! {
    /// Where an artifact came from.
    Source { Direct => "direct", Intervision => "intervision", LessonStudy => "lesson_study" }
}

string_enum! {
    /// The stored state; "review due" is derived from the review date (see [`Standing`]).
    ArtifactStatus { Current => "current", Outdated => "outdated", Archived => "archived" }
}

string_enum! {
    /// How an outdated flag was settled.
    Resolution { Updated => "updated", Confirmed => "confirmed", Archived => "archived" }
}

/// How current an artifact is, as people see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Standing {
    Current,
    ReviewDue,
    Outdated,
    Archived,
}

impl Standing {
    pub fn of(status: ArtifactStatus, review_due_at: OffsetDateTime, now: OffsetDateTime) -> Self {
        Self::with_review(status, review_due_at <= now)
    }

    /// The standing of an artifact whose review date has (`review_due`) or has not passed.
    pub fn with_review(status: ArtifactStatus, review_due: bool) -> Self {
        match status {
            ArtifactStatus::Archived => Standing::Archived,
            ArtifactStatus::Outdated => Standing::Outdated,
            ArtifactStatus::Current if review_due => Standing::ReviewDue,
            ArtifactStatus::Current => Standing::Current,
        }
    }

    pub const ALL: &'static [Standing] =
        &[Standing::Current, Standing::ReviewDue, Standing::Outdated, Standing::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Current => "current",
            Standing::ReviewDue => "review_due",
            Standing::Outdated => "outdated",
            Standing::Archived => "archived",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ErrorKey> {
        Self::ALL.iter().copied().find(|s| s.as_str() == value).ok_or(ErrorKey::InvalidChoice)
    }
}

impl ArtifactKind {
    /// How long an artifact of this kind stays current before its owner reviews it.
    /// Most practice changes with the school year; research holds longer.
    pub fn review_after(self) -> Duration {
        match self {
            ArtifactKind::ResearchReport => Duration::days(730),
            ArtifactKind::ObservationForm | ArtifactKind::Protocol => Duration::days(540),
            _ => Duration::days(365),
        }
    }

    /// The knowledge-creation phase an artifact of this kind usually belongs to.
    pub fn suggested_phase(self, source: Source) -> SeciPhase {
        match (source, self) {
            (Source::LessonStudy, _) | (_, ArtifactKind::ResearchReport | ArtifactKind::Protocol) => {
                SeciPhase::Combination
            }
            (_, ArtifactKind::ObservationForm) => SeciPhase::Socialisation,
            _ => SeciPhase::Externalisation,
        }
    }
}

pub const TITLE_MAX: usize = 160;
pub const BODY_MAX: usize = 100_000;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 12;
pub const REASON_MAX: usize = 1000;
pub const COMMENT_MAX: usize = 4000;
pub const REFLECTION_MAX: usize = 2000;
pub const FILE_NAME_MAX: usize = 200;

/// The artifact form as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactForm {
    pub title: String,
    pub kind: String,
    pub body: String,
    pub tags: String,
    /// Empty: take the suggestion for the kind.
    pub seci_phase: String,
    pub scope: String,
    /// `YYYY-MM-DD`; empty: the default for the kind.
    pub review_date: String,
}

/// A valid artifact form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactInput {
    pub title: String,
    pub kind: ArtifactKind,
    pub body: String,
    pub tags: Vec<String>,
    pub phase: SeciPhase,
    pub scope: Scope,
    pub review_date: Option<Date>,
}

impl ArtifactForm {
    /// Checks every field and reports all problems at once. `today` is the board's
    /// date: a review date must lie ahead of it.
    pub fn validate(&self, source: Source, today: Date) -> Result<ArtifactInput, AppError> {
        let title = self.title.trim().to_string();
        let body = self.body.replace("\r\n", "\n");
        let kind = ArtifactKind::parse(&self.kind);
        let phase = if self.seci_phase.trim().is_empty() {
            Ok(kind.unwrap_or(ArtifactKind::Other).suggested_phase(source))
        } else {
            SeciPhase::parse(&self.seci_phase)
        };
        let scope = Scope::parse(&self.scope);
        let tags = parse_tags(&self.tags);
        let review_date = parse_review_date(&self.review_date, today);
        Validation::new()
            .check("title", text_bounds(&title, TITLE_MAX))
            .check("kind", kind.map(|_| ()))
            .check("body", if body.chars().count() > BODY_MAX { Err(ErrorKey::TooLong) } else { Ok(()) })
            .check("tags", tags.as_ref().map(|_| ()).map_err(|e| *e))
            .check("seci_phase", phase.map(|_| ()))
            .check("scope", scope.map(|_| ()))
            .check("review_date", review_date.map(|_| ()))
            .finish()?;
        Ok(ArtifactInput {
            title,
            kind: kind.unwrap_or(ArtifactKind::Other),
            body,
            tags: tags.unwrap_or_default(),
            phase: phase.unwrap_or(SeciPhase::Externalisation),
            scope: scope.unwrap_or(Scope::Community),
            review_date: review_date.unwrap_or(None),
        })
    }
}

/// A date as a form's date field takes it (`YYYY-MM-DD`).
pub fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Required text up to `max` characters.
pub fn text_bounds(text: &str, max: usize) -> Result<(), ErrorKey> {
    let text = text.trim();
    if text.is_empty() {
        Err(ErrorKey::Required)
    } else if text.chars().count() > max {
        Err(ErrorKey::TooLong)
    } else {
        Ok(())
    }
}

/// Tags separated by commas: trimmed, lower case, inner spaces collapsed, no
/// duplicates, in the order given.
pub fn parse_tags(text: &str) -> Result<Vec<String>, ErrorKey> {
    let mut tags: Vec<String> = Vec::new();
    for raw in text.split([',', ';', '\n']) {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").trim_start_matches('#').to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > TAG_MAX || tag.chars().any(|c| c.is_control() || "<>\"".contains(c)) {
            return Err(ErrorKey::InvalidTag);
        }
        tags.push(tag);
    }
    if tags.len() > TAGS_MAX {
        return Err(ErrorKey::TooManyTags);
    }
    Ok(tags)
}

fn parse_review_date(text: &str, today: Date) -> Result<Option<Date>, ErrorKey> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| ErrorKey::InvalidDate)?;
    if date <= today {
        return Err(ErrorKey::InThePast);
    }
    Ok(Some(date))
}

/// The words of a search, cleaned for the full-text engines: letters and digits only
/// (so no query syntax reaches them), lower case, at most eight words.
pub fn search_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        let word: String = word.chars().take(TAG_MAX).collect::<String>().to_lowercase();
        if !word.is_empty() && !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == 8 {
            break;
        }
    }
    terms
}

/// Where a search engine marks a match in a snippet.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// Splits a snippet into plain and highlighted pieces, so the page renders the marks
/// as elements and the text as text (never as markup).
pub fn highlight_segments(snippet: &str) -> Vec<(String, bool)> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut marked = false;
    for c in snippet.chars() {
        if c == MARK_START || c == MARK_END {
            if !current.is_empty() {
                segments.push((std::mem::take(&mut current), marked));
            }
            marked = c == MARK_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        segments.push((current, marked));
    }
    segments
}

/// A file type people may attach: detected from the content, and the name's
/// extension must agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    pub mime: &'static str,
    pub extensions: &'static [&'static str],
}

pub const ALLOWED_FILE_TYPES: &[FileType] = &[
    FileType { mime: "application/pdf", extensions: &["pdf"] },
    FileType { mime: "image/png", extensions: &["png"] },
    FileType { mime: "image/jpeg", extensions: &["jpg", "jpeg"] },
    FileType { mime: "image/gif", extensions: &["gif"] },
    FileType { mime: "image/webp", extensions: &["webp"] },
    FileType { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extensions: &["docx"] },
    FileType { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extensions: &["xlsx"] },
    FileType {
        mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        extensions: &["pptx"],
    },
    FileType { mime: "application/vnd.oasis.opendocument.text", extensions: &["odt"] },
    FileType { mime: "application/vnd.oasis.opendocument.spreadsheet", extensions: &["ods"] },
    FileType { mime: "application/vnd.oasis.opendocument.presentation", extensions: &["odp"] },
    FileType { mime: "application/msword", extensions: &["doc"] },
    FileType { mime: "application/vnd.ms-excel", extensions: &["xls"] },
    FileType { mime: "application/vnd.ms-powerpoint", extensions: &["ppt"] },
];

/// Old Office formats share one container, which detection cannot always tell apart.
const OLE_CONTAINER: &str = "application/x-ole-storage";

/// The allowed type a detected MIME type and file name stand for, if they agree.
pub fn accepted_file_type(detected_mime: &str, file_name: &str) -> Option<&'static FileType> {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_lowercase())?;
    let old_office = |mime: &str| mime == "application/msword" || mime.starts_with("application/vnd.ms-");
    ALLOWED_FILE_TYPES.iter().find(|t| {
        t.extensions.contains(&extension.as_str())
            && (t.mime == detected_mime || (detected_mime == OLE_CONTAINER && old_office(t.mime)))
    })
}

/// A file name safe to show and to offer in a download: no path, no control
/// characters or quotes, at most [`FILE_NAME_MAX`] characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !"\"<>|*?:".contains(*c)).collect::<String>().trim().to_string();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.chars().count() <= FILE_NAME_MAX {
        return cleaned;
    }
    // Keep the extension when shortening.
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 8 => {
            let stem: String = stem.chars().take(FILE_NAME_MAX - ext.len() - 1).collect();
            format!("{stem}.{ext}")
        }
        _ => cleaned.chars().take(FILE_NAME_MAX).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn form() -> ArtifactForm {
        ArtifactForm {
            title: "Exit tickets in groep 5".into(),
            kind: "lesson_plan".into(),
            body: "## Doel\nLeerlingen laten zien wat ze begrepen.".into(),
            tags: "Formatief, exit ticket,formatief".into(),
            seci_phase: String::new(),
            scope: "community".into(),
            review_date: String::new(),
        }
    }

    #[test]
    fn valid_form_takes_the_suggested_phase_and_clean_tags() {
        let input = form().validate(Source::Direct, date!(2026 - 11 - 23)).unwrap();
        assert_eq!(input.kind, ArtifactKind::LessonPlan);
        assert_eq!(input.phase, SeciPhase::Externalisation);
        assert_eq!(input.tags, vec!["formatief".to_string(), "exit ticket".to_string()]);
        assert_eq!(input.review_date, None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = ArtifactForm {
            title: " ".into(),
            kind: "poem".into(),
            body: "x".repeat(BODY_MAX + 1),
            tags: "a<b".into(),
            seci_phase: "magic".into(),
            scope: "world".into(),
            review_date: "2020-01-01".into(),
        };
        let err = bad.validate(Source::Direct, date!(2026 - 11 - 23)).unwrap_err();
        assert_eq!(err.field_error("title"), Some(ErrorKey::Required));
        assert_eq!(err.field_error("kind"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("body"), Some(ErrorKey::TooLong));
        assert_eq!(err.field_error("tags"), Some(ErrorKey::InvalidTag));
        assert_eq!(err.field_error("seci_phase"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("scope"), Some(ErrorKey::InvalidChoice));
        assert_eq!(err.field_error("review_date"), Some(ErrorKey::InThePast));
    }

    #[test]
    fn review_date_must_parse_and_lie_ahead() {
        let mut f = form();
        f.review_date = "31-12-2027".into();
        let err = f.validate(Source::Direct, date!(2026 - 11 - 23)).unwrap_err();
        assert_eq!(err.field_error("review_date"), Some(ErrorKey::InvalidDate));
        f.review_date = "2027-06-30".into();
        assert_eq!(f.validate(Source::Direct, date!(2026 - 11 - 23)).unwrap().review_date, Some(date!(2027 - 06 - 30)));
    }

    #[test]
    fn too_many_tags_are_refused() {
        let tags = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(parse_tags(&tags), Err(ErrorKey::TooManyTags));
        assert_eq!(parse_tags(" #Rekenen ,  groep   8 "), Ok(vec!["rekenen".into(), "groep 8".into()]));
    }

    #[test]
    fn phase_suggestion_follows_kind_and_source() {
        assert_eq!(ArtifactKind::ObservationForm.suggested_phase(Source::Direct), SeciPhase::Socialisation);
        assert_eq!(ArtifactKind::Protocol.suggested_phase(Source::Direct), SeciPhase::Combination);
        assert_eq!(ArtifactKind::CaseSummary.suggested_phase(Source::Intervision), SeciPhase::Externalisation);
        assert_eq!(ArtifactKind::LessonPlan.suggested_phase(Source::LessonStudy), SeciPhase::Combination);
    }

    #[test]
    fn standing_derives_review_due_from_the_date() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let past = now - Duration::days(1);
        assert_eq!(Standing::of(ArtifactStatus::Current, past, now), Standing::ReviewDue);
        assert_eq!(Standing::of(ArtifactStatus::Current, now + Duration::days(1), now), Standing::Current);
        assert_eq!(Standing::of(ArtifactStatus::Outdated, past, now), Standing::Outdated);
        assert_eq!(Standing::of(ArtifactStatus::Archived, past, now), Standing::Archived);
        assert!(ArtifactKind::ResearchReport.review_after() > ArtifactKind::LessonPlan.review_after());
    }

    #[test]
    fn search_terms_drop_query_syntax() {
        assert_eq!(search_terms("Exit-tickets \"OR\" NEAR(groep*)"), vec!["exit", "tickets", "or", "near", "groep"]);
        assert!(search_terms("  \"*()  ").is_empty());
        assert_eq!(search_terms("a b c d e f g h i j").len(), 8);
        assert_eq!(search_terms("Ouderbetrokkenheid café"), vec!["ouderbetrokkenheid", "café"]);
    }

    #[test]
    fn snippets_split_into_marked_and_plain_text() {
        let snippet = format!("de {MARK_START}exit{MARK_END} ticket <b>");
        assert_eq!(
            highlight_segments(&snippet),
            vec![("de ".to_string(), false), ("exit".to_string(), true), (" ticket <b>".to_string(), false)]
        );
    }

    #[test]
    fn file_types_need_content_and_name_to_agree() {
        assert!(accepted_file_type("application/pdf", "plan.PDF").is_some());
        assert!(accepted_file_type("application/pdf", "plan.docx").is_none());
        assert!(accepted_file_type("application/x-executable", "plan.pdf").is_none());
        assert!(accepted_file_type("image/png", "noextension").is_none());
        assert!(accepted_file_type("application/x-ole-storage", "oud.doc").is_some());
        assert!(accepted_file_type("application/x-ole-storage", "oud.pdf").is_none());
    }

    #[test]
    fn file_names_lose_paths_and_markup() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\x\\Les \"1\".pdf"), "Les 1.pdf");
        assert_eq!(clean_file_name(".hidden"), "hidden");
        let long = format!("{}.pdf", "a".repeat(300));
        let cleaned = clean_file_name(&long);
        assert_eq!(cleaned.chars().count(), FILE_NAME_MAX);
        assert!(cleaned.ends_with(".pdf"));
    }
}
