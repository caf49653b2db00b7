//! Intervision methods as data: ordered phases with minutes, who speaks, where the
//! case bringer is, and what the phase collects. Kring ships the well-known methods
//! (`catalogue`); a facilitator copies one and adapts it for their organisation. The
//! round runner knows nothing about any particular method: it follows the phases.

use serde::{Deserialize, Serialize};

use crate::account::domain::Language;
use crate::error::{AppError, ErrorKey, Validation};
use crate::shared::string_enum;

/// A text in both interface languages. Built-in methods carry both; an adapted method
/// carries what its author wrote, and shows it whatever the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

impl Text {
    pub fn new(nl: &str, en: &str) -> Self {
        Self { nl: nl.to_string(), en: en.to_string() }
    }

    /// One text for both languages (what a facilitator wrote).
    pub fn same(text: &str) -> Self {
        Self::new(text, text)
    }

    /// The text in `language`, or the other one when that is empty.
    pub fn get(&self, language: Language) -> &str {
        let (wanted, other) = match language {
            Language::Nl => (&self.nl, &self.en),
            Language::En => (&self.en, &self.nl),
        };
        if wanted.trim().is_empty() { other } else { wanted }
    }

    pub fn is_blank(&self) -> bool {
        self.nl.trim().is_empty() && self.en.trim().is_empty()
    }

    fn longest(&self) -> usize {
        self.nl.chars().count().max(self.en.chars().count())
    }
}

string_enum! {
    /// Who has the floor in a phase.
    Speaker {
        CaseBringer => "case_bringer",
        Group => "group",
        EachInTurn => "each_in_turn",
        Lead => "lead",
        Everyone => "everyone",
    }
}

string_enum! {
    /// Where the case bringer is during a phase.
    Presence {
        /// Takes part.
        Present => "present",
        /// Listens and takes notes, does not react.
        Listening => "listening",
        /// Outside the circle: does not see what the group writes until a later phase.
        Away => "away",
    }
}

string_enum! {
    /// What participants write down in a phase.
    Collects {
        Nothing => "nothing",
        Questions => "questions",
        Hypotheses => "hypotheses",
        Positions => "positions",
        Associations => "associations",
        Advice => "advice",
        Reflections => "reflections",
    }
}

impl Collects {
    /// Written positions and first associations are written alone, then shown together.
    pub fn hidden_until_revealed_by_default(self) -> bool {
        matches!(self, Collects::Positions | Collects::Associations)
    }
}

string_enum! {
    /// How much trust a method asks of a group.
    TrustNeeded { Any => "any", High => "high" }
}

/// One step of a method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    pub title: Text,
    /// Shown to everyone during the phase.
    pub instruction: Text,
    pub minutes: u16,
    pub speaks: Speaker,
    pub case_bringer: Presence,
    pub collects: Collects,
    /// Contributions stay hidden until the round lead reveals them all at once.
    pub hidden_until_revealed: bool,
}

/// A method: what it is, when to use it, and its phases in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// Stable name of a built-in method (`incident_timed`, …); adapted copies keep
    /// the key of the method they came from.
    pub key: String,
    pub name: Text,
    pub description: Text,
    pub when_to_use: Text,
    pub trust: TrustNeeded,
    pub phases: Vec<Phase>,
}

pub const MAX_PHASES: usize = 20;
pub const MAX_PHASE_MINUTES: u16 = 120;
pub const NAME_MAX: usize = 80;
pub const PHASE_TITLE_MAX: usize = 80;
pub const TEXT_MAX: usize = 1000;

/// What is wrong with a method a facilitator wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodProblem {
    NoName,
    NameTooLong,
    TextTooLong,
    NoPhases,
    TooManyPhases,
    /// Phase (counted from 0) without a title.
    UntitledPhase(usize),
    PhaseTitleTooLong(usize),
    /// Phase with zero minutes.
    NoMinutes(usize),
    TooManyMinutes(usize),
    InstructionTooLong(usize),
    /// Stored data that does not parse (an unknown phase kind, for example).
    Unreadable,
}

impl Method {
    /// Whether the timekeeper may take over when the round lead drops out. A method
    /// that asks for high trust (Balint, gossip) is then led by a facilitator only.
    pub fn timekeeper_may_lead(&self) -> bool {
        self.trust == TrustNeeded::Any
    }

