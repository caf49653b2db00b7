//! Lesson study on SQLite and PostgreSQL: a facilitator starts a cycle; members write
//! the plan as versions, and a stale version changes nothing; the cycle moves through
//! teaching, discussion and revision into a second research lesson whose plan starts as
//! the revised one; observers' notes are stored once under the phone's id, however
//! often they are sent; and nobody outside the community sees or writes anything.

use crate::common::*;
use crate::intervision::{MEMBER, json, reading_id};
use http::StatusCode;
use serde_json::Value;

const COLLEAGUE: &str = "j.bakker@esdal.test";

async fn start(app: &TestApp, cid: &str, client: &Client) -> TestResponse {
    let form = [
        ("community_id", cid),
        ("title", "Verhoudingen zien"),
        ("subject", "Rekenen"),
        ("year_group", "Klas 2"),
        (
            "learning_question",
            "Hoe ontdekken leerlingen dat een verhouding gelijk blijft als je beide kanten verdubbelt?",
        ),
        ("lessons_planned", "2"),
    ];
    app.call("start_lesson_study", &form, client).await
}

async fn cycle(app: &TestApp, id: &str, client: &Client) -> Value {
    let r = app.call("lesson_study_cycle", &[("cycle_id", id)], client).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    json(&r.body)
}

fn plan_form<'a>(cycle_id: &'a str, version: &'a str, goals: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("cycle_id", cycle_id),
        ("version", version),
        ("goals", goals),
        ("phases[0][title]", "Start"),
        ("phases[0][minutes]", "5"),
        ("phases[0][anticipated]", "Sommigen tellen op in plaats van te vermenigvuldigen."),
        ("phases[1][title]", "Verkennen"),
        ("phases[1][minutes]", "20"),
        ("pupils[0][code]", "L1"),
        ("pupils[0][typifies]", "rekent snel, legt weinig uit"),
        ("pupils[0][predictions][0]", "begint meteen"),
        ("pupils[0][predictions][1]", "zoekt een regel"),
        ("pupils[1][code]", "L2"),
        // A browser sends every input of the form, the empty ones too.
        ("pupils[1][predictions][0]", ""),
        ("pupils[1][predictions][1]", "tekent een tabel"),
    ]
}

async fn advance(app: &TestApp, id: &str, from: &str, client: &Client) -> TestResponse {
    app.call("advance_lesson_study", &[("cycle_id", id), ("from", from)], client).await
}

fn note<'a>(id: &'a str, pupil: &'a str, phase: &'a str, text: &'a str) -> [(String, &'a str); 5] {
    [
        ("notes[0][id]".to_string(), id),
        ("notes[0][pupil]".to_string(), pupil),
        ("notes[0][phase]".to_string(), phase),
        ("notes[0][mark]".to_string(), "different"),
        ("notes[0][text]".to_string(), text),
    ]
}

async fn send_note(app: &TestApp, lesson: &str, fields: &[(String, &str)], client: &Client) -> TestResponse {
    let mut form: Vec<(&str, &str)> = vec![("lesson_id", lesson)];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), *v)));
    form.push(("notes[0][noted_at]", "1764700000"));
    app.call("record_observations", &form, client).await
}

/// The notes stored for research lesson `lesson`.
async fn notes_stored(app: &TestApp, lesson: &str) -> Vec<(String, String)> {
    use app::db::entities::lesson_observation;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    lesson_observation::Entity::find()
        .filter(lesson_observation::Column::LessonId.eq(uuid::Uuid::parse_str(lesson).unwrap()))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.pupil_code, n.text))
        .collect()
}

