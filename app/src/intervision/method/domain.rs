//! Intervision methods as data: ordered phases with minutes, who speaks, where the
//! case bringer is, and what the phase collects. Kring ships the well-known methods;
//! a facilitator copies one and adapts it for their organisation. The round runner
//! knows nothing about any particular method: it follows the phases.

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

/// A suggestion for a group: methods that need high trust only once the group has
/// run a few rounds together, and the simplest methods first for a new group.
pub fn suitable(rounds_held: u32) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    if rounds_held < 3 {
        keys.extend(["five_step", "incident_timed", "socratic"]);
    } else {
        keys.extend(["incident_timed", "socratic", "ten_step", "incident_ten_phase", "five_step"]);
        if rounds_held >= 6 {
            keys.extend(["balint", "gossip"]);
        }
    }
    keys
}

struct P<'a> {
    title: (&'a str, &'a str),
    instruction: (&'a str, &'a str),
    minutes: u16,
    speaks: Speaker,
    case_bringer: Presence,
    collects: Collects,
}

fn phases(list: Vec<P<'_>>) -> Vec<Phase> {
    list.into_iter()
        .map(|p| Phase {
            title: Text::new(p.title.0, p.title.1),
            instruction: Text::new(p.instruction.0, p.instruction.1),
            minutes: p.minutes,
            speaks: p.speaks,
            case_bringer: p.case_bringer,
            collects: p.collects,
            hidden_until_revealed: p.collects.hidden_until_revealed_by_default(),
        })
        .collect()
}

use Collects as C;
use Presence::{Listening, Present};
use Speaker as S;

/// The methods Kring ships. They never change; adapted copies are stored separately.
pub fn built_in() -> Vec<Method> {
    vec![incident_timed(), incident_ten_phase(), balint(), gossip(), five_step(), ten_step(), socratic()]
}

pub fn built_in_by_key(key: &str) -> Option<Method> {
    built_in().into_iter().find(|m| m.key == key)
}

fn look_back() -> P<'static> {
    P {
        title: ("Terugblik", "Look back"),
        instruction: (
            "Wie de vorige keer een actie koos, vertelt kort wat ervan terechtkwam.",
            "Whoever chose an action last time says briefly what came of it.",
        ),
        minutes: 5,
        speaks: S::EachInTurn,
        case_bringer: Present,
        collects: C::Nothing,
    }
}

fn evaluation(minutes: u16) -> P<'static> {
    P {
        title: ("Evaluatie", "Evaluation"),
        instruction: (
            "De inbrenger kiest een actie met een datum. Daarna: was het veilig, was het nuttig, wat leerde je?",
            "The case bringer chooses an action with a date. Then: was it safe, was it useful, what did you learn?",
        ),
        minutes,
        speaks: S::Everyone,
        case_bringer: Present,
        collects: C::Reflections,
    }
}

