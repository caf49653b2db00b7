//! Past intervision rounds for the demo communities, stored as real rounds: the case,
//! who held which role, the questions and advice written live, the action the case
//! bringer chose and, once its check-in date has passed, what came of it. The events
//! are the ones a real round records, so levels, the community page and the leaders'
//! dashboard (actions followed up) all tell the same story.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::case::domain::CaseStatus;
use super::case::service::keeping_of;
use super::closing::domain::Outcome;
use super::method::catalogue::built_in_by_key;
use super::round::domain::{RoundState, Status};
use super::round::plan::{RoundRole, Warmth};
use crate::db::entities::{
    community, intervision_action, intervision_case, intervision_contribution, intervision_evaluation,
    intervision_participant, intervision_round,
};
use crate::error::AppError;
use crate::participation::domain::EventKind;
use crate::participation::service::record_event;

/// A case as a member would write it, with what the round made of it.
struct DemoCase {
    title: &'static str,
    situation: &'static str,
    question: &'static str,
    questions: [(&'static str, &'static str); 3],
    advice: [&'static str; 3],
    action: &'static str,
    report: &'static str,
    learned: &'static str,
}

const CASES: [DemoCase; 6] = [
    DemoCase {
        title: "Geen reactie na de middagpauze",
        situation: "In 2B valt het na de middagpauze helemaal stil. Op mijn vragen komt geen reactie, ook niet van leerlingen die 's ochtends wel meedoen.",
        question: "Hoe breng ik na de middagpauze het gesprek weer op gang?",
        questions: [
            ("Wat doe je in de eerste vijf minuten na de middagpauze?", "Ik leg meteen de nieuwe stof uit."),
            ("Wie praat er 's ochtends wel?", "Vooral de meiden achterin, die zeggen 's middags niets."),
            ("Hoe stel je je vragen: aan de klas of aan iemand?", "Meestal aan de hele klas."),
        ],
        advice: [
            "Begin met een korte opdracht in tweetallen voordat je iets vraagt.",
            "Gebruik wisbordjes, zodat iedereen antwoordt zonder hardop te spreken.",
            "Noem eerst een naam en stel dan pas de vraag.",
        ],
        action: "Drie weken lang na de middagpauze beginnen met een denk-deel-uitwisselopdracht.",
        report: "Na een week of twee kwamen de eerste antwoorden weer vanzelf. De tweetallen helpen echt.",
        learned: "Stilte zegt niet altijd dat leerlingen niets weten.",
    },
    DemoCase {
        title: "Ouder die elke dag mailt",
        situation: "Een moeder van een leerling uit mijn mentorklas mailt bijna dagelijks met vragen over cijfers en huiswerk, ook 's avonds laat.",
        question: "Hoe stel ik een grens zonder de samenwerking kwijt te raken?",
        questions: [
            ("Wat wil de moeder eigenlijk weten?", "Volgens mij vooral of haar zoon het gaat redden."),
            ("Heb je haar al gesproken, niet via de mail?", "Nee, alleen gemaild."),
            ("Wat zijn de afspraken op school over mailen?", "Binnen twee werkdagen antwoorden."),
        ],
        advice: [
            "Nodig haar uit voor een gesprek en spreek daar een vast moment per week af.",
            "Verwijs in je antwoord naar de schoolafspraak over reactietijd.",
            "Vraag je teamleider om mee te lezen als het niet verandert.",
        ],
        action: "Een gesprek plannen en een vast belmoment op vrijdag voorstellen.",
        report: "Het gesprek was goed. Ze belt nu op vrijdag en mailt veel minder.",
        learned: "Achter veel mails zit vaak één zorg.",
    },
    DemoCase {
        title: "Toets die niemand haalt",
        situation: "Bij de laatste toets van havo 4 had meer dan de helft een onvoldoende, terwijl de oefenopgaven in de les goed gingen.",
        question: "Lag het aan de toets, aan mijn lessen of aan het leren thuis?",
        questions: [
            ("Welke opgaven gingen het slechtst?", "De toepassingsvragen, niet de reproductie."),
            ("Leken de oefenopgaven op de toetsvragen?", "Eerlijk gezegd waren ze makkelijker."),
            ("Wisten leerlingen wat er in de toets zou komen?", "Ze kregen alleen de paragrafen."),
        ],
        advice: [
            "Laat leerlingen vooraf een proeftoets maken met toepassingsvragen.",
            "Bespreek de toets met een paar leerlingen: wat dachten ze bij de moeilijkste vraag?",
            "Maak samen met een collega de volgende toets en de oefenstof.",
        ],
        action: "De volgende toets samen met een sectiecollega maken en een proeftoets geven.",
        report: "Deels gelukt: de proeftoets is gegeven, de toets hebben we nog niet samen gemaakt.",
        learned: "Wat in de les lukt, is niet altijd wat de toets vraagt.",
    },
    DemoCase {
        title: "Leerling die steeds te laat komt",
        situation: "Een leerling uit 3 vmbo komt bijna elke eerste les te laat. Aanspreken helpt niet; hij haalt zijn schouders op.",
        question: "Wat kan ik anders doen dan steeds weer aanspreken?",
        questions: [
            ("Weet je waarom hij te laat komt?", "Nee, dat heb ik nooit echt gevraagd."),
            ("Komt hij bij andere vakken ook te laat?", "Bij het eerste uur altijd, later op de dag niet."),
            ("Wie kent hem goed op school?", "Zijn mentor en de zorgcoördinator."),
        ],
        advice: [
            "Vraag hem apart en zonder verwijt wat er 's ochtends gebeurt.",
            "Overleg met de mentor voordat je zelf iets afspreekt.",
            "Geef hem bij binnenkomst meteen een taak, zodat hij erbij hoort.",
        ],
        action: "Een kort gesprek met de leerling en daarna met zijn mentor.",
        report: "Hij zorgt 's ochtends voor zijn zusje. De mentor regelt het met de ouders.",
        learned: "Eerst vragen, dan pas oplossen.",
    },
    DemoCase {
        title: "Praktijkopdracht zonder feedback",
        situation: "Tijdens praktijkopdrachten loop ik rond, maar ik kom niet bij iedereen langs. Aan het eind weet ik niet wie wat kan.",
        question: "Hoe krijg ik tijdens de opdracht zicht op wat iedereen al kan?",
        questions: [
            ("Hoeveel leerlingen zijn er tegelijk bezig?", "Zestien, in vier werkplekken."),
            ("Wat wil je aan het eind weten?", "Of ze de veiligheidsstappen en de afwerking beheersen."),
            ("Kunnen leerlingen elkaar beoordelen?", "Dat heb ik nog niet geprobeerd."),
        ],
        advice: [
            "Werk met een kijkwijzer van drie punten die leerlingen zelf afvinken.",
            "Laat per werkplek één leerling een foto maken van elke tussenstap.",
            "Kies per les vier leerlingen bij wie je zeker langsgaat.",
        ],
        action: "Een kijkwijzer van drie punten maken en twee lessen gebruiken.",
        report: "De kijkwijzer werkt. Leerlingen vinken eerlijker af dan ik dacht.",
        learned: "Zicht krijgen hoeft niet te betekenen dat ik alles zelf zie.",
    },
    DemoCase {
        title: "Collega die mijn les overneemt",
        situation: "Als ik samen met een ervaren collega les geef, neemt zij het gesprek met de klas steeds over. Leerlingen kijken daarna alleen nog naar haar.",
        question: "Hoe bespreek ik dit zonder de goede verhouding te verstoren?",
        questions: [
            ("Weet je collega dat je dit zo ervaart?", "Nee, ik heb het nooit gezegd."),
            ("Wanneer gebeurt het precies?", "Vooral als het onrustig wordt."),
            ("Wat zou je willen dat zij dan doet?", "Even wachten en mij het laten oplossen."),
        ],
        advice: [
            "Spreek vooraf per les af wie welk deel leidt.",
            "Vraag haar om na de les feedback op één moment dat jij leidde.",
            "Begin het gesprek met wat je van haar leert.",
        ],
        action: "Voor de volgende gezamenlijke les afspreken wie welk deel leidt.",
        report: "We spreken het nu elke week af. Ze wacht en geeft me na de les tips.",
        learned: "Een afspraak vooraf voorkomt een gesprek achteraf.",
    },
];

/// The methods the demo rounds use, simple first, as a new group would.
const METHODS: [&str; 2] = ["five_step", "incident_timed"];

/// One past round: who was there, in order of who brings the case, times the meeting.
pub struct PastRound<'a> {
    pub community: &'a community::Model,
    pub facilitator: Uuid,
    pub at: OffsetDateTime,
    /// Present members; the first brings the case, the second keeps time.
    pub present: &'a [Uuid],
    /// The round's number in this community: it picks the case and the method, and on
    /// odd rounds the third member present only watches.
    pub number: usize,
    pub today: OffsetDateTime,
}

