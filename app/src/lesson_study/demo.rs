//! Demo lesson study for the lesson-study community: one completed cycle (two research
//! lessons held at the community's past meetings, the plan revised between them, notes
//! per case pupil) and one running cycle being planned. The participation events
//! (taught, observed, discussed, revised, advised) are the ones the real actions record, at the
//! dates of the meetings the lessons were held in.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::domain::{CasePupil, CyclePhase, LessonPlan, Mark, PlanPhase};
use crate::db::entities::{
    community, lesson_discussion, lesson_discussion_attendee, lesson_observation, lesson_plan_version,
    lesson_study_cycle, meeting, pupil_interview, research_lesson, research_lesson_observer,
};
use crate::db::now;
use crate::error::AppError;
use crate::participation::domain::EventKind;
use crate::participation::service::record_event_for_meeting;

const COMMUNITY: &str = "Lesson study rekenvaardigheid";

fn phase(title: &str, minutes: u16, teacher: &str, pupils: &str, anticipated: &str) -> PlanPhase {
    PlanPhase {
        title: title.into(),
        minutes,
        teacher: teacher.into(),
        pupils: pupils.into(),
        anticipated: anticipated.into(),
    }
}

fn pupil(code: &str, typifies: &str, predictions: &[&str]) -> CasePupil {
    CasePupil {
        code: code.into(),
        typifies: typifies.into(),
        predictions: predictions.iter().map(|p| p.to_string()).collect(),
    }
}

/// The first research lesson on ratio tables, as the team planned it.
fn ratio_plan() -> LessonPlan {
    LessonPlan {
        goals: "Leerlingen gebruiken een verhoudingstabel om een onbekende hoeveelheid te vinden en leggen uit waarom \
                beide rijen met hetzelfde getal vermenigvuldigd worden."
            .into(),
        phases: vec![
            phase(
                "Start: het recept",
                5,
                "Toont een recept voor 4 personen en vraagt hoeveel bloem er nodig is voor 6 personen.",
                "Schatten eerst alleen, dan in tweetallen.",
                "Tellen 2 op bij elke hoeveelheid (additief redeneren).",
            ),
            phase(
                "Verkennen in tweetallen",
                20,
                "Loopt rond, stelt alleen vragen: hoe weet je dat dit klopt?",
                "Maken zelf een tabel of een andere aanpak en vergelijken.",
                "Sommigen halveren eerst naar 2 personen, anderen rekenen per persoon.",
            ),
            phase(
                "Nabespreken van aanpakken",
                15,
                "Laat drie aanpakken zien, van additief naar de tabel.",
                "Leggen uit waarom een aanpak wel of niet klopt.",
                "Leerlingen die optelden, zien niet meteen waarom dat fout gaat.",
            ),
            phase(
                "Zelf toepassen",
                10,
                "Geeft een opgave uit de natuurkunde (dichtheid) in dezelfde vorm.",
                "Lossen alleen op en schrijven één zin uitleg.",
                "De context natuurkunde maakt het moeilijker: eenheden worden vergeten.",
            ),
        ],
        case_pupils: vec![
            pupil(
                "L1",
                "rekent snel uit het hoofd, schrijft weinig op",
                &[
                    "noemt direct een antwoord",
                    "werkt alleen, geen tabel",
                    "kan de eigen aanpak niet uitleggen",
                    "goed antwoord, geen zin",
                ],
            ),
            pupil(
                "L2",
                "telt op waar vermenigvuldigd moet worden",
                &[
                    "telt 2 op bij elke hoeveelheid",
                    "blijft optellen",
                    "ziet het verschil bij de derde aanpak",
                    "valt terug op optellen",
                ],
            ),
            pupil(
                "L3",
                "stil, wacht af, sterk in taal",
                &[
                    "schrijft niets op",
                    "volgt de partner",
                    "zegt niets in de klas",
                    "schrijft een goede zin, fout getal",
                ],
            ),
        ],
        rationale: String::new(),
    }
}

/// The plan as revised after the discussion: the start takes longer and the
/// physics task comes with the units in the table.
fn revised_ratio_plan() -> LessonPlan {
    let mut plan = ratio_plan();
    plan.phases[0].minutes = 8;
    plan.phases[0].teacher =
        "Toont een recept voor 4 personen, vraagt eerst alleen te schatten en het antwoord op te schrijven.".into();
    plan.phases[3].teacher = "Geeft een opgave over dichtheid, met de eenheden al in de kop van de tabel.".into();
    plan.case_pupils[1].predictions[1] = "begint met optellen, gaat over op de tabel na een vraag".into();
    plan.rationale = DECISIONS_1.into();
    plan
}