    pub fn total_minutes(&self) -> u32 {
        self.phases.iter().map(|p| u32::from(p.minutes)).sum()
    }

    /// Every problem at once, so the form can show them all.
    pub fn problems(&self) -> Vec<MethodProblem> {
        use MethodProblem as P;
        let mut problems = Vec::new();
        if self.name.is_blank() {
            problems.push(P::NoName);
        } else if self.name.longest() > NAME_MAX {
            problems.push(P::NameTooLong);
        }
        if self.description.longest() > TEXT_MAX || self.when_to_use.longest() > TEXT_MAX {
            problems.push(P::TextTooLong);
        }
        if self.phases.is_empty() {
            problems.push(P::NoPhases);
        } else if self.phases.len() > MAX_PHASES {
            problems.push(P::TooManyPhases);
        }
        for (i, phase) in self.phases.iter().enumerate() {
            if phase.title.is_blank() {
                problems.push(P::UntitledPhase(i));
            } else if phase.title.longest() > PHASE_TITLE_MAX {
                problems.push(P::PhaseTitleTooLong(i));
            }
            if phase.minutes == 0 {
                problems.push(P::NoMinutes(i));
            } else if phase.minutes > MAX_PHASE_MINUTES {
                problems.push(P::TooManyMinutes(i));
            }
            if phase.instruction.longest() > TEXT_MAX {
                problems.push(P::InstructionTooLong(i));
            }
        }
        problems
    }