#[tokio::test]
async fn a_cycle_goes_from_plan_through_two_research_lessons_to_sharing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (facilitator, member) = (app.login(TEACHER).await, app.login(MEMBER).await);

        // Only a facilitator starts a cycle, and a bad form changes nothing.
        assert_eq!(start(&app, &cid, &member).await.status, StatusCode::NOT_FOUND, "{backend:?}");
        let empty = app.call("start_lesson_study", &[("community_id", &cid), ("title", "X")], &facilitator).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
        assert!(empty.body.contains("learning_question"), "{}", empty.body);
        let r = start(&app, &cid, &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let id: String = serde_json::from_str(&r.body).unwrap();
        let list = json(&app.call("lesson_study_cycles", &[("community_id", &cid)], &member).await.body);
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend:?}: {list}");
        assert_eq!(list[0]["phase"], "study");

        // Members write the plan together; a save from a stale version changes nothing.
        let page = cycle(&app, &id, &member).await;
        assert_eq!((page["plan"]["version"].as_i64(), page["may_lead"].as_bool()), (Some(0), Some(false)));
        assert_eq!(page["plan"]["plan"]["case_pupils"][2]["code"], "L3", "{backend:?}: L1–L3 by default");
        let r = app.call("save_lesson_plan", &plan_form(&id, "0", "Verhoudingen herkennen"), &member).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "1"), "{backend:?}");
        let stale = app.call("save_lesson_plan", &plan_form(&id, "0", "Iets anders"), &facilitator).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{backend:?}: {}", stale.body);
        let named = {
            let mut form = plan_form(&id, "1", "Verhoudingen herkennen");
            form.push(("pupils[2][code]", "Sanne"));
            app.call("save_lesson_plan", &form, &facilitator).await
        };
        assert_eq!(named.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: no names");
        assert!(named.body.contains("pupils[2][code]") && named.body.contains("PupilCode"), "{}", named.body);
        let page = cycle(&app, &id, &facilitator).await;
        assert_eq!(page["plan"]["version"], 1, "{backend:?}");

        // Two saves from the same version at once: one wins, the other changes nothing.
        let same = plan_form(&id, "1", "Verhoudingen herkennen");
        let (first, second) = tokio::join!(
            app.call("save_lesson_plan", &same, &member),
            app.call("save_lesson_plan", &same, &facilitator),
        );
        let mut statuses = [first.status, second.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{backend:?}: {} / {}", first.body, second.body);
        assert_eq!(cycle(&app, &id, &member).await["plan"]["version"], 2, "{backend:?}");
        assert_eq!(page["plan"]["plan"]["goals"], "Verhoudingen herkennen");
        assert_eq!(page["plan"]["plan"]["case_pupils"][1]["predictions"][1], "tekent een tabel");

        // The facilitator moves it on; a stale page does not move it twice.
        for from in ["study", "plan"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK, "{backend:?}: {from}");
        }
        assert_eq!(advance(&app, &id, "plan", &facilitator).await.status, StatusCode::CONFLICT, "{backend:?}");
        assert_eq!(advance(&app, &id, "teach", &member).await.status, StatusCode::NOT_FOUND, "{backend:?}");
        let closed = app.call("save_lesson_plan", &plan_form(&id, "2", "Tijdens de les"), &member).await;
        assert_eq!(closed.status, StatusCode::CONFLICT, "{backend:?}: no plan changes while teaching");

        // Observers' notes: stored once however often sent, only about the plan's pupils.
        let lesson = cycle(&app, &id, &member).await["lessons"][0]["id"].as_str().unwrap().to_string();
        let note_id = uuid::Uuid::now_v7().to_string();
        let fields = note(&note_id, "L2", "1", "L2 tekent een tabel, maar pas na vijf minuten.");
        for _ in 0..3 {
            let r = send_note(&app, &lesson, &fields, &member).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
            assert!(r.body.contains(&note_id), "{}", r.body);
        }
        assert_eq!(notes_stored(&app, &lesson).await.len(), 1, "{backend:?}: a resend is stored once");
        let stolen = send_note(&app, &lesson, &note(&note_id, "L2", "1", "overschreven"), &facilitator).await;
        assert_eq!(stolen.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: another observer's note id");
        let stranger_id = uuid::Uuid::now_v7().to_string();
        let stranger = send_note(&app, &lesson, &note(&stranger_id, "L7", "1", "wie?"), &member).await;
        assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: not a case pupil of the plan");
        assert_eq!(
            notes_stored(&app, &lesson).await,
            vec![("L2".into(), "L2 tekent een tabel, maar pas na vijf minuten.".into())]
        );

        // Teaching ends: the lesson is taught; a late note from a phone that was offline still arrives.
        assert_eq!(advance(&app, &id, "teach", &facilitator).await.status, StatusCode::OK);
        let late_id = uuid::Uuid::now_v7().to_string();
        let late = send_note(&app, &lesson, &note(&late_id, "L1", "0", "L1 begon meteen."), &member).await;
        assert_eq!(late.status, StatusCode::OK, "{backend:?}: {}", late.body);
        let page = cycle(&app, &id, &member).await;
        assert_eq!((page["phase"].as_str(), page["lessons"][0]["taught"].as_bool()), (Some("discuss"), Some(true)));

        // Revise, then the second research lesson starts from the revised plan.
        assert_eq!(advance(&app, &id, "discuss", &facilitator).await.status, StatusCode::OK);
        let r =
            app.call("save_lesson_plan", &plan_form(&id, "2", "Verhoudingen herkennen en uitleggen"), &member).await;
        assert_eq!(r.body, "3", "{backend:?}");
        assert_eq!(advance(&app, &id, "revise", &facilitator).await.status, StatusCode::OK);
        let page = cycle(&app, &id, &member).await;
        assert_eq!(page["lessons"].as_array().unwrap().len(), 2, "{backend:?}: {page}");
        assert_eq!((page["plan"]["lesson"].as_i64(), page["plan"]["version"].as_i64()), (Some(2), Some(1)));
        assert_eq!(page["plan"]["plan"]["goals"], "Verhoudingen herkennen en uitleggen");
        let old_lesson =
            send_note(&app, &lesson, &note(&uuid::Uuid::now_v7().to_string(), "L1", "0", "x"), &member).await;
        assert_eq!(old_lesson.status, StatusCode::CONFLICT, "{backend:?}: the first lesson is over");

        // Teach and discuss the second lesson; then share, then done.
        for from in ["teach", "discuss", "share"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK, "{backend:?}: {from}");
        }
        let page = cycle(&app, &id, &member).await;
        assert_eq!(page["phase"], "done", "{backend:?}");
        assert_eq!(page["progress"][0], page["progress"][1]);
        assert_eq!(advance(&app, &id, "done", &facilitator).await.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn nobody_outside_the_community_sees_or_writes_a_cycle() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let facilitator = app.login(TEACHER).await;
        let id: String = serde_json::from_str(&start(&app, &cid, &facilitator).await.body).unwrap();
        let lesson = cycle(&app, &id, &facilitator).await["lessons"][0]["id"].as_str().unwrap().to_string();
        let outsiders = [None, Some(COLLEAGUE), Some(LEADER), Some(ADMIN), Some(OTHER_TEACHER)];
        for who in outsiders {
            let client = match who {
                Some(who) => app.login(who).await,
                None => Client::default(),
            };
            let refused = if who.is_some() { StatusCode::NOT_FOUND } else { StatusCode::UNAUTHORIZED };
            let calls = [
                app.call("lesson_study_cycle", &[("cycle_id", &id)], &client).await,
                app.call("lesson_study_cycles", &[("community_id", &cid)], &client).await,
                app.call("save_lesson_plan", &plan_form(&id, "0", "Van buiten"), &client).await,
                advance(&app, &id, "study", &client).await,
                send_note(&app, &lesson, &note(&uuid::Uuid::now_v7().to_string(), "L1", "0", "x"), &client).await,
                start(&app, &cid, &client).await,
                app.call("lesson_study_start_form", &[("community_id", &cid)], &client).await,
                app.call("lesson_study_observe", &[("cycle_id", &id)], &client).await,
                set_up(&app, &lesson, &[("class_name", "2B")], &client).await,
                plain_note(&app, &lesson, &uuid::Uuid::now_v7().to_string(), &client).await,
                app.call("lesson_study_discussion", &[("cycle_id", &id)], &client).await,
                save_discussion(&app, &lesson, "0", &[("conclusions", "Van buiten")], &client).await,
                interview(&app, &lesson, "L1", "Van buiten", &client).await,
                app.call("lesson_study_report", &[("cycle_id", &id)], &client).await,
                app.call("publish_lesson_study_report", &[("cycle_id", &id)], &client).await,
            ];
            for (i, r) in calls.iter().enumerate() {
                assert_eq!(r.status, refused, "{backend:?}: {who:?}, call {i}: {}", r.body);
            }
        }
        let page = cycle(&app, &id, &facilitator).await;
        assert_eq!((page["phase"].as_str(), page["plan"]["version"].as_i64()), (Some("study"), Some(0)), "{backend:?}");
        assert!(notes_stored(&app, &lesson).await.is_empty());
    }
}

