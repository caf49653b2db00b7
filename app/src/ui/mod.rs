//! Shared pieces of the interface: the session context, form fields with inline
//! errors, alerts, empty states, the 404 page, and turning errors into translated text.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::account::api::{ChangePassword, CurrentUser, Login, Logout, ResetPassword};
use crate::account::domain::{AfterPost, ExperienceBand, Flash, Language, Role};
use crate::error::{AppError, ErrorKey};
use crate::i18n::*;

/// The session every page shares: who is signed in, and the actions that change it.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub reset: ServerAction<ResetPassword>,
    pub change_password: ServerAction<ChangePassword>,
    /// What the last form post left for this page; [`signed_in`] provides it.
    pub after_post: Resource<Result<AfterPost, AppError>>,
}

pub fn locale_of(language: Language) -> Locale {
    match language {
        Language::Nl => Locale::nl,
        Language::En => Locale::en,
    }
}

pub fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::nl => Language::Nl,
        Locale::en => Language::En,
    }
}

pub fn error_key_text(locale: Locale, key: ErrorKey) -> &'static str {
    match key {
        ErrorKey::Required => td_string!(locale, errors.required),
        ErrorKey::TooLong => td_string!(locale, errors.too_long),
        ErrorKey::TooShort => td_string!(locale, errors.too_short),
        ErrorKey::InvalidEmail => td_string!(locale, errors.invalid_email),
        ErrorKey::InvalidChoice => td_string!(locale, errors.invalid_choice),
        ErrorKey::PasswordTooShort => td_string!(locale, errors.password_too_short),
        ErrorKey::PasswordTooLong => td_string!(locale, errors.password_too_long),
        ErrorKey::PasswordsDiffer => td_string!(locale, errors.passwords_differ),
        ErrorKey::WrongPassword => td_string!(locale, errors.wrong_password),
        ErrorKey::EmailTaken => td_string!(locale, errors.email_taken),
        ErrorKey::LastAdmin => td_string!(locale, errors.last_admin),
        ErrorKey::CommunityFull => td_string!(locale, errors.community_full),
        ErrorKey::StartingRestricted => td_string!(locale, errors.starting_restricted),
        ErrorKey::MembershipChanged => td_string!(locale, errors.membership_changed),
        ErrorKey::CaseChanged => td_string!(locale, errors.case_changed),
        ErrorKey::RoleTaken => td_string!(locale, errors.role_taken),
        ErrorKey::RoundChanged => td_string!(locale, errors.round_changed),
        ErrorKey::LeadStillConnected => td_string!(locale, errors.lead_still_connected),
        ErrorKey::TimeLeft => td_string!(locale, errors.time_left),
        ErrorKey::StepNotPossible => td_string!(locale, errors.step_not_possible),
        ErrorKey::NotWritingPhase => td_string!(locale, errors.not_writing_phase),
        ErrorKey::TooFarAhead => td_string!(locale, errors.too_far_ahead),
        ErrorKey::ConsentNeeded => td_string!(locale, errors.consent_needed),
        ErrorKey::QuotesCase => td_string!(locale, errors.quotes_case),
        ErrorKey::MinutesRange => td_string!(locale, errors.minutes_range),
        ErrorKey::NoPhases => td_string!(locale, errors.no_phases),
        ErrorKey::TooManyPhases => td_string!(locale, errors.too_many_phases),
        ErrorKey::PurgeNeedsConfirmation => td_string!(locale, errors.purge_needs_confirmation),
        ErrorKey::EvaluationClosed => td_string!(locale, errors.evaluation_closed),
        ErrorKey::LinkTeachersOnly => td_string!(locale, errors.link_teachers_only),
        ErrorKey::NotAColleague => td_string!(locale, errors.not_a_colleague),
        ErrorKey::AlreadyMember => td_string!(locale, errors.already_member),
        ErrorKey::LastFacilitator => td_string!(locale, errors.last_facilitator),
        ErrorKey::LeaveInstead => td_string!(locale, errors.leave_instead),
        ErrorKey::PlaceOrLink => td_string!(locale, errors.place_or_link),
        ErrorKey::InvalidLink => td_string!(locale, errors.invalid_link),
        ErrorKey::InThePast => td_string!(locale, errors.in_the_past),
        ErrorKey::CheckInClosed => td_string!(locale, errors.check_in_closed),
        ErrorKey::MeetingCancelled => td_string!(locale, errors.meeting_cancelled),
        ErrorKey::NotStarted => td_string!(locale, errors.not_started),
        ErrorKey::ColleagueNotGuest => td_string!(locale, errors.colleague_not_guest),
        ErrorKey::InvalidTag => td_string!(locale, errors.invalid_tag),
        ErrorKey::TooManyTags => td_string!(locale, errors.too_many_tags),
        ErrorKey::InvalidDate => td_string!(locale, errors.invalid_date),
        ErrorKey::EditConflict => td_string!(locale, errors.edit_conflict),
        ErrorKey::ArtifactArchived => td_string!(locale, errors.artifact_archived),
        ErrorKey::FileTooLarge => td_string!(locale, errors.file_too_large),
        ErrorKey::StorageFull => td_string!(locale, errors.storage_full),
        ErrorKey::PupilCode => td_string!(locale, errors.pupil_code),
        ErrorKey::DuplicatePupil => td_string!(locale, errors.duplicate_pupil),
        ErrorKey::TooManyPupils => td_string!(locale, errors.too_many_pupils),
        ErrorKey::PlanClosed => td_string!(locale, errors.plan_closed),
        ErrorKey::CycleChanged => td_string!(locale, errors.cycle_changed),
        ErrorKey::NotObserving => td_string!(locale, errors.not_observing),
        ErrorKey::DiscussionClosed => td_string!(locale, errors.discussion_closed),
        ErrorKey::TeacherObserves => td_string!(locale, errors.teacher_observes),
        ErrorKey::LessonSetUpClosed => td_string!(locale, errors.lesson_set_up_closed),
        ErrorKey::SurveyStatementCount => td_string!(locale, errors.survey_statement_count),
        ErrorKey::SurveyClosed => td_string!(locale, errors.survey_closed),
        ErrorKey::AlreadyAnswered => td_string!(locale, errors.already_answered),
        ErrorKey::AnswerEveryStatement => td_string!(locale, errors.answer_every_statement),
    }
}