/// Stores one ended round with its case, roles, writing, action and evaluations, and
/// records the events a real round records.
pub async fn past_round<C: ConnectionTrait>(db: &C, round: PastRound<'_>) -> Result<(), AppError> {
    let PastRound { community, facilitator, at, present, number, today } = round;
    let case = &CASES[(number + community.name.len()) % CASES.len()];
    let method = built_in_by_key(METHODS[usize::from(number > 1)]).ok_or(AppError::Internal)?;
    let case_bringer = present[0];
    let lead = if present.contains(&facilitator) && facilitator != case_bringer { facilitator } else { present[1] };
    let timekeeper = present.iter().copied().find(|p| *p != case_bringer && *p != lead);
    let observer = (number % 2 == 1).then(|| present.get(2).copied()).flatten();
    let written = at - Duration::days(6);
    let ended_at = at + Duration::minutes(70);

    let case_id = Uuid::now_v7();
    intervision_case::ActiveModel {
        id: Set(case_id),
        community_id: Set(community.id),
        author_id: Set(Some(case_bringer)),
        title: Set(case.title.into()),
        situation: Set(case.situation.into()),
        question: Set(case.question.into()),
        status: Set(CaseStatus::Discussed.as_str().into()),
        expires_at: Set(keeping_of(community)?.expires_at(written)),
        purged_at: Set(None),
        created_at: Set(written),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    let state = RoundState {
        status: Status::Ended,
        phase: method.phases.len() - 1,
        version: 2 * method.phases.len() as u64,
        ..RoundState::default()
    };
    let round_id = Uuid::now_v7();
    intervision_round::ActiveModel {
        id: Set(round_id),
        community_id: Set(community.id),
        case_id: Set(case_id),
        method_key: Set(method.key.clone()),
        method: Set(method.to_json()),
        state: Set(serde_json::to_string(&state).map_err(|_| AppError::Internal)?),
        version: Set(state.version as i64),
        status: Set("ended".into()),
        planned_by: Set(Some(facilitator)),
        created_at: Set(written),
        started_at: Set(Some(at)),
        ended_at: Set(Some(ended_at)),
        expires_at: Set(keeping_of(community)?.expires_at(written)),
        purged_at: Set(None),
        summary_artifact_id: Set(None),
        lead_seen_at: Set(Some(ended_at)),
        notes: Set(None),
    }
    .insert(db)
    .await?;

    let role_of = |person: Uuid| {
        if person == case_bringer {
            RoundRole::CaseBringer
        } else if person == lead {
            RoundRole::Lead
        } else if Some(person) == timekeeper {
            RoundRole::Timekeeper
        } else {
            RoundRole::Participant
        }
    };
    intervision_participant::Entity::insert_many(present.iter().map(|&user_id| intervision_participant::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        user_id: Set(user_id),
        role: Set(role_of(user_id).as_str().into()),
        present: Set(true),
    }))
    .exec(db)
    .await?;

    // Questions and advice from the members who write (not the case bringer, the
    // lead or a silent observer), in the method's question and advice phases.
    let phase_of = |collects: super::method::domain::Collects| {
        method.phases.iter().position(|p| p.collects == collects).unwrap_or(0) as i32
    };
    let writers: Vec<Uuid> =
        present.iter().copied().filter(|p| *p != case_bringer && *p != lead && Some(*p) != observer).collect();
    let mut contributions = Vec::new();
    for (i, writer) in writers.iter().enumerate().take(3) {
        let (question, answer) = case.questions[i];
        contributions.push(intervision_contribution::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(round_id),
            phase: Set(phase_of(super::method::domain::Collects::Questions)),
            author_id: Set(Some(*writer)),
            body: Set(question.into()),
            warmth: Set(Some(if i == 0 { Warmth::Warm } else { Warmth::Neutral }.as_str().into())),
            answer: Set(Some(answer.into())),
            chosen: Set(false),
            created_at: Set(at + Duration::minutes(15 + i as i64)),
        });
        contributions.push(intervision_contribution::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(round_id),
            phase: Set(phase_of(super::method::domain::Collects::Advice)),
            author_id: Set(Some(*writer)),
            body: Set(case.advice[i].into()),
            warmth: Set(None),
            answer: Set(None),
            chosen: Set(i == 0),
            created_at: Set(at + Duration::minutes(45 + i as i64)),
        });
    }
    if !contributions.is_empty() {
        intervision_contribution::Entity::insert_many(contributions).exec(db).await?;
    }

    // The events a real round records when it ends.
    for &person in present {
        let kind = match role_of(person) {
            RoundRole::CaseBringer => Some(EventKind::BroughtCase),
            RoundRole::Lead | RoundRole::Timekeeper | RoundRole::NoteTaker => Some(EventKind::TookRole),
            RoundRole::Participant if !writers.contains(&person) => Some(EventKind::ObservedRound),
            RoundRole::Participant => None,
        };
        if let Some(kind) = kind {
            record_event(db, community, person, kind, ended_at, None, None).await?;
        }
        if writers.contains(&person) {
            record_event(db, community, person, EventKind::Contributed, ended_at, None, None).await?;
        }
    }

    // The case bringer's action; reported on once its check-in date has passed.
    let check_in = at + Duration::days(21);
    let reported = (check_in + Duration::days(2) < today).then_some(check_in + Duration::days(1));
    let outcome = if number % 3 == 2 { Outcome::Partly } else { Outcome::Done };
    intervision_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        community_id: Set(community.id),
        owner_id: Set(Some(case_bringer)),
        body: Set(case.action.into()),
        check_in_on: Set(check_in.date()),
        outcome: Set(reported.map(|_| outcome.as_str().to_string())),
        report: Set(reported.map(|_| case.report.to_string())),
        reported_at: Set(reported),
        created_at: Set(ended_at),
        // Check-in dates already past were reminded of then.
        reminded_at: Set((check_in <= today).then_some(check_in)),
    }
    .insert(db)
    .await?;
    if let Some(reported_at) = reported {
        record_event(db, community, case_bringer, EventKind::FollowedUp, reported_at, None, None).await?;
    }

    // Most of those present said how it went.
    for (i, &person) in present.iter().enumerate().filter(|(i, _)| i % 4 != 3) {
        intervision_evaluation::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(round_id),
            user_id: Set(person),
            safe: Set(if i % 5 == 4 { 4 } else { 5 }),
            useful: Set(if i % 3 == 1 { 3 } else { 4 }),
            learned: Set((i == 0).then(|| case.learned.to_string())),
            created_at: Set(ended_at + Duration::minutes(2)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The case of the round that waits for the group's next meeting.
const NEXT_CASE: (&str, &str, &str) = (
    "Een klas die niet stil wordt bij de start",
    "Mijn tweede uur met 1C begint elke keer rommelig. Leerlingen komen binnen, praten door en het duurt tien minuten voor ik kan beginnen. Ik heb al een startopdracht op het bord gezet, maar die doet bijna niemand.",
    "Hoe krijg ik de eerste vijf minuten van het tweede uur rustig?",
);

/// One round planned for the group's next meeting, ready to start: the facilitator
/// leads it, the member who brought the case and the next two hold the other roles.
/// `members` are the community's active members, facilitator first.
pub async fn next_round<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    members: &[Uuid],
    today: OffsetDateTime,
) -> Result<(), AppError> {
    let [lead, case_bringer, timekeeper, note_taker, ..] = members else { return Ok(()) };
    let method = built_in_by_key(METHODS[0]).ok_or(AppError::Internal)?;
    let written = today - Duration::days(3);
    let (title, situation, question) = NEXT_CASE;
    let case_id = Uuid::now_v7();
    intervision_case::ActiveModel {
        id: Set(case_id),
        community_id: Set(community.id),
        author_id: Set(Some(*case_bringer)),
        title: Set(title.into()),
        situation: Set(situation.into()),
        question: Set(question.into()),
        status: Set(CaseStatus::Discussed.as_str().into()),
        expires_at: Set(keeping_of(community)?.expires_at(written)),
        purged_at: Set(None),
        created_at: Set(written),
        updated_at: Set(today - Duration::days(1)),
    }
    .insert(db)
    .await?;
    let state = RoundState::default();
    let round_id = Uuid::now_v7();
    intervision_round::ActiveModel {
        id: Set(round_id),
        community_id: Set(community.id),
        case_id: Set(case_id),
        method_key: Set(method.key.clone()),
        method: Set(method.to_json()),
        state: Set(serde_json::to_string(&state).map_err(|_| AppError::Internal)?),
        version: Set(0),
        status: Set("waiting".into()),
        planned_by: Set(Some(*lead)),
        created_at: Set(today - Duration::days(1)),
        started_at: Set(None),
        ended_at: Set(None),
        expires_at: Set(keeping_of(community)?.expires_at(written)),
        purged_at: Set(None),
        summary_artifact_id: Set(None),
        lead_seen_at: Set(None),
        notes: Set(None),
    }
    .insert(db)
    .await?;
    let role_of = |person: Uuid| match person {
        p if p == *lead => RoundRole::Lead,
        p if p == *case_bringer => RoundRole::CaseBringer,
        p if p == *timekeeper => RoundRole::Timekeeper,
        p if p == *note_taker => RoundRole::NoteTaker,
        _ => RoundRole::Participant,
    };
    // As a facilitator plans it: the role holders take part; the lead marks the others
    // present when the group meets.
    intervision_participant::Entity::insert_many(members.iter().map(|&user_id| intervision_participant::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        user_id: Set(user_id),
        role: Set(role_of(user_id).as_str().into()),
        present: Set(role_of(user_id) != RoundRole::Participant),
    }))
    .exec(db)
    .await?;
    Ok(())
}
