//! Demo communities for the demo board: five circles at different stages, with
//! months of realistic history (meetings attended, cases brought, products shared,
//! research lessons), so levels, circles and the knowledge cycle look alive on first
//! start. The history is generated from a fixed seed: every start looks the same.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::domain::CommunityStatus;
use crate::db::entities::{attendance, community, membership_change, success_criterion};
use crate::db::now;
use crate::error::AppError;
use crate::meeting::domain::MeetingInput;
use crate::meeting::service::{from_local, new_meeting};
use crate::membership::domain::{CommunityRole, MembershipChange, MembershipStatus};
use crate::membership::service::insert_membership;
use crate::participation::domain::EventKind;
use crate::participation::service::{record_event, record_event_for_meeting};

/// The kind of work a community mostly does, which decides its history.
#[derive(Clone, Copy)]
enum Practice {
    Intervision,
    LessonStudy,
    Mixed,
}

struct DemoCommunity {
    name: &'static str,
    goal: &'static str,
    criteria: &'static [&'static str],
    rhythm: &'static str,
    /// Where meetings take place.
    place: &'static str,
    listed: bool,
    practice: Practice,
    started_days_ago: i64,
    /// Email of each member with how likely they come to a meeting (percent);
    /// the first is the facilitator.
    members: &'static [(&'static str, u32)],
    /// Members who joined only this many days ago.
    late_joiners: &'static [(&'static str, i64)],
    requests: &'static [&'static str],
    invitations: &'static [&'static str],
    coordination: &'static [(&'static str, &'static str)],
}