/// A sentence for the whole error, for an alert at the top of a form or page.
pub fn error_text(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Unauthenticated => td_string!(locale, errors.unauthenticated).to_string(),
        AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
        AppError::Invalid(_) => td_string!(locale, errors.invalid).to_string(),
        AppError::InvalidCredentials => td_string!(locale, errors.invalid_credentials).to_string(),
        AppError::InvalidToken => td_string!(locale, errors.invalid_token).to_string(),
        AppError::RateLimited { retry_after_secs } => {
            td_string!(locale, errors.rate_limited, seconds = *retry_after_secs).to_string()
        }
        AppError::Conflict(key) | AppError::TooLarge(key) => error_key_text(locale, *key).to_string(),
        AppError::UnsupportedType => td_string!(locale, errors.unsupported_type).to_string(),
        AppError::Internal => td_string!(locale, errors.internal).to_string(),
        AppError::Request(_) => td_string!(locale, errors.request).to_string(),
    }
}

pub fn role_text(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Teacher => td_string!(locale, roles.teacher),
        Role::Leader => td_string!(locale, roles.leader),
        Role::Admin => td_string!(locale, roles.admin),
    }
}

pub fn band_text(locale: Locale, band: ExperienceBand) -> &'static str {
    match band {
        ExperienceBand::UpTo2 => td_string!(locale, bands.up_to_2),
        ExperienceBand::From3To5 => td_string!(locale, bands.from_3_to_5),
        ExperienceBand::From6To10 => td_string!(locale, bands.from_6_to_10),
        ExperienceBand::From11To20 => td_string!(locale, bands.from_11_to_20),
        ExperienceBand::Over20 => td_string!(locale, bands.over_20),
    }
}