/// The lesson-study participation events of community `cid`: (user, kind), in order.
async fn lesson_events(app: &TestApp, cid: &str) -> Vec<(String, String)> {
    use app::db::entities::participation_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    participation_event::Entity::find()
        .filter(participation_event::Column::CommunityId.eq(uuid::Uuid::parse_str(cid).unwrap()))
        .filter(participation_event::Column::Kind.is_in([
            "taught_lesson",
            "observed_lesson",
            "revised_plan",
            "advised_lesson",
        ]))
        .order_by_asc(participation_event::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.user_id.to_string(), e.kind))
        .collect()
}

async fn observe(app: &TestApp, id: &str, client: &Client) -> Value {
    let r = app.call("lesson_study_observe", &[("cycle_id", id)], client).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    json(&r.body)
}

async fn plain_note(app: &TestApp, lesson: &str, id: &str, client: &Client) -> TestResponse {
    let form =
        [("lesson_id", lesson), ("id", id), ("pupil", "L1"), ("phase", "0"), ("mark", "as_predicted"), ("text", "")];
    app.call("record_observation", &form, client).await
}

async fn set_up(app: &TestApp, lesson: &str, fields: &[(&str, &str)], client: &Client) -> TestResponse {
    let mut form = vec![("lesson_id", lesson)];
    form.extend_from_slice(fields);
    app.call("set_up_research_lesson", &form, client).await
}