const COMMUNITIES: &[DemoCommunity] = &[
    DemoCommunity {
        name: "Begrijpend lezen in de onderbouw",
        goal: "We willen dat leerlingen in klas 1 en 2 teksten in alle vakken beter begrijpen. We onderzoeken samen welke leesstrategieën werken in onze lessen, niet alleen bij Nederlands.",
        criteria: &[
            "Elk lid heeft dit schooljaar minstens één leesstrategie in de eigen lessen uitgeprobeerd en besproken.",
            "Elk lid heeft dit schooljaar minstens één leesstrategie in de eigen lessen uitgeprobeerd en besproken.\nWe hebben drie lesvoorbeelden gedeeld die collega's buiten de PLG gebruiken.\nLeerlingen geven in de leerlingenpanels aan dat teksten bij zaakvakken beter te volgen zijn.",
        ],
        rhythm: "Om de week op dinsdag, 15.30–17.00 uur, lokaal B12",
        place: "Lokaal B12",
        listed: true,
        practice: Practice::Mixed,
        started_days_ago: 150,
        members: &[
            ("a.debruin@esdal.test", 95),
            ("m.vermeulen@esdal.test", 85),
            ("s.mulder@esdal.test", 70),
            ("t.kuipers@esdal.test", 60),
            ("e.visser@esdal.test", 40),
            ("n.hendriks@esdal.test", 75),
            ("y.bos@esdal.test", 20),
        ],
        late_joiners: &[("l.jansen@esdal.test", 2)],
        requests: &[],
        invitations: &["n.kok@esdal.test"],
        coordination: &[("a.debruin@esdal.test", "Houdt het overzicht van de lesvoorbeelden bij")],
    },
    DemoCommunity {
        name: "Lesson study rekenvaardigheid",
        goal: "Leerlingen maken dezelfde rekenfouten bij wiskunde, natuurkunde en economie. Met lesson study ontwerpen, geven en observeren we onderzoekslessen over verhoudingen en procenten.",
        criteria: &[
            "Twee volledige lesson-studycycli dit schooljaar.\nEen gedeelde aanpak voor verhoudingstabellen die in drie vakken wordt gebruikt.",
        ],
        rhythm: "Elke drie weken op donderdag, 14.45–16.15 uur",
        place: "Mediatheek",
        listed: true,
        practice: Practice::LessonStudy,
        started_days_ago: 120,
        members: &[
            ("j.bakker@esdal.test", 90),
            ("j.brouwer@esdal.test", 80),
            ("d.smit@esdal.test", 70),
            ("p.dekker@esdal.test", 55),
            ("n.kok@esdal.test", 65),
            ("b.vandijk@esdal.test", 35),
        ],
        late_joiners: &[],
        requests: &[],
        invitations: &[],
        coordination: &[],
    },
    DemoCommunity {
        name: "Intervisie startende docenten",
        goal: "Een veilige plek voor docenten in hun eerste jaren om lastige situaties uit de klas te bespreken en van elkaar te leren, met vaste intervisiemethoden.",
        criteria: &[
            "Iedereen heeft minstens één casus ingebracht.\nWe merken dat we sneller hulp vragen aan collega's.",
        ],
        rhythm: "Eens per maand op maandag, 16.00–17.30 uur",
        place: "Teamkamer, locatie Noord",
        listed: true,
        practice: Practice::Intervision,
        started_days_ago: 170,
        members: &[
            ("h.postma@esdal.test", 90),
            ("l.jansen@esdal.test", 80),
            ("n.hendriks@esdal.test", 75),
            ("s.timmer@esdal.test", 70),
            ("i.vanleeuwen@esdal.test", 85),
            ("g.hoekstra@esdal.test", 60),
        ],
        late_joiners: &[("m.vermeulen@esdal.test", 40)],
        requests: &[],
        invitations: &[],
        coordination: &[("h.postma@esdal.test", "Plant de intervisierondes en bewaakt de methode")],
    },
    DemoCommunity {
        name: "Formatief handelen in de praktijkvakken",
        goal: "We zoeken naar manieren om tijdens praktijkopdrachten zicht te krijgen op wat leerlingen al kunnen, en daar direct feedback op te geven.",
        criteria: &[],
        rhythm: "Om de week op woensdag na het zevende uur",
        place: "Praktijklokaal T3",
        listed: true,
        practice: Practice::Mixed,
        started_days_ago: 21,
        members: &[
            ("s.degroot@esdal.test", 90),
            ("k.wolters@esdal.test", 70),
            ("r.huisman@esdal.test", 80),
            ("f.koster@esdal.test", 60),
        ],
        late_joiners: &[],
        requests: &["e.zijlstra@esdal.test"],
        invitations: &[],
        coordination: &[],
    },
    DemoCommunity {
        name: "Mentoraat bovenbouw",
        goal: "Mentoren van de bovenbouw delen hoe ze loopbaangesprekken voeren en leerlingen met uitval begeleiden.",
        criteria: &["Een gedeelde leidraad voor loopbaangesprekken."],
        rhythm: "Eens per zes weken, in overleg",
        place: "Vergaderkamer 1.04",
        listed: false,
        practice: Practice::Intervision,
        started_days_ago: 100,
        members: &[
            ("b.vandijk@esdal.test", 85),
            ("r.meijer@esdal.test", 60),
            ("e.visser@esdal.test", 50),
            ("t.kuipers@esdal.test", 55),
            ("l.prins@esdal.test", 70),
            ("w.schouten@esdal.test", 45),
        ],
        late_joiners: &[],
        requests: &[],
        invitations: &[],
        coordination: &[],
    },
];

/// A small deterministic generator, so the demo history is the same on every start.
struct Seeded(u64);

impl Seeded {
    fn percent(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % 100) as u32
    }
}