const DECISIONS_1: &str = "Eerst alleen schatten en opschrijven, dan pas in tweetallen: L1 en L2 kwamen nu niet aan \
                           denken toe.\nBij de opgave over dichtheid staan de eenheden al in de kop van de tabel.";

/// Loads the lesson-study demo when the demo community exists.
pub async fn load<C: ConnectionTrait>(db: &C, users: &HashMap<&str, Uuid>) -> Result<(), AppError> {
    let Some(community) = community::Entity::find().filter(community::Column::Name.eq(COMMUNITY)).one(db).await? else {
        return Ok(());
    };
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::CommunityId.eq(community.id))
        .order_by_asc(meeting::Column::StartsAt)
        .all(db)
        .await?;
    let at = now();
    let past: Vec<&meeting::Model> = meetings.iter().filter(|m| m.starts_at < at).collect();
    if past.len() < 5 {
        return Ok(());
    }
    let (bakker, brouwer, smit, dekker, kok, vandijk) = (
        users["j.bakker@esdal.test"],
        users["j.brouwer@esdal.test"],
        users["d.smit@esdal.test"],
        users["p.dekker@esdal.test"],
        users["n.kok@esdal.test"],
        users["b.vandijk@esdal.test"],
    );

    // The completed cycle: lessons at the third and fifth meetings from the end.
    let (first, second) = (past[past.len() - 5], past[past.len() - 3]);
    let started = past[past.len() - 6.min(past.len())].starts_at;
    let cycle = insert_cycle(
        db,
        &community,
        CycleSpec {
            title: "Verhoudingstabellen in drie vakken",
            subject: "Wiskunde, natuurkunde en economie",
            year_group: "Havo 3",
            theme: "Leerlingen die in elk vak dezelfde redeneerstap herkennen.",
            question: "Hoe ontdekken leerlingen dat je in een verhoudingstabel beide rijen met hetzelfde getal vermenigvuldigt?",
            agreements: "We kijken naar de leerlingen, niet naar de leraar.\nCasusleerlingen heten L1, L2, L3; namen blijven in de klas.\nWat we leren, komt als verslag in de kennisbank.",
            knowledgeable_other: Some(kok),
            lessons: 2,
            phase: CyclePhase::Done,
            started_by: bakker,
            created_at: started,
            completed_at: Some(second.starts_at + Duration::days(7)),
        },
    )
    .await?;
    let lesson_1 = insert_lesson(db, cycle, 1, first, brouwer, "3H1", &[(bakker, "L1"), (vandijk, "L2 L3")]).await?;
    insert_plan(db, cycle, 1, 1, &ratio_plan(), brouwer, first.starts_at - Duration::days(10)).await?;
    let mut polished = ratio_plan();
    polished.phases[1].minutes = 18;
    polished.phases[2].minutes = 17;
    insert_plan(db, cycle, 1, 2, &polished, bakker, first.starts_at - Duration::days(4)).await?;
    insert_plan(db, cycle, 1, 3, &revised_ratio_plan(), smit, first.starts_at + Duration::days(5)).await?;
    let lesson_2 = insert_lesson(db, cycle, 2, second, smit, "3H2", &[(brouwer, "L1 L2"), (dekker, "L3")]).await?;
    insert_plan(db, cycle, 2, 1, &revised_ratio_plan(), smit, first.starts_at + Duration::days(6)).await?;
    let notes: [(Uuid, Uuid, &str, i16, Mark, &str); 6] = [
        (lesson_1, bakker, "L1", 0, Mark::AsPredicted, "Zegt meteen '6 ons', zonder iets op te schrijven."),
        (lesson_1, vandijk, "L2", 0, Mark::AsPredicted, "Telt 2 op: 4 → 6 personen, dus 250 → 252 gram."),
        (lesson_1, vandijk, "L3", 1, Mark::Different, "Maakt zelf een tabel en wijst haar partner op de fout."),
        (lesson_1, vandijk, "L2", 2, Mark::Different, "Ziet bij de tweede aanpak al dat optellen niet klopt."),
        (lesson_2, brouwer, "L2", 1, Mark::AsPredicted, "Begint met optellen, stapt na één vraag over op de tabel."),
        (lesson_2, dekker, "L3", 3, Mark::AsPredicted, "Goede zin over dichtheid, eenheden kloppen nu."),
    ];
    for (lesson, observer, code, phase, mark, text) in notes {
        let noted = if lesson == lesson_1 { first.starts_at } else { second.starts_at } + Duration::minutes(10);
        lesson_observation::ActiveModel {
            id: Set(Uuid::now_v7()),
            lesson_id: Set(lesson),
            observer_id: Set(Some(observer)),
            pupil_code: Set(code.into()),
            phase: Set(phase),
            mark: Set(Some(mark.as_str().into())),
            text: Set(text.into()),
            noted_at: Set(noted),
            received_at: Set(noted),
        }
        .insert(db)
        .await?;
    }
    let discussions = [
        (
            lesson_1,
            first,
            "Ik merkte dat ik te snel de tweetallen liet beginnen; L2 had nog niets opgeschreven.",
            "L2 telde op zoals voorspeld, maar zag bij de nabespreking zelf dat het niet klopte. L3 deed veel meer \
             dan we dachten: zij maakte als enige een tabel.",
            DECISIONS_1,
            "Let op wat L3 liet zien: stille leerlingen hebben vaak een aanpak die de klas niet hoort. Laat in de \
             nabespreking ook een aanpak van een stille leerling zien.",
            &[bakker, brouwer, smit, vandijk, kok][..],
        ),
        (
            lesson_2,
            second,
            "De start ging rustiger; het opschrijven hielp.",
            "Met eerst alleen schatten kwam L2 sneller bij de tabel. De eenheden in de kop hielpen L3 bij natuurkunde.",
            "",
            "De redeneerstap is nu in drie vakken zichtbaar. Neem de eenheden-afspraak mee naar de sectie natuurkunde.",
            &[bakker, brouwer, smit, dekker, kok][..],
        ),
    ];
    for (lesson, meeting, remarks, conclusions, decisions, comments, present) in discussions {
        lesson_discussion::ActiveModel {
            lesson_id: Set(lesson),
            teacher_remarks: Set(remarks.into()),
            conclusions: Set(conclusions.into()),
            decisions: Set(decisions.into()),
            other_comments: Set(comments.into()),
            version: Set(1),
            updated_by: Set(Some(bakker)),
            updated_at: Set(meeting.starts_at + Duration::minutes(90)),
        }
        .insert(db)
        .await?;
        for who in present {
            lesson_discussion_attendee::ActiveModel {
                id: Set(Uuid::now_v7()),
                lesson_id: Set(lesson),
                user_id: Set(*who),
            }
            .insert(db)
            .await?;
            if *who != kok {
                record_event_for_meeting(
                    db,
                    &community,
                    *who,
                    EventKind::DiscussedLesson,
                    meeting.starts_at,
                    None,
                    meeting.id,
                )
                .await?;
            }
        }
    }
    let interviews = [
        (lesson_1, vandijk, "L2", "'Ik deed er steeds twee bij, want er kwamen twee mensen bij.'"),
        (lesson_1, vandijk, "L3", "'Ik zag het in de tabel, maar durfde het niet te zeggen.'"),
        (lesson_2, brouwer, "L2", "'Toen ik het eerst opschreef, zag ik dat het niet klopte.'"),
    ];
    for (lesson, who, code, text) in interviews {
        let at = if lesson == lesson_1 { first.starts_at } else { second.starts_at } + Duration::minutes(55);
        pupil_interview::ActiveModel {
            id: Set(Uuid::now_v7()),
            lesson_id: Set(lesson),
            interviewer_id: Set(Some(who)),
            pupil_code: Set(code.into()),
            text: Set(text.into()),
            created_at: Set(at),
        }
        .insert(db)
        .await?;
    }
    let events = [
        (brouwer, EventKind::TaughtLesson, first),
        (bakker, EventKind::ObservedLesson, first),
        (vandijk, EventKind::ObservedLesson, first),
        (kok, EventKind::AdvisedLesson, first),
        (smit, EventKind::RevisedPlan, first),
        (smit, EventKind::TaughtLesson, second),
        (brouwer, EventKind::ObservedLesson, second),
        (dekker, EventKind::ObservedLesson, second),
        (kok, EventKind::AdvisedLesson, second),
    ];
    for (who, kind, meeting) in events {
        record_event_for_meeting(db, &community, who, kind, meeting.starts_at, None, meeting.id).await?;
    }

    // Its report is in the knowledge base, published a week after the last discussion.
    let published = (second.starts_at + Duration::days(7)).min(at);
    super::service::report::publish_for_demo(db, cycle, bakker, published).await?;

    // The running cycle: being planned for the next meeting.
    let next = meetings.iter().find(|m| m.starts_at > at);
    let running = insert_cycle(
        db,
        &community,
        CycleSpec {
            title: "Procenten: van deel naar geheel",
            subject: "Wiskunde en economie",
            year_group: "Havo 3",
            theme: "Leerlingen die in elk vak dezelfde redeneerstap herkennen.",
            question: "Hoe zien leerlingen dat 'korting van 20%' en '80% van de prijs' hetzelfde zeggen?",
            agreements: "We kijken naar de leerlingen, niet naar de leraar.\nCasusleerlingen heten L1, L2, L3; namen blijven in de klas.",
            knowledgeable_other: Some(kok),
            lessons: 2,
            phase: CyclePhase::Plan,
            started_by: bakker,
            created_at: past[past.len() - 1].starts_at,
            completed_at: None,
        },
    )
    .await?;
    let plan = LessonPlan {
        goals: "Leerlingen rekenen met procenten via de verhoudingstabel en leggen uit wat het geheel (100%) is."
            .into(),
        phases: vec![
            phase(
                "Start: de uitverkoop",
                5,
                "Toont twee prijskaartjes: 20% korting en 'je betaalt 80%'.",
                "Kiezen welke aanbieding goedkoper is.",
                "De helft denkt dat 20% korting voordeliger is.",
            ),
            phase(
                "Verkennen",
                20,
                "Stelt alleen vragen.",
                "Rekenen beide aanbiedingen door met een tabel.",
                "Leerlingen nemen de verkeerde prijs als 100%.",
            ),
        ],
        case_pupils: vec![
            pupil("L1", "rekent snel, schrijft weinig op", &["kiest direct", "rekent uit het hoofd"]),
            pupil("L2", "verwart deel en geheel", &["kiest 20% korting", "neemt 80 als geheel"]),
            pupil("L3", "stil, sterk in taal", &["wacht af", "volgt de partner"]),
        ],
        rationale: String::new(),
    };
    insert_plan(db, running, 1, 1, &plan, dekker, at - Duration::days(2)).await?;
    if let Some(next) = next {
        insert_lesson(db, running, 1, next, dekker, "3H2", &[(bakker, "L1"), (vandijk, "L2"), (brouwer, "L3")]).await?;
    } else {
        super::service::new_lesson(db, running, 1, at).await?;
    }
    Ok(())
}

