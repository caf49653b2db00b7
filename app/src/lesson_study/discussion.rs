//! The post-lesson discussion as rules: its protocol, the record the group keeps
//! (the teacher's remarks, conclusions, decisions for the revision, the knowledgeable
//! other's comments), short pupil interviews, and the data per case pupil laid out
//! side by side (predicted against what every observer saw, phase by phase). Pure, so
//! the discussion page, the report and the tests read the same table.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{LessonPlan, Mark, NOTE_MAX, TEXT_MAX};
use crate::error::{AppError, ErrorKey, Validation};
use crate::shared::string_enum;
use crate::shared::text::{clean_text, validate_optional, validate_text};

string_enum! {
    /// The steps of the post-lesson discussion, in the order the protocol takes them.
    ProtocolStep {
        ThankTeacher => "thank_teacher",
        TeacherRemarks => "teacher_remarks",
        Purpose => "purpose",
        PupilData => "pupil_data",
        Discussion => "discussion",
        OtherComments => "other_comments",
    }
}

pub const PROTOCOL: [ProtocolStep; 6] = [
    ProtocolStep::ThankTeacher,
    ProtocolStep::TeacherRemarks,
    ProtocolStep::Purpose,
    ProtocolStep::PupilData,
    ProtocolStep::Discussion,
    ProtocolStep::OtherComments,
];

/// The discussion's record as typed into its form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionRecord {
    #[serde(default)]
    pub teacher_remarks: String,
    #[serde(default)]
    pub conclusions: String,
    /// What the revision changes, carried into the next version of the plan.
    #[serde(default)]
    pub decisions: String,
    #[serde(default)]
    pub other_comments: String,
}

impl DiscussionRecord {
    /// The record, trimmed, or every problem at once. A record may be saved in parts
    /// during the discussion; each part has a length limit.
    pub fn checked(&self) -> Result<DiscussionRecord, AppError> {
        let record = DiscussionRecord {
            teacher_remarks: clean_text(&self.teacher_remarks),
            conclusions: clean_text(&self.conclusions),
            decisions: clean_text(&self.decisions),
            other_comments: clean_text(&self.other_comments),
        };
        let mut check = Validation::new();
        check
            .check("teacher_remarks", validate_optional(&record.teacher_remarks, TEXT_MAX))
            .check("conclusions", validate_optional(&record.conclusions, TEXT_MAX))
            .check("decisions", validate_optional(&record.decisions, TEXT_MAX))
            .check("other_comments", validate_optional(&record.other_comments, TEXT_MAX));
        check.finish()?;
        Ok(record)
    }

    pub fn is_empty(&self) -> bool {
        [&self.teacher_remarks, &self.conclusions, &self.decisions, &self.other_comments].iter().all(|t| t.is_empty())
    }
}

/// A member as the discussion form lists them: ticked if they took part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeRow {
    #[serde(default)]
    pub user: String,
    /// `on` when ticked (an unticked box sends nothing).
    #[serde(default)]
    pub present: String,
}

impl AttendeeRow {
    /// The form field of a row's input, e.g. `attendees[2][present]`.
    pub fn field(row: usize, input: &str) -> String {
        format!("attendees[{row}][{input}]")
    }

    /// The ids of the members ticked.
    pub fn present(rows: &[AttendeeRow]) -> Result<Vec<Uuid>, AppError> {
        rows.iter()
            .filter(|row| row.present == "on")
            .map(|row| {
                Uuid::parse_str(row.user.trim()).map_err(|_| AppError::field("attendees", ErrorKey::InvalidChoice))
            })
            .collect()
    }
}

/// A short interview with a case pupil after the lesson. The id comes from the page,
/// so posting the same form twice stores it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewInput {
    pub id: Uuid,
    pub pupil: String,
    pub text: String,
}

impl InterviewInput {
    pub fn check(&self, plan: &LessonPlan) -> Result<(), AppError> {
        let mut check = Validation::new();
        check
            .check("pupil", if plan.has_pupil(&self.pupil) { Ok(()) } else { Err(ErrorKey::InvalidChoice) })
            .check("text", validate_text(&self.text, NOTE_MAX));
        check.finish()
    }
}

/// A note as the discussion shows it: who saw it, when, the mark and the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenNote {
    pub observer: String,
    pub mark: Option<Mark>,
    pub text: String,
    pub noted_at: OffsetDateTime,
}

/// A photo of pupil work, by id (served to the community's members only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: Uuid,
    pub observer: String,
    /// The viewer took it or leads the community, so may remove it.
    pub may_remove: bool,
}

/// How the observers marked one pupil in one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkCounts {
    pub as_predicted: u32,
    pub different: u32,
    pub not_seen: u32,
}

/// One lesson phase for one case pupil: the prediction and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseData {
    pub title: String,
    pub prediction: String,
    pub marks: MarkCounts,
    pub notes: Vec<SeenNote>,
    pub photos: Vec<PhotoRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    pub interviewer: String,
    pub text: String,
}

/// Everything gathered about one case pupil in one research lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilData {
    pub code: String,
    pub typifies: String,
    /// Who followed this pupil.
    pub observers: Vec<String>,
    pub phases: Vec<PhaseData>,
    pub interviews: Vec<Interview>,
}

/// A stored note, photo or interview with the pupil and phase it belongs to.
pub struct Gathered<T> {
    pub pupil: String,
    pub phase: usize,
    pub item: T,
}

/// The case pupils of `plan` with, per phase, the prediction next to every observer's
/// notes (in the order noted) and photos, and each pupil's interviews. Anything about
/// a pupil or phase the plan does not have is left out.
pub fn pupil_data(
    plan: &LessonPlan,
    observers: &[(String, Vec<String>)],
    notes: Vec<Gathered<SeenNote>>,
    photos: Vec<Gathered<PhotoRef>>,
    interviews: Vec<(String, Interview)>,
) -> Vec<PupilData> {
    let mut pupils: Vec<PupilData> = plan
        .case_pupils
        .iter()
        .map(|pupil| PupilData {
            code: pupil.code.clone(),
            typifies: pupil.typifies.clone(),
            observers: observers
                .iter()
                .filter(|(_, codes)| codes.contains(&pupil.code))
                .map(|(name, _)| name.clone())
                .collect(),
            phases: plan
                .phases
                .iter()
                .enumerate()
                .map(|(i, phase)| PhaseData {
                    title: phase.title.clone(),
                    prediction: plan.prediction(&pupil.code, i).unwrap_or_default().to_string(),
                    marks: MarkCounts::default(),
                    notes: Vec::new(),
                    photos: Vec::new(),
                })
                .collect(),
            interviews: Vec::new(),
        })
        .collect();
    let mut notes = notes;
    notes.sort_by_key(|n| n.item.noted_at);
    for note in notes {
        if let Some(phase) = pupils.iter_mut().find(|p| p.code == note.pupil).and_then(|p| p.phases.get_mut(note.phase))
        {
            match note.item.mark {
                Some(Mark::AsPredicted) => phase.marks.as_predicted += 1,
                Some(Mark::Different) => phase.marks.different += 1,
                Some(Mark::NotSeen) => phase.marks.not_seen += 1,
                None => {}
            }
            phase.notes.push(note.item);
        }
    }
    for photo in photos {
        if let Some(phase) =
            pupils.iter_mut().find(|p| p.code == photo.pupil).and_then(|p| p.phases.get_mut(photo.phase))
        {
            phase.photos.push(photo.item);
        }
    }
    for (code, interview) in interviews {
        if let Some(pupil) = pupils.iter_mut().find(|p| p.code == code) {
            pupil.interviews.push(interview);
        }
    }
    pupils
}