fn incident_timed() -> Method {
    Method {
        key: "incident_timed".into(),
        name: Text::new("Incidentmethode (65 minuten)", "Incident method (65 minutes)"),
        description: Text::new(
            "Een kort, concreet voorval uit de les. De groep vraagt door op feiten, analyseert en geeft advies terwijl de inbrenger luistert.",
            "A short, concrete incident from a lesson. The group asks for facts, analyses and advises while the case bringer listens.",
        ),
        when_to_use: Text::new(
            "Geschikt voor elke groep, ook een nieuwe: de stappen zijn strak en veilig.",
            "Suits any group, new ones too: the steps are tight and safe.",
        ),
        trust: TrustNeeded::Any,
        phases: phases(vec![
            look_back(),
            P {
                title: ("Casussen inbrengen", "Cases brought"),
                instruction: (
                    "Wie een voorval heeft, schetst het in een paar zinnen.",
                    "Whoever has an incident sketches it in a few sentences.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Kiezen", "Choose"),
                instruction: ("Kies samen één casus.", "Choose one case together."),
                minutes: 5,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Informatievragen", "Information questions"),
                instruction: (
                    "Alleen feitelijke vragen, één tegelijk. Nog geen adviezen of meningen.",
                    "Factual questions only, one at a time. No advice or opinions yet.",
                ),
                minutes: 15,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Analyse", "Analysis"),
                instruction: (
                    "Wat speelt hier? Schrijf je vermoedens op; de inbrenger luistert.",
                    "What is going on? Write down your hypotheses; the case bringer listens.",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Hypotheses,
            },
            P {
                title: ("Advies", "Advice"),
                instruction: (
                    "Ieder geeft een concreet advies. De inbrenger zwijgt en noteert.",
                    "Everyone gives one concrete piece of advice. The case bringer stays silent and takes notes.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Listening,
                collects: C::Advice,
            },
            evaluation(10),
        ]),
    }
}

fn incident_ten_phase() -> Method {
    Method {
        key: "incident_ten_phase".into(),
        name: Text::new("Incidentmethode (10 fasen)", "Incident method (10 phases)"),
        description: Text::new(
            "De volledige incidentmethode: de inbrenger houdt de afloop achter tot iedereen een standpunt heeft opgeschreven.",
            "The full incident method: the case bringer withholds the outcome until everyone has written a position.",
        ),
        when_to_use: Text::new(
            "Voor een groep met wat ervaring die een beslismoment wil uitdiepen.",
            "For a group with some experience that wants to dig into a moment of decision.",
        ),
        trust: TrustNeeded::Any,
        phases: phases(vec![
            look_back(),
            P {
                title: ("Incident kiezen", "Choose the incident"),
                instruction: ("Kies samen één voorval.", "Choose one incident together."),
                minutes: 5,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Situatie schetsen", "Sketch the situation"),
                instruction: (
                    "De inbrenger vertelt tot het moment van handelen en houdt de afloop voor zich.",
                    "The case bringer tells the story up to the moment of action and keeps the outcome back.",
                ),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Informatievragen", "Information questions"),
                instruction: ("Alleen feitelijke vragen, één tegelijk.", "Factual questions only, one at a time."),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Analyse", "Analysis"),
                instruction: ("Wat is hier het probleem?", "What is the problem here?"),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Hypotheses,
            },
            P {
                title: ("Standpunt schrijven", "Write a position"),
                instruction: (
                    "Schrijf alleen op wat jij op dat moment zou doen, en waarom. Je ziet elkaars standpunt pas straks.",
                    "Write down on your own what you would do at that moment, and why. You will see each other's positions later.",
                ),
                minutes: 5,
                speaks: S::Everyone,
                case_bringer: Present,
                collects: C::Positions,
            },
            P {
                title: ("Standpunten delen", "Share positions"),
                instruction: (
                    "De gespreksleider toont alle standpunten; ieder licht het zijne toe.",
                    "The round lead shows all positions; everyone explains theirs.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Afloop", "What happened"),
                instruction: (
                    "De inbrenger vertelt wat er werkelijk gebeurde.",
                    "The case bringer tells what actually happened.",
                ),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Nabespreking", "Closing discussion"),
                instruction: (
                    "Wat leren we hiervan, los van deze casus?",
                    "What do we learn from this, beyond this case?",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Reflections,
            },
            evaluation(5),
        ]),
    }
}

fn balint() -> Method {
    Method {
        key: "balint".into(),
        name: Text::new("Balintmethode", "Balint method"),
        description: Text::new(
            "De groep verkent gevoelens en beelden bij een casus: eerste associaties worden eerst alleen opgeschreven en dan samen bekeken.",
            "The group explores feelings and images around a case: first associations are written alone, then looked at together.",
        ),
        when_to_use: Text::new(
            "Vraagt een ervaren groep met veel vertrouwen.",
            "Needs an experienced group with high trust.",
        ),
        trust: TrustNeeded::High,
        phases: phases(vec![
            look_back(),
            P {
                title: ("Casussen verzamelen", "Collect cases"),
                instruction: (
                    "Ieder met een casus vertelt die in hooguit drie zinnen.",
                    "Everyone with a case tells it in three sentences at most.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Kiezen", "Choose"),
                instruction: ("Kies samen één casus.", "Choose one case together."),
                minutes: 5,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Casus vertellen", "Tell the case"),
                instruction: ("De inbrenger vertelt de casus volledig.", "The case bringer tells the case in full."),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Eerste associaties", "First associations"),
                instruction: (
                    "Schrijf op wat de casus bij je oproept. Je ziet elkaars associaties pas als de gespreksleider ze toont.",
                    "Write down what the case brings up in you. You see each other's associations only when the round lead shows them.",
                ),
                minutes: 5,
                speaks: S::Everyone,
                case_bringer: Present,
                collects: C::Associations,
            },
            P {
                title: ("Beeldvormende vragen", "Picture-forming questions"),
                instruction: (
                    "Vragen die het beeld van de situatie scherper maken.",
                    "Questions that sharpen the picture of the situation.",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Eigen oordeel", "Individual judgement"),
                instruction: ("Schrijf alleen je oordeel op.", "Write down your own judgement."),
                minutes: 5,
                speaks: S::Everyone,
                case_bringer: Present,
                collects: C::Positions,
            },
            P {
                title: ("Groepsoordeel", "Group judgement"),
                instruction: (
                    "De groep bespreekt; de inbrenger reageert niet.",
                    "The group discusses; the case bringer does not react.",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Hypotheses,
            },
            P {
                title: ("Besluit", "Decision"),
                instruction: (
                    "De inbrenger zegt wat hij of zij meeneemt.",
                    "The case bringer says what they take away.",
                ),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            evaluation(5),
        ]),
    }
}

fn gossip() -> Method {
    Method {
        key: "gossip".into(),
        name: Text::new("Roddelmethode", "Gossip method"),
        description: Text::new(
            "De groep praat over de casus alsof de inbrenger er niet is; die luistert buiten de kring en schrijft mee.",
            "The group talks about the case as if the case bringer were not there; they listen outside the circle and take notes.",
        ),
        when_to_use: Text::new("Vraagt veel vertrouwen in de groep.", "Needs high trust in the group."),
        trust: TrustNeeded::High,
        phases: phases(vec![
            look_back(),
            P {
                title: ("Vraag", "Question"),
                instruction: (
                    "De inbrenger vertelt de casus en stelt een vraag.",
                    "The case bringer tells the case and asks a question.",
                ),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Verkennen", "Exploration"),
                instruction: ("Ieder stelt hooguit drie open vragen.", "Everyone asks at most three open questions."),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Roddelen", "Gossip"),
                instruction: (
                    "Praat over de inbrenger en de casus alsof die er niet is. De inbrenger luistert buiten de kring en schrijft op wat raakt.",
                    "Talk about the case bringer and the case as if they were not there. The case bringer listens outside the circle and notes what strikes them.",
                ),
                minutes: 15,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Hypotheses,
            },
            P {
                title: ("Ervaring van de inbrenger", "The case bringer's experience"),
                instruction: (
                    "De inbrenger vertelt wat het roddelen opriep.",
                    "The case bringer tells what the gossip brought up.",
                ),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            evaluation(10),
        ]),
    }
}

fn five_step() -> Method {
    Method {
        key: "five_step".into(),
        name: Text::new("Vijfstappenmethode", "Five-step method"),
        description: Text::new(
            "Vraag, verkenning, kernprobleem, adviesronde, evaluatie: eenvoudig en overzichtelijk.",
            "Question, exploration, core problem, advice round, evaluation: simple and clear.",
        ),
        when_to_use: Text::new(
            "Een goede eerste methode voor een nieuwe groep.",
            "A good first method for a new group.",
        ),
        trust: TrustNeeded::Any,
        phases: phases(vec![
            P {
                title: ("Vraag", "Question"),
                instruction: (
                    "De inbrenger vertelt de casus en formuleert een vraag.",
                    "The case bringer tells the case and puts a question.",
                ),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Verkennen", "Exploration"),
                instruction: (
                    "Open vragen om de situatie te begrijpen.",
                    "Open questions to understand the situation.",
                ),
                minutes: 15,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Kernprobleem", "Core problem"),
                instruction: (
                    "Wat is volgens jou de kern? Schrijf het op.",
                    "What do you think is the core? Write it down.",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Hypotheses,
            },
            P {
                title: ("Adviesronde", "Advice round"),
                instruction: (
                    "Ieder geeft een advies; de inbrenger luistert.",
                    "Everyone gives advice; the case bringer listens.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Listening,
                collects: C::Advice,
            },
            evaluation(10),
        ]),
    }
}

fn ten_step() -> Method {
    Method {
        key: "ten_step".into(),
        name: Text::new("Tienstappenmethode", "Ten-step method"),
        description: Text::new(
            "Twee vragenrondes, met de inbrenger die de vragen waardeert, voordat de groep een nieuwe aanpak en tips zoekt.",
            "Two rounds of questions, with the case bringer rating them, before the group looks for a new approach and tips.",
        ),
        when_to_use: Text::new(
            "Voor een groep die een casus grondig wil verkennen.",
            "For a group that wants to explore a case thoroughly.",
        ),
        trust: TrustNeeded::Any,
        phases: phases(vec![
            P {
                title: ("Situatie", "Situation"),
                instruction: ("De inbrenger beschrijft de situatie.", "The case bringer describes the situation."),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Verhelderende vragen", "Clarifying questions"),
                instruction: (
                    "Schrijf vragen die de situatie verhelderen.",
                    "Write questions that clarify the situation.",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Vragen waarderen", "Rate the questions"),
                instruction: (
                    "De inbrenger markeert elke vraag als warm, neutraal of koud.",
                    "The case bringer marks each question warm, neutral or cold.",
                ),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Antwoorden", "Answers"),
                instruction: (
                    "De inbrenger beantwoordt de warme vragen.",
                    "The case bringer answers the warm questions.",
                ),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Tweede vragenronde", "Second round of questions"),
                instruction: ("Vragen die dieper gaan.", "Questions that go deeper."),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Kern van het probleem", "Core of the problem"),
                instruction: ("Wat is de kern?", "What is the core?"),
                minutes: 5,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Hypotheses,
            },
            P {
                title: ("Vraag herformuleren", "Reformulate"),
                instruction: ("De inbrenger formuleert de vraag opnieuw.", "The case bringer puts the question anew."),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Nieuwe aanpak", "New approach"),
                instruction: ("Denk samen na over een andere aanpak.", "Think together about another approach."),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Present,
                collects: C::Advice,
            },
            P {
                title: ("Tips", "Tips"),
                instruction: ("Ieder geeft één tip.", "Everyone gives one tip."),
                minutes: 5,
                speaks: S::EachInTurn,
                case_bringer: Listening,
                collects: C::Advice,
            },
            P {
                title: ("Wat leerde ieder?", "What did each learn?"),
                instruction: (
                    "Ieder zegt wat hij of zij leerde. De inbrenger kiest een actie met een datum.",
                    "Everyone says what they learned. The case bringer chooses an action with a date.",
                ),
                minutes: 10,
                speaks: S::EachInTurn,
                case_bringer: Present,
                collects: C::Reflections,
            },
        ]),
    }
}

fn socratic() -> Method {
    Method {
        key: "socratic".into(),
        name: Text::new("Socratisch gesprek (warme en koude vragen)", "Socratic (warm and cold questions)"),
        description: Text::new(
            "Ieder schrijft open vragen; de inbrenger voelt welke warm zijn en beantwoordt die.",
            "Everyone writes open questions; the case bringer feels which are warm and answers those.",
        ),
        when_to_use: Text::new(
            "Geschikt voor elke groep; helpt de inbrenger de eigen vraag te vinden.",
            "Suits any group; helps the case bringer find their own question.",
        ),
        trust: TrustNeeded::Any,
        phases: phases(vec![
            look_back(),
            P {
                title: ("Casus", "The case"),
                instruction: ("De inbrenger vertelt de casus.", "The case bringer tells the case."),
                minutes: 10,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Vragen schrijven", "Write questions"),
                instruction: ("Schrijf één tot drie open vragen.", "Write one to three open questions."),
                minutes: 10,
                speaks: S::Everyone,
                case_bringer: Present,
                collects: C::Questions,
            },
            P {
                title: ("Warm of koud", "Warm or cold"),
                instruction: (
                    "De inbrenger markeert elke vraag als warm, neutraal of koud en beantwoordt de warme.",
                    "The case bringer marks each question warm, neutral or cold and answers the warm ones.",
                ),
                minutes: 15,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Vraag herformuleren", "Reformulate the question"),
                instruction: ("De inbrenger formuleert de vraag opnieuw.", "The case bringer puts the question anew."),
                minutes: 5,
                speaks: S::CaseBringer,
                case_bringer: Present,
                collects: C::Nothing,
            },
            P {
                title: ("Sterke kanten", "Strengths"),
                instruction: (
                    "Welke sterke kanten zie je in hoe de inbrenger handelde?",
                    "What strengths do you see in how the case bringer acted?",
                ),
                minutes: 10,
                speaks: S::Group,
                case_bringer: Listening,
                collects: C::Reflections,
            },
            evaluation(10),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_method_is_valid_and_has_a_unique_key() {
        let methods = built_in();
        assert_eq!(methods.len(), 7);
        for method in &methods {
            assert_eq!(method.problems(), vec![], "{}", method.key);
            assert_eq!(methods.iter().filter(|m| m.key == method.key).count(), 1);
            for phase in &method.phases {
                assert!(!phase.title.nl.is_empty() && !phase.title.en.is_empty(), "{}", method.key);
                assert!(!phase.instruction.nl.is_empty() && !phase.instruction.en.is_empty(), "{}", method.key);
            }
        }
    }

    #[test]
    fn the_timed_incident_method_follows_the_known_schedule() {
        let method = built_in_by_key("incident_timed").unwrap();
        let minutes: Vec<u16> = method.phases.iter().map(|p| p.minutes).collect();
        assert_eq!(minutes, vec![5, 10, 5, 15, 10, 10, 10]);
        assert_eq!(method.total_minutes(), 65);
        let advice = &method.phases[5];
        assert_eq!((advice.collects, advice.case_bringer), (Collects::Advice, Presence::Listening));
        assert_eq!(built_in_by_key("incident_ten_phase").unwrap().phases.len(), 10);
        assert_eq!(built_in_by_key("ten_step").unwrap().phases.len(), 10);
    }

    #[test]
    fn written_positions_and_associations_wait_for_the_reveal() {
        let balint = built_in_by_key("balint").unwrap();
        let hidden: Vec<Collects> =
            balint.phases.iter().filter(|p| p.hidden_until_revealed).map(|p| p.collects).collect();
        assert_eq!(hidden, vec![Collects::Associations, Collects::Positions]);
        assert_eq!(balint.trust, TrustNeeded::High);
        assert_eq!(built_in_by_key("gossip").unwrap().trust, TrustNeeded::High);
    }

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
    fn high_trust_methods_are_suggested_only_to_experienced_groups() {
        assert!(!suitable(0).contains(&"balint"));
        assert!(!suitable(4).contains(&"gossip"));
        assert!(suitable(8).contains(&"gossip"));
        assert_eq!(suitable(0)[0], "five_step");
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