#[tokio::test]
async fn a_facilitator_sets_up_the_research_lesson_and_each_member_sees_their_part() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (facilitator, member) = (app.login(TEACHER).await, app.login(MEMBER).await);
        let id: String = serde_json::from_str(&start(&app, &cid, &facilitator).await.body).unwrap();
        let page = cycle(&app, &id, &facilitator).await;
        let lesson = page["lessons"][0]["id"].as_str().unwrap().to_string();
        let person = |email_name: &str| {
            page["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == email_name)
                .map(|p| p["id"].as_str().unwrap().to_string())
        };
        let (me, teacher) =
            (person("Anouk de Bruin").expect("the facilitator"), person("Mila Vermeulen").expect("a member"));
        assert_eq!(page["next_step"], "study_theme", "{backend:?}");
        assert!(
            cycle(&app, &id, &member).await["people"].as_array().unwrap().is_empty(),
            "{backend:?}: the form's people are the facilitator's"
        );

        // Bad set-ups change nothing, each with its field named.
        let stranger = uuid::Uuid::now_v7().to_string();
        let bad: [(&[(&str, &str)], &str); 5] = [
            (
                &[("teacher", &teacher), ("observers[0][user]", &teacher), ("observers[0][codes]", "L1")],
                "TeacherObserves",
            ),
            (&[("observers[0][user]", &me), ("observers[0][codes]", "Fleur")], "observers[0][codes]"),
            (&[("teacher", &stranger)], "teacher"),
            (&[("observers[0][user]", &stranger), ("observers[0][codes]", "L1")], "observers[0][user]"),
            (&[("meeting", &stranger)], "meeting"),
        ];
        for (fields, named) in bad {
            let r = set_up(&app, &lesson, fields, &facilitator).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {named}: {}", r.body);
            assert!(r.body.contains(named), "{backend:?}: {}", r.body);
        }
        assert!(cycle(&app, &id, &member).await["lessons"][0]["teacher"].is_null(), "{backend:?}");
        let by_member = set_up(&app, &lesson, &[("teacher", &teacher)], &member).await;
        assert_eq!(by_member.status, StatusCode::NOT_FOUND, "{backend:?}: only a facilitator sets up");

        // The set-up; the teacher and the observer each see their own part.
        let meeting = page["meetings"][0]["id"].as_str().map(str::to_string);
        let mut fields = vec![
            ("teacher", teacher.as_str()),
            ("class_name", "2B"),
            ("observers[0][user]", me.as_str()),
            ("observers[0][codes]", "L1, L2"),
            ("observers[1][user]", teacher.as_str()),
            ("observers[1][codes]", ""),
        ];
        if let Some(meeting) = &meeting {
            fields.push(("meeting", meeting));
        }
        let r = set_up(&app, &lesson, &fields, &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        for from in ["study", "plan"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK);
        }
        let seen = cycle(&app, &id, &member).await;
        let l = &seen["lessons"][0];
        assert_eq!((l["teacher"]["name"].as_str(), l["class_name"].as_str()), (Some("Mila Vermeulen"), Some("2B")));
        assert_eq!(l["observers"][0]["codes"], serde_json::json!(["L1", "L2"]), "{backend:?}: {l}");
        assert_eq!(l["observers"].as_array().unwrap().len(), 1, "{backend:?}: an empty row observes nothing");
        assert_eq!(l["meeting"]["id"].as_str().map(str::to_string), meeting, "{backend:?}");
        assert_eq!((seen["my_part"].as_str(), seen["next_step"].as_str()), (Some("teacher"), Some("teach_lesson")));
        let lead = cycle(&app, &id, &facilitator).await;
        assert_eq!((lead["my_part"].as_str(), lead["next_step"].as_str()), (Some("observer"), Some("observe_pupils")));

        // Once taught, the set-up stays as it was; the teacher and the observer have it
        // in their participation.
        assert_eq!(advance(&app, &id, "teach", &facilitator).await.status, StatusCode::OK);
        let late = set_up(&app, &lesson, &[("teacher", &me)], &facilitator).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{backend:?}: {}", late.body);
        assert_eq!(cycle(&app, &id, &member).await["lessons"][0]["teacher"]["name"], "Mila Vermeulen");
        assert_eq!(
            lesson_events(&app, &cid).await,
            vec![(teacher.clone(), "taught_lesson".to_string()), (me.clone(), "observed_lesson".to_string())],
            "{backend:?}"
        );

        // Revising counts once per member and lesson, however often they save.
        assert_eq!(advance(&app, &id, "discuss", &facilitator).await.status, StatusCode::OK);
        for version in ["0", "1"] {
            let r = app.call("save_lesson_plan", &plan_form(&id, version, "Herzien"), &member).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        }
        let events = lesson_events(&app, &cid).await;
        assert_eq!(events.iter().filter(|(_, kind)| kind == "revised_plan").count(), 1, "{backend:?}: {events:?}");
        assert!(events.contains(&(teacher.clone(), "revised_plan".to_string())), "{backend:?}: {events:?}");
    }
}

/// The cycle page (session, viewer, header, cycle, lessons, observers, plan, changes,
/// the set-up form's people and meetings) is read in a fixed number of queries: the
/// demo's completed cycle, with two lessons and four observers, costs no more than the
/// running one with one lesson and three.
#[tokio::test]
async fn the_cycle_page_is_read_in_a_fixed_number_of_queries() {
    use app::db::entities::lesson_study_cycle;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let lead = app.login(COLLEAGUE).await;
        let id_of = |title: &'static str| {
            let db = app.db().clone();
            async move {
                lesson_study_cycle::Entity::find()
                    .filter(lesson_study_cycle::Column::Title.eq(title))
                    .one(&db)
                    .await
                    .unwrap()
                    .expect("a demo cycle")
                    .id
            }
        };
        let (done, running) =
            (id_of("Verhoudingstabellen in drie vakken").await, id_of("Procenten: van deel naar geheel").await);
        let (page, completed) = app.queries.record(app.get(&format!("/ls/{done}"), &lead)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        let text = page.text();
        assert!(text.contains("Verhoudingstabellen in drie vakken") && text.contains("Afgerond"), "{backend:?}");
        assert!(text.contains("gewijzigd"), "{backend:?}: the second lesson shows what changed");
        let (page, planning) = app.queries.record(app.get(&format!("/ls/{running}"), &lead)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(page.text().contains("Joost Brouwer") || page.text().contains("Pieter Dekker"), "{backend:?}");
        println!("{backend:?}: cycle page queries: completed {}, running {}", completed.len(), planning.len());
        assert!(completed.len() <= planning.len() + 1, "{backend:?}: {completed:#?} / {planning:#?}");
        assert!(planning.len() <= 24, "{backend:?}: {} queries: {planning:#?}", planning.len());
    }
}

