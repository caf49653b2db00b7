//! Every route and server function, asked by anonymous visitors, a teacher, a school
//! leader, an admin, and an admin of another organisation. Permission is decided on
//! the server; people who may not see something get 404 (or are sent to log in).

use crate::common::*;
use http::StatusCode;

async fn admin_function_args(app: &TestApp) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let school = demo_school_id(app).await;
    let admin = app.login(ADMIN).await;
    let link = app
        .call(
            "invite_staff",
            &[("school_id", &school), ("email", "uitgenodigd@esdal.test"), ("role", "teacher")],
            &admin,
        )
        .await;
    assert_eq!(link.status, StatusCode::OK);
    let overview: serde_json::Value =
        serde_json::from_str(&app.call("staff_overview", &[], &admin).await.body).unwrap();
    let invitation = overview["invitations"][0]["id"].as_str().unwrap().to_string();
    let teacher_id = overview["staff"].as_array().unwrap().iter().find(|s| s["email"] == TEACHER).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    vec![
        ("staff_overview", vec![]),
        (
            "invite_staff",
            vec![("school_id", school.clone()), ("email", "nog.iemand@esdal.test".into()), ("role", "teacher".into())],
        ),
        (
            "create_invitation_link",
            vec![("school_id", school.clone()), ("role", "teacher".into()), ("max_uses", "5".into())],
        ),
        ("revoke_invitation", vec![("invitation_id", invitation)]),
        ("set_staff_role", vec![("user_id", teacher_id.clone()), ("school_id", school), ("role", "leader".into())]),
        // Reactivating an active account changes nothing: the matrix needs the teacher afterwards.
        ("set_staff_active", vec![("user_id", teacher_id), ("active", "true".into())]),
    ]
}

fn as_pairs<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let anonymous = Client::default();
        for path in ["/", "/profile", "/admin/staff"] {
            let page = app.get(path, &anonymous).await;
            assert_eq!(page.status, StatusCode::FOUND, "{backend:?} GET {path}");
            assert_eq!(page.header("location"), Some(format!("/login?next={path}").as_str()));
        }
        for path in ["/login", "/password/forgot", "/password/reset/unknown", "/invite/unknown"] {
            assert_eq!(app.get(path, &anonymous).await.status, StatusCode::OK, "{backend:?} GET {path} is public");
        }
        for (endpoint, args) in admin_function_args(&app).await {
            let r = app.call(endpoint, &as_pairs(&args), &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}: {}", r.body);
        }
        for (endpoint, args) in [
            (
                "update_profile",
                vec![("name", "X"), ("language", "nl"), ("department", ""), ("experience_band", ""), ("location", "")],
            ),
            (
                "change_password",
                vec![
                    ("current_password", PASSWORD),
                    ("new_password", "lang genoeg nieuw"),
                    ("new_password_confirm", "lang genoeg nieuw"),
                ],
            ),
        ] {
            let r = app.call(endpoint, &args, &anonymous).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} anonymous {endpoint}");
        }
        assert_eq!(app.call("current_user", &[], &anonymous).await.body, "null");
        let unknown = app.get("/does-not-exist", &anonymous).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert!(unknown.text().contains("Pagina niet gevonden"));
    }
}

#[tokio::test]
async fn teachers_and_leaders_do_not_see_staff_administration() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let args = admin_function_args(&app).await;
        for email in [TEACHER, LEADER, OTHER_TEACHER] {
            let client = app.login(email).await;
            let page = app.get("/admin/staff", &client).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{backend:?} {email} GET /admin/staff");
            assert!(!page.text().contains("Jeroen Bakker"), "no staff data leaks into the 404 page");
            for (endpoint, args) in &args {
                let r = app.call(endpoint, &as_pairs(args), &client).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} {email} {endpoint}: {}", r.body);
            }
            for path in ["/", "/profile"] {
                assert_eq!(app.get(path, &client).await.status, StatusCode::OK, "{email} GET {path}");
            }
        }
        // Nothing the refused calls asked for happened.
        let admin = app.login(ADMIN).await;
        let overview = app.call("staff_overview", &[], &admin).await.body;
        assert!(!overview.contains("nog.iemand@esdal.test"));
        let teacher = app.login(TEACHER).await;
        assert!(app.call("current_user", &[], &teacher).await.body.contains("\"role\":\"teacher\""), "role unchanged");
    }
}

#[tokio::test]
async fn admins_manage_only_their_own_organisation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let args = admin_function_args(&app).await;
        let other = app.login(OTHER_ADMIN).await;
        let overview = app.call("staff_overview", &[], &other).await;
        assert_eq!(overview.status, StatusCode::OK);
        assert!(overview.body.contains("Leraar Ander"));
        assert!(!overview.body.contains("esdal"), "{backend:?}: another board's staff must not be visible");
        let page = app.get("/admin/staff", &other).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("Anouk de Bruin"));
        for (endpoint, args) in args.iter().filter(|(e, _)| *e != "staff_overview") {
            let r = app.call(endpoint, &as_pairs(args), &other).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend:?} other admin {endpoint}: {}", r.body);
        }
    }
}

#[tokio::test]
async fn the_admin_can_do_everything_on_the_staff_page() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let args = admin_function_args(&app).await;
        let admin = app.login(ADMIN).await;
        assert_eq!(app.get("/admin/staff", &admin).await.status, StatusCode::OK);
        for (endpoint, args) in &args {
            let r = app.call(endpoint, &as_pairs(args), &admin).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} admin {endpoint}: {}", r.body);
        }
        let teacher = app.login(TEACHER).await;
        let me = app.call("current_user", &[], &teacher).await.body;
        assert!(me.contains("\"role\":\"leader\""), "the role change took effect: {me}");
    }
}

#[tokio::test]
async fn the_last_admin_cannot_give_up_the_role() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let admin = app.login(ADMIN).await;
        let overview: serde_json::Value =
            serde_json::from_str(&app.call("staff_overview", &[], &admin).await.body).unwrap();
        let staff = overview["staff"].as_array().unwrap();
        let me = staff.iter().find(|s| s["email"] == ADMIN).unwrap();
        let user_id = me["id"].as_str().unwrap().to_string();
        let board_id = me["roles"][0]["school"]["id"].as_str().unwrap().to_string();
        let teacher_id = staff.iter().find(|s| s["email"] == TEACHER).unwrap()["id"].as_str().unwrap().to_string();

        let refused = app
            .call("set_staff_role", &[("user_id", &user_id), ("school_id", &board_id), ("role", "teacher")], &admin)
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{backend:?}: {}", refused.body);
        assert!(refused.body.contains("LastAdmin"));
        assert_eq!(app.call("staff_overview", &[], &admin).await.status, StatusCode::OK, "still an admin");

        let school = demo_school_id(&app).await;
        let promoted = app
            .call("set_staff_role", &[("user_id", &teacher_id), ("school_id", &school), ("role", "admin")], &admin)
            .await;
        assert_eq!(promoted.status, StatusCode::OK);
        let stepped_down = app
            .call("set_staff_role", &[("user_id", &user_id), ("school_id", &board_id), ("role", "teacher")], &admin)
            .await;
        assert_eq!(stepped_down.status, StatusCode::OK, "{}", stepped_down.body);
        assert_eq!(app.call("staff_overview", &[], &admin).await.status, StatusCode::NOT_FOUND, "no longer an admin");
        let new_admin = app.login(TEACHER).await;
        assert_eq!(app.call("staff_overview", &[], &new_admin).await.status, StatusCode::OK);
    }
}
