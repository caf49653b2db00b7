//! The pulse survey's rules in plain Rust: the PLG dimensions and Kring's own default
//! statements for them, what a survey may ask, how an answer reads, and when results
//! may be shown (closed, and at least k people answered) as distributions per
//! dimension.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::domain::Language;
use crate::error::ErrorKey;
use crate::shared::string_enum;

string_enum! {
    /// The established dimensions of a professional learning community, plus the
    /// psychological safety every other one rests on.
    SurveyDimension {
        SharedVision => "shared_vision",
        CollectiveLearning => "collective_learning",
        SharedPractice => "shared_practice",
        Relationships => "relationships",
        Structures => "structures",
        SharedLeadership => "shared_leadership",
        Safety => "safety",
    }
}

/// A survey asks at least this many statements…
pub const MIN_STATEMENTS: usize = 5;
/// …and at most this many, so it takes two minutes.
pub const MAX_STATEMENTS: usize = 8;
pub const STATEMENT_MIN_CHARS: usize = 10;
pub const STATEMENT_MAX_CHARS: usize = 200;
pub const COMMENT_MAX_CHARS: usize = 1000;
/// The latest closing date, counted from today.
pub const MAX_OPEN_DAYS: i64 = 42;
/// The four points of the agree scale, from "strongly disagree" (1) up.
pub const SCALE: [i16; 4] = [1, 2, 3, 4];

/// One statement with the dimension it measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub dimension: SurveyDimension,
    pub text: String,
}

/// Kring's default set, in our own words: one statement per dimension and two on
/// safety, eight in all.
pub fn default_statements(language: Language) -> Vec<Statement> {
    use SurveyDimension::*;
    let texts: [(SurveyDimension, &str, &str); MAX_STATEMENTS] = [
        (
            SharedVision,
            "We weten waarom we samen leren en waar we met elkaar naartoe werken.",
            "We know why we learn together and what we are working towards.",
        ),
        (
            CollectiveLearning,
            "Wat we samen bespreken, probeer ik daarna uit in mijn eigen lessen.",
            "What we discuss together, I try out afterwards in my own lessons.",
        ),
        (
            SharedPractice,
            "Collega's kijken in elkaars lessen of werk en geven elkaar bruikbare feedback.",
            "Colleagues look into each other's lessons or work and give useful feedback.",
        ),
        (
            Relationships,
            "Als ik vastloop in mijn werk, kan ik bij collega's terecht.",
            "When I get stuck in my work, I can turn to colleagues.",
        ),
        (
            Structures,
            "Het rooster geeft genoeg tijd en ruimte om samen te leren.",
            "The timetable gives enough time and room to learn together.",
        ),
        (
            SharedLeadership,
            "De schoolleiding laat ons zelf kiezen wat en hoe we samen leren.",
            "School leaders let us choose for ourselves what and how we learn together.",
        ),
        (
            Safety,
            "Ik durf hier te vertellen wat er in mijn lessen niet goed gaat.",
            "I dare to say here what is not going well in my lessons.",
        ),
        (Safety, "Fouten zien we hier als iets om van te leren.", "Here we see mistakes as something to learn from."),
    ];
    texts
        .into_iter()
        .map(|(dimension, nl, en)| Statement {
            dimension,
            text: match language {
                Language::Nl => nl,
                Language::En => en,
            }
            .to_string(),
        })
        .collect()
}

/// A reworded statement: trimmed, between the limits.
pub fn statement_text(text: &str) -> Result<String, ErrorKey> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(ErrorKey::Required),
        n if n < STATEMENT_MIN_CHARS => Err(ErrorKey::TooShort),
        n if n > STATEMENT_MAX_CHARS => Err(ErrorKey::TooLong),
        _ => Ok(text.to_string()),
    }
}

/// The statements chosen from `set` by their position (as the form posts them), in
/// the set's order; 5 to 8 of them.
pub fn pick(set: &[Statement], picked: &[String]) -> Result<Vec<Statement>, ErrorKey> {
    let mut chosen = vec![false; set.len()];
    for text in picked {
        let index: usize = text.trim().parse().map_err(|_| ErrorKey::InvalidChoice)?;
        *chosen.get_mut(index).ok_or(ErrorKey::InvalidChoice)? = true;
    }
    let statements: Vec<Statement> =
        set.iter().zip(chosen).filter(|(_, chosen)| *chosen).map(|(s, _)| s.clone()).collect();
    if (MIN_STATEMENTS..=MAX_STATEMENTS).contains(&statements.len()) {
        Ok(statements)
    } else {
        Err(ErrorKey::SurveyStatementCount)
    }
}

/// An answer as the form posts it: "1" to "4".
pub fn answer_value(text: &str) -> Option<i16> {
    text.trim().parse().ok().filter(|v| SCALE.contains(v))
}

/// The optional comment, trimmed; empty is none.
pub fn comment(text: &str) -> Result<Option<String>, ErrorKey> {
    let text = text.trim();
    if text.chars().count() > COMMENT_MAX_CHARS {
        Err(ErrorKey::TooLong)
    } else {
        Ok((!text.is_empty()).then(|| text.to_string()))
    }
}

/// A closing date from today up to six weeks ahead.
pub fn closing_date(today: Date, date: Date) -> Result<(), ErrorKey> {
    if date < today {
        Err(ErrorKey::InThePast)
    } else if date > today + time::Duration::days(MAX_OPEN_DAYS) {
        Err(ErrorKey::TooFarAhead)
    } else {
        Ok(())
    }
}