/// The observation form: one's own case pupils first, closed until the lesson is
/// taught, the notes the server holds (for another device), and a note posted without
/// JavaScript stored once however often the form is sent.
#[tokio::test]
async fn the_observation_form_shows_ones_pupils_and_takes_notes_while_the_lesson_is_taught() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (facilitator, member) = (app.login(TEACHER).await, app.login(MEMBER).await);
        let id: String = serde_json::from_str(&start(&app, &cid, &facilitator).await.body).unwrap();
        let page = cycle(&app, &id, &facilitator).await;
        let lesson = page["lessons"][0]["id"].as_str().unwrap().to_string();
        let me = page["people"].as_array().unwrap().iter().find(|p| p["name"] == "Anouk de Bruin").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r =
            set_up(&app, &lesson, &[("observers[0][user]", &me), ("observers[0][codes]", "L2")], &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let form = observe(&app, &id, &facilitator).await;
        assert_eq!(
            (form["open"].as_bool(), form["pupils"][0]["code"].as_str()),
            (Some(false), Some("L2")),
            "{backend:?}: {form}"
        );
        let closed = plain_note(&app, &lesson, &uuid::Uuid::now_v7().to_string(), &member).await;
        assert_eq!(closed.status, StatusCode::CONFLICT, "{backend:?}: no notes before the lesson");

        let r = app.call("save_lesson_plan", &plan_form(&id, "0", "Verhoudingen herkennen"), &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        for from in ["study", "plan"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK);
        }
        let form = observe(&app, &id, &facilitator).await;
        assert_eq!(form["open"], true, "{backend:?}");
        assert_eq!(form["phases"][1]["title"], "Verkennen");
        assert_eq!(form["mine"], serde_json::json!(["L2"]));
        let note_id = form["fresh_id"].as_str().unwrap().to_string();
        for _ in 0..2 {
            let r = plain_note(&app, &lesson, &note_id, &facilitator).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        }
        assert_eq!(notes_stored(&app, &lesson).await.len(), 1, "{backend:?}: a repeated post is stored once");
        let bad = app
            .call(
                "record_observation",
                &[("lesson_id", &lesson), ("id", &uuid::Uuid::now_v7().to_string()), ("pupil", "L1"), ("phase", "0")],
                &facilitator,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: a note says something: {}", bad.body);
        assert!(bad.body.contains("\"field\":\"text\""), "{backend:?}: the form's own field: {}", bad.body);
        let form = observe(&app, &id, &facilitator).await;
        assert_eq!(form["held"].as_array().unwrap().len(), 1, "{backend:?}: {form}");
        assert_eq!(form["held"][0]["mark"], "as_predicted");
        let theirs = observe(&app, &id, &member).await;
        assert!(theirs["held"].as_array().unwrap().is_empty(), "{backend:?}: only one's own notes come back");
        assert!(theirs["mine"].as_array().unwrap().is_empty());
    }
}

async fn save_discussion(
    app: &TestApp,
    lesson: &str,
    version: &str,
    fields: &[(&str, &str)],
    client: &Client,
) -> TestResponse {
    let mut form = vec![("lesson_id", lesson), ("version", version)];
    form.extend_from_slice(fields);
    app.call("save_lesson_discussion", &form, client).await
}

async fn interview(app: &TestApp, lesson: &str, pupil: &str, text: &str, client: &Client) -> TestResponse {
    let id = uuid::Uuid::now_v7().to_string();
    app.call("record_pupil_interview", &[("lesson_id", lesson), ("id", &id), ("pupil", pupil), ("text", text)], client)
        .await
}

/// A guest from outside the board, invited into the community and signed in.
async fn guest(app: &TestApp, cid: &str, facilitator: &Client) -> Client {
    let r =
        app.call("invite_guest", &[("community_id", cid), ("guest_email", "kok@hogeschool.test")], facilitator).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mail = app.last_mail_to("kok@hogeschool.test").expect("an invitation email");
    let link = mail.split_whitespace().find(|w| w.contains("/invite/")).unwrap().to_string();
    let token = link.rsplit('/').next().unwrap().to_string();
    let guest = Client::default();
    let form =
        [("token", token.as_str()), ("name", "Nora Gast"), ("password", PASSWORD), ("password_confirm", PASSWORD)];
    let r = app.call("accept_invitation", &form, &guest).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    guest
}

async fn events_of_kind(app: &TestApp, cid: &str, kind: &str) -> Vec<String> {
    use app::db::entities::participation_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut users: Vec<String> = participation_event::Entity::find()
        .filter(participation_event::Column::CommunityId.eq(uuid::Uuid::parse_str(cid).unwrap()))
        .filter(participation_event::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.user_id.to_string())
        .collect();
    users.sort();
    users
}