/// The last error of an action, as a signal pages can read. Call it inside a route:
/// before the action has run, it shows the error a form posted without JavaScript
/// brought back in the URL.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_url = ServerAction::<S>::new();
    Signal::derive(move || {
        // `try_get`: a page whose request was cancelled may still poll this after its
        // reactive owner is gone; that must not panic.
        let latest = if action.version().try_get().unwrap_or(0) > 0 {
            action.value().try_get().flatten()
        } else {
            from_url.value().try_get().flatten()
        };
        latest.and_then(|r| r.err())
    })
}

/// Renders `page` once what the last form post left is known (see [`AfterPost`]), for
/// pages open to everyone; [`signed_in`] does the same for the others.
pub fn with_after_post<V, F>(page: F) -> impl IntoView
where
    F: Fn() -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = expect_context::<Auth>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    provide_context(auth.after_post.await.unwrap_or_default());
                    page()
                })
            }}
        </Suspense>
    }
}

/// Whether the form post that led here left this confirmation.
pub fn flashed(flash: &Flash) -> bool {
    use_context::<AfterPost>().is_some_and(|after| after.flash.as_ref() == Some(flash))
}

/// What was typed into field `name` before a form post that failed.
pub fn kept_input(name: &str) -> Option<String> {
    use_context::<AfterPost>().and_then(|after| after.input(name).map(str::to_string))
}

/// The id in the route parameter `name`, if it is one.
pub fn uuid_param(name: &'static str) -> impl Fn() -> Option<uuid::Uuid> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.try_with(|p| p.get(name).and_then(|id| uuid::Uuid::parse_str(&id).ok())).flatten()
}

/// Loads what an id in the URL names; a malformed id is `NotFound` like an unknown one.
pub async fn load_or_not_found<T, F>(id: Option<uuid::Uuid>, load: impl Fn(uuid::Uuid) -> F) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    match id {
        Some(id) => load(id).await,
        None => Err(AppError::NotFound),
    }
}

/// A translated text as a signal, for component props such as a field's label.
pub fn text(f: impl Fn() -> &'static str + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(move || f().to_string())
}

/// A labelled input with a hint and an inline error, wired up for screen readers.
/// With `rows`, a multi-line text area.
#[component]
pub fn Field(
    #[prop(into)] name: String,
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(default = false)] required: bool,
    #[prop(optional)] rows: Option<u32>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let value = kept_input(&name).or(value);
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let field_error = {
        let name = name.clone();
        Signal::derive(move || error.get().and_then(|e| e.field_error(&name)))
    };
    let described_by = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if field_error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || field_error.get().is_some()>
            <label class="field__label" for=id.clone()>{move || label.get()}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{move || hint.get()}</p> })}
            {
                let error_id = error_id.clone();
                move || field_error.get().map(|key| view! {
                    <p class="field__error" id=error_id.clone()>{error_key_text(locale, key)}</p>
                })
            }
            {
                let invalid = move || field_error.get().is_some().then_some("true");
                match rows {
                    Some(rows) => Either::Left(view! {
                        <textarea
                            class="field__input field__input--area"
                            id=id.clone()
                            name=name.clone()
                            rows=rows
                            required=required
                            aria-invalid=invalid
                            aria-describedby=described_by
                        >{value.clone().unwrap_or_default()}</textarea>
                    }),
                    None => Either::Right(view! {
                        <input
                            class="field__input"
                            id=id.clone()
                            name=name.clone()
                            type=kind
                            value=value.clone()
                            autocomplete=autocomplete
                            required=required
                            aria-invalid=invalid
                            aria-describedby=described_by
                        />
                    }),
                }
            }
        </div>
    }
}

/// A labelled `<select>` with a hint and an inline error, like [`Field`]; the options
/// are its children.
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(into)] error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let id = format!("field-{name}");
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let field_error = {
        let name = name.clone();
        Signal::derive(move || error.get().and_then(|e| e.field_error(&name)))
    };
    let described_by = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let ids: Vec<&str> = [has_hint.then_some(hint_id.as_str()), field_error.get().map(|_| error_id.as_str())]
                .into_iter()
                .flatten()
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || field_error.get().is_some()>
            <label class="field__label" for=id.clone()>{move || label.get()}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{move || hint.get()}</p> })}
            {
                let error_id = error_id.clone();
                move || field_error.get().map(|key| view! {
                    <p class="field__error" id=error_id.clone()>{error_key_text(locale, key)}</p>
                })
            }
            <select
                class="field__input"
                id=id.clone()
                name=name.clone()
                aria-invalid=move || field_error.get().is_some().then_some("true")
                aria-describedby=described_by
            >
                {children()}
            </select>
        </div>
    }
}

