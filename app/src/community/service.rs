//! Communities over the database. Every function starts from the viewer and checks
//! their place: anything inside a community exists only for its active members
//! (everyone else, school leaders and admins included, gets `NotFound`), and only
//! facilitators manage members. Membership changes and participation events are
//! appended to their logs in the same transaction as the change itself.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::api::{
    Activity, CommunityPage, CommunitySummary, CriteriaVersion, ExplainedEvent, GuestInvitation, JoinRequestsWaiting,
    LevelExplanation, LevelPoint, Member, MyCommunities, MyPlace, PendingMember,
};
use super::domain::{
    AGREEMENTS_MAX, CRITERIA_MAX, CommunityStatus, GOAL_MAX, NOTE_MAX, RHYTHM_MAX, validate_name, validate_window,
};
use crate::account::domain::{Language, normalise_email, validate_email};
use crate::account::session::Viewer;
use crate::db::entities::{
    community, community_member, community_policy, invitation, level_change, organisation, participation_event,
    staff_membership, success_criterion, user,
};
use crate::db::{begin_write, now};
use crate::error::{AppError, ErrorKey, Validation};
use crate::membership::domain::{
    CommunityRole, DEFAULT_MEMBER_CAP, MembershipChange, MembershipStatus, SizeAdvice, check_capacity,
};
use crate::membership::service::{
    active_facilitators, active_member_ids, ensure_capacity, facilitator_access, head_count, insert_membership,
    member_access, membership_of, policy, record_change,
};
use crate::notification::domain::NoticeKind;
use crate::notification::service::{Notice, notify};
use crate::participation::domain::{EventKind, Level, LevelReason, NewcomerStep, seci_balance};
use crate::participation::service::{record_event, rule_of};
use crate::shared::text::{clean_text, validate_body, validate_optional};
use crate::state::AppState;

/// What a facilitator (or a founder) fills in about a community.
#[derive(Debug, Clone)]
pub struct CommunityForm {
    pub name: String,
    pub goal: String,
    pub agreements: String,
    pub rhythm: String,
    pub listed: bool,
}

impl CommunityForm {
    fn check(&self, validation: &mut Validation) {
        validation
            .check("name", validate_name(&self.name))
            .check("goal", validate_body(&self.goal, GOAL_MAX))
            .check("agreements", validate_optional(&self.agreements, AGREEMENTS_MAX))
            .check("rhythm", validate_optional(&self.rhythm, RHYTHM_MAX));
    }
}

/// The board someone on the staff works for; `None` for guests (no staff role).
async fn board_of_staff<C: ConnectionTrait>(
    db: &C,
    memberships: &[crate::db::entities::staff_membership::Model],
) -> Result<Option<crate::db::entities::organisation::Model>, AppError> {
    let Some(first) = memberships.first() else { return Ok(None) };
    let Some(org) = crate::db::entities::organisation::Entity::find_by_id(first.organisation_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(crate::account::service::board_of(db, org).await?))
}

/// A community of the viewer's own board (for the directory and join requests).
async fn board_community<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<community::Model, AppError> {
    let board = viewer.board_id.ok_or(AppError::NotFound)?;
    community::Entity::find_by_id(community_id)
        .filter(community::Column::OrganisationId.eq(board))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub fn default_agreements(language: Language) -> &'static str {
    use crate::i18n::*;
    let locale = match language {
        Language::Nl => Locale::nl,
        Language::En => Locale::en,
    };
    td_string!(locale, community.default_agreements)
}

/// Starts a community; the founder becomes its first facilitator.
pub async fn create(db: &DatabaseConnection, viewer: &Viewer, form: CommunityForm) -> Result<Uuid, AppError> {
    let board = viewer.board_id.ok_or(AppError::NotFound)?;
    let (_, staff_may_start) = policy(db, board).await?;
    if !staff_may_start && !viewer.is_admin() {
        return Err(AppError::Conflict(ErrorKey::StartingRestricted));
    }
    let mut validation = Validation::new();
    form.check(&mut validation);
    validation.finish()?;
    let language = Language::decode(&viewer.user.language)?;
    let agreements = if form.agreements.trim().is_empty() {
        default_agreements(language).to_string()
    } else {
        clean_text(&form.agreements)
    };
    let txn = begin_write(db).await?;
    let at = now();
    let community = community::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(board),
        name: Set(clean_text(&form.name)),
        goal: Set(clean_text(&form.goal)),
        agreements: Set(agreements),
        rhythm: Set(clean_text(&form.rhythm)),
        status: Set(CommunityStatus::Active.as_str().to_string()),
        listed: Set(form.listed),
        window_days: Set(90),
        case_keeping: Set(crate::intervision::case::domain::CaseKeeping::default().as_str().to_string()),
        created_by: Set(Some(viewer.id())),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    insert_membership(&txn, community.id, viewer.id(), CommunityRole::Facilitator, MembershipStatus::Active, None, at)
        .await?;
    record_change(
        &txn,
        community.id,
        viewer.id(),
        Some(viewer.id()),
        MembershipChange::Created,
        Some(CommunityRole::Facilitator),
    )
    .await?;
    record_event(&txn, &community, viewer.id(), EventKind::Joined, at, None, None).await?;
    txn.commit().await?;
    Ok(community.id)
}

