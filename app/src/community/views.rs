//! Pages of the community feature: the directory, starting a community, and "why this
//! level"; its cards on the home page; and the community's parts of its page and edit
//! page (both composed in `crate::pages`): members, levels (as concentric circles with
//! a text alternative), knowledge cycle and facilitation.
//! Every form is a plain POST first.

use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::api::{
    AnswerInvitation, AnswerJoinRequest, CommunityPage, CommunitySummary, CreateCommunity, InviteGuest, InviteMember,
    LeaveCommunity, LevelExplanation, Member, MyCommunities, RecordCoordination, RemoveMember, RequestToJoin,
    RevokeGuestInvitation, SetCommunityRole, UpdateCommunity, UpdateSuccessCriteria, WithdrawRequest, load_directory,
    load_my_level,
};
use super::domain::CommunityStatus;
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::membership::domain::{CommunityRole, MembershipStatus, SizeAdvice};
use crate::membership::views::community_role_text;
use crate::participation::domain::{Level, LevelReason, NewcomerStep};
use crate::participation::views::{event_text, level_text, seci_text};
use crate::ui::loaded;
use crate::ui::{
    Alert, EmptyState, ErrorAlert, Field, action_error, date_text, flashed, load_or_not_found, signed_in, text,
    uuid_param,
};

fn status_text(locale: Locale, status: CommunityStatus) -> &'static str {
    match status {
        CommunityStatus::Active => td_string!(locale, community.status_active),
        CommunityStatus::Paused => td_string!(locale, community.status_paused),
        CommunityStatus::Archived => td_string!(locale, community.status_archived),
    }
}

fn step_text(locale: Locale, step: NewcomerStep) -> &'static str {
    match step {
        NewcomerStep::AttendMeeting => td_string!(locale, steps.attend_meeting),
        NewcomerStep::ObserveRound => td_string!(locale, steps.observe_round),
        NewcomerStep::TakeTimekeeper => td_string!(locale, steps.take_timekeeper),
        NewcomerStep::BringCase => td_string!(locale, steps.bring_case),
        NewcomerStep::ShareArtifact => td_string!(locale, steps.share_artifact),
    }
}