/// Percent-encodes text for a URL (query values, `filename*`): everything but
/// unreserved ASCII.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A moment's date as people read it (day-month-year), the same on server and browser.
pub fn date_text(at: time::OffsetDateTime) -> String {
    day_text(at.date())
}

/// A date as people read it (day-month-year).
pub fn day_text(d: time::Date) -> String {
    format!("{}-{}-{}", d.day(), u8::from(d.month()), d.year())
}

/// A summary of what went wrong, announced to screen readers, above a form.
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    move || {
        error.get().map(|e| {
            view! {
                <div class="alert alert--error" role="alert">
                    <p>{error_text(locale, &e)}</p>
                </div>
            }
        })
    }
}

/// A chart as a figure: the SVG (`chart`, with its own title and description), a
/// caption saying what it shows in words, and its figures as a table (`children`)
/// behind "show as table", so every chart reads without sight, script or colour.
#[component]
pub fn ChartFigure(
    chart: AnyView,
    caption: AnyView,
    /// The label of the toggle that shows the table.
    show_table: &'static str,
    /// "reading" for a caption that says what the chart shows; "" for a plain label.
    #[prop(default = "reading")]
    caption_class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <figure class="chart">
            {chart}
            <figcaption class=caption_class>{caption}</figcaption>
            <details class="chart__data">
                <summary>{show_table}</summary>
                {children()}
            </details>
        </figure>
    }
}

#[component]
pub fn Alert(#[prop(default = "info")] kind: &'static str, children: Children) -> impl IntoView {
    let role = if kind == "error" { "alert" } else { "status" };
    view! { <div class=format!("alert alert--{kind}") role=role>{children()}</div> }
}

#[component]
pub fn EmptyState(#[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state">
            <div class="empty-state__mark" aria-hidden="true"></div>
            <h2 class="empty-state__title">{move || title.get()}</h2>
            <div class="empty-state__body">{children()}</div>
        </section>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! { <p class="loading" role="status">{td_string!(locale, app.loading)}</p> }
}

/// The frame of a signed-in page that shows one resource: the login for visitors,
/// then [`loaded`].
pub fn resource_page<T, F, V>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> Option<V> + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    signed_in(move |_| loaded(resource, render.clone()))
}

/// One resource on a page: a loading state, then `render`'s view, or the not-found
/// page (when the server answers `NotFound` or `render` gives `None`), or the error.
pub fn loaded<T, F, V>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> Option<V> + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await.map(&render) {
                        Ok(Some(page)) => page.into_any(),
                        Ok(None) | Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error=Signal::stored(Some(error))/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Renders `page` for the signed-in user; sends everyone else to the login page.
pub fn signed_in<V, F>(page: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = expect_context::<Auth>();
    let location = use_location();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    let (user, after_post) = (auth.user.await, auth.after_post.await);
                    provide_context(after_post.unwrap_or_default());
                    match user {
                        Ok(Some(user)) => page(user).into_any(),
                        Ok(None) => {
                            let next = location.pathname.get_untracked();
                            view! { <Redirect path=format!("/login?next={next}")/> }.into_any()
                        }
                        Err(error) => view! { <ErrorAlert error=Signal::stored(Some(error))/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The page for anything that does not exist or that this person may not see.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_i18n().get_locale_untracked();
    view! {
        <leptos_meta::Title text=td_string!(locale, notfound.title)/>
        <section class="card narrow">
            <h1>{td_string!(locale, notfound.title)}</h1>
            <p>{td_string!(locale, notfound.body)}</p>
            <p><a href="/" class="button">{td_string!(locale, notfound.home)}</a></p>
        </section>
    }
}