/// What a survey's results page may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    /// Still open: nothing, not even a partial count of answers per statement.
    Open,
    /// Closed with fewer than k people answering: nothing either.
    TooFew,
    Shown,
}

pub fn result_state(closed: bool, respondents: u64, k: u64) -> ResultState {
    if !closed {
        ResultState::Open
    } else if respondents < k {
        ResultState::TooFew
    } else {
        ResultState::Shown
    }
}

/// How the answers to one dimension's statements spread over the scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub dimension: SurveyDimension,
    /// Answers per point of the scale, "strongly disagree" first.
    pub counts: [u32; 4],
}

impl Distribution {
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The share of answers that agree (the upper two points), in whole percent.
    pub fn agree_percent(&self) -> Option<u32> {
        let total = self.total();
        (total > 0).then(|| ((self.counts[2] + self.counts[3]) * 100 + total / 2) / total)
    }

    /// Each point's share in whole percent.
    pub fn percents(&self) -> [u32; 4] {
        let total = self.total().max(1);
        self.counts.map(|c| (c * 100 + total / 2) / total)
    }
}

/// The answers summed per dimension, in the dimensions' order; `items` gives each
/// answered statement's dimension. Answers to unknown statements are ignored.
pub fn distributions<I: Eq + Copy>(items: &[(I, SurveyDimension)], answers: &[(I, i16)]) -> Vec<Distribution> {
    SurveyDimension::ALL
        .iter()
        .filter(|d| items.iter().any(|(_, dimension)| dimension == *d))
        .map(|&dimension| {
            let mut counts = [0u32; 4];
            for (item, value) in answers {
                let asked = items.iter().any(|(id, d)| id == item && *d == dimension);
                if let (true, Some(slot)) = (asked, SCALE.iter().position(|v| v == value)) {
                    counts[slot] += 1;
                }
            }
            Distribution { dimension, counts }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_set_covers_every_dimension_within_the_limits() {
        for language in [Language::Nl, Language::En] {
            let set = default_statements(language);
            assert!((MIN_STATEMENTS..=MAX_STATEMENTS).contains(&set.len()));
            for dimension in SurveyDimension::ALL {
                assert!(set.iter().any(|s| s.dimension == *dimension), "{dimension:?} missing");
            }
            assert!(set.iter().all(|s| statement_text(&s.text).is_ok()));
        }
    }

    #[test]
    fn picking_keeps_the_sets_order_and_asks_five_to_eight() {
        let set = default_statements(Language::En);
        let picked: Vec<String> = ["6", "0", "1", "2", "3"].map(String::from).to_vec();
        let chosen = pick(&set, &picked).unwrap();
        assert_eq!(chosen.len(), 5);
        assert_eq!(chosen[0], set[0]);
        assert_eq!(chosen[4], set[6]);
        let four: Vec<String> = ["0", "1", "2", "2", "3"].map(String::from).to_vec();
        assert_eq!(pick(&set, &four), Err(ErrorKey::SurveyStatementCount));
        assert_eq!(pick(&set, &["9".to_string()]), Err(ErrorKey::InvalidChoice));
        assert_eq!(pick(&set, &["x".to_string()]), Err(ErrorKey::InvalidChoice));
    }

    #[test]
    fn answers_read_only_the_four_points() {
        assert_eq!(answer_value("3"), Some(3));
        assert_eq!(answer_value(" 1 "), Some(1));
        assert_eq!(answer_value("0"), None);
        assert_eq!(answer_value("5"), None);
        assert_eq!(answer_value(""), None);
    }

    #[test]
    fn comments_are_optional_and_bounded() {
        assert_eq!(comment("  "), Ok(None));
        assert_eq!(comment(" fijn "), Ok(Some("fijn".to_string())));
        assert_eq!(comment(&"x".repeat(COMMENT_MAX_CHARS + 1)), Err(ErrorKey::TooLong));
    }

    #[test]
    fn a_survey_closes_from_today_up_to_six_weeks_ahead() {
        let today = date!(2026 - 12 - 03);
        assert_eq!(closing_date(today, today), Ok(()));
        assert_eq!(closing_date(today, date!(2026 - 12 - 02)), Err(ErrorKey::InThePast));
        assert_eq!(closing_date(today, date!(2027 - 01 - 14)), Ok(()));
        assert_eq!(closing_date(today, date!(2027 - 01 - 15)), Err(ErrorKey::TooFarAhead));
    }

    #[test]
    fn results_show_only_after_closing_with_at_least_k_people() {
        assert_eq!(result_state(false, 30, 5), ResultState::Open);
        assert_eq!(result_state(true, 4, 5), ResultState::TooFew);
        assert_eq!(result_state(true, 5, 5), ResultState::Shown);
        assert_eq!(result_state(true, 6, 7), ResultState::TooFew);
    }

    #[test]
    fn answers_add_up_per_dimension() {
        use SurveyDimension::*;
        let items = [(1, Safety), (2, Safety), (3, Structures)];
        let answers = [(1, 4), (2, 3), (2, 1), (3, 2), (9, 4), (3, 7)];
        let result = distributions(&items, &answers);
        assert_eq!(result.len(), 2);
        assert_eq!(result[0], Distribution { dimension: Structures, counts: [0, 1, 0, 0] });
        assert_eq!(result[1], Distribution { dimension: Safety, counts: [1, 0, 1, 1] });
        assert_eq!(result[1].agree_percent(), Some(67));
        assert_eq!(result[0].agree_percent(), Some(0));
        assert_eq!(result[1].percents(), [33, 0, 33, 33]);
    }
}
