//! Demo data: a fictional Dutch school board with two secondary schools and about
//! thirty staff across departments, experience bands and locations, so Kring looks
//! like a real school on first start, and the communities of practice they run (see
//! `community::demo`). Loaded only into an empty database.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::account::domain::Language;
use crate::account::domain::{ExperienceBand, Role};
use crate::account::service::{NewStaffMember, hash_password, insert_staff_member};
use crate::db::entities::{organisation, staff_membership};
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

/// Colleagues who are not (yet) in a community: a real school is larger than its
/// learning communities, and the leaders' dashboard needs groups big enough to show.
/// Generated from name lists; each `(school, department, band, location, joined)`
/// where `joined` is the months since the start of the current school year (0 for
/// staff who were there before it).
fn colleagues() -> Vec<(String, String, usize, &'static str, ExperienceBand, &'static str, i32)> {
    use ExperienceBand::*;
    const FIRST: [&str; 12] = [
        "Annemiek",
        "Bram",
        "Charlotte",
        "Dirk",
        "Elif",
        "Floor",
        "Gerrit",
        "Hilde",
        "Ilse",
        "Jasper",
        "Karin",
        "Luuk",
    ];
    const LAST: [&str; 12] = [
        "Alberts", "Boersma", "Dijkstra", "Evers", "Feenstra", "Geerts", "Haan", "Jonker", "Kramer", "Lammers",
        "Nijboer", "Oosting",
    ];
    // School, department, experience band, location, months after the year began.
    let rows: [(usize, &str, ExperienceBand, &str, i32); 36] = [
        (0, "Wiskunde", UpTo2, "Emmen, Boslaan", 0),
        (0, "Wiskunde", From6To10, "Emmen, Boslaan", -24),
        (0, "Wiskunde", Over20, "Klazienaveen", -24),
        (0, "Wiskunde", From11To20, "Emmen, Boslaan", -24),
        (0, "Nederlands", UpTo2, "Emmen, Boslaan", 0),
        (0, "Nederlands", From3To5, "Emmen, Boslaan", -24),
        (0, "Nederlands", Over20, "Klazienaveen", -24),
        (0, "Nederlands", From11To20, "Emmen, Boslaan", -24),
        (0, "Engels", UpTo2, "Emmen, Boslaan", 2),
        (0, "Engels", From11To20, "Emmen, Boslaan", -24),
        (0, "Engels", Over20, "Emmen, Boslaan", -24),
        (0, "Engels", From3To5, "Klazienaveen", -24),
        (0, "Mens en maatschappij", UpTo2, "Emmen, Boslaan", 0),
        (0, "Mens en maatschappij", From6To10, "Emmen, Boslaan", -24),
        (0, "Mens en maatschappij", Over20, "Emmen, Boslaan", -24),
        (0, "Mens en maatschappij", From11To20, "Klazienaveen", -24),
        (0, "Mens en maatschappij", From3To5, "Emmen, Boslaan", -24),
        (0, "Natuurwetenschappen", UpTo2, "Emmen, Boslaan", 0),
        (0, "Natuurwetenschappen", From6To10, "Emmen, Boslaan", -24),
        (0, "Natuurwetenschappen", Over20, "Emmen, Boslaan", -24),
        (0, "Natuurwetenschappen", From11To20, "Emmen, Boslaan", -24),
        (0, "Natuurwetenschappen", From3To5, "Klazienaveen", -24),
        (1, "Techniek", UpTo2, "Emmen, Statenweg", 0),
        (1, "Techniek", Over20, "Emmen, Statenweg", -24),
        (1, "Techniek", From11To20, "Emmen, Statenweg", -24),
        (1, "Techniek", From6To10, "Emmen, Statenweg", -24),
        (1, "Zorg en welzijn", UpTo2, "Emmen, Statenweg", 1),
        (1, "Zorg en welzijn", From6To10, "Emmen, Statenweg", -24),
        (1, "Zorg en welzijn", Over20, "Emmen, Statenweg", -24),
        (1, "Zorg en welzijn", From3To5, "Emmen, Statenweg", -24),
        (1, "Nederlands", UpTo2, "Emmen, Statenweg", 0),
        (1, "Nederlands", From11To20, "Emmen, Statenweg", -24),
        (1, "Nederlands", Over20, "Emmen, Statenweg", -24),
        (1, "Wiskunde", UpTo2, "Emmen, Statenweg", 0),
        (1, "Wiskunde", From3To5, "Emmen, Statenweg", -24),
        (1, "Wiskunde", From11To20, "Emmen, Statenweg", -24),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (school, department, band, location, joined))| {
            let (first, last) = (FIRST[i % 12], LAST[(i * 5 + i / 12) % 12]);
            let email = format!("{}.{}@esdal.test", first[..1].to_lowercase(), last.to_lowercase());
            (format!("{first} {last}"), email, *school, *department, *band, *location, *joined)
        })
        .collect()
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
    // When each person joined the staff, in months from this school year's start.
    let mut joined_at: Vec<(Uuid, i32)> = Vec::new();
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
        joined_at.push((user.id, -24));
    }
    let colleagues = colleagues();
    for (name, email, school, department, band, location, joined) in &colleagues {
        let user = insert_staff_member(
            &txn,
            NewStaffMember {
                email,
                name,
                password_hash: &hash,
                language: Language::Nl,
                organisation_id: schools[*school].id,
                role: Role::Teacher,
                profile: Some((department, *band, location)),
            },
        )
        .await?;
        joined_at.push((user.id, *joined));
    }
    // Staff were hired at the start of a school year, two years back, or this year.
    let year_start = crate::dashboard::domain::Month::of(created.date()).school_year();
    let this_year = crate::dashboard::domain::Month::new(year_start, 8);
    // One update per hiring month, not per person.
    let mut by_month: std::collections::BTreeMap<i32, Vec<Uuid>> = std::collections::BTreeMap::new();
    for (user_id, months) in joined_at {
        by_month.entry(months).or_default().push(user_id);
    }
    for (months, user_ids) in by_month {
        let at = this_year.plus(months).first_day().midnight().assume_utc() + time::Duration::hours(8);
        staff_membership::Entity::update_many()
            .col_expr(staff_membership::Column::CreatedAt, sea_orm::sea_query::Expr::value(at))
            .filter(staff_membership::Column::UserId.is_in(user_ids))
            .exec(&txn)
            .await?;
    }
    crate::community::demo::load(&txn, board.id, &users).await?;
    crate::artifact::demo::load(&txn, board.id, &users).await?;
    crate::lesson_study::demo::load(&txn, &users).await?;
    txn.commit().await?;
    Ok(true)
}
