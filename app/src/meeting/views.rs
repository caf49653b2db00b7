//! Pages of the meeting feature: planning and changing a meeting, and the meeting
//! page with its agenda, check-in, attendance (corrected by facilitators), calendar
//! download and cancellation. Every form is a plain POST first.

use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

use super::api::{
    CancelMeeting, CheckIn, MeetingPage, MeetingSummary, NextMeeting, ScheduleMeeting, SetAttendance, UpdateMeeting,
    load_meeting, load_planning,
};
use super::domain::{DURATION_MAX, DURATION_MIN, MeetingStatus, agenda_items};
use crate::error::AppError;
use crate::i18n::*;
use crate::notification::domain::{clock_text, when_text};
use crate::ui::{Alert, ErrorAlert, Field, action_error, language_of, load_or_not_found, signed_in, text, uuid_param};
use crate::ui::{loaded, resource_page};

/// The meetings card on the community page.
#[component]
pub fn MeetingList(community_id: Uuid, meetings: Vec<MeetingSummary>, facilitator: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (past, ahead): (Vec<_>, Vec<_>) = meetings.into_iter().partition(|m| m.is_past);
    let row = move |m: MeetingSummary| {
        let cancelled = m.status == MeetingStatus::Cancelled;
        let title = m.title.clone();
        view! {
            <li class="meeting-row" class:meeting-row--cancelled=cancelled>
                <a href=format!("/m/{}", m.id)>
                    {move || when_text(language_of(i18n.get_locale()), m.starts_at, m.ends_at)}
                </a>
                {(!title.is_empty()).then(|| view! { " · "{title.clone()} })}
                {(!m.place.is_empty()).then(|| view! { <span class="muted">" · "{m.place.clone()}</span> })}
                {m.online.then(|| view! { <span class="muted">" · "{t!(i18n, meetings.online)}</span> })}
                {cancelled.then(|| view! { " "<span class="badge badge--warning">{t!(i18n, meetings.cancelled)}</span> })}
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="meetings-title">
            <div class="card__head">
                <h2 id="meetings-title">{t!(i18n, meetings.title)}</h2>
                {facilitator.then(|| view! {
                    <a class="button button--small button--primary" href=format!("/c/{community_id}/meetings/new")>{t!(i18n, meetings.plan)}</a>
                })}
            </div>
            {if ahead.is_empty() {
                view! { <p class="muted">{t!(i18n, meetings.none_ahead)}</p> }.into_any()
            } else {
                view! { <ul class="plain-list stack">{ahead.into_iter().map(row).collect_view()}</ul> }.into_any()
            }}
            {(!past.is_empty()).then(|| view! {
                <details class="disclosure">
                    <summary>{t!(i18n, meetings.past)}</summary>
                    <ul class="plain-list stack">{past.into_iter().rev().map(row).collect_view()}</ul>
                </details>
            })}
        </section>
    }
}

/// The home page's card for the soonest meeting, with its check-in while that is open.
#[component]
pub fn NextMeetingCard(next: Option<NextMeeting>, check_in: ServerAction<CheckIn>) -> impl IntoView {
    let i18n = use_i18n();
    let body = match next {
        None => view! { <p class="muted">{t!(i18n, home.next_meeting_empty)}</p> }.into_any(),
        Some(next) => {
            let m = next.meeting;
            let title = m.title.clone();
            let check_in = if next.checked_in {
                view! { <p><span class="badge badge--success">{t!(i18n, meetings.checked_in)}</span></p> }.into_any()
            } else if next.check_in_open {
                view! {
                    <ActionForm action=check_in attr:class="inline-form">
                        <input type="hidden" name="meeting_id" value=m.id.to_string()/>
                        <button type="submit" class="button button--primary">{t!(i18n, meetings.check_in)}</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                ().into_any()
            };
            view! {
                <p class="next-meeting__when">
                    <a href=format!("/m/{}", m.id)>{move || when_text(language_of(i18n.get_locale()), m.starts_at, m.ends_at)}</a>
                </p>
                <p class="muted">
                    {next.community_name}
                    {(!title.is_empty()).then(|| view! { " · "{title.clone()} })}
                    {(!m.place.is_empty()).then(|| view! { " · "{m.place.clone()} })}
                    {m.online.then(|| view! { " · "{t!(i18n, meetings.online)} })}
                </p>
                {check_in}
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="next-meeting-title" data-testid="next-meeting">
            <h2 id="next-meeting-title">{t!(i18n, home.next_meeting_title)}</h2>
            {body}
        </section>
    }
}

/// The fields of a meeting, empty for a new one.
#[component]
fn MeetingFields(#[prop(optional)] meeting: Option<MeetingPage>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let value = |f: fn(&MeetingPage) -> String| meeting.as_ref().map(f).unwrap_or_default();
    let date = value(|m| {
        let d = m.starts_at.date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    });
    let start = value(|m| clock_text(m.starts_at));
    let duration = meeting.as_ref().map_or("90".to_string(), |m| m.duration_minutes.to_string());
    view! {
        <Field name="title" value=value(|m| m.title.clone())
            label=text(move || t_string!(i18n, meetings.field_title))
            hint=text(move || t_string!(i18n, meetings.field_title_hint)) error=error/>
        <div class="grid-3">
            <Field name="date" kind="date" required=true value=date
                label=text(move || t_string!(i18n, meetings.field_date)) error=error/>
            <Field name="time" kind="time" required=true value=start
                label=text(move || t_string!(i18n, meetings.field_time)) error=error/>
            <Field name="duration" kind="number" required=true value=duration
                label=text(move || t_string!(i18n, meetings.field_duration))
                hint=Signal::derive(move || t_string!(i18n, meetings.field_duration_hint, min = DURATION_MIN, max = DURATION_MAX).to_string())
                error=error/>
        </div>
        <Field name="place" value=value(|m| m.place.clone())
            label=text(move || t_string!(i18n, meetings.field_place))
            hint=text(move || t_string!(i18n, meetings.field_place_hint)) error=error/>
        <Field name="online_url" kind="url" value=value(|m| m.online_url.clone())
            label=text(move || t_string!(i18n, meetings.field_link)) error=error/>
        <Field name="agenda" rows=6 value=value(|m| m.agenda.clone())
            label=text(move || t_string!(i18n, meetings.field_agenda))
            hint=text(move || t_string!(i18n, meetings.field_agenda_hint)) error=error/>
    }
}

#[component]
pub fn NewMeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    let community_id = uuid_param("id");
    let schedule = ServerAction::<ScheduleMeeting>::new();
    let error = action_error(schedule);
    let planning = Resource::new(community_id, |id| load_or_not_found(id, load_planning));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, meetings.plan)/>
            {loaded(planning, move |name| Some(view! {
                <section class="card narrow-wide">
                    <h1>{t!(i18n, meetings.plan)}</h1>
                    <p class="muted">{name}</p>
                    <ErrorAlert error=error/>
                    <ActionForm action=schedule attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="community_id" value=community_id().map(|id| id.to_string()).unwrap_or_default()/>
                        <MeetingFields error=error/>
                        <p class="muted small">{t!(i18n, meetings.announce_note)}</p>
                        <button type="submit" class="button button--primary">{t!(i18n, meetings.schedule)}</button>
                    </ActionForm>
                </section>
            }.into_any()))}
        }
    })
}