    /// Reads method data (stored JSON of an adapted method). Unknown phase kinds,
    /// speakers or presences are refused by the parser, like any other bad data.
    pub fn from_json(json: &str) -> Result<Method, MethodProblem> {
        serde_json::from_str::<Method>(json).map_err(|_| MethodProblem::Unreadable).and_then(|m| {
            match m.problems().first() {
                Some(problem) => Err(*problem),
                None => Ok(m),
            }
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One phase as typed into the method form. Rows the author marks `remove`, and a
/// new row left empty, are dropped; `position` orders the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub speaks: String,
    #[serde(default)]
    pub case_bringer: String,
    #[serde(default)]
    pub collects: String,
    #[serde(default)]
    pub hidden: Option<String>,
    #[serde(default)]
    pub remove: Option<String>,
    #[serde(default)]
    pub position: String,
}

impl PhaseForm {
    fn is_blank(&self) -> bool {
        self.title.trim().is_empty() && self.instruction.trim().is_empty() && self.minutes.trim().is_empty()
    }
}

/// An adapted method as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodForm {
    pub name: String,
    pub description: String,
    pub when_to_use: String,
    pub trust: String,
    pub phases: Vec<PhaseForm>,
}

/// The form field of one phase's input, e.g. `phases[2][minutes]`.
pub fn phase_field(row: usize, input: &str) -> String {
    format!("phases[{row}][{input}]")
}

/// A text the author left as it was keeps both languages; a changed one is what they wrote.
fn merged(old: &Text, typed: &str, language: Language) -> Text {
    let typed = typed.replace("\r\n", "\n");
    let typed = typed.trim();
    if typed == old.get(language).trim() { old.clone() } else { Text::same(typed) }
}

fn bounded(text: &str, max: usize, required: bool) -> Result<(), ErrorKey> {
    let length = text.trim().chars().count();
    if required && length == 0 {
        Err(ErrorKey::Required)
    } else if length > max {
        Err(ErrorKey::TooLong)
    } else {
        Ok(())
    }
}

impl MethodForm {
    /// The form as it shows `method` in `language`, rows in order, plus one empty row
    /// for a new phase.
    pub fn of(method: &Method, language: Language) -> MethodForm {
        let mut phases: Vec<PhaseForm> = method
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| PhaseForm {
                title: p.title.get(language).to_string(),
                instruction: p.instruction.get(language).to_string(),
                minutes: p.minutes.to_string(),
                speaks: p.speaks.as_str().to_string(),
                case_bringer: p.case_bringer.as_str().to_string(),
                collects: p.collects.as_str().to_string(),
                hidden: p.hidden_until_revealed.then(|| "on".to_string()),
                remove: None,
                position: (i + 1).to_string(),
            })
            .collect();
        phases.push(PhaseForm {
            speaks: Speaker::Group.as_str().to_string(),
            case_bringer: Presence::Present.as_str().to_string(),
            collects: Collects::Nothing.as_str().to_string(),
            position: (method.phases.len() + 1).to_string(),
            ..PhaseForm::default()
        });
        MethodForm {
            name: method.name.get(language).to_string(),
            description: method.description.get(language).to_string(),
            when_to_use: method.when_to_use.get(language).to_string(),
            trust: method.trust.as_str().to_string(),
            phases,
        }
    }

    /// `current` changed as the form says, or every problem at once as field errors.
    /// Row `i` of the form edits phase `i` of `current`; rows past its end are new.
    pub fn apply(&self, current: &Method, language: Language) -> Result<Method, AppError> {
        let mut check = Validation::new();
        check
            .check("name", bounded(&self.name, NAME_MAX, true))
            .check("description", bounded(&self.description, TEXT_MAX, false))
            .check("when_to_use", bounded(&self.when_to_use, TEXT_MAX, false))
            .check("trust", TrustNeeded::parse(&self.trust).map(|_| ()));
        let mut kept: Vec<(i64, usize, Phase)> = Vec::new();
        for (row, input) in self.phases.iter().enumerate() {
            let old = current.phases.get(row);
            if input.remove.is_some() || (old.is_none() && input.is_blank()) {
                continue;
            }
            let minutes = input
                .minutes
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|m| (1..=MAX_PHASE_MINUTES).contains(m))
                .ok_or(ErrorKey::MinutesRange);
            let speaks = Speaker::parse(&input.speaks);
            let case_bringer = Presence::parse(&input.case_bringer);
            let collects = Collects::parse(&input.collects);
            check
                .check(&phase_field(row, "title"), bounded(&input.title, PHASE_TITLE_MAX, true))
                .check(&phase_field(row, "instruction"), bounded(&input.instruction, TEXT_MAX, false))
                .check(&phase_field(row, "minutes"), minutes.map(|_| ()))
                .check(&phase_field(row, "speaks"), speaks.map(|_| ()))
                .check(&phase_field(row, "case_bringer"), case_bringer.map(|_| ()))
                .check(&phase_field(row, "collects"), collects.map(|_| ()));
            let (Ok(minutes), Ok(speaks), Ok(case_bringer), Ok(collects)) = (minutes, speaks, case_bringer, collects)
            else {
                continue;
            };
            let blank = Text::default();
            let position = input.position.trim().parse::<i64>().unwrap_or(row as i64 + 1);
            kept.push((
                position,
                row,
                Phase {
                    title: merged(old.map_or(&blank, |p| &p.title), &input.title, language),
                    instruction: merged(old.map_or(&blank, |p| &p.instruction), &input.instruction, language),
                    minutes,
                    speaks,
                    case_bringer,
                    collects,
                    hidden_until_revealed: input.hidden.is_some() && collects != Collects::Nothing,
                },
            ));
        }
        check.check(
            "phases",
            if kept.is_empty() && self.phases.iter().all(|p| p.remove.is_some() || p.is_blank()) {
                Err(ErrorKey::NoPhases)
            } else if kept.len() > MAX_PHASES {
                Err(ErrorKey::TooManyPhases)
            } else {
                Ok(())
            },
        );
        check.finish()?;
        kept.sort_by_key(|(position, row, _)| (*position, *row));
        let method = Method {
            key: current.key.clone(),
            name: merged(&current.name, &self.name, language),
            description: merged(&current.description, &self.description, language),
            when_to_use: merged(&current.when_to_use, &self.when_to_use, language),
            trust: TrustNeeded::parse(&self.trust).unwrap_or(current.trust),
            phases: kept.into_iter().map(|(_, _, phase)| phase).collect(),
        };
        // The form checks above cover every rule; this keeps the two from drifting apart.
        if method.problems().is_empty() { Ok(method) } else { Err(AppError::field("phases", ErrorKey::InvalidChoice)) }
    }
}