/// The home page's "waiting for you" card: invitations to answer, people asking to
/// join a community the viewer facilitates, and the viewer's own open requests.
#[component]
pub fn WaitingForYou(
    mine: MyCommunities,
    answer: ServerAction<AnswerInvitation>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let nothing = mine.invitations.is_empty() && mine.join_requests.is_empty() && mine.requests.is_empty();
    view! {
        <section class="card" aria-labelledby="waiting-title" data-testid="waiting">
            <h2 id="waiting-title">{t!(i18n, home.waiting_title)}</h2>
            {nothing.then(|| view! { <p class="muted">{t!(i18n, home.waiting_empty)}</p> })}
            <ul class="plain-list stack">
                {mine.invitations.into_iter().map(|c| {
                    let id = c.id.to_string();
                    let name = c.name.clone();
                    view! {
                        <li class="invitation">
                            <p>{t!(i18n, home.invited_to, name = name.clone())}</p>
                            <p class="muted">{c.goal.clone()}</p>
                            <ActionForm action=answer attr:class="inline-form">
                                <input type="hidden" name="community_id" value=id.clone()/>
                                <button type="submit" name="answer" value="accept" class="button button--primary button--small">{t!(i18n, home.accept)}</button>
                                " "
                                <button type="submit" name="answer" value="decline" class="button button--small">{t!(i18n, home.decline)}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
                {mine.join_requests.into_iter().map(|waiting| {
                    let (name, count) = (waiting.community_name, waiting.count);
                    view! {
                        <li>
                            {name}": "
                            <a href=format!("/c/{}#pending-title", waiting.community_id)>
                                {t!(i18n, home.join_requests, count = count)}
                            </a>
                        </li>
                    }
                }).collect_view()}
                {mine.requests.into_iter().map(|c| {
                    let id = c.id.to_string();
                    view! {
                        <li>
                            <strong>{c.name.clone()}</strong>" · "
                            <span class="muted">{t!(i18n, home.request_pending)}</span>" "
                            <ActionForm action=withdraw attr:class="inline-form">
                                <input type="hidden" name="community_id" value=id/>
                                <button type="submit" class="link-button">{t!(i18n, home.withdraw)}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The home page's list of the viewer's communities, with the way into the directory
/// and to start one.
#[component]
pub fn MyCommunityList(mine: MyCommunities) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="my-communities">
            <div class="section-head">
                <h2 id="my-communities">{t!(i18n, home.communities_title)}</h2>
                <p class="actions">
                    {mine.has_directory.then(|| view! { <a href="/communities" class="button">{t!(i18n, home.browse)}</a> })}
                    " "
                    {mine.may_start.then(|| view! { <a href="/communities/new" class="button button--primary">{t!(i18n, home.start)}</a> })}
                </p>
            </div>
            {if mine.communities.is_empty() {
                view! {
                    <EmptyState title=Signal::derive(move || t_string!(i18n, home.empty_title).to_string())>
                        <p>{t!(i18n, home.empty_body)}</p>
                        <p>{t!(i18n, home.empty_next)}</p>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <ul class="card-list">
                        {mine.communities.into_iter().map(|c| view! { <CommunityCard community=c/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CommunityCard(community: CommunitySummary) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/c/{}", community.id);
    let role = community.my_role;
    let status = community.status;
    let count = community.member_count;
    view! {
        <li class="card community-card">
            <h3 class="community-card__title"><a href=href>{community.name.clone()}</a></h3>
            <p class="community-card__goal">{community.goal.clone()}</p>
            <p class="muted">
                {t!(i18n, home.members_count, count = count)}
                {role.map(|r| view! { " · " {move || community_role_text(i18n.get_locale(), r)} })}
                {(status != CommunityStatus::Active).then(|| view! { " · " {move || status_text(i18n.get_locale(), status)} })}
            </p>
        </li>
    }
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let request = ServerAction::<RequestToJoin>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let request_error = action_error(request);
    let list = Resource::new(move || (request.version().try_get(), withdraw.version().try_get()), |_| load_directory());
    signed_in(move |user| {
        view! {
            <Title text=t_string!(i18n, community.directory_title)/>
            <h1>{t!(i18n, community.directory_title)}</h1>
            <p class="lead">{t!(i18n, community.directory_intro)}</p>
            {user.leads().then(|| view! {
                <Alert kind="info"><p>{t!(i18n, community.leader_join_note)}</p></Alert>
            })}
            <ErrorAlert error=request_error/>
            {loaded(list, move |data| match data {
                list if list.is_empty() => Some(view! {
                        <EmptyState title=Signal::derive(move || t_string!(i18n, community.directory_empty).to_string())>
                            <p><a href="/communities/new" class="button button--primary">{t!(i18n, home.start)}</a></p>
                        </EmptyState>
                    }.into_any()),
                list => Some(view! {
                        <ul class="card-list">
                            {list.into_iter().map(|c| {
                                let id = c.id.to_string();
                                let href = format!("/c/{}", c.id);
                                let count = c.member_count;
                                let action = match c.my_status {
                                    Some(MembershipStatus::Active) => view! { <a href=href class="button">{t!(i18n, community.open)}</a> }.into_any(),
                                    Some(MembershipStatus::Invited) => view! { <a href="/" class="button">{t!(i18n, community.invited)}</a> }.into_any(),
                                    Some(MembershipStatus::Requested) => view! {
                                        <ActionForm action=withdraw attr:class="inline-form">
                                            <span class="badge">{t!(i18n, community.requested)}</span>" "
                                            <input type="hidden" name="community_id" value=id/>
                                            <button type="submit" class="link-button">{t!(i18n, home.withdraw)}</button>
                                        </ActionForm>
                                    }.into_any(),
                                    None => view! {
                                        <ActionForm action=request attr:class="inline-form">
                                            <input type="hidden" name="community_id" value=id/>
                                            <button type="submit" class="button button--primary button--small">{t!(i18n, community.request)}</button>
                                        </ActionForm>
                                    }.into_any(),
                                };
                                view! {
                                    <li class="card community-card">
                                        <h2 class="community-card__title">{c.name.clone()}</h2>
                                        <p class="community-card__goal">{c.goal.clone()}</p>
                                        <p class="muted">{t!(i18n, home.members_count, count = count)}</p>
                                        <div class="actions">{action}</div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()),
            })}
        }
    })
}

#[component]
pub fn NewCommunityPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateCommunity>::new();
    let error = action_error(create);
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, community.new_title)/>
            <section class="card narrow-wide">
                <h1>{t!(i18n, community.new_title)}</h1>
                <p class="lead">{t!(i18n, community.new_intro)}</p>
                <ErrorAlert error=error/>
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <Field name="name" required=true label=text(move || t_string!(i18n, community.name))
                        hint=text(move || t_string!(i18n, community.name_hint)) error=error/>
                    <Field name="goal" required=true rows=3 label=text(move || t_string!(i18n, community.goal))
                        hint=text(move || t_string!(i18n, community.goal_hint)) error=error/>
                    <Field name="agreements" rows=8 label=text(move || t_string!(i18n, community.agreements))
                        hint=text(move || t_string!(i18n, community.agreements_hint))
                        value=td_string!(i18n.get_locale_untracked(), community.default_agreements).to_string() error=error/>
                    <Field name="rhythm" label=text(move || t_string!(i18n, community.rhythm))
                        hint=text(move || t_string!(i18n, community.rhythm_hint)) error=error/>
                    <div class="field field--check">
                        <input type="checkbox" id="field-listed" name="listed" value="on" checked=true/>
                        <label for="field-listed">{t!(i18n, community.listed)}</label>
                    </div>
                    <button type="submit" class="button button--primary">{t!(i18n, community.create)}</button>
                </ActionForm>
            </section>
        }
    })
}

/// The community's own actions on its page, created once inside the route (see
/// `crate::pages::community`).
#[derive(Clone, Copy)]
pub struct CommunityPageActions {
    criteria: ServerAction<UpdateSuccessCriteria>,
    invite: ServerAction<InviteMember>,
    answer: ServerAction<AnswerJoinRequest>,
    remove: ServerAction<RemoveMember>,
    set_role: ServerAction<SetCommunityRole>,
    coordination: ServerAction<RecordCoordination>,
    leave: ServerAction<LeaveCommunity>,
    guest: ServerAction<InviteGuest>,
    revoke_guest: ServerAction<RevokeGuestInvitation>,
}

impl CommunityPageActions {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            criteria: ServerAction::new(),
            invite: ServerAction::new(),
            answer: ServerAction::new(),
            remove: ServerAction::new(),
            set_role: ServerAction::new(),
            coordination: ServerAction::new(),
            leave: ServerAction::new(),
            guest: ServerAction::new(),
            revoke_guest: ServerAction::new(),
        }
    }

    /// How often each action that changes the page ran, for the page's resource to
    /// load again after any of them. `try_get`: on the server a resource's source may
    /// be polled once more after the request's reactive owner is gone.
    pub fn versions(&self) -> [Option<usize>; 8] {
        [
            self.criteria.version().try_get(),
            self.invite.version().try_get(),
            self.answer.version().try_get(),
            self.remove.version().try_get(),
            self.guest.version().try_get(),
            self.revoke_guest.version().try_get(),
            self.set_role.version().try_get(),
            self.coordination.version().try_get(),
        ]
    }
}

/// The top of the community page: its name, status and goal.
#[component]
pub fn CommunityHead(data: CommunityPage) -> impl IntoView {
    let i18n = use_i18n();
    let facilitator = data.me.role == CommunityRole::Facilitator;
    let status = data.status;
    view! {
        <Title text=data.name.clone()/>
        <div class="page-head">
            <h1>{data.name.clone()}</h1>
            {(status != CommunityStatus::Active).then(|| view! { <span class="badge">{move || status_text(i18n.get_locale(), status)}</span> })}
            {facilitator.then(|| view! { <a class="button button--small" href=format!("/c/{}/edit", data.id)>{t!(i18n, community.edit)}</a> })}
        </div>
        <p class="lead community-goal">{data.goal.clone()}</p>

    }
}

/// The rest of the community page: the viewer's place, success criteria, agreements,
/// the knowledge cycle, recent activity, members and facilitation.
#[component]
pub fn CommunityDetails(data: CommunityPage, actions: CommunityPageActions) -> impl IntoView {
    let i18n = use_i18n();
    let facilitator = data.me.role == CommunityRole::Facilitator;
    let criteria_id = data.id.to_string();
    let leave_id = data.id.to_string();
    let count = data.members.len();
    let cap = data.member_cap;
    let my_level = data.me.level;
    let criteria_error = action_error(actions.criteria);
    let leave_error = action_error(actions.leave);
    let current_criteria = data.criteria_history.first().map(|c| c.criteria.clone()).unwrap_or_default();
    let earlier = data.criteria_history.iter().skip(1).cloned().collect::<Vec<_>>();
    let latest_by = data.criteria_history.first().map(|c| (c.author.clone().unwrap_or_default(), date_text(c.at)));
    let window = data.window_days;
    let size_text = move || match data.size_advice {
        SizeAdvice::Small => t_string!(i18n, community.size_small, count = count).to_string(),
        SizeAdvice::Good => t_string!(i18n, community.size_good, count = count).to_string(),
        SizeAdvice::Large => t_string!(i18n, community.size_large, count = count, cap = cap).to_string(),
    };
    let seci_max = data.seci.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    view! {
        <div class="grid-2">
            <section class="card" aria-labelledby="my-place">
                <h2 id="my-place">{t!(i18n, community.circles_title)}</h2>
                <p>
                    {t!(i18n, community.my_level, level = move || level_text(i18n.get_locale(), my_level))}" "
                    <a href=format!("/c/{}/level", data.id)>{t!(i18n, community.why_level)}</a>
                </p>
                <Circles members=data.members.clone()/>
                <p class=move || if data.size_advice == SizeAdvice::Good { "muted" } else { "notice" }>{size_text}</p>
            </section>
            {(my_level == Level::Peripheral).then(|| {
                let steps = data.me.newcomer_path.clone();
                view! {
                    <section class="card" aria-labelledby="first-steps">
                        <h2 id="first-steps">{t!(i18n, community.newcomer_title)}</h2>
                        <p>{t!(i18n, community.newcomer_intro)}</p>
                        <ul class="checklist">
                            {steps.into_iter().map(|(step, done)| view! {
                                <li class:checklist__done=done>
                                    <span class="checklist__mark" aria-hidden="true">{if done { "✓" } else { "○" }}</span>
                                    {move || step_text(i18n.get_locale(), step)}
                                    {done.then(|| view! { <span class="visually-hidden">" ("{t!(i18n, community.step_done)}")"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }
            })}
        </div>

        <section class="card" aria-labelledby="criteria-title">
            <h2 id="criteria-title">{t!(i18n, community.criteria_title)}</h2>
            {if current_criteria.is_empty() {
                view! { <p class="muted">{t!(i18n, community.criteria_empty)}</p> }.into_any()
            } else {
                view! {
                    <p class="prewrap" data-testid="criteria">{current_criteria.clone()}</p>
                    {latest_by.map(|(who, date)| view! { <p class="muted small">{t!(i18n, community.criteria_by, who = who.clone(), date = date.clone())}</p> })}
                }.into_any()
            }}
            <ErrorAlert error=criteria_error/>
            <Show when=move || flashed(&Flash::CriteriaSaved)>
                <Alert kind="success"><p>{t!(i18n, community.criteria_saved)}</p></Alert>
            </Show>
            // Open when the last save failed, so the message is seen without JavaScript too.
            <details class="disclosure" open=move || criteria_error.get().is_some()>
                <summary>{t!(i18n, community.criteria_save)}</summary>
                <ActionForm action=actions.criteria attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="community_id" value=criteria_id/>
                    <Field name="criteria" rows=5 required=true value=current_criteria.clone()
                        label=text(move || t_string!(i18n, community.criteria_label)) error=criteria_error/>
                    <button type="submit" class="button button--primary">{t!(i18n, community.criteria_save)}</button>
                </ActionForm>
            </details>
            {(!earlier.is_empty()).then(|| view! {
                <details class="disclosure">
                    <summary>{t!(i18n, community.criteria_history)}</summary>
                    <ol class="plain-list stack">
                        {earlier.into_iter().map(|c| view! {
                            <li>
                                <p class="muted small">{t!(i18n, community.criteria_by, who = c.author.clone().unwrap_or_default(), date = date_text(c.at))}</p>
                                <p class="prewrap">{c.criteria.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                </details>
            })}
        </section>

        <div class="grid-2">
            <section class="card" aria-labelledby="agreements-title">
                <h2 id="agreements-title">{t!(i18n, community.agreements_title)}</h2>
                <p class="prewrap">{data.agreements.clone()}</p>
                {(!data.rhythm.is_empty()).then(|| view! {
                    <h3>{t!(i18n, community.rhythm_title)}</h3>
                    <p>{data.rhythm.clone()}</p>
                })}
            </section>
            <section class="card" aria-labelledby="seci-title">
                <h2 id="seci-title">{t!(i18n, community.seci_title)}</h2>
                <p class="muted">{t!(i18n, community.seci_intro, days = window)}</p>
                <dl class="bars">
                    {data.seci.iter().map(|&(phase, n)| {
                        // Drawn in SVG units: the CSP allows no inline style attribute.
                        let width = (n * 100 / seci_max).max(1).to_string();
                        view! {
                            <div class="bars__row">
                                <dt>{move || seci_text(i18n.get_locale(), phase)}</dt>
                                <dd>
                                    <svg class="bars__svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                                        <rect class="bars__bar" x="0" y="0" height="10" rx="1" width=width></rect>
                                    </svg>
                                    <span class="bars__value">{n}</span>
                                </dd>
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </section>
        </div>

        <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">{t!(i18n, community.recent_title)}</h2>
            {if data.recent.is_empty() {
                view! { <p class="muted">{t!(i18n, community.recent_empty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list activity">
                        {data.recent.iter().map(|a| {
                            let kind = a.kind;
                            view! {
                                <li><span class="activity__date">{date_text(a.at)}</span>" "{a.who.clone()}" "{move || event_text(i18n.get_locale(), kind)}</li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>

        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">{t!(i18n, community.members_title)}</h2>
            <MemberTable members=data.members.clone() community_id=data.id facilitator actions/>
        </section>

        {facilitator.then(|| view! { <Facilitation data=data.clone() actions/> })}

        <section class="card" aria-labelledby="leave-title">
            <h2 id="leave-title" class="visually-hidden">{t!(i18n, community.leave)}</h2>
            <ErrorAlert error=leave_error/>
            <ActionForm action=actions.leave attr:class="inline-form">
                <input type="hidden" name="community_id" value=leave_id/>
                <button type="submit" class="button button--danger">{t!(i18n, community.leave)}</button>
            </ActionForm>
            <p class="muted small">{t!(i18n, community.leave_note)}</p>
        </section>
    }
}

/// The levels as concentric circles, core in the middle, drawn on the server so the
/// picture needs no JavaScript; the list beside it is the text alternative.
#[component]
fn Circles(members: Vec<Member>) -> impl IntoView {
    let i18n = use_i18n();
    const RINGS: [(Level, f64, f64); 4] = [
        (Level::Core, 0.0, 30.0),
        (Level::Active, 30.0, 60.0),
        (Level::Occasional, 60.0, 90.0),
        (Level::Peripheral, 90.0, 120.0),
    ];
    let mut dots = Vec::new();
    for (level, inner, outer) in RINGS {
        let in_ring: Vec<&Member> = members.iter().filter(|m| m.level == level).collect();
        let radius = if level == Level::Core && in_ring.len() == 1 { 0.0 } else { (inner + outer) / 2.0 };
        for (i, member) in in_ring.iter().enumerate() {
            let angle =
                std::f64::consts::TAU * i as f64 / in_ring.len() as f64 - std::f64::consts::FRAC_PI_2 + inner / 100.0;
            let initials: String = member.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
            dots.push((radius * angle.cos(), radius * angle.sin(), initials, member.is_me));
        }
    }
    let list = RINGS.map(|(level, _, _)| {
        let names: Vec<String> = members.iter().filter(|m| m.level == level).map(|m| m.name.clone()).collect();
        (level, names)
    });
    view! {
        <figure class="circles">
            <svg viewBox="-125 -125 250 250" role="img" aria-labelledby="circles-caption" class="circles__svg">
                {RINGS.iter().rev().map(|&(level, _, outer)| view! {
                    <circle r=outer class=format!("circles__ring circles__ring--{}", level.as_str())></circle>
                }).collect_view()}
                {dots.into_iter().map(|(x, y, initials, me)| view! {
                    <g class="circles__dot" class:circles__dot--me=me transform=format!("translate({x:.1} {y:.1})")>
                        <circle r="11"></circle>
                        <text text-anchor="middle" dy="4">{initials}</text>
                    </g>
                }).collect_view()}
            </svg>
            <figcaption id="circles-caption">
                <p class="muted small">{t!(i18n, community.circles_caption)}</p>
                <dl class="circles__legend">
                    {list.into_iter().map(|(level, names)| view! {
                        <div>
                            <dt><span class=format!("swatch swatch--{}", level.as_str()) aria-hidden="true"></span>{move || level_text(i18n.get_locale(), level)}</dt>
                            <dd>{if names.is_empty() { t_string!(i18n, community.circles_none).to_string() } else { names.join(", ") }}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            </figcaption>
        </figure>
    }
}

#[component]
fn MemberTable(
    members: Vec<Member>,
    community_id: Uuid,
    facilitator: bool,
    actions: CommunityPageActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let community = community_id.to_string();
    let manage_error = Signal::derive({
        let (remove, set_role, coordination) =
            (action_error(actions.remove), action_error(actions.set_role), action_error(actions.coordination));
        move || remove.get().or_else(|| set_role.get()).or_else(|| coordination.get())
    });
    view! {
        <ErrorAlert error=manage_error/>
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, community.member)}</th>
                        <th scope="col">{t!(i18n, community.role)}</th>
                        <th scope="col">{t!(i18n, community.level)}</th>
                        {facilitator.then(|| view! { <th scope="col"><span class="visually-hidden">{t!(i18n, community.manage_title)}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|m| {
                        let (role, level) = (m.role, m.level);
                        let user = m.user_id.to_string();
                        let community = community.clone();
                        view! {
                            <tr>
                                <td>{m.name.clone()}{m.is_me.then(|| t_string!(i18n, community.you))}</td>
                                <td>{move || community_role_text(i18n.get_locale(), role)}</td>
                                <td><span class=format!("level level--{}", level.as_str())>{move || level_text(i18n.get_locale(), level)}</span></td>
                                {facilitator.then(|| {
                                    let note_id = format!("coordination-{}", m.user_id);
                                    let (role_community, role_user) = (community.clone(), user.clone());
                                    let (note_community, note_user) = (community.clone(), user.clone());
                                    let (remove_community, remove_user) = (community.clone(), user.clone());
                                    view! {
                                        <td>
                                            <details class="disclosure disclosure--inline">
                                                <summary>{t!(i18n, community.manage_title)}<span class="visually-hidden">": "{m.name.clone()}</span></summary>
                                                <div class="stack">
                                                    {(role != CommunityRole::Guest).then(move || {
                                                        let next = if role == CommunityRole::Facilitator { CommunityRole::Member } else { CommunityRole::Facilitator };
                                                        view! {
                                                            <ActionForm action=actions.set_role attr:class="inline-form">
                                                                <input type="hidden" name="community_id" value=role_community/>
                                                                <input type="hidden" name="user_id" value=role_user/>
                                                                <input type="hidden" name="role" value=next.as_str()/>
                                                                <button type="submit" class="button button--small">{move || if next == CommunityRole::Facilitator {
                                                                    t_string!(i18n, community.make_facilitator)
                                                                } else {
                                                                    t_string!(i18n, community.make_member)
                                                                }}</button>
                                                            </ActionForm>
                                                        }
                                                    })}
                                                    <ActionForm action=actions.coordination attr:class="inline-form">
                                                        <input type="hidden" name="community_id" value=note_community/>
                                                        <input type="hidden" name="user_id" value=note_user/>
                                                        <label for=note_id.clone()>{t!(i18n, community.coordination_note)}</label>
                                                        <input id=note_id name="note" class="field__input field__input--small" maxlength="200"/>
                                                        <button type="submit" class="button button--small">{t!(i18n, community.coordination_save)}</button>
                                                    </ActionForm>
                                                    {(!m.is_me).then(move || view! {
                                                        <ActionForm action=actions.remove attr:class="inline-form">
                                                            <input type="hidden" name="community_id" value=remove_community/>
                                                            <input type="hidden" name="user_id" value=remove_user/>
                                                            <button type="submit" class="button button--small button--danger">{t!(i18n, community.remove)}</button>
                                                        </ActionForm>
                                                    })}
                                                </div>
                                            </details>
                                        </td>
                                    }
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Facilitation(data: CommunityPage, actions: CommunityPageActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = data.id.to_string();
    let invite_id = id.clone();
    let guest_id = id.clone();
    let guest_error = action_error(actions.guest);
    let invite_error = action_error(actions.invite);
    let answer_error = action_error(actions.answer);
    view! {
        <section class="card" aria-labelledby="facilitation-title">
            <h2 id="facilitation-title">{t!(i18n, community.manage_title)}</h2>
            <div class="grid-2">
                <div>
                    <h3>{t!(i18n, community.invite_title)}</h3>
                    <ErrorAlert error=invite_error/>
                    <Show when=move || flashed(&Flash::MemberInvited)>
                        <Alert kind="success"><p>{t!(i18n, community.invite_sent)}</p></Alert>
                    </Show>
                    <ActionForm action=actions.invite attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="community_id" value=invite_id/>
                        <Field name="email" kind="email" required=true
                            label=text(move || t_string!(i18n, community.invite_email)) error=invite_error/>
                        <button type="submit" class="button button--primary">{t!(i18n, community.invite_send)}</button>
                    </ActionForm>
                    <h3>{t!(i18n, community.guest_title)}</h3>
                    <p class="muted small">{t!(i18n, community.guest_intro)}</p>
                    <ErrorAlert error=guest_error/>
                    <Show when=move || flashed(&Flash::GuestInvited)>
                        <Alert kind="success"><p>{t!(i18n, community.guest_sent)}</p></Alert>
                    </Show>
                    <ActionForm action=actions.guest attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="community_id" value=guest_id/>
                        <Field name="guest_email" kind="email" required=true
                            label=text(move || t_string!(i18n, community.guest_email)) error=guest_error/>
                        <button type="submit" class="button">{t!(i18n, community.guest_send)}</button>
                    </ActionForm>
                    {(!data.guest_invitations.is_empty()).then(|| {
                        let community_id = id.clone();
                        view! {
                            <ul class="plain-list stack" data-testid="guest-invitations">
                                {data.guest_invitations.iter().map(|g| {
                                    let (community_id, invitation_id) = (community_id.clone(), g.id.to_string());
                                    view! {
                                        <li>
                                            {g.email.clone()}" · "{t!(i18n, community.guest_pending)}" "
                                            <ActionForm action=actions.revoke_guest attr:class="inline-form">
                                                <input type="hidden" name="community_id" value=community_id/>
                                                <input type="hidden" name="invitation_id" value=invitation_id/>
                                                <button type="submit" class="link-button">{t!(i18n, community.withdraw_invitation)}</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </div>
                <div>
                    <h3 id="pending-title">{t!(i18n, community.pending_title)}</h3>
                    <ErrorAlert error=answer_error/>
                    {if data.pending.is_empty() {
                        view! { <p class="muted">"–"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list stack" data-testid="pending">
                                {data.pending.iter().map(|p| {
                                    let user = p.user_id.to_string();
                                    let (answer_id, answer_user) = (id.clone(), user.clone());
                                    let withdraw_id = id.clone();
                                    view! {
                                        <li>
                                            <strong>{p.name.clone()}</strong>" · "
                                            {p.line_manager.then(|| view! {
                                                <span class="badge">{t!(i18n, community.line_manager)}</span>" "
                                                <span class="muted">{t!(i18n, community.line_manager_note)}</span>" "
                                            })}
                                            {match p.status {
                                                MembershipStatus::Requested => view! {
                                                    <span>{t!(i18n, community.pending_requested)}</span>" "
                                                    <ActionForm action=actions.answer attr:class="inline-form">
                                                        <input type="hidden" name="community_id" value=answer_id/>
                                                        <input type="hidden" name="user_id" value=answer_user/>
                                                        <button type="submit" name="answer" value="accept" class="button button--small button--primary">{t!(i18n, home.accept)}</button>" "
                                                        <button type="submit" name="answer" value="decline" class="button button--small">{t!(i18n, home.decline)}</button>
                                                    </ActionForm>
                                                }.into_any(),
                                                _ => view! {
                                                    <span>{t!(i18n, community.pending_invited)}</span>" "
                                                    <ActionForm action=actions.remove attr:class="inline-form">
                                                        <input type="hidden" name="community_id" value=withdraw_id/>
                                                        <input type="hidden" name="user_id" value=user/>
                                                        <button type="submit" class="link-button">{t!(i18n, community.withdraw_invitation)}</button>
                                                    </ActionForm>
                                                }.into_any(),
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
        </section>
    }
}

/// The facilitator's form for the community's name, goal, agreements and settings.
#[component]
pub fn CommunityEditForm(data: CommunityPage, update: ServerAction<UpdateCommunity>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(update);
    let status = data.status;
    view! {
        <section class="card narrow-wide">
            <h1>{t!(i18n, community.edit_title)}</h1>
            <ErrorAlert error=error/>
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="community_id" value=data.id.to_string()/>
                <Field name="name" required=true value=data.name.clone()
                    label=text(move || t_string!(i18n, community.name)) error=error/>
                <Field name="goal" required=true rows=3 value=data.goal.clone()
                    label=text(move || t_string!(i18n, community.goal)) error=error/>
                <Field name="agreements" rows=8 value=data.agreements.clone()
                    label=text(move || t_string!(i18n, community.agreements))
                    hint=text(move || t_string!(i18n, community.agreements_hint)) error=error/>
                <Field name="rhythm" value=data.rhythm.clone()
                    label=text(move || t_string!(i18n, community.rhythm)) error=error/>
                <div class="field">
                    <label class="field__label" for="field-status">{t!(i18n, community.status)}</label>
                    <select class="field__input" id="field-status" name="status">
                        {CommunityStatus::ALL.iter().map(|&s| view! {
                            <option value=s.as_str() selected=s == status>{move || status_text(i18n.get_locale(), s)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Field name="window_days" kind="number" value=data.window_days.to_string()
                    label=text(move || t_string!(i18n, community.window))
                    hint=text(move || t_string!(i18n, community.window_hint)) error=error/>
                <div class="field field--check">
                    <input type="checkbox" id="field-listed" name="listed" value="on" checked=data.listed/>
                    <label for="field-listed">{t!(i18n, community.listed)}</label>
                </div>
                <button type="submit" class="button button--primary">{t!(i18n, community.save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn LevelPage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let explanation = Resource::new(community_id, |id| load_or_not_found(id, load_my_level));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, levels.title)/>
            {loaded(explanation, move |data| Some(view! { <LevelView data/> }.into_any()))}
        }
    })
}

#[component]
fn LevelView(data: LevelExplanation) -> impl IntoView {
    let i18n = use_i18n();
    let level = data.level;
    let points = data.points;
    let days = data.rule.window_days;
    let (occasional, active, core) = (data.rule.occasional, data.rule.active, data.rule.core);
    view! {
        <p><a href=format!("/c/{}", data.community_id)>{t!(i18n, levels.back)}</a></p>
        <h1>{t!(i18n, levels.title)}" · "{data.community_name.clone()}</h1>
        <section class="card">
            <p class="lead" data-testid="level-summary">
                {t!(i18n, levels.summary, days = days, points = points, level = move || level_text(i18n.get_locale(), level))}
            </p>
            {match data.next {
                Some(next) => view! {
                    <p>{t!(i18n, levels.next, points = next.points_needed, level = move || level_text(i18n.get_locale(), next.level))}</p>
                }.into_any(),
                None => view! { <p>{t!(i18n, levels.top)}</p> }.into_any(),
            }}
            <p class="muted small">{t!(i18n, levels.private)}</p>
        </section>

        <section class="card" aria-labelledby="trajectory-title">
            <h2 id="trajectory-title">{t!(i18n, levels.trajectory_title)}</h2>
            <Trajectory points=data.trajectory.clone() as_of=data.as_of/>
        </section>

        <div class="grid-2">
            <section class="card" aria-labelledby="events-title">
                <h2 id="events-title">{t!(i18n, levels.events_title)}</h2>
                {if data.events.is_empty() {
                    view! { <p class="muted">{t!(i18n, levels.events_empty)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, levels.date)}</th>
                                        <th scope="col">{t!(i18n, levels.activity)}</th>
                                        <th scope="col">{t!(i18n, levels.points)}</th>
                                        <th scope="col">{t!(i18n, levels.counted)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {data.events.iter().map(|e| {
                                        let (kind, counted) = (e.kind, e.counted);
                                        view! {
                                            <tr class:muted=!counted>
                                                <td>{date_text(e.at)}</td>
                                                <td>{move || event_text(i18n.get_locale(), kind)}{e.note.clone().map(|n| format!(" – {n}"))}</td>
                                                <td>{e.points}</td>
                                                <td>{move || if counted { t_string!(i18n, levels.counted_yes) } else { t_string!(i18n, levels.counted_no) }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="rule-title">
                <h2 id="rule-title">{t!(i18n, levels.rule_title)}</h2>
                <p>{t!(i18n, levels.rule_intro, occasional = occasional, active = active, core = core)}</p>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, levels.activity)}</th>
                            <th scope="col">{t!(i18n, levels.points)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.rule.weights.iter().filter(|w| w.points > 0).map(|w| {
                            let kind = w.kind;
                            view! { <tr><td>{move || event_text(i18n.get_locale(), kind)}</td><td>{w.points}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </div>
    }
}

/// A member's level over time as a step chart, with the table it is drawn from.
#[component]
fn Trajectory(points: Vec<super::api::LevelPoint>, as_of: time::OffsetDateTime) -> impl IntoView {
    let i18n = use_i18n();
    let rank = |level: Level| Level::ALL.iter().position(|l| *l == level).unwrap_or(0) as f64;
    let (width, height) = (600.0_f64, 160.0_f64);
    let path = if points.is_empty() {
        String::new()
    } else {
        let first = points[0].at.unix_timestamp() as f64;
        // The server's clock: the browser draws the same line when it hydrates.
        let last = as_of.unix_timestamp() as f64;
        let span = (last - first).max(1.0);
        let x = |t: f64| 40.0 + (t - first) / span * (width - 60.0);
        let y = |level: Level| height - 20.0 - rank(level) * (height - 40.0) / 3.0;
        let mut d = format!("M{:.1} {:.1}", x(first), y(points[0].level));
        for pair in points.windows(2) {
            let t = pair[1].at.unix_timestamp() as f64;
            d.push_str(&format!(" H{:.1} V{:.1}", x(t), y(pair[1].level)));
        }
        d.push_str(&format!(" H{:.1}", x(last)));
        d
    };
    view! {
        <figure class="trajectory">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-labelledby="trajectory-caption" class="trajectory__svg">
                {Level::ALL.iter().map(|&level| {
                    let y = height - 20.0 - rank(level) * (height - 40.0) / 3.0;
                    view! {
                        <line x1="40" x2=width - 20.0 y1=y y2=y class="trajectory__grid"></line>
                        <text x="0" y=y + 4.0 class="trajectory__label">{move || level_text(i18n.get_locale(), level)}</text>
                    }
                }).collect_view()}
                <path d=path class="trajectory__line"></path>
            </svg>
            <figcaption id="trajectory-caption" class="muted small">{t!(i18n, levels.trajectory_caption)}</figcaption>
        </figure>
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, levels.date)}</th>
                        <th scope="col">{t!(i18n, community.level)}</th>
                        <th scope="col">{t!(i18n, levels.reason)}</th>
                    </tr>
                </thead>
                <tbody>
                    {points.iter().map(|p| {
                        let (level, reason) = (p.level, p.reason);
                        view! {
                            <tr>
                                <td>{date_text(p.at)}</td>
                                <td>{move || level_text(i18n.get_locale(), level)}</td>
                                <td>{move || match reason {
                                    LevelReason::Computed => t_string!(i18n, levels.reason_computed),
                                    LevelReason::Facilitator => t_string!(i18n, levels.reason_facilitator),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
