//! Demo data: a fictional Dutch school board with two secondary schools and about
//! thirty staff across departments, experience bands and locations, so Kring looks
//! like a real school on first start, and the communities of practice they run (see
//! `community::demo`). Loaded only into an empty database.

use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};
use uuid::Uuid;

use crate::account::domain::Language;
use crate::account::domain::{ExperienceBand, Role};
use crate::account::service::{NewStaffMember, hash_password, insert_staff_member};
use crate::db::entities::organisation;
use crate::db::{begin_write, now};
use crate::error::AppError;

/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "kring-demo-2026";
/// The demo board's slug: `kring user create` never adds a real account to it unasked.
pub const DEMO_BOARD_SLUG: &str = "esdal";
pub const DEMO_ADMIN: &str = "beheer@esdal.test";

struct DemoPerson {
    name: &'static str,
    email: &'static str,
    school: usize,
    role: Role,
    department: &'static str,
    band: ExperienceBand,
    location: &'static str,
}

const SCHOOLS: [(&str, &str); 2] = [("Esdal Lyceum", "esdal-lyceum"), ("Esdal Vakcollege", "esdal-vakcollege")];

fn people() -> Vec<DemoPerson> {
    use ExperienceBand::*;
    use Role::*;
    let p = |name, email, school, role, department, band, location| DemoPerson {
        name,
        email,
        school,
        role,
        department,
        band,
        location,
    };
    vec![
        p("Ingrid Hofstede", "beheer@esdal.test", 0, Admin, "ICT en beheer", From11To20, "Emmen, Boslaan"),
        p("Marco Veenstra", "m.veenstra@esdal.test", 0, Leader, "Schoolleiding", Over20, "Emmen, Boslaan"),
        p("Fatima El Amrani", "f.elamrani@esdal.test", 1, Leader, "Schoolleiding", From11To20, "Emmen, Statenweg"),
        p("Anouk de Bruin", "a.debruin@esdal.test", 0, Teacher, "Nederlands", From6To10, "Emmen, Boslaan"),
        p("Jeroen Bakker", "j.bakker@esdal.test", 0, Teacher, "Wiskunde", Over20, "Emmen, Boslaan"),
        p("Sanne Mulder", "s.mulder@esdal.test", 0, Teacher, "Engels", From3To5, "Emmen, Boslaan"),
        p("Thomas Kuipers", "t.kuipers@esdal.test", 0, Teacher, "Geschiedenis", From11To20, "Emmen, Boslaan"),
        p("Lotte Jansen", "l.jansen@esdal.test", 0, Teacher, "Biologie", UpTo2, "Emmen, Boslaan"),
        p("Daan Smit", "d.smit@esdal.test", 0, Teacher, "Natuurkunde", From6To10, "Emmen, Boslaan"),
        p("Eva Visser", "e.visser@esdal.test", 0, Teacher, "Frans", From3To5, "Klazienaveen"),
        p("Ruben Meijer", "r.meijer@esdal.test", 0, Teacher, "Lichamelijke opvoeding", From11To20, "Klazienaveen"),
        p("Noor Hendriks", "n.hendriks@esdal.test", 0, Teacher, "Aardrijkskunde", UpTo2, "Klazienaveen"),
        p("Bas van Dijk", "b.vandijk@esdal.test", 0, Teacher, "Economie", Over20, "Emmen, Boslaan"),
        p("Yara Bos", "y.bos@esdal.test", 0, Teacher, "Kunst en cultuur", From6To10, "Klazienaveen"),
        p("Pieter Dekker", "p.dekker@esdal.test", 0, Teacher, "Scheikunde", From11To20, "Emmen, Boslaan"),
        p("Mila Vermeulen", "m.vermeulen@esdal.test", 0, Teacher, "Nederlands", UpTo2, "Klazienaveen"),
        p("Joost Brouwer", "j.brouwer@esdal.test", 0, Teacher, "Wiskunde", From3To5, "Emmen, Boslaan"),
        p("Hanneke Postma", "h.postma@esdal.test", 0, Teacher, "Zorg en begeleiding", Over20, "Emmen, Boslaan"),
        p("Sem de Groot", "s.degroot@esdal.test", 1, Teacher, "Techniek", From6To10, "Emmen, Statenweg"),
        p("Fleur Koster", "f.koster@esdal.test", 1, Teacher, "Zorg en welzijn", From3To5, "Emmen, Statenweg"),
        p(
            "Kevin Wolters",
            "k.wolters@esdal.test",
            1,
            Teacher,
            "Bouwen, wonen en interieur",
            Over20,
            "Emmen, Statenweg",
        ),
        p("Iris van Leeuwen", "i.vanleeuwen@esdal.test", 1, Teacher, "Nederlands", UpTo2, "Emmen, Statenweg"),
        p("Ahmed Yilmaz", "a.yilmaz@esdal.test", 1, Teacher, "Wiskunde", From6To10, "Emmen, Statenweg"),
        p("Lisa Prins", "l.prins@esdal.test", 1, Teacher, "Engels", From11To20, "Emmen, Statenweg"),
        p(
            "Rick Huisman",
            "r.huisman@esdal.test",
            1,
            Teacher,
            "Produceren, installeren en energie",
            From3To5,
            "Emmen, Statenweg",
        ),
        p("Sophie Timmer", "s.timmer@esdal.test", 1, Teacher, "Economie en ondernemen", UpTo2, "Emmen, Statenweg"),
        p(
            "Wouter Schouten",
            "w.schouten@esdal.test",
            1,
            Teacher,
            "Lichamelijke opvoeding",
            From6To10,
            "Emmen, Statenweg",
        ),
        p("Esther Zijlstra", "e.zijlstra@esdal.test", 1, Teacher, "Mens en maatschappij", Over20, "Emmen, Statenweg"),
        p("Gijs Hoekstra", "g.hoekstra@esdal.test", 1, Teacher, "Zorg en begeleiding", From11To20, "Emmen, Statenweg"),
        p("Naomi Kok", "n.kok@esdal.test", 0, Teacher, "Engels", From6To10, "Emmen, Boslaan"),
    ]
}