/// Loads the demo communities of the board whose staff are in `users` (email → id).
pub async fn load<C: ConnectionTrait>(db: &C, board_id: Uuid, users: &HashMap<&str, Uuid>) -> Result<(), AppError> {
    let today = now();
    let mut random = Seeded(2026);
    for demo in COMMUNITIES {
        let started = today - Duration::days(demo.started_days_ago);
        let facilitator = users[demo.members[0].0];
        let community = community::ActiveModel {
            id: Set(Uuid::now_v7()),
            organisation_id: Set(board_id),
            name: Set(demo.name.to_string()),
            goal: Set(demo.goal.to_string()),
            agreements: Set(super::service::default_agreements(crate::account::domain::Language::Nl).to_string()),
            rhythm: Set(demo.rhythm.to_string()),
            status: Set(CommunityStatus::Active.as_str().to_string()),
            listed: Set(demo.listed),
            window_days: Set(90),
            case_keeping: Set(crate::intervision::case::domain::CaseKeeping::default().as_str().to_string()),
            created_by: Set(Some(facilitator)),
            created_at: Set(started),
            updated_at: Set(started),
        }
        .insert(db)
        .await?;

        let mut joined_at: Vec<(Uuid, OffsetDateTime, u32)> = Vec::new();
        for (i, (email, presence)) in demo.members.iter().enumerate() {
            joined_at.push((users[email], started + Duration::days(i as i64 % 3), *presence));
        }
        for (email, days_ago) in demo.late_joiners {
            joined_at.push((users[email], today - Duration::days(*days_ago), 80));
        }
        for (i, &(user_id, at, _)) in joined_at.iter().enumerate() {
            let role = if i == 0 { CommunityRole::Facilitator } else { CommunityRole::Member };
            add_member(db, community.id, user_id, role, MembershipStatus::Active, Some(at), facilitator).await?;
            let change = if i == 0 { MembershipChange::Created } else { MembershipChange::InvitationAccepted };
            change_at(db, community.id, user_id, facilitator, change, at).await?;
            record_event(db, &community, user_id, EventKind::Joined, at, None, None).await?;
        }
        for email in demo.requests {
            let at = today - Duration::days(2);
            add_member(
                db,
                community.id,
                users[email],
                CommunityRole::Member,
                MembershipStatus::Requested,
                None,
                users[email],
            )
            .await?;
            change_at(db, community.id, users[email], users[email], MembershipChange::Requested, at).await?;
        }
        for email in demo.invitations {
            let at = today - Duration::days(1);
            add_member(
                db,
                community.id,
                users[email],
                CommunityRole::Member,
                MembershipStatus::Invited,
                None,
                facilitator,
            )
            .await?;
            change_at(db, community.id, users[email], facilitator, MembershipChange::Invited, at).await?;
        }
        for (i, text) in demo.criteria.iter().enumerate() {
            success_criterion::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community.id),
                criteria: Set(text.to_string()),
                author_id: Set(Some(joined_at[i % joined_at.len()].0)),
                created_at: Set(started + Duration::days(7 + 40 * i as i64)),
            }
            .insert(db)
            .await?;
        }

        // Meetings every two weeks (monthly for intervision groups), oldest first.
        let step = match demo.practice {
            Practice::Intervision => 28,
            _ => 14,
        };
        let mut day = demo.started_days_ago - 7;
        let mut meeting = 0usize;
        while day > 0 {
            let (meeting_id, at) =
                add_meeting(db, &community, demo, facilitator, today - Duration::days(day), meeting).await?;
            let present: Vec<Uuid> = joined_at
                .iter()
                .filter(|(_, joined, presence)| *joined < at && random.percent() < *presence)
                .map(|(id, _, _)| *id)
                .collect();
            for &user_id in &present {
                attendance::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    meeting_id: Set(meeting_id),
                    user_id: Set(user_id),
                    present: Set(true),
                    recorded_by: Set(Some(user_id)),
                    recorded_at: Set(at),
                }
                .insert(db)
                .await?;
                record_event_for_meeting(db, &community, user_id, EventKind::Attended, at, None, meeting_id).await?;
            }
            if present.len() >= 2 {
                let pick = |offset: usize| present[(meeting + offset) % present.len()];
                match (demo.practice, meeting % 2) {
                    // Research lessons and their events come from the lesson-study
                    // demo (lesson_study/demo.rs), as the real actions record them.
                    (Practice::LessonStudy, 0) => {}
                    (Practice::LessonStudy, _) => {
                        record_event(db, &community, pick(1), EventKind::SharedArtifact, at, None, None).await?;
                    }
                    (_, _) => {
                        // A real intervision round on a member's case, with its follow-up.
                        let order: Vec<Uuid> = (0..present.len()).map(pick).collect();
                        crate::intervision::demo::past_round(
                            db,
                            crate::intervision::demo::PastRound {
                                community: &community,
                                facilitator,
                                at,
                                present: &order,
                                number: meeting,
                                today,
                            },
                        )
                        .await?;
                        record_event(db, &community, facilitator, EventKind::Facilitated, at, None, None).await?;
                        if matches!(demo.practice, Practice::Mixed) && meeting % 3 == 2 {
                            record_event(db, &community, pick(3), EventKind::SharedArtifact, at, None, None).await?;
                            record_event(db, &community, pick(4), EventKind::ReusedArtifact, at, None, None).await?;
                        }
                    }
                }
            }
            meeting += 1;
            day -= step;
        }
        // A group that practises intervision has its next round planned, ready to start.
        if !matches!(demo.practice, Practice::LessonStudy) {
            let active: Vec<Uuid> = joined_at.iter().map(|(id, _, _)| *id).collect();
            crate::intervision::demo::next_round(db, &community, &active, today).await?;
        }
        // The next two meetings are planned already.
        for ahead in 0..2 {
            let date = today + Duration::days(day + step * ahead);
            add_meeting(db, &community, demo, facilitator, date, meeting + ahead as usize).await?;
        }
        for (email, note) in demo.coordination {
            let at = today - Duration::days(20);
            record_event(
                db,
                &community,
                users[email],
                EventKind::Coordination,
                at,
                Some(facilitator),
                Some(note.to_string()),
            )
            .await?;
        }
    }
    Ok(())
}