/// After the lesson: interviews, the discussion with every observer's data side by
/// side, its record (a stale save changes nothing), who took part, the decisions in
/// the revised plan, and the report published once as a research report. A guest
/// knowledgeable other from outside the board takes part like a member, but leads
/// nothing.
#[tokio::test]
async fn the_discussion_gathers_the_data_and_feeds_the_revision_and_the_report() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (facilitator, member) = (app.login(TEACHER).await, app.login(MEMBER).await);
        let guest = guest(&app, &cid, &facilitator).await;
        let people = json(&app.call("lesson_study_start_form", &[("community_id", &cid)], &facilitator).await.body);
        let id_of = |name: &str| {
            people["people"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (me, teacher, other) = (id_of("Anouk de Bruin"), id_of("Mila Vermeulen"), id_of("Nora Gast"));
        let mut form = vec![
            ("community_id", cid.as_str()),
            ("title", "Verhoudingen zien"),
            ("learning_question", "Hoe ontdekken leerlingen de verhoudingstabel?"),
            ("lessons_planned", "2"),
        ];
        form.push(("knowledgeable_other", &other));
        let r = app.call("start_lesson_study", &form, &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let id: String = serde_json::from_str(&r.body).unwrap();
        let lesson = cycle(&app, &id, &facilitator).await["lessons"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(app.call("save_lesson_plan", &plan_form(&id, "0", "Doel"), &member).await.status, StatusCode::OK);
        let fields =
            [("teacher", teacher.as_str()), ("observers[0][user]", me.as_str()), ("observers[0][codes]", "L1 L2")];
        assert_eq!(set_up(&app, &lesson, &fields, &facilitator).await.status, StatusCode::OK, "{backend:?}");
        for from in ["study", "plan"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK);
        }

        // During the lesson: notes and an interview; no discussion record yet.
        let note_id = uuid::Uuid::now_v7().to_string();
        let r =
            send_note(&app, &lesson, &note(&note_id, "L2", "1", "Telt op, ziet het bij de tabel."), &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let r = interview(&app, &lesson, "L2", "Ik deed er steeds twee bij.", &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let r = interview(&app, &lesson, "L7", "Wie?", &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: not a case pupil of the plan");
        let r = interview(&app, &lesson, "L1", "  ", &facilitator).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: an interview says something");
        let early = save_discussion(&app, &lesson, "0", &[("conclusions", "Te vroeg")], &member).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend:?}: {}", early.body);
        assert!(early.body.contains("DiscussionClosed"), "{}", early.body);
        assert_eq!(advance(&app, &id, "teach", &facilitator).await.status, StatusCode::OK);

        // The discussion: the data per case pupil, predicted against observed, with names.
        let r = app.call("lesson_study_discussion", &[("cycle_id", &id)], &guest).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let page = json(&r.body);
        assert_eq!((page["open"].as_bool(), page["lesson_number"].as_i64()), (Some(true), Some(1)), "{backend:?}");
        assert_eq!(page["knowledgeable_other"], "Nora Gast");
        let l2 = &page["pupils"][1];
        assert_eq!((l2["code"].as_str(), l2["observers"][0].as_str()), (Some("L2"), Some("Anouk de Bruin")));
        let phase = &l2["phases"][1];
        assert_eq!(phase["prediction"], "tekent een tabel", "{backend:?}: {phase}");
        assert_eq!(phase["notes"][0]["text"], "Telt op, ziet het bij de tabel.");
        assert_eq!(
            (phase["notes"][0]["observer"].as_str(), phase["marks"]["different"].as_i64()),
            (Some("Anouk de Bruin"), Some(1))
        );
        assert_eq!(l2["interviews"][0]["text"], "Ik deed er steeds twee bij.");

        // The record: the guest writes the comments; a stale save and a stranger in the
        // list of those present change nothing.
        let r = save_discussion(&app, &lesson, "0", &[("other_comments", "Laat ook stille leerlingen zien.")], &guest)
            .await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "1"), "{backend:?}");
        let stale = save_discussion(&app, &lesson, "0", &[("conclusions", "Overschreven?")], &member).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{backend:?}: {}", stale.body);
        let stranger = uuid::Uuid::now_v7().to_string();
        let bad = save_discussion(
            &app,
            &lesson,
            "1",
            &[("attendees[0][user]", stranger.as_str()), ("attendees[0][present]", "on")],
            &member,
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {}", bad.body);
        let page = json(&app.call("lesson_study_discussion", &[("cycle_id", &id)], &member).await.body);
        assert_eq!(page["version"], 1, "{backend:?}");
        assert_eq!(page["record"]["other_comments"], "Laat ook stille leerlingen zien.");
        assert!(page["record"]["conclusions"].as_str().unwrap().is_empty(), "{backend:?}: nothing overwritten");
        let record = [
            ("other_comments", "Laat ook stille leerlingen zien."),
            ("conclusions", "L2 telde op zoals voorspeld."),
            ("decisions", "Eerst alleen schatten, dan pas in tweetallen."),
            ("attendees[0][user]", me.as_str()),
            ("attendees[0][present]", "on"),
            ("attendees[1][user]", teacher.as_str()),
            ("attendees[1][present]", "on"),
            ("attendees[2][user]", other.as_str()),
            ("attendees[2][present]", "on"),
            // Listed but not ticked: did not take part.
            ("attendees[3][user]", stranger.as_str()),
        ];
        let r = save_discussion(&app, &lesson, "1", &record, &member).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "2"), "{backend:?}");

        // Ending the discussion records who took part; the revision starts from its decisions.
        assert_eq!(advance(&app, &id, "discuss", &facilitator).await.status, StatusCode::OK);
        let mut present = vec![me.clone(), teacher.clone(), other.clone()];
        present.sort();
        assert_eq!(events_of_kind(&app, &cid, "discussed_lesson").await, present, "{backend:?}");
        assert_eq!(events_of_kind(&app, &cid, "advised_lesson").await, vec![other.clone()], "{backend:?}");
        let page = cycle(&app, &id, &member).await;
        assert_eq!(page["decisions"], "Eerst alleen schatten, dan pas in tweetallen.", "{backend:?}");
        let mut revised = plan_form(&id, "1", "Doel");
        revised.push(("rationale", "Eerst alleen schatten, dan pas in tweetallen."));
        revised[4] = ("phases[0][minutes]", "8");
        let r = app.call("save_lesson_plan", &revised, &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let r = interview(&app, &lesson, "L1", "Laat nog.", &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: a late interview from the day of the lesson");
        for from in ["revise", "teach"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK, "{backend:?}: {from}");
        }
        let page = cycle(&app, &id, &member).await;
        assert_eq!(page["plan"]["plan"]["rationale"], "Eerst alleen schatten, dan pas in tweetallen.");

        // The report: both lessons, what changed and why, the pupils without observers' names.
        let r = app.call("lesson_study_report", &[("cycle_id", &id)], &guest).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        assert!(!r.body.contains("Anouk de Bruin"), "{backend:?}: no observer names in the report: {}", r.body);
        let report = json(&r.body);
        assert_eq!(report["lessons"].as_array().unwrap().len(), 2, "{backend:?}");
        assert_eq!(report["lessons"][0]["pupils"][1]["interviews"][0]["text"], "Ik deed er steeds twee bij.");
        assert_eq!(report["lessons"][1]["changes"][0]["Changed"]["fields"], serde_json::json!(["minutes"]), "{report}");
        assert_eq!((report["may_publish"].as_bool(), report["published"].is_null()), (Some(false), true));
        let early = app.call("publish_lesson_study_report", &[("cycle_id", &id)], &facilitator).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend:?}: published once the cycle shares");
        assert_eq!(advance(&app, &id, "discuss", &facilitator).await.status, StatusCode::OK);
        for client in [&member, &guest] {
            let r = app.call("publish_lesson_study_report", &[("cycle_id", &id)], client).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}: only a facilitator publishes");
        }
        let r = app.call("publish_lesson_study_report", &[("cycle_id", &id)], &facilitator).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let artifact: String = serde_json::from_str(&r.body).unwrap();
        let again = app.call("publish_lesson_study_report", &[("cycle_id", &id)], &facilitator).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{backend:?}: once");
        let a = json(&app.call("artifact_page", &[("artifact_id", &artifact)], &member).await.body);
        let what = (a["kind"].as_str(), a["scope"].as_str(), a["source"].as_str());
        assert_eq!(what, (Some("research_report"), Some("community"), Some("lesson_study")), "{backend:?}: {a}");
        assert!(a["body"].as_str().unwrap().contains("Hoe ontdekken leerlingen de verhoudingstabel?"), "{a}");
        let report = json(&app.call("lesson_study_report", &[("cycle_id", &id)], &member).await.body);
        assert_eq!(report["published"].as_str(), Some(artifact.as_str()), "{backend:?}");
        let closed = save_discussion(&app, &lesson, "2", &[("conclusions", "Achteraf")], &member).await;
        assert_eq!(closed.status, StatusCode::OK, "{backend:?}: the record can be completed while sharing");
        assert_eq!(advance(&app, &id, "share", &facilitator).await.status, StatusCode::OK);
        let done = save_discussion(&app, &lesson, "3", &[("conclusions", "Te laat")], &member).await;
        assert_eq!(done.status, StatusCode::CONFLICT, "{backend:?}: closed once the cycle is done");
    }
}