#[component]
pub fn EditMeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    let meeting_id = uuid_param("meeting_id");
    let update = ServerAction::<UpdateMeeting>::new();
    let error = action_error(update);
    let page = Resource::new(meeting_id, |id| load_or_not_found(id, load_meeting));
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, meetings.edit)/>
            {loaded(page, move |data| match data {
                meeting if meeting.is_facilitator => Some(view! {
                        <section class="card narrow-wide">
                            <h1>{t!(i18n, meetings.edit)}</h1>
                            <p class="muted">{meeting.community_name.clone()}</p>
                            <ErrorAlert error=error/>
                            <ActionForm action=update attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="meeting_id" value=meeting.id.to_string()/>
                                <MeetingFields meeting=meeting.clone() error=error/>
                                <p class="muted small">{t!(i18n, meetings.announce_note)}</p>
                                <button type="submit" class="button button--primary">{t!(i18n, meetings.save)}</button>
                            </ActionForm>
                        </section>
                    }.into_any()),
                _ => None,
            })}
        }
    })
}

#[derive(Clone, Copy)]
struct MeetingActions {
    check_in: ServerAction<CheckIn>,
    attendance: ServerAction<SetAttendance>,
    cancel: ServerAction<CancelMeeting>,
}

#[component]
pub fn MeetingPageView() -> impl IntoView {
    let meeting_id = uuid_param("meeting_id");
    let actions =
        MeetingActions { check_in: ServerAction::new(), attendance: ServerAction::new(), cancel: ServerAction::new() };
    let page = Resource::new(
        move || {
            (
                meeting_id(),
                actions.check_in.version().try_get(),
                actions.attendance.version().try_get(),
                actions.cancel.version().try_get(),
            )
        },
        |(id, ..)| load_or_not_found(id, load_meeting),
    );
    resource_page(page, move |meeting| Some(view! { <Meeting meeting actions/> }.into_any()))
}