struct CycleSpec {
    title: &'static str,
    subject: &'static str,
    year_group: &'static str,
    theme: &'static str,
    question: &'static str,
    agreements: &'static str,
    knowledgeable_other: Option<Uuid>,
    lessons: i16,
    phase: CyclePhase,
    started_by: Uuid,
    created_at: OffsetDateTime,
    completed_at: Option<OffsetDateTime>,
}

async fn insert_cycle<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    spec: CycleSpec,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    lesson_study_cycle::ActiveModel {
        id: Set(id),
        community_id: Set(community.id),
        title: Set(spec.title.into()),
        subject: Set(spec.subject.into()),
        year_group: Set(spec.year_group.into()),
        theme: Set(spec.theme.into()),
        learning_question: Set(spec.question.into()),
        agreements: Set(spec.agreements.into()),
        knowledgeable_other: Set(spec.knowledgeable_other),
        lessons_planned: Set(spec.lessons),
        phase: Set(spec.phase.as_str().into()),
        started_by: Set(Some(spec.started_by)),
        created_at: Set(spec.created_at),
        updated_at: Set(spec.completed_at.unwrap_or(spec.created_at)),
        completed_at: Set(spec.completed_at),
        report_artifact_id: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// A research lesson held (or to be held) at `meeting`; taught if the meeting is past.
async fn insert_lesson<C: ConnectionTrait>(
    db: &C,
    cycle: Uuid,
    number: i16,
    meeting: &meeting::Model,
    teacher: Uuid,
    class_name: &str,
    observers: &[(Uuid, &str)],
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let taught = (meeting.starts_at < now()).then_some(meeting.starts_at + Duration::minutes(50));
    research_lesson::ActiveModel {
        id: Set(id),
        cycle_id: Set(cycle),
        number: Set(number),
        meeting_id: Set(Some(meeting.id)),
        teacher_id: Set(Some(teacher)),
        class_name: Set(class_name.into()),
        taught_at: Set(taught),
        created_at: Set(meeting.starts_at - Duration::days(14)),
    }
    .insert(db)
    .await?;
    for (user, codes) in observers {
        research_lesson_observer::ActiveModel {
            id: Set(Uuid::now_v7()),
            lesson_id: Set(id),
            user_id: Set(*user),
            pupil_codes: Set(codes.to_string()),
        }
        .insert(db)
        .await?;
    }
    Ok(id)
}

async fn insert_plan<C: ConnectionTrait>(
    db: &C,
    cycle: Uuid,
    lesson: i16,
    version: i32,
    plan: &LessonPlan,
    author: Uuid,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    lesson_plan_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle),
        lesson_number: Set(lesson),
        version: Set(version),
        plan: Set(serde_json::to_string(plan).map_err(|_| AppError::Internal)?),
        author_id: Set(Some(author)),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}