/// A JPEG as a phone writes it: location and camera in its EXIF block, turned on its side.
fn phone_jpeg() -> Vec<u8> {
    let segment = |marker: u8, contents: &[u8]| {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(contents);
        out
    };
    let text = b"GPS 52.09 N 5.12 E\0";
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x02".to_vec();
    tiff.extend_from_slice(&[0x01, 0x0e, 0, 2]);
    tiff.extend_from_slice(&(text.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(text);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff);
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xFE, b"Pixel 7 camera"));
    out.extend(segment(0xDB, &[0; 65]));
    out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    out.extend_from_slice(&[0x12, 0x34, 0x56, 0xFF, 0xD9]);
    out
}

async fn photo_rows(app: &TestApp) -> usize {
    use app::db::entities::lesson_photo;
    use sea_orm::EntityTrait;
    lesson_photo::Entity::find().all(app.db()).await.unwrap().len()
}

/// Photos of pupil work: stored without location or camera data, only while the
/// lesson takes notes, only images within the size limit, about a case pupil of the
/// plan, and shown to the community's members only.
#[tokio::test]
async fn photos_of_pupil_work_lose_their_metadata_and_stay_in_the_community() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let cid = reading_id(&app).await;
        let (facilitator, member) = (app.login(TEACHER).await, app.login(MEMBER).await);
        let id: String = serde_json::from_str(&start(&app, &cid, &facilitator).await.body).unwrap();
        let lesson = cycle(&app, &id, &facilitator).await["lessons"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(app.call("save_lesson_plan", &plan_form(&id, "0", "Doel"), &member).await.status, StatusCode::OK);
        let path = format!("/ls/lessons/{lesson}/photos");
        let upload =
            |fields: &'static [(&'static str, &'static str)], content: Vec<u8>, html: bool, client: &Client| {
                let (app, path, client) = (&app, path.clone(), client.clone_cookies());
                async move { app.upload_with(&path, fields, "photo", "werk.jpg", &content, html, &client).await }
            };
        let ok_fields: &[(&str, &str)] = &[("pupil", "L2"), ("phase", "1")];
        let early = upload(ok_fields, phone_jpeg(), false, &member).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend:?}: not before the lesson: {}", early.body);
        for from in ["study", "plan"] {
            assert_eq!(advance(&app, &id, from, &facilitator).await.status, StatusCode::OK);
        }

        // Bad photos change nothing, each with its own answer.
        let pdf = b"%PDF-1.7 een werkblad".to_vec();
        assert_eq!(upload(ok_fields, pdf, false, &member).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = [phone_jpeg(), vec![0; UPLOAD_MAX_BYTES as usize]].concat();
        assert_eq!(upload(ok_fields, huge, false, &member).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        let stranger = upload(&[("pupil", "L7"), ("phase", "1")], phone_jpeg(), false, &member).await;
        assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: not a case pupil of the plan");
        let outsider = app.login(OTHER_TEACHER).await;
        assert_eq!(upload(ok_fields, phone_jpeg(), false, &outsider).await.status, StatusCode::NOT_FOUND);
        assert_eq!(photo_rows(&app).await, 0, "{backend:?}");

        // A good one: stored clean, shown to members only.
        let r = upload(ok_fields, phone_jpeg(), false, &member).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?}: {}", r.body);
        let photo = r.body.clone();
        let seen = app.get(&format!("/ls/photos/{photo}"), &facilitator).await;
        assert_eq!(seen.status, StatusCode::OK, "{backend:?}");
        assert_eq!(seen.header("content-type"), Some("image/jpeg"));
        assert_eq!(seen.header("cache-control"), Some("private, no-store"));
        let bytes = seen.raw.as_slice();
        assert!(!bytes.windows(9).any(|w| w == b"GPS 52.09"), "{backend:?}: the location is gone");
        assert!(!bytes.windows(7).any(|w| w == b"Pixel 7"), "{backend:?}: the camera is gone");
        assert!(bytes.windows(5).any(|w| w == [0x12, 0x34, 0x56, 0xFF, 0xD9]), "{backend:?}: the picture stays");
        for who in [OTHER_TEACHER, LEADER, ADMIN, COLLEAGUE] {
            let r = app.get(&format!("/ls/photos/{photo}"), &app.login(who).await).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}: {who}");
        }
        let r = app.get(&format!("/ls/photos/{photo}"), &Client::default()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?}");

        // The discussion shows it with the pupil and phase; a browser's post comes back to the form.
        let page = json(&app.call("lesson_study_discussion", &[("cycle_id", &id)], &member).await.body);
        assert_eq!(page["pupils"][1]["phases"][1]["photos"][0]["id"].as_str(), Some(photo.as_str()), "{backend:?}");
        let r = upload(ok_fields, phone_jpeg(), true, &member).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(r.header("location"), Some(format!("/ls/{id}/observe?photo=ok").as_str()));
        let r = upload(ok_fields, b"geen foto".to_vec(), true, &member).await;
        assert_eq!(r.header("location"), Some(format!("/ls/{id}/observe?photo=type").as_str()));
        assert_eq!(photo_rows(&app).await, 2, "{backend:?}");

        // A photo taken by mistake goes again: its taker or a facilitator removes it, nobody else.
        let lead = json(&app.call("lesson_study_discussion", &[("cycle_id", &id)], &facilitator).await.body);
        assert_eq!(lead["pupils"][1]["phases"][1]["photos"][0]["may_remove"], true, "{backend:?}");
        let guest = guest(&app, &cid, &facilitator).await;
        let theirs = json(&app.call("lesson_study_discussion", &[("cycle_id", &id)], &guest).await.body);
        assert_eq!(theirs["pupils"][1]["phases"][1]["photos"][0]["may_remove"], false, "{backend:?}");
        let r = app.call("remove_lesson_photo", &[("photo_id", &photo)], &guest).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}: not the guest's photo");
        let r = app.call("remove_lesson_photo", &[("photo_id", &photo)], &outsider).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(photo_rows(&app).await, 2, "{backend:?}");
        let r = app.call("remove_lesson_photo", &[("photo_id", &photo)], &member).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        assert_eq!(photo_rows(&app).await, 1, "{backend:?}");
        let gone = app.get(&format!("/ls/photos/{photo}"), &member).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "{backend:?}");
    }
}