/// A meeting at 15:30 (Amsterdam time) on the day of `on`, with a title and agenda
/// that fit the community's practice; returns its id and start.
async fn add_meeting<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    demo: &DemoCommunity,
    facilitator: Uuid,
    on: OffsetDateTime,
    number: usize,
) -> Result<(Uuid, OffsetDateTime), AppError> {
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").map_err(|e| {
        tracing::error!(error = %e, "time zone data missing");
        AppError::Internal
    })?;
    let (title, agenda) = match (demo.practice, number % 2) {
        (Practice::Intervision, _) => (
            "Intervisie volgens de incidentmethode",
            "Opening en check-in\nCasus inbrengen en kiezen\nVerhelderingsvragen\nAdviezen en reactie van de inbrenger\nTerugblik op de ronde",
        ),
        (Practice::LessonStudy, 0) => (
            "Onderzoeksles voorbereiden",
            "Terugblik op de vorige cyclus\nLesontwerp doorlopen\nObservatiepunten per leerling verdelen\nAfspraken voor de onderzoeksles",
        ),
        (Practice::LessonStudy, _) => (
            "Nabespreking onderzoeksles",
            "Observaties per leerling\nWat leerden de leerlingen, wat leerden wij?\nLesontwerp bijstellen\nVastleggen in de kennisbank",
        ),
        (_, _) => (
            "Casus en lesvoorbeelden",
            "Opening\nCasus uit de praktijk\nLesvoorbeeld delen en bespreken\nWat nemen we mee naar de klas?",
        ),
    };
    let input = MeetingInput {
        title: title.to_string(),
        date: on.date(),
        start: time::macros::time!(15:30),
        duration_minutes: 90,
        place: demo.place.to_string(),
        online_url: String::new(),
        agenda: agenda.to_string(),
    };
    let starts_at = from_local(&tz, &input)?;
    let created = starts_at - Duration::days(10);
    let planned = new_meeting(community.id, input, starts_at, Some(facilitator), created.min(now()));
    let id = planned.insert(db).await?.id;
    Ok((id, starts_at))
}

async fn add_member<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    role: CommunityRole,
    status: MembershipStatus,
    joined_at: Option<OffsetDateTime>,
    invited_by: Uuid,
) -> Result<(), AppError> {
    let at = joined_at.unwrap_or_else(now);
    insert_membership(db, community_id, user_id, role, status, Some(invited_by), at).await
}

async fn change_at<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    actor: Uuid,
    change: MembershipChange,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    membership_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        user_id: Set(user_id),
        actor_id: Set(Some(actor)),
        change: Set(change.as_str().to_string()),
        role: Set(None),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}
