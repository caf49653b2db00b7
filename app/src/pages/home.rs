//! The home page: what a teacher opens between lessons. The next meeting (with its
//! check-in), their open intervision actions, the artifacts they look after that want
//! attention, what waits for their answer, the newest notifications and their
//! communities: each feature's part, read in one snapshot and a fixed number of queries.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::account::domain::Role;
use crate::artifact::api::ArtifactLink;
use crate::artifact::views::InMyCare;
use crate::community::api::{AnswerInvitation, MyCommunities, WithdrawRequest};
use crate::community::views::{MyCommunityList, WaitingForYou};
use crate::dashboard::views::{Dashboard, dashboard_for_query};
use crate::error::AppError;
use crate::i18n::*;
use crate::intervision::closing::api::ActionRow;
use crate::intervision::closing::views::MyOpenActions;
use crate::lesson_study::api::MyCycle;
use crate::lesson_study::views::MyCycles;
use crate::meeting::api::{CheckIn, NextMeeting};
use crate::meeting::views::NextMeetingCard;
use crate::notification::api::NoticeView;
use crate::notification::views::NewestNotices;
use crate::survey::views::SurveysWaiting;
use crate::ui::{Auth, ErrorAlert, action_error, loaded, signed_in};

#[cfg(feature = "ssr")]
use crate::account::session;

/// How many notifications and artifacts the home page lists.
#[cfg(feature = "ssr")]
const NEWEST_ON_HOME: u64 = 5;

/// Everything on the home page. The communities part is flattened in, so the JSON is
/// one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomePageData {
    #[serde(flatten)]
    pub communities: MyCommunities,
    pub next_meeting: Option<NextMeeting>,
    /// The viewer's open actions, each with its community's name.
    pub actions: Vec<(String, ActionRow)>,
    /// Artifacts the viewer owns whose review is due or that were flagged outdated.
    pub in_my_care: Vec<ArtifactLink>,
    pub notices: Vec<NoticeView>,
    /// Running lesson-study cycles of the viewer's communities, with their next step.
    pub cycles: Vec<MyCycle>,
    /// Open pulse surveys that ask the viewer and that they have not answered.
    pub surveys: Vec<crate::survey::api::SurveySummary>,
}

#[server(endpoint = "home_page")]
pub async fn load_home() -> Result<HomePageData, AppError> {
    session::as_viewer(|state, viewer| async move {
        service::home_page(&state.db, &state.settings.time_zone, &viewer).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod service {
    use std::collections::HashMap;

    use sea_orm::DatabaseConnection;
    use uuid::Uuid;

    use super::{HomePageData, NEWEST_ON_HOME};
    use crate::account::session::Viewer;
    use crate::error::AppError;

    /// The viewer's home page, read in one snapshot. Only communities the viewer is an
    /// active member of feed the meeting and the actions.
    pub async fn home_page(
        db: &DatabaseConnection,
        tz: &jiff::tz::TimeZone,
        viewer: &Viewer,
    ) -> Result<HomePageData, AppError> {
        let snapshot = crate::db::begin_read(db).await?;
        let db = &snapshot;
        let communities = crate::community::service::my_communities(db, viewer).await?;
        let active: HashMap<Uuid, String> = communities.communities.iter().map(|c| (c.id, c.name.clone())).collect();
        let today = crate::shared::time::today_in(tz);
        let actions =
            crate::intervision::closing::service::open_actions_of(db, viewer, active.keys().copied().collect(), today)
                .await?;
        let leads: HashMap<Uuid, (String, bool)> = communities
            .communities
            .iter()
            .map(|c| (c.id, (c.name.clone(), c.my_role == Some(crate::membership::domain::CommunityRole::Facilitator))))
            .collect();
        let page = HomePageData {
            cycles: crate::lesson_study::service::running_for(db, viewer, &leads).await?,
            next_meeting: crate::meeting::service::next_of(db, tz, viewer, &active).await?,
            actions: actions
                .into_iter()
                .filter_map(|(community_id, action)| Some((active.get(&community_id)?.clone(), action)))
                .collect(),
            in_my_care: crate::artifact::service::in_care_of(db, viewer, NEWEST_ON_HOME).await?,
            notices: crate::notification::service::newest(db, tz, viewer, NEWEST_ON_HOME).await?,
            surveys: crate::survey::service::waiting_for(db, tz, viewer, &active).await?,
            communities,
        };
        snapshot.commit().await?;
        Ok(page)
    }
}

/// A school leader's home page is their dashboard; everyone else's is what their
/// communities ask of them. Both resources are made here, outside the signed-in frame
/// (whose content renders twice on the server), and each loads only for its audience.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let leads =
        move || async move { matches!(auth.user.await, Ok(Some(user)) if user.staff && user.role == Role::Leader) };
    let answer = ServerAction::<AnswerInvitation>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let check_in = ServerAction::<CheckIn>::new();
    let answer_error = action_error(answer);
    let check_in_error = action_error(check_in);
    let page = Resource::new(
        move || (answer.version().try_get(), withdraw.version().try_get(), check_in.version().try_get()),
        move |_| async move { if leads().await { Ok(None) } else { load_home().await.map(Some) } },
    );
    let dashboard = dashboard_for_query(leads);
    signed_in(move |user| {
        if user.staff && user.role == Role::Leader {
            return view! {
                <Title text=t_string!(i18n, dashboard.title)/>
                {loaded(dashboard, move |data| data.map(|data| view! { <Dashboard data/> }.into_any()))}
            }
            .into_any();
        }
        view! {
            <Title text=t_string!(i18n, home.title)/>
            <h1>{t!(i18n, home.greeting, name = user.name.clone())}</h1>
            <ErrorAlert error=answer_error/>
            <ErrorAlert error=check_in_error/>
            {loaded(page, move |data| data.map(|data| view! {
                <SurveysWaiting surveys=data.surveys/>
                <div class="home-grid">
                    <NextMeetingCard next=data.next_meeting check_in/>
                    <MyOpenActions actions=data.actions/>
                    <MyCycles cycles=data.cycles/>
                    <WaitingForYou mine=data.communities.clone() answer withdraw/>
                    <InMyCare artifacts=data.in_my_care/>
                    <NewestNotices notices=data.notices/>
                </div>
                <MyCommunityList mine=data.communities/>
            }.into_any()))}
        }
        .into_any()
    })
}