/// A facilitator changes the community's details, status or level window.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    form: CommunityForm,
    status: &str,
    window_days: &str,
) -> Result<(), AppError> {
    let community = facilitator_access(db, viewer, community_id).await?;
    let status_choice = CommunityStatus::parse(status);
    let window: Result<i32, ErrorKey> = window_days.trim().parse().map_err(|_| ErrorKey::InvalidChoice);
    let mut validation = Validation::new();
    form.check(&mut validation);
    validation
        .check("status", status_choice.map(|_| ()))
        .check("window_days", window.and_then(validate_window))
        .finish()?;
    let mut model: community::ActiveModel = community.into();
    model.name = Set(clean_text(&form.name));
    model.goal = Set(clean_text(&form.goal));
    model.agreements = Set(clean_text(&form.agreements));
    model.rhythm = Set(clean_text(&form.rhythm));
    model.listed = Set(form.listed);
    model.status = Set(status_choice.unwrap_or(CommunityStatus::Active).as_str().to_string());
    model.window_days = Set(window.unwrap_or(90));
    model.updated_at = Set(now());
    model.update(db).await?;
    Ok(())
}

/// Any member writes a new version of the success criteria; earlier ones stay.
pub async fn update_criteria(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    criteria: &str,
) -> Result<(), AppError> {
    member_access(db, viewer, community_id).await?;
    Validation::new().check("criteria", validate_body(criteria, CRITERIA_MAX)).finish()?;
    success_criterion::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        criteria: Set(clean_text(criteria)),
        author_id: Set(Some(viewer.id())),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

fn summary(
    community: &community::Model,
    member_count: usize,
    mine: Option<&community_member::Model>,
) -> CommunitySummary {
    CommunitySummary {
        id: community.id,
        name: community.name.clone(),
        goal: community.goal.clone(),
        status: CommunityStatus::decode(&community.status).unwrap_or(CommunityStatus::Active),
        member_count,
        my_role: mine.and_then(|m| CommunityRole::decode(&m.role).ok()),
        my_status: mine.and_then(|m| MembershipStatus::decode(&m.status).ok()),
    }
}

/// Active member counts of some communities, in one query.
async fn member_counts<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, usize>, AppError> {
    counts_by_status(db, ids, MembershipStatus::Active).await
}

async fn counts_by_status<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
    status: MembershipStatus,
) -> Result<HashMap<Uuid, usize>, AppError> {
    let rows: Vec<Uuid> = community_member::Entity::find()
        .select_only()
        .column(community_member::Column::CommunityId)
        .filter(community_member::Column::CommunityId.is_in(ids))
        .filter(community_member::Column::Status.eq(status.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = HashMap::new();
    for id in rows {
        *counts.entry(id).or_insert(0) += 1;
    }
    Ok(counts)
}

pub async fn my_communities<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<MyCommunities, AppError> {
    // The viewer's memberships with their communities, by community name.
    let mine = community_member::Entity::find()
        .find_also_related(community::Entity)
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .order_by_asc(community::Column::Name)
        .all(db)
        .await?;
    let counts = member_counts(db, mine.iter().map(|(m, _)| m.community_id).collect()).await?;
    let facilitated = mine
        .iter()
        .filter(|(m, _)| m.status == MembershipStatus::Active.as_str() && m.role == CommunityRole::Facilitator.as_str())
        .map(|(m, _)| m.community_id)
        .collect();
    let waiting = counts_by_status(db, facilitated, MembershipStatus::Requested).await?;
    let mut result = MyCommunities {
        communities: Vec::new(),
        invitations: Vec::new(),
        requests: Vec::new(),
        join_requests: Vec::new(),
        may_start: false,
        has_directory: false,
    };
    for (membership, community) in &mine {
        let Some(community) = community else { continue };
        let item = summary(community, counts.get(&community.id).copied().unwrap_or(0), Some(membership));
        if let Some(&count) = waiting.get(&community.id) {
            let (community_id, community_name) = (community.id, community.name.clone());
            result.join_requests.push(JoinRequestsWaiting { community_id, community_name, count });
        }
        match MembershipStatus::parse(&membership.status) {
            Ok(MembershipStatus::Active) => result.communities.push(item),
            Ok(MembershipStatus::Invited) => result.invitations.push(item),
            Ok(MembershipStatus::Requested) => result.requests.push(item),
            Err(_) => {}
        }
    }
    if let Some(board) = viewer.board_id {
        let (_, staff_may_start) = policy(db, board).await?;
        result.may_start = staff_may_start || viewer.is_admin();
        result.has_directory = true;
    }
    Ok(result)
}

/// Listed, not archived communities of the viewer's board: name, goal and size only.
pub async fn directory(db: &DatabaseConnection, viewer: &Viewer) -> Result<Vec<CommunitySummary>, AppError> {
    let board = viewer.board_id.ok_or(AppError::NotFound)?;
    let communities = community::Entity::find()
        .filter(community::Column::OrganisationId.eq(board))
        .filter(community::Column::Listed.eq(true))
        .filter(community::Column::Status.ne(CommunityStatus::Archived.as_str()))
        .order_by_asc(community::Column::Name)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = communities.iter().map(|c| c.id).collect();
    let counts = member_counts(db, ids.clone()).await?;
    let mine: HashMap<Uuid, community_member::Model> = community_member::Entity::find()
        .filter(community_member::Column::UserId.eq(viewer.id()))
        .filter(community_member::Column::CommunityId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.community_id, m))
        .collect();
    Ok(communities.iter().map(|c| summary(c, counts.get(&c.id).copied().unwrap_or(0), mine.get(&c.id))).collect())
}

/// A membership row with the person's name, for the community page.
#[derive(Debug, FromQueryResult)]
struct NamedMembership {
    user_id: Uuid,
    role: String,
    status: String,
    created_at: OffsetDateTime,
    joined_at: Option<OffsetDateTime>,
    name: String,
}

async fn memberships_with_names<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
) -> Result<Vec<NamedMembership>, AppError> {
    Ok(community_member::Entity::find()
        .select_only()
        .column(community_member::Column::UserId)
        .column(community_member::Column::Role)
        .column(community_member::Column::Status)
        .column(community_member::Column::CreatedAt)
        .column(community_member::Column::JoinedAt)
        .column_as(user::Column::Name, "name")
        .join(JoinType::InnerJoin, community_member::Relation::User.def())
        .filter(community_member::Column::CommunityId.eq(community_id))
        .into_model::<NamedMembership>()
        .all(db)
        .await?)
}