/// Loads the demo board unless the database already has organisations. Returns
/// whether it loaded anything. Fails on database errors; nothing is half-loaded.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<bool, AppError> {
    if organisation::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    let created = now();
    let txn = begin_write(db).await?;
    let board = organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        parent_id: Set(None),
        kind: Set("board".into()),
        name: Set("Stichting Esdal Onderwijs".into()),
        slug: Set(DEMO_BOARD_SLUG.into()),
        created_at: Set(created),
    }
    .insert(&txn)
    .await?;
    let mut schools = Vec::new();
    for (name, slug) in SCHOOLS {
        let school = organisation::ActiveModel {
            id: Set(Uuid::now_v7()),
            parent_id: Set(Some(board.id)),
            kind: Set("school".into()),
            name: Set(name.into()),
            slug: Set(slug.into()),
            created_at: Set(created),
        }
        .insert(&txn)
        .await?;
        schools.push(school);
    }
    let mut users = std::collections::HashMap::new();
    for person in people() {
        // The admin administers the whole board; everyone else works at one school.
        let organisation_id = if person.role == Role::Admin { board.id } else { schools[person.school].id };
        let user = insert_staff_member(
            &txn,
            NewStaffMember {
                email: person.email,
                name: person.name,
                password_hash: &hash,
                language: Language::Nl,
                organisation_id,
                role: person.role,
                profile: Some((person.department, person.band, person.location)),
            },
        )
        .await?;
        users.insert(person.email, user.id);
    }
    crate::community::demo::load(&txn, board.id, &users).await?;
    crate::artifact::demo::load(&txn, board.id, &users).await?;
    crate::lesson_study::demo::load(&txn, &users).await?;
    txn.commit().await?;
    Ok(true)
}
