//! The notifications page: what happened (newest first), which kinds arrive by
//! email, and the private calendar feed. Opening the page marks notifications read.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{ManageCalendarFeed, NoticeView, SetEmailPreferences, load_notifications};
use super::domain::{NoticeKind, day_text, when_text};
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::ui::{Alert, EmptyState, ErrorAlert, Loading, action_error, flashed, language_of, signed_in, text};

pub fn kind_text(locale: Locale, kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Invited => td_string!(locale, notices.kind_invited),
        NoticeKind::JoinRequested => td_string!(locale, notices.kind_join_requested),
        NoticeKind::RequestAccepted => td_string!(locale, notices.kind_request_accepted),
        NoticeKind::RequestDeclined => td_string!(locale, notices.kind_request_declined),
        NoticeKind::MeetingScheduled => td_string!(locale, notices.kind_meeting_scheduled),
        NoticeKind::MeetingChanged => td_string!(locale, notices.kind_meeting_changed),
        NoticeKind::MeetingCancelled => td_string!(locale, notices.kind_meeting_cancelled),
        NoticeKind::MeetingReminder => td_string!(locale, notices.kind_meeting_reminder),
        NoticeKind::ReviewDue => td_string!(locale, notices.kind_review_due),
        NoticeKind::ArtifactFlagged => td_string!(locale, notices.kind_artifact_flagged),
        NoticeKind::MemberDeparted => td_string!(locale, notices.kind_member_departed),
        NoticeKind::ActionCheckIn => td_string!(locale, notices.kind_action_check_in),
    }
}

fn link_of(notice: &NoticeView) -> String {
    match (notice.kind, notice.meeting_id, &notice.artifact) {
        (_, Some(id), _) => format!("/m/{id}"),
        (_, _, Some((id, _))) => format!("/a/{id}"),
        (NoticeKind::Invited, _, _) => "/".to_string(),
        (NoticeKind::RequestDeclined, _, _) => "/communities".to_string(),
        _ => format!("/c/{}", notice.community_id),
    }
}

/// One notification in a list: what happened (a link to it), where, and when.
#[component]
fn NoticeItem(notice: NoticeView) -> impl IntoView {
    let i18n = use_i18n();
    let n = notice;
    let kind = n.kind;
    let href = link_of(&n);
    let at = n.at;
    let meeting = n.meeting_time;
    view! {
        <li class="notice-item" class:notice-item--unread=n.unread>
            {n.unread.then(|| view! { <span class="badge badge--new">{t!(i18n, notices.new_badge)}</span>" " })}
            <a href=href>{move || kind_text(i18n.get_locale(), kind)}</a>
            ": "{n.artifact.clone().map(|(_, title)| format!("{title}, ")).unwrap_or_default()}{n.community_name.clone()}
            {meeting.map(|(starts, ends)| view! {
                " · "{move || when_text(language_of(i18n.get_locale()), starts, ends)}
            })}
            <span class="muted small">
                " · "{n.actor.clone().map(|a| format!("{a}, ")).unwrap_or_default()}
                {move || day_text(language_of(i18n.get_locale()), at)}
            </span>
        </li>
    }
}

/// The home page's card of the newest notifications (opening them is on their page).
#[component]
pub fn NewestNotices(notices: Vec<NoticeView>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="newest-notices-title" data-testid="newest-notices">
            <div class="card__head">
                <h2 id="newest-notices-title">{t!(i18n, home.notices_title)}</h2>
                <a href="/notifications">{t!(i18n, home.notices_all)}</a>
            </div>
            {if notices.is_empty() {
                view! { <p class="muted">{t!(i18n, home.notices_empty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list notices">
                        {notices.into_iter().map(|notice| view! { <NoticeItem notice/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let preferences = ServerAction::<SetEmailPreferences>::new();
    let feed = ServerAction::<ManageCalendarFeed>::new();
    let preferences_error = action_error(preferences);
    let feed_error = action_error(feed);
    let page =
        Resource::new(move || (preferences.version().try_get(), feed.version().try_get()), |_| load_notifications());
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, notices.title)/>
            <h1>{t!(i18n, notices.title)}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorAlert error=Signal::stored(Some(error))/> }.into_any(),
                        Ok(data) => {
                            let off = data.email_off.clone();
                            view! {
                                <section class="card" aria-labelledby="notices-title">
                                    <h2 id="notices-title" class="visually-hidden">{t!(i18n, notices.title)}</h2>
                                    {if data.notices.is_empty() {
                                        view! {
                                            <EmptyState title=text(move || t_string!(i18n, notices.empty_title))>
                                                <p>{t!(i18n, notices.empty_body)}</p>
                                            </EmptyState>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain-list notices">
                                                {data.notices.into_iter().map(|notice| view! { <NoticeItem notice/> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>

                                <section class="card" aria-labelledby="email-title">
                                    <h2 id="email-title">{t!(i18n, notices.email_title)}</h2>
                                    <p class="muted">{t!(i18n, notices.email_intro)}</p>
                                    <ErrorAlert error=preferences_error/>
                                    <Show when=move || flashed(&Flash::EmailPreferencesSaved)>
                                        <Alert kind="success"><p>{t!(i18n, notices.email_saved)}</p></Alert>
                                    </Show>
                                    <ActionForm action=preferences attr:class="form">
                                        <fieldset class="checks">
                                            <legend class="visually-hidden">{t!(i18n, notices.email_title)}</legend>
                                            {NoticeKind::ALL.iter().map(|&kind| {
                                                let id = format!("email-{}", kind.as_str());
                                                view! {
                                                    <div class="field field--check">
                                                        <input type="checkbox" id=id.clone() name=kind.as_str() value="on" checked=!off.contains(&kind)/>
                                                        <label for=id>{move || kind_text(i18n.get_locale(), kind)}</label>
                                                    </div>
                                                }
                                            }).collect_view()}
                                        </fieldset>
                                        <button type="submit" class="button button--primary">{t!(i18n, notices.email_save)}</button>
                                    </ActionForm>
                                </section>

                                <section class="card" aria-labelledby="feed-title">
                                    <h2 id="feed-title">{t!(i18n, notices.feed_title)}</h2>
                                    <p class="muted">{t!(i18n, notices.feed_intro)}</p>
                                    <ErrorAlert error=feed_error/>
                                    {data.new_feed_url.map(|url| view! {
                                        <Alert kind="success">
                                            <p>{t!(i18n, notices.feed_new)}</p>
                                            <p><input class="field__input" type="text" readonly value=url aria-label=move || t_string!(i18n, notices.feed_title) data-testid="feed-url"/></p>
                                        </Alert>
                                    })}
                                    {if data.has_calendar_feed {
                                        view! {
                                            <p>{t!(i18n, notices.feed_active)}</p>
                                            <ActionForm action=feed attr:class="inline-form">
                                                <button type="submit" name="action" value="new" class="button button--small">{t!(i18n, notices.feed_renew)}</button>
                                                " "
                                                <button type="submit" name="action" value="stop" class="button button--small button--danger">{t!(i18n, notices.feed_stop)}</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=feed attr:class="inline-form">
                                                <button type="submit" name="action" value="new" class="button button--primary">{t!(i18n, notices.feed_create)}</button>
                                            </ActionForm>
                                        }.into_any()
                                    }}
                                </section>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        }
    })
}
