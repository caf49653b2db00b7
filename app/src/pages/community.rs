//! The community page: the community's own part (members, levels, criteria,
//! facilitation) with its meetings, its newest knowledge and its intervision card, read
//! in one snapshot and in a fixed number of queries; and the facilitator's edit page,
//! where the community's settings sit beside how long intervision text is kept.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::artifact::api::ArtifactLink;
use crate::community::api::CommunityPage;
use crate::community::views::{CommunityDetails, CommunityEditForm, CommunityHead, CommunityPageActions};
use crate::dashboard::api::CommunityHealth;
use crate::dashboard::views::CommunityHealthCard;
use crate::error::AppError;
use crate::i18n::*;
use crate::intervision::card::IntervisionCard;
use crate::intervision::case::domain::CaseKeeping;
use crate::intervision::round::views::{CaseKeepingCard, CommunityIntervision};
use crate::lesson_study::api::CycleSummary;
use crate::lesson_study::views::LessonStudyCard;
use crate::meeting::api::MeetingSummary;
use crate::meeting::views::MeetingList;
use crate::membership::domain::CommunityRole;
use crate::ui::{load_or_not_found, signed_in, uuid_param};
use crate::ui::{loaded, resource_page};

#[cfg(feature = "ssr")]
use {crate::account::session, crate::error::respond, crate::state::AppState};

/// How many of its artifacts the community page lists.
#[cfg(feature = "ssr")]
const KNOWLEDGE_ON_PAGE: u64 = 5;

/// Everything on the community page. The community's own part is flattened in, so the
/// JSON is one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityPageData {
    #[serde(flatten)]
    pub community: CommunityPage,
    /// How long the community keeps intervision case text.
    pub case_keeping: CaseKeeping,
    /// Meetings of the last four weeks and ahead, soonest first.
    pub meetings: Vec<MeetingSummary>,
    /// The first few of the community's artifacts, current ones first.
    pub knowledge: Vec<ArtifactLink>,
    /// Rounds, follow-ups and cases (members and facilitators; `None` for guests).
    pub intervision: Option<IntervisionCard>,
    /// Lesson-study cycles, newest first (guests too: a knowledgeable other is one).
    pub lesson_study: Vec<CycleSummary>,
    /// The community's health this term (members and facilitators; `None` for guests).
    pub health: Option<CommunityHealth>,
}

#[server(endpoint = "community_page")]
pub async fn load_community(community_id: Uuid) -> Result<CommunityPageData, AppError> {
    respond(async move {
        let state = AppState::get()?;
        let viewer = session::require_viewer(&state).await?;
        service::community_page(&state.db, &state.settings, &viewer, community_id).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::DatabaseConnection;
    use uuid::Uuid;

    use crate::state::Settings;

    use super::{CommunityPageData, KNOWLEDGE_ON_PAGE};
    use crate::account::session::Viewer;
    use crate::error::AppError;
    use crate::membership::domain::CommunityRole;

    /// The whole community page for one of its active members (`NotFound` for anyone
    /// else), read in one snapshot; the names of everyone it shows in one query.
    pub async fn community_page(
        db: &DatabaseConnection,
        settings: &Settings,
        viewer: &Viewer,
        community_id: Uuid,
    ) -> Result<CommunityPageData, AppError> {
        let snapshot = crate::db::begin_read(db).await?;
        let db = &snapshot;
        let tz = &settings.time_zone;
        let base = crate::community::service::page_base(db, viewer, community_id).await?;
        let joins = base.member_joins();
        let intervision = match base.my_role() {
            CommunityRole::Guest => None,
            _ => Some(crate::intervision::case::service::CardRows::load(db, community_id).await?),
        };
        let mut names = base.member_names();
        let former = base.former_people(intervision.iter().flat_map(|card| card.people()));
        names.extend(crate::account::service::names_of(db, former).await?);
        let community = base.community().clone();
        let guest = base.my_role() == CommunityRole::Guest;
        let page = base.into_page(db, viewer, &names).await?;
        let health = if guest {
            None
        } else {
            let levels: Vec<_> =
                page.members.iter().filter(|m| m.role != CommunityRole::Guest).map(|m| m.level).collect();
            let k = settings.min_group.max(crate::shared::MIN_GROUP);
            Some(crate::dashboard::service::community_health(db, tz, k, community_id, &joins, &levels).await?)
        };
        let page = CommunityPageData {
            case_keeping: crate::intervision::case::service::keeping_of(&community)?,
            meetings: crate::meeting::service::community_meetings(db, tz, community_id).await?,
            knowledge: crate::artifact::service::community_recent(db, community_id, KNOWLEDGE_ON_PAGE).await?,
            lesson_study: crate::lesson_study::service::cycles_of(db, community_id).await?,
            intervision: intervision
                .map(|card| card.into_card(community, &names, viewer, crate::shared::time::today_in(tz))),
            health,
            community: page,
        };
        snapshot.commit().await?;
        Ok(page)
    }
}

#[component]
pub fn CommunityPageView() -> impl IntoView {
    let community_id = uuid_param("id");
    let actions = CommunityPageActions::new();
    let submit_case = ServerAction::<crate::intervision::case::api::SubmitCase>::new();
    let page = Resource::new(
        move || (community_id(), actions.versions(), submit_case.version().try_get()),
        |(id, ..)| load_or_not_found(id, load_community),
    );
    resource_page(page, move |data| {
        Some({
            let id = data.community.id;
            let facilitator = data.community.me.role == CommunityRole::Facilitator;
            view! {
                <CommunityHead data=data.community.clone()/>
                <MeetingList community_id=id meetings=data.meetings facilitator/>
                <crate::artifact::views::CommunityKnowledge community_id=id recent=data.knowledge/>
                {data.intervision.map(|card| view! {
                    <CommunityIntervision community_id=id facilitator card submit=submit_case/>
                })}
                <LessonStudyCard community_id=id cycles=data.lesson_study facilitator/>
                {data.health.map(|own| view! { <CommunityHealthCard own/> })}
                <CommunityDetails data=data.community actions/>
            }
            .into_any()
        })
    })
}

#[component]
pub fn EditCommunityPage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let update = ServerAction::<crate::community::api::UpdateCommunity>::new();
    let page = Resource::new(community_id, |id| load_or_not_found(id, load_community));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, community.edit_title)/>
            {loaded(page, move |data| match data {
                data if data.community.me.role == CommunityRole::Facilitator => Some({
                        let id = data.community.id;
                        view! {
                            <CommunityEditForm data=data.community update/>
                            <CaseKeepingCard community_id=id keeping=data.case_keeping/>
                        }
                        .into_any()
                    }),
                _ => None,
            })}
        }
    })
}