/// A participation event as the community page uses it.
struct PageEvent {
    user_id: Uuid,
    kind: EventKind,
    occurred_at: OffsetDateTime,
}

/// What the community page needs from this slice, read inside the caller's snapshot:
/// the page in `crate::pages::community` adds the other features' parts and looks up
/// the names of everyone named on it at once.
pub struct PageBase {
    community: community::Model,
    policy: Option<community_policy::Model>,
    memberships: Vec<NamedMembership>,
    my_role: CommunityRole,
    criteria: Vec<success_criterion::Model>,
    recent_events: Vec<PageEvent>,
    mine: Vec<PageEvent>,
}

/// Reads the community's part of its page for one of its active members; anyone else
/// gets `NotFound`.
/// Which of `people` lead the community's school or its board (or, for a community
/// of the whole board, any of its schools): a community of practice works best
/// without its members' line manager, and its facilitator is told.
async fn line_managers<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    board_id: Option<Uuid>,
    people: Vec<Uuid>,
) -> Result<HashSet<Uuid>, AppError> {
    if people.is_empty() {
        return Ok(HashSet::new());
    }
    let leading = [crate::account::domain::Role::Leader.as_str(), crate::account::domain::Role::Admin.as_str()];
    let board_wide = Some(community.organisation_id) == board_id;
    Ok(staff_membership::Entity::find()
        .find_also_related(organisation::Entity)
        .filter(staff_membership::Column::UserId.is_in(people))
        .filter(staff_membership::Column::Role.is_in(leading))
        .all(db)
        .await?
        .into_iter()
        .filter(|(m, org)| {
            m.organisation_id == community.organisation_id
                || Some(m.organisation_id) == board_id
                || (board_wide && org.as_ref().is_some_and(|o| o.parent_id == board_id))
        })
        .map(|(m, _)| m.user_id)
        .collect())
}

pub async fn page_base<C: ConnectionTrait>(db: &C, viewer: &Viewer, community_id: Uuid) -> Result<PageBase, AppError> {
    crate::shared::record_in_request("community", community_id);
    // Everyone's membership with their name, then the viewer's place among them.
    let memberships = memberships_with_names(db, community_id).await?;
    let my_membership = memberships
        .iter()
        .find(|m| m.user_id == viewer.id() && m.status == MembershipStatus::Active.as_str())
        .ok_or(AppError::NotFound)?;
    let my_role = CommunityRole::decode(&my_membership.role)?;
    let (community, policy) = community::Entity::find_by_id(community_id)
        .find_also_related(community_policy::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let criteria = success_criterion::Entity::find()
        .filter(success_criterion::Column::CommunityId.eq(community.id))
        .order_by_desc(success_criterion::Column::CreatedAt)
        .limit(20)
        .all(db)
        .await?;
    let since = now() - Duration::days(i64::from(rule_of(&community).window_days));
    // The window's events, and the viewer's own from any time for their newcomer path:
    // only the three columns the page uses (a hundred rows or more in a lively community).
    let (recent_events, mine): (Vec<PageEvent>, Vec<PageEvent>) = participation_event::Entity::find()
        .select_only()
        .columns([
            participation_event::Column::UserId,
            participation_event::Column::Kind,
            participation_event::Column::OccurredAt,
        ])
        .filter(participation_event::Column::RetractedAt.is_null())
        .filter(participation_event::Column::CommunityId.eq(community.id))
        .filter(
            Condition::any()
                .add(participation_event::Column::OccurredAt.gt(since))
                .add(participation_event::Column::UserId.eq(viewer.id())),
        )
        .order_by_desc(participation_event::Column::OccurredAt)
        .into_tuple::<(Uuid, String, OffsetDateTime)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(user_id, kind, occurred_at)| {
            Some(PageEvent { user_id, kind: EventKind::decode(&kind).ok()?, occurred_at })
        })
        .partition(|e| e.occurred_at > since);
    Ok(PageBase { community, policy, memberships, my_role, criteria, recent_events, mine })
}

impl PageBase {
    pub fn community(&self) -> &community::Model {
        &self.community
    }