/// A built-in method copied for adapting: the same phases, its name marked as adapted.
pub fn adapted_copy(method: &Method) -> Method {
    Method {
        name: Text { nl: format!("{} (aangepast)", method.name.nl), en: format!("{} (adapted)", method.name.en) },
        ..method.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalogue::built_in_by_key;
    use super::*;

    #[test]
    fn bad_method_data_is_refused_with_every_problem() {
        let mut method = built_in_by_key("five_step").unwrap();
        method.name = Text::same("  ");
        method.phases[1].minutes = 0;
        method.phases[2].title = Text::default();
        method.phases[3].minutes = 500;
        assert_eq!(
            method.problems(),
            vec![
                MethodProblem::NoName,
                MethodProblem::NoMinutes(1),
                MethodProblem::UntitledPhase(2),
                MethodProblem::TooManyMinutes(3)
            ]
        );
        method.phases.clear();
        assert!(method.problems().contains(&MethodProblem::NoPhases));
    }

    #[test]
    fn stored_method_data_round_trips_and_unknown_kinds_are_refused() {
        let method = built_in_by_key("socratic").unwrap();
        assert_eq!(Method::from_json(&method.to_json()), Ok(method.clone()));
        let unknown = method.to_json().replacen("\"questions\"", "\"prophecies\"", 1);
        assert_eq!(Method::from_json(&unknown), Err(MethodProblem::Unreadable));
        let mut empty = method;
        empty.phases.clear();
        assert_eq!(Method::from_json(&empty.to_json()), Err(MethodProblem::NoPhases));
    }

    #[test]
    fn texts_fall_back_to_the_other_language() {
        let text = Text { nl: "Vraag".into(), en: String::new() };
        assert_eq!(text.get(Language::En), "Vraag");
        assert_eq!(Text::new("Vraag", "Question").get(Language::En), "Question");
    }

    #[test]
    fn an_unchanged_form_gives_back_the_same_method_in_both_languages() {
        let method = adapted_copy(&built_in_by_key("incident_timed").unwrap());
        let form = MethodForm::of(&method, Language::En);
        assert_eq!(form.phases.len(), method.phases.len() + 1, "plus one empty row for a new phase");
        assert_eq!(form.apply(&method, Language::En), Ok(method.clone()));
        assert!(method.name.en.ends_with("(adapted)") && method.name.nl.ends_with("(aangepast)"));
    }

    #[test]
    fn the_form_changes_removes_adds_and_reorders_phases() {
        let method = built_in_by_key("five_step").unwrap();
        let mut form = MethodForm::of(&method, Language::Nl);
        let n = method.phases.len();
        form.phases[0].minutes = "7".into();
        form.phases[0].title = "Kennismaken".into();
        form.phases[1].remove = Some("on".into());
        let new = form.phases.last_mut().unwrap();
        new.title = "Stilte".into();
        new.instruction = "Iedereen schrijft twee minuten voor zichzelf.".into();
        new.minutes = "2".into();
        new.collects = "positions".into();
        new.hidden = Some("on".into());
        new.position = "0".into();
        let adapted = form.apply(&method, Language::Nl).unwrap();
        assert_eq!(adapted.phases.len(), n);
        assert_eq!(adapted.phases[0].title, Text::same("Stilte"));
        assert!(adapted.phases[0].hidden_until_revealed);
        assert_eq!((adapted.phases[1].minutes, adapted.phases[1].title.en.as_str()), (7, "Kennismaken"));
        assert_eq!(adapted.phases[2], method.phases[2], "untouched phases keep both languages");
        assert_eq!(adapted.key, method.key);
    }

    #[test]
    fn a_bad_form_names_every_bad_field() {
        let method = built_in_by_key("socratic").unwrap();
        let mut form = MethodForm::of(&method, Language::Nl);
        form.name = " ".into();
        form.phases[0].title = String::new();
        form.phases[1].minutes = "0".into();
        form.phases[2].minutes = "tien".into();
        form.phases[3].collects = "prophecies".into();
        let error = form.apply(&method, Language::Nl).unwrap_err();
        assert_eq!(error.field_error("name"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("phases[0][title]"), Some(ErrorKey::Required));
        assert_eq!(error.field_error("phases[1][minutes]"), Some(ErrorKey::MinutesRange));
        assert_eq!(error.field_error("phases[2][minutes]"), Some(ErrorKey::MinutesRange));
        assert_eq!(error.field_error("phases[3][collects]"), Some(ErrorKey::InvalidChoice));

        let mut none_left = MethodForm::of(&method, Language::Nl);
        for phase in &mut none_left.phases {
            phase.remove = Some("on".into());
        }
        assert_eq!(none_left.apply(&method, Language::Nl).unwrap_err().field_error("phases"), Some(ErrorKey::NoPhases));
    }
}