#[component]
fn Meeting(meeting: MeetingPage, actions: MeetingActions) -> impl IntoView {
    let i18n = use_i18n();
    let check_in_error = action_error(actions.check_in);
    let attendance_error = action_error(actions.attendance);
    let cancel_error = action_error(actions.cancel);
    let cancelled = meeting.status == MeetingStatus::Cancelled;
    let (starts, ends) = (meeting.starts_at, meeting.ends_at);
    let when = move || when_text(language_of(i18n.get_locale()), starts, ends);
    let heading = if meeting.title.is_empty() { meeting.community_name.clone() } else { meeting.title.clone() };
    let items = agenda_items(&meeting.agenda);
    let id = meeting.id.to_string();
    let may_correct = meeting.may_correct;
    view! {
        <Title text=heading.clone()/>
        <p class="breadcrumb"><a href=format!("/c/{}", meeting.community_id)>{meeting.community_name.clone()}</a></p>
        <div class="page-head">
            <h1>{heading}</h1>
            {cancelled.then(|| view! { <span class="badge badge--warning">{t!(i18n, meetings.cancelled)}</span> })}
        </div>
        <div class="grid-2">
            <section class="card" aria-labelledby="meeting-when">
                <h2 id="meeting-when" class="visually-hidden">{t!(i18n, meetings.details)}</h2>
                <dl class="details">
                    <dt>{t!(i18n, meetings.when)}</dt>
                    <dd data-testid="meeting-when">{when}</dd>
                    {(!meeting.place.is_empty()).then(|| view! {
                        <dt>{t!(i18n, meetings.field_place)}</dt>
                        <dd>{meeting.place.clone()}</dd>
                    })}
                    {(!meeting.online_url.is_empty()).then(|| view! {
                        <dt>{t!(i18n, meetings.field_link)}</dt>
                        <dd><a href=meeting.online_url.clone() rel="noopener noreferrer" target="_blank">{meeting.online_url.clone()}</a></dd>
                    })}
                </dl>
                <p><a class="button button--small" href=format!("/m/{}/ics", meeting.id) download="kring.ics">{t!(i18n, meetings.add_to_calendar)}</a></p>
                {meeting.is_facilitator.then(|| {
                    let id = id.clone();
                    let ahead = !meeting.is_past && !meeting.may_correct;
                    view! {
                        <div class="button-row">
                            {(!cancelled).then(|| view! { <a class="button button--small" href=format!("/m/{id}/edit")>{t!(i18n, meetings.edit)}</a> })}
                            <ErrorAlert error=cancel_error/>
                            {ahead.then(|| if cancelled {
                                view! {
                                    <ActionForm action=actions.cancel attr:class="inline-form">
                                        <input type="hidden" name="meeting_id" value=id.clone()/>
                                        <button type="submit" name="cancel" value="reinstate" class="button button--small">{t!(i18n, meetings.reinstate)}</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! {
                                    <details class="disclosure">
                                        <summary>{t!(i18n, meetings.cancel)}</summary>
                                        <p>{t!(i18n, meetings.cancel_note)}</p>
                                        <ActionForm action=actions.cancel attr:class="inline-form">
                                            <input type="hidden" name="meeting_id" value=id.clone()/>
                                            <button type="submit" name="cancel" value="cancel" class="button button--small button--danger">{t!(i18n, meetings.cancel_confirm)}</button>
                                        </ActionForm>
                                    </details>
                                }.into_any()
                            })}
                        </div>
                    }
                })}
            </section>
            <section class="card" aria-labelledby="agenda-title">
                <h2 id="agenda-title">{t!(i18n, meetings.agenda)}</h2>
                {if items.is_empty() {
                    view! { <p class="muted">{t!(i18n, meetings.agenda_empty)}</p> }.into_any()
                } else {
                    view! { <ol class="agenda">{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ol> }.into_any()
                }}
            </section>
        </div>

        <section class="card" aria-labelledby="attendance-title">
            <h2 id="attendance-title">{t!(i18n, meetings.attendance)}</h2>
            <ErrorAlert error=check_in_error/>
            {if meeting.checked_in {
                view! { <Alert kind="success"><p>{t!(i18n, meetings.checked_in)}</p></Alert> }.into_any()
            } else if meeting.check_in_open {
                let id = id.clone();
                view! {
                    <ActionForm action=actions.check_in attr:class="inline-form">
                        <input type="hidden" name="meeting_id" value=id/>
                        <button type="submit" class="button button--primary">{t!(i18n, meetings.check_in)}</button>
                    </ActionForm>
                    <p class="muted small">{t!(i18n, meetings.check_in_note)}</p>
                }.into_any()
            } else if !meeting.is_past && !cancelled {
                view! { <p class="muted">{t!(i18n, meetings.check_in_later)}</p> }.into_any()
            } else {
                ().into_any()
            }}
            <ErrorAlert error=attendance_error/>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, community.member)}</th>
                        <th scope="col">{t!(i18n, meetings.present)}</th>
                        {meeting.may_correct.then(|| view! { <th scope="col">{t!(i18n, meetings.correct)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {meeting.attendance.clone().into_iter().map(|row| {
                        let status = match row.present {
                            Some(true) => view! { <span class="badge badge--success">{t!(i18n, meetings.was_present)}</span> }.into_any(),
                            Some(false) => view! { <span class="badge">{t!(i18n, meetings.was_absent)}</span> }.into_any(),
                            None => view! { <span class="muted">"–"</span> }.into_any(),
                        };
                        let (meeting_id, user_id) = (id.clone(), row.user_id.to_string());
                        view! {
                            <tr>
                                <td>{row.name.clone()}</td>
                                <td>{status}{row.corrected.then(|| view! { " "<span class="muted small">{t!(i18n, meetings.corrected)}</span> })}</td>
                                {may_correct.then(|| view! {
                                    <td>
                                        <ActionForm action=actions.attendance attr:class="inline-form">
                                            <input type="hidden" name="meeting_id" value=meeting_id.clone()/>
                                            <input type="hidden" name="user_id" value=user_id.clone()/>
                                            <button type="submit" name="present" value="yes" class="button button--small"
                                                aria-label=format!("{}: {}", row.name, t_string!(i18n, meetings.mark_present))>{t!(i18n, meetings.mark_present)}</button>
                                            " "
                                            <button type="submit" name="present" value="no" class="button button--small"
                                                aria-label=format!("{}: {}", row.name, t_string!(i18n, meetings.mark_absent))>{t!(i18n, meetings.mark_absent)}</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