    pub fn my_role(&self) -> CommunityRole {
        self.my_role
    }

    /// The names of the community's members, by id.
    pub fn member_names(&self) -> HashMap<Uuid, String> {
        self.memberships.iter().map(|m| (m.user_id, m.name.clone())).collect()
    }

    /// When each active member (guests aside) joined, for the community's health.
    pub fn member_joins(&self) -> Vec<OffsetDateTime> {
        self.memberships
            .iter()
            .filter(|m| m.status == MembershipStatus::Active.as_str() && m.role != CommunityRole::Guest.as_str())
            .map(|m| m.joined_at.unwrap_or(m.created_at))
            .collect()
    }

    /// People the page names who are no longer members (authors of criteria, people in
    /// the window's events, and `others`), for the caller to look up all at once.
    pub fn former_people(&self, others: impl IntoIterator<Item = Uuid>) -> HashSet<Uuid> {
        let members: HashSet<Uuid> = self.memberships.iter().map(|m| m.user_id).collect();
        self.criteria
            .iter()
            .filter_map(|c| c.author_id)
            .chain(self.recent_events.iter().map(|e| e.user_id))
            .chain(others)
            .filter(|id| !members.contains(id))
            .collect()
    }

    /// The community's part of the page, with everyone's name from `names`.
    pub async fn into_page<C: ConnectionTrait>(
        self,
        db: &C,
        viewer: &Viewer,
        names: &HashMap<Uuid, String>,
    ) -> Result<CommunityPage, AppError> {
        let PageBase { community, policy, memberships, my_role, criteria, recent_events, mine } = self;
        let rule = rule_of(&community);
        let at = now();
        let my_kinds: Vec<EventKind> =
            recent_events.iter().filter(|e| e.user_id == viewer.id()).chain(&mine).map(|e| e.kind).collect();
        let cap = policy.map_or(DEFAULT_MEMBER_CAP, |p| p.member_cap);
        let mut events_by_member: BTreeMap<Uuid, Vec<(EventKind, OffsetDateTime)>> = BTreeMap::new();
        for event in &recent_events {
            events_by_member.entry(event.user_id).or_default().push((event.kind, event.occurred_at));
        }
        let level_of = |user_id: Uuid| {
            rule.assess(events_by_member.get(&user_id).map(Vec::as_slice).unwrap_or_default(), at).level
        };
        let name_of = |user_id: Uuid| names.get(&user_id).cloned().unwrap_or_default();

        let mut members: Vec<Member> = memberships
            .iter()
            .filter(|m| m.status == MembershipStatus::Active.as_str())
            .map(|m| Member {
                user_id: m.user_id,
                name: name_of(m.user_id),
                role: CommunityRole::decode(&m.role).unwrap_or(CommunityRole::Member),
                level: level_of(m.user_id),
                is_me: m.user_id == viewer.id(),
            })
            .collect();
        members.sort_by_key(|m| m.name.to_lowercase());
        let pending = if my_role == CommunityRole::Facilitator {
            let waiting: Vec<Uuid> = memberships
                .iter()
                .filter(|m| m.status != MembershipStatus::Active.as_str())
                .map(|m| m.user_id)
                .collect();
            let managers = line_managers(db, &community, viewer.board_id, waiting).await?;
            memberships
                .iter()
                .filter_map(|m| {
                    let status = MembershipStatus::decode(&m.status).ok()?;
                    (status != MembershipStatus::Active).then(|| PendingMember {
                        user_id: m.user_id,
                        name: name_of(m.user_id),
                        status,
                        since: m.created_at,
                        line_manager: managers.contains(&m.user_id),
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let seci = seci_balance(recent_events.iter().map(|e| e.kind)).to_vec();
        let recent = recent_events
            .iter()
            .take(12)
            .map(|e| Activity { who: name_of(e.user_id), kind: e.kind, at: e.occurred_at })
            .collect();
        let my_level = level_of(viewer.id());
        Ok(CommunityPage {
            id: community.id,
            name: community.name.clone(),
            goal: community.goal.clone(),
            agreements: community.agreements.clone(),
            rhythm: community.rhythm.clone(),
            status: CommunityStatus::decode(&community.status)?,
            listed: community.listed,
            window_days: community.window_days,
            criteria_history: criteria
                .into_iter()
                .map(|c| CriteriaVersion { criteria: c.criteria, author: c.author_id.map(name_of), at: c.created_at })
                .collect(),
            size_advice: SizeAdvice::for_size(members.len()),
            members,
            pending,
            recent,
            seci,
            member_cap: cap,
            guest_invitations: if my_role == CommunityRole::Facilitator {
                guest_invitations(db, community.id).await?
            } else {
                Vec::new()
            },
            me: MyPlace {
                user_id: viewer.id(),
                role: my_role,
                level: my_level,
                newcomer_path: NewcomerStep::progress(my_kinds),
            },
        })
    }
}

/// "Why this level" for the viewer: their events, the rule, and their trajectory.
pub async fn explain_level(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
) -> Result<LevelExplanation, AppError> {
    let (community, _) = member_access(db, viewer, community_id).await?;
    let rule = rule_of(&community);
    let events = participation_event::Entity::find()
        .filter(participation_event::Column::RetractedAt.is_null())
        .filter(participation_event::Column::CommunityId.eq(community.id))
        .filter(participation_event::Column::UserId.eq(viewer.id()))
        .order_by_desc(participation_event::Column::OccurredAt)
        .limit(200)
        .all(db)
        .await?;
    let parsed: Vec<(EventKind, OffsetDateTime, Option<String>)> =
        events.into_iter().filter_map(|e| Some((EventKind::decode(&e.kind).ok()?, e.occurred_at, e.note))).collect();
    let pairs: Vec<(EventKind, OffsetDateTime)> = parsed.iter().map(|(k, at, _)| (*k, *at)).collect();
    let assessment = rule.assess(&pairs, now());
    let counted: HashSet<usize> = assessment.counted.iter().copied().collect();
    let trajectory = level_change::Entity::find()
        .filter(level_change::Column::CommunityId.eq(community.id))
        .filter(level_change::Column::UserId.eq(viewer.id()))
        .order_by_asc(level_change::Column::ChangedAt)
        .order_by_asc(level_change::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|c| {
            Some(LevelPoint {
                level: Level::decode(&c.level).ok()?,
                points: c.points,
                reason: LevelReason::decode(&c.reason).ok()?,
                at: c.changed_at,
            })
        })
        .collect();
    Ok(LevelExplanation {
        community_id: community.id,
        community_name: community.name.clone(),
        level: assessment.level,
        points: assessment.points,
        next: assessment.next,
        events: parsed
            .into_iter()
            .enumerate()
            .map(|(i, (kind, at, note))| ExplainedEvent {
                kind,
                at,
                points: rule.points(kind),
                counted: counted.contains(&i),
                note,
            })
            .collect(),
        rule,
        trajectory,
        as_of: now(),
    })
}

/// A staff member of the same board asks to join a listed community.
pub async fn request_to_join(state: &AppState, viewer: &Viewer, community_id: Uuid) -> Result<(), AppError> {
    let db = &state.db;
    let community = board_community(db, viewer, community_id).await?;
    if !community.listed || CommunityStatus::decode(&community.status)? == CommunityStatus::Archived {
        return Err(AppError::NotFound);
    }
    let txn = begin_write(db).await?;
    if membership_of(&txn, community.id, viewer.id()).await?.is_some() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    insert_membership(&txn, community.id, viewer.id(), CommunityRole::Member, MembershipStatus::Requested, None, now())
        .await?;
    record_change(&txn, community.id, viewer.id(), Some(viewer.id()), MembershipChange::Requested, None).await?;
    txn.commit().await?;
    let facilitators = active_member_ids(db, community.id, Some(CommunityRole::Facilitator)).await?;
    let notice = Notice {
        kind: NoticeKind::JoinRequested,
        community_id: community.id,
        meeting_id: None,
        artifact_id: None,
        actor_id: Some(viewer.id()),
    };
    notify(state, notice, &facilitators).await
}

pub async fn withdraw_request(db: &DatabaseConnection, viewer: &Viewer, community_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let Some(membership) = membership_of(&txn, community_id, viewer.id()).await? else {
        return Err(AppError::NotFound);
    };
    if membership.status != MembershipStatus::Requested.as_str() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    community_member::Entity::delete_by_id(membership.id).exec(&txn).await?;
    record_change(&txn, community_id, viewer.id(), Some(viewer.id()), MembershipChange::RequestWithdrawn, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Turns a pending membership into an active one and records the joining.
async fn activate<C: ConnectionTrait>(
    db: &C,
    community: &community::Model,
    membership: community_member::Model,
) -> Result<(), AppError> {
    let user_id = membership.user_id;
    let mut model: community_member::ActiveModel = membership.into();
    let at = now();
    model.status = Set(MembershipStatus::Active.as_str().to_string());
    model.joined_at = Set(Some(at));
    model.update(db).await?;
    record_event(db, community, user_id, EventKind::Joined, at, None, None).await
}

pub async fn answer_request(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
    user_id: Uuid,
    accept: bool,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let community = facilitator_access(&txn, viewer, community_id).await?;
    let Some(membership) = membership_of(&txn, community_id, user_id).await? else {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    };
    if membership.status != MembershipStatus::Requested.as_str() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    if accept {
        ensure_capacity(&txn, &community, false).await?;
        activate(&txn, &community, membership).await?;
        record_change(&txn, community_id, user_id, Some(viewer.id()), MembershipChange::RequestAccepted, None).await?;
    } else {
        community_member::Entity::delete_by_id(membership.id).exec(&txn).await?;
        record_change(&txn, community_id, user_id, Some(viewer.id()), MembershipChange::RequestDeclined, None).await?;
    }
    txn.commit().await?;
    let kind = if accept { NoticeKind::RequestAccepted } else { NoticeKind::RequestDeclined };
    let notice = Notice { kind, community_id, meeting_id: None, artifact_id: None, actor_id: Some(viewer.id()) };
    notify(state, notice, &[user_id]).await
}

/// A facilitator invites a colleague (a staff member of the same board) by email.
pub async fn invite_colleague(
    state: &AppState,
    viewer: &Viewer,
    community_id: Uuid,
    email: &str,
) -> Result<(), AppError> {
    let db = &state.db;
    let community = facilitator_access(db, viewer, community_id).await?;
    Validation::new().check("email", validate_email(email)).finish()?;
    let colleague = user::Entity::find()
        .filter(user::Column::Email.eq(normalise_email(email)))
        .filter(user::Column::DeactivatedAt.is_null())
        .one(db)
        .await?;
    let Some(colleague) = colleague else {
        return Err(AppError::field("email", ErrorKey::NotAColleague));
    };
    let colleague_staff = crate::db::entities::staff_membership::Entity::find()
        .filter(crate::db::entities::staff_membership::Column::UserId.eq(colleague.id))
        .all(db)
        .await?;
    let colleague_board = board_of_staff(db, &colleague_staff).await?;
    if colleague_board.map(|b| b.id) != Some(community.organisation_id) {
        return Err(AppError::field("email", ErrorKey::NotAColleague));
    }
    let txn = begin_write(db).await?;
    let kind = match membership_of(&txn, community.id, colleague.id).await? {
        Some(existing) if existing.status == MembershipStatus::Requested.as_str() => {
            // They already asked: the invitation answers their request.
            ensure_capacity(&txn, &community, false).await?;
            activate(&txn, &community, existing).await?;
            record_change(&txn, community.id, colleague.id, Some(viewer.id()), MembershipChange::RequestAccepted, None)
                .await?;
            NoticeKind::RequestAccepted
        }
        Some(_) => return Err(AppError::field("email", ErrorKey::AlreadyMember)),
        None => {
            ensure_capacity(&txn, &community, true).await?;
            insert_membership(
                &txn,
                community.id,
                colleague.id,
                CommunityRole::Member,
                MembershipStatus::Invited,
                Some(viewer.id()),
                now(),
            )
            .await?;
            record_change(&txn, community.id, colleague.id, Some(viewer.id()), MembershipChange::Invited, None).await?;
            NoticeKind::Invited
        }
    };
    txn.commit().await?;
    let notice =
        Notice { kind, community_id: community.id, meeting_id: None, artifact_id: None, actor_id: Some(viewer.id()) };
    notify(state, notice, &[colleague.id]).await
}

pub async fn answer_invitation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    accept: bool,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let Some(membership) = membership_of(&txn, community_id, viewer.id()).await? else {
        return Err(AppError::NotFound);
    };
    if membership.status != MembershipStatus::Invited.as_str() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    let community = community::Entity::find_by_id(community_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if accept {
        ensure_capacity(&txn, &community, false).await?;
        activate(&txn, &community, membership).await?;
        record_change(&txn, community_id, viewer.id(), Some(viewer.id()), MembershipChange::InvitationAccepted, None)
            .await?;
    } else {
        community_member::Entity::delete_by_id(membership.id).exec(&txn).await?;
        record_change(&txn, community_id, viewer.id(), Some(viewer.id()), MembershipChange::InvitationDeclined, None)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Makes the new account of an invited guest an active guest of the community (inside
/// the sign-up transaction). Fails with `CommunityFull` when the community filled up
/// meanwhile, or `InvalidToken` when it was archived.
pub async fn join_as_guest<C: ConnectionTrait>(
    db: &C,
    community_id: Uuid,
    user_id: Uuid,
    invited_by: Option<Uuid>,
) -> Result<(), AppError> {
    let community = community::Entity::find_by_id(community_id).one(db).await?.ok_or(AppError::InvalidToken)?;
    if CommunityStatus::decode(&community.status)? == CommunityStatus::Archived {
        return Err(AppError::InvalidToken);
    }
    let at = now();
    match membership_of(db, community.id, user_id).await? {
        Some(m) if m.status == MembershipStatus::Active.as_str() => {
            return Err(AppError::Conflict(ErrorKey::AlreadyMember));
        }
        // Someone who left, or was invited in the app before: back in, as a guest.
        Some(m) => {
            ensure_capacity(db, &community, false).await?;
            let mut row: community_member::ActiveModel = m.into();
            row.role = Set(CommunityRole::Guest.as_str().to_string());
            row.status = Set(MembershipStatus::Active.as_str().to_string());
            row.joined_at = Set(Some(at));
            row.update(db).await?;
        }
        None => {
            ensure_capacity(db, &community, false).await?;
            insert_membership(
                db,
                community.id,
                user_id,
                CommunityRole::Guest,
                MembershipStatus::Active,
                invited_by,
                at,
            )
            .await?;
        }
    }
    record_change(
        db,
        community.id,
        user_id,
        Some(user_id),
        MembershipChange::InvitationAccepted,
        Some(CommunityRole::Guest),
    )
    .await?;
    record_event(db, &community, user_id, EventKind::Joined, at, None, None).await
}

/// Open guest invitations of a community (by email, not yet used), for facilitators.
async fn guest_invitations<C: ConnectionTrait>(db: &C, community_id: Uuid) -> Result<Vec<GuestInvitation>, AppError> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::CommunityId.eq(community_id))
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::AcceptedCount.eq(0))
        .filter(invitation::Column::ExpiresAt.gt(now()))
        .order_by_asc(invitation::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|i| GuestInvitation { id: i.id, email: i.email.unwrap_or_default(), expires_at: i.expires_at })
        .collect())
}

/// A facilitator invites someone from outside the organisation as a guest of this one
/// community, always by an emailed link: whether the address already has an account
/// (perhaps on another board) is never shown to the facilitator, who sees only the
/// address until the guest accepts. Colleagues of the same board are refused: they
/// join as colleagues.
pub async fn invite_guest(state: &AppState, viewer: &Viewer, community_id: Uuid, email: &str) -> Result<(), AppError> {
    let db = &state.db;
    let community = facilitator_access(db, viewer, community_id).await?;
    Validation::new().check("guest_email", validate_email(email)).finish()?;
    let email = normalise_email(email);
    if let Some(existing) = user::Entity::find().filter(user::Column::Email.eq(&email)).one(db).await? {
        let staff = crate::db::entities::staff_membership::Entity::find()
            .filter(crate::db::entities::staff_membership::Column::UserId.eq(existing.id))
            .all(db)
            .await?;
        if board_of_staff(db, &staff).await?.is_some_and(|b| b.id == community.organisation_id) {
            return Err(AppError::field("guest_email", ErrorKey::ColleagueNotGuest));
        }
        let member = membership_of(db, community.id, existing.id).await?;
        if member.is_some_and(|m| m.status == MembershipStatus::Active.as_str()) {
            // Already in the community: the facilitator sees them there.
            return Err(AppError::field("guest_email", ErrorKey::AlreadyMember));
        }
    }
    let open = guest_invitations(db, community.id).await?;
    if open.iter().any(|i| i.email == email) {
        return Err(AppError::field("guest_email", ErrorKey::AlreadyMember));
    }
    let (cap, _) = policy(db, community.organisation_id).await?;
    let (active, invited) = head_count(db, community.id).await?;
    check_capacity(active, invited + open.len(), cap).map_err(AppError::Conflict)?;
    let (token, token_hash) = crate::account::service::new_token();
    let created = now();
    invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(community.organisation_id),
        email: Set(Some(email.clone())),
        role: Set(CommunityRole::Guest.as_str().to_string()),
        token_hash: Set(token_hash),
        single_use: Set(true),
        accepted_count: Set(0),
        created_by: Set(Some(viewer.id())),
        created_at: Set(created),
        expires_at: Set(created + state.settings.invitation_valid),
        revoked_at: Set(None),
        community_id: Set(Some(community.id)),
        max_uses: Set(None),
        link_id: Set(None),
    }
    .insert(db)
    .await?;
    let link = format!("{}/invite/{token}", state.settings.public_url);
    let days = state.settings.invitation_valid.as_secs() / 86_400;
    let body = format!(
        "Hallo,\n\n{inviter} nodigt je uit als gast in de leergemeenschap \"{name}\" op Kring. Als gast zie je \
         alleen deze leergemeenschap. Maak je account aan via deze link (geldig gedurende {days} dagen, één keer te \
         gebruiken):\n\n{link}\n\n---\n\n{inviter} invites you as a guest of the learning community \"{name}\" on \
         Kring. As a guest you see only this community. Create your account through this link (valid for {days} \
         days, usable once):\n\n{link}\n",
        inviter = viewer.user.name,
        name = community.name,
    );
    state.mailer.send(&email, &format!("Uitnodiging als gast: {}", community.name), body).await
}

/// A facilitator withdraws a guest's emailed invitation; the link stops working.
pub async fn revoke_guest_invitation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    invitation_id: Uuid,
) -> Result<(), AppError> {
    facilitator_access(db, viewer, community_id).await?;
    let invitation = invitation::Entity::find_by_id(invitation_id)
        .filter(invitation::Column::CommunityId.eq(community_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut model: invitation::ActiveModel = invitation.into();
    model.revoked_at = Set(Some(now()));
    model.update(db).await?;
    Ok(())
}

/// Leaves a community. The last facilitator hands over first, unless they are the
/// last member, in which case the community is archived.
pub async fn leave(db: &DatabaseConnection, viewer: &Viewer, community_id: Uuid) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let (community, membership) = member_access(&txn, viewer, community_id).await?;
    let (active, _) = head_count(&txn, community_id).await?;
    if CommunityRole::decode(&membership.role)? == CommunityRole::Facilitator
        && active_facilitators(&txn, community_id).await? == 1
    {
        if active > 1 {
            return Err(AppError::Conflict(ErrorKey::LastFacilitator));
        }
        let mut model: community::ActiveModel = community.into();
        model.status = Set(CommunityStatus::Archived.as_str().to_string());
        model.updated_at = Set(now());
        model.update(&txn).await?;
    }
    community_member::Entity::delete_by_id(membership.id).exec(&txn).await?;
    crate::artifact::service::hand_over(&txn, community_id, viewer.id()).await?;
    record_change(&txn, community_id, viewer.id(), Some(viewer.id()), MembershipChange::Left, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every membership of someone whose account an admin deactivated. Where they
/// were the last facilitator, the longest-standing member (not a guest) takes over;
/// a community left without members is archived. The artifacts they owned pass on
/// as when anyone leaves. Returns, per community, the facilitators to tell.
pub async fn end_memberships_of_departed<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    admin_id: Uuid,
) -> Result<Vec<(Uuid, Vec<Uuid>)>, AppError> {
    let memberships =
        community_member::Entity::find().filter(community_member::Column::UserId.eq(user_id)).all(db).await?;
    let mut told = Vec::new();
    for membership in memberships {
        let community_id = membership.community_id;
        community_member::Entity::delete_by_id(membership.id).exec(db).await?;
        if membership.status != MembershipStatus::Active.as_str() {
            continue;
        }
        let others = community_member::Entity::find()
            .filter(community_member::Column::CommunityId.eq(community_id))
            .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
            .order_by_asc(community_member::Column::JoinedAt)
            .all(db)
            .await?;
        let is_facilitator = |m: &community_member::Model| m.role == CommunityRole::Facilitator.as_str();
        if others.is_empty() {
            community::Entity::update_many()
                .col_expr(
                    community::Column::Status,
                    sea_orm::sea_query::Expr::value(CommunityStatus::Archived.as_str()),
                )
                .col_expr(community::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now()))
                .filter(community::Column::Id.eq(community_id))
                .exec(db)
                .await?;
        } else if !others.iter().any(is_facilitator)
            && let Some(heir) = others.iter().find(|m| m.role != CommunityRole::Guest.as_str())
        {
            let mut row: community_member::ActiveModel = heir.clone().into();
            row.role = Set(CommunityRole::Facilitator.as_str().to_string());
            row.update(db).await?;
            record_change(
                db,
                community_id,
                heir.user_id,
                Some(admin_id),
                MembershipChange::RoleChanged,
                Some(CommunityRole::Facilitator),
            )
            .await?;
        }
        crate::artifact::service::hand_over(db, community_id, user_id).await?;
        record_change(db, community_id, user_id, Some(admin_id), MembershipChange::Removed, None).await?;
        let facilitators = community_member::Entity::find()
            .filter(community_member::Column::CommunityId.eq(community_id))
            .filter(community_member::Column::Status.eq(MembershipStatus::Active.as_str()))
            .filter(community_member::Column::Role.eq(CommunityRole::Facilitator.as_str()))
            .all(db)
            .await?;
        told.push((community_id, facilitators.into_iter().map(|m| m.user_id).collect()));
    }
    Ok(told)
}

/// Tells each community's facilitators (as returned by [`end_memberships_of_departed`])
/// that a member left because their account was closed.
pub async fn tell_of_departure(
    state: &AppState,
    told: Vec<(Uuid, Vec<Uuid>)>,
    actor_id: Option<Uuid>,
) -> Result<(), AppError> {
    for (community_id, facilitators) in told {
        let notice =
            Notice { kind: NoticeKind::MemberDeparted, community_id, meeting_id: None, artifact_id: None, actor_id };
        notify(state, notice, &facilitators).await?;
    }
    Ok(())
}

/// A facilitator removes a member or withdraws an invitation; not themselves (they
/// leave instead).
pub async fn remove_member(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    facilitator_access(&txn, viewer, community_id).await?;
    if user_id == viewer.id() {
        return Err(AppError::Conflict(ErrorKey::LeaveInstead));
    }
    let Some(membership) = membership_of(&txn, community_id, user_id).await? else {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    };
    if membership.status == MembershipStatus::Requested.as_str() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    community_member::Entity::delete_by_id(membership.id).exec(&txn).await?;
    crate::artifact::service::hand_over(&txn, community_id, user_id).await?;
    record_change(&txn, community_id, user_id, Some(viewer.id()), MembershipChange::Removed, None).await?;
    txn.commit().await?;
    Ok(())
}

/// A facilitator makes a member a facilitator or back; guests stay guests.
pub async fn set_role(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    user_id: Uuid,
    role: CommunityRole,
) -> Result<(), AppError> {
    if role == CommunityRole::Guest {
        return Err(AppError::field("role", ErrorKey::InvalidChoice));
    }
    let txn = begin_write(db).await?;
    facilitator_access(&txn, viewer, community_id).await?;
    let Some(membership) = membership_of(&txn, community_id, user_id).await? else {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    };
    let current = CommunityRole::decode(&membership.role)?;
    if membership.status != MembershipStatus::Active.as_str() || current == CommunityRole::Guest {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    if current == role {
        return Ok(());
    }
    if current == CommunityRole::Facilitator && active_facilitators(&txn, community_id).await? == 1 {
        return Err(AppError::Conflict(ErrorKey::LastFacilitator));
    }
    let mut model: community_member::ActiveModel = membership.into();
    model.role = Set(role.as_str().to_string());
    model.update(&txn).await?;
    record_change(&txn, community_id, user_id, Some(viewer.id()), MembershipChange::RoleChanged, Some(role)).await?;
    txn.commit().await?;
    Ok(())
}

/// A facilitator records that a member takes on coordination.
pub async fn record_coordination(
    db: &DatabaseConnection,
    viewer: &Viewer,
    community_id: Uuid,
    user_id: Uuid,
    note: &str,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let community = facilitator_access(&txn, viewer, community_id).await?;
    Validation::new().check("note", validate_body(note, NOTE_MAX)).finish()?;
    let Some(membership) = membership_of(&txn, community_id, user_id).await? else {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    };
    if membership.status != MembershipStatus::Active.as_str() {
        return Err(AppError::Conflict(ErrorKey::MembershipChanged));
    }
    record_event(&txn, &community, user_id, EventKind::Coordination, now(), Some(viewer.id()), Some(clean_text(note)))
        .await?;
    txn.commit().await?;
    Ok(())
}
