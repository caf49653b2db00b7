//! The HTML document and the app shell: header with navigation, language switch,
//! routes (the pages, and on the server the features' plain HTTP routes), and the
//! session that every page shares.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::account::api::{ChangePassword, Login, Logout, ResetPassword, SetLanguage};
use crate::account::views::{ForgotPasswordPage, LoginPage, ProfilePage, ResetPasswordPage};
use crate::artifact::views::{ArtifactPageView, EditArtifactPage, HistoryPage, KnowledgePage, NewArtifactPage};
use crate::community::views::{DirectoryPage, LevelPage, NewCommunityPage};
use crate::i18n::*;
use crate::intervision::method::views::{EditMethodPage, MethodLibraryPage};
use crate::intervision::round::views::{PlanRoundPage, RoundPageView};
use crate::lesson_study::discuss::DiscussionPage;
use crate::lesson_study::observe::ObservePage;
use crate::lesson_study::share::ReportPage;
use crate::lesson_study::views::{CyclePageView, PlanPage, PlanPrintPage, StartCyclePage};
use crate::meeting::views::{EditMeetingPage, MeetingPageView, NewMeetingPage};
use crate::notification::views::NotificationsPage;

use crate::dashboard::views::{DashboardPage, LeadersSeePage};
use crate::organisation::views::{SignUpPage, StaffPage};
use crate::pages::community::{CommunityPageView, EditCommunityPage};
use crate::pages::home::HomePage;
use crate::privacy::views::PrivacyPage;
use crate::survey::views::{NewSurveyPage, StatementsPage, SurveyPageView, SurveysPage};
use crate::ui::{Auth, NotFound, language_of};

/// The features' plain HTTP routes (file uploads and downloads, archives, calendars,
/// live round screens: what a server function cannot answer), for the server to mount
/// beside the pages. Each feature keeps its own in a `routes` (or `live`) module.
#[cfg(feature = "ssr")]
pub fn http_routes(state: &crate::state::AppState) -> axum::Router<crate::state::AppState> {
    axum::Router::new()
        .merge(crate::artifact::routes::routes(state.settings.upload_max_bytes))
        .merge(crate::lesson_study::routes::routes(state.settings.upload_max_bytes))
        .merge(crate::meeting::routes::routes())
        .merge(crate::intervision::round::live::routes())
        .merge(crate::privacy::routes::routes())
        .merge(crate::dashboard::routes::routes())
}

/// The per-request nonce the server puts in the Content-Security-Policy; the
/// hydration scripts carry it.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The whole document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned()) {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider>
            <Stylesheet id="leptos" href="/pkg/kring.css"/>
            <Title formatter=|text: String| if text.is_empty() { "Kring".to_string() } else { format!("{text} · Kring") }/>
            <Router>
                <Shell/>
            </Router>
        </I18nContextProvider>
    }
}

/// Everything inside the router. The session's actions are created here, inside the
/// router, so that a form posted without JavaScript gets its error back from the URL.
#[component]
fn Shell() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    // `try_get`: on the server a resource's source may be polled once more after the
    // request's reactive owner is gone.
    let user = Resource::new(
        move || {
            (
                login.version().try_get(),
                logout.version().try_get(),
                reset.version().try_get(),
                change_password.version().try_get(),
            )
        },
        |_| crate::account::api::get_current_user(),
    );
    let after_post = Resource::new(|| (), |_| crate::account::api::take_after_post());
    provide_context(Auth { user, login, logout, reset, change_password, after_post });

    view! {
        <a class="skip-link" href="#main">{t!(use_i18n(), app.skip_to_content)}</a>
        <Header/>
        <main id="main" class="page" tabindex="-1">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/password/forgot") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/password/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=SignUpPage ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/staff") view=StaffPage ssr=SsrMode::Async/>
                <Route path=path!("/communities") view=DirectoryPage ssr=SsrMode::Async/>
                <Route path=path!("/communities/new") view=NewCommunityPage ssr=SsrMode::Async/>
                <Route path=path!("/c/:id") view=CommunityPageView ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/edit") view=EditCommunityPage ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/level") view=LevelPage ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/meetings/new") view=NewMeetingPage ssr=SsrMode::Async/>
                <Route path=path!("/m/:meeting_id") view=MeetingPageView ssr=SsrMode::Async/>
                <Route path=path!("/m/:meeting_id/edit") view=EditMeetingPage ssr=SsrMode::Async/>
                <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async/>
                <Route path=path!("/knowledge") view=KnowledgePage ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/artifacts/new") view=NewArtifactPage ssr=SsrMode::Async/>
                <Route path=path!("/a/:artifact_id") view=ArtifactPageView ssr=SsrMode::Async/>
                <Route path=path!("/a/:artifact_id/edit") view=EditArtifactPage ssr=SsrMode::Async/>
                <Route path=path!("/a/:artifact_id/history") view=HistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/rounds/new") view=PlanRoundPage ssr=SsrMode::Async/>
                <Route path=path!("/r/:round_id") view=RoundPageView ssr=SsrMode::Async/>
                <Route path=path!("/methods") view=MethodLibraryPage ssr=SsrMode::Async/>
                <Route path=path!("/methods/:method_id/edit") view=EditMethodPage ssr=SsrMode::Async/>
                <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/privacy/leaders") view=LeadersSeePage ssr=SsrMode::Async/>
                <Route path=path!("/surveys") view=SurveysPage ssr=SsrMode::Async/>
                <Route path=path!("/surveys/new") view=NewSurveyPage ssr=SsrMode::Async/>
                <Route path=path!("/surveys/statements") view=StatementsPage ssr=SsrMode::Async/>
                <Route path=path!("/surveys/:survey_id") view=SurveyPageView ssr=SsrMode::Async/>
                <Route path=path!("/c/:id/lesson-study/new") view=StartCyclePage ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id") view=CyclePageView ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id/plan") view=PlanPage ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id/print") view=PlanPrintPage ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id/observe") view=ObservePage ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id/discuss") view=DiscussionPage ssr=SsrMode::Async/>
                <Route path=path!("/ls/:cycle_id/report") view=ReportPage ssr=SsrMode::Async/>
            </Routes>
        </main>
        <footer class="site-footer">
            <p>{t!(use_i18n(), app.footer)}" · "<a href="/privacy">{t!(use_i18n(), privacy.link)}</a></p>
        </footer>
        <HydrationMark/>
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    // Opening the notifications marks them read, so that page shows no count.
    let reading_notices = leptos_router::hooks::use_location().pathname.get_untracked() == "/notifications";
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Kring"</span>
                </A>
                <nav aria-label=move || t_string!(i18n, app.nav_label) class="site-nav">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match auth.user.await {
                                Ok(Some(user)) => {
                                    let admin = user.is_admin();
                                    let unread = (user.unread_notifications > 0 && !reading_notices).then_some(user.unread_notifications);
                                    let badge = move || unread.map(|count| view! {
                                        " "<span class="count-badge">{count}<span class="visually-hidden">" "{t!(i18n, app.nav_unread)}</span></span>
                                    });
                                    // On a phone the links fold into a menu; <details> opens
                                    // without JavaScript.
                                    view! {
                                        <details class="site-nav__menu">
                                            <summary class="site-nav__toggle">{t!(i18n, app.nav_menu)}{badge}</summary>
                                            <ul class="site-nav__list">
                                                <li><A href="/">{t!(i18n, app.nav_home)}</A></li>
                                                {user.has_organisation().then(|| view! { <li><A href="/communities">{t!(i18n, app.nav_directory)}</A></li> })}
                                                <li><A href="/knowledge">{t!(i18n, app.nav_knowledge)}</A></li>
                                                {user.has_organisation().then(|| view! { <li><A href="/surveys">{t!(i18n, surveys.nav)}</A></li> })}
                                                {user.leads().then(|| view! { <li><A href="/dashboard">{t!(i18n, dashboard.nav)}</A></li> })}
                                                {admin.then(|| view! { <li><A href="/admin/staff">{t!(i18n, app.nav_staff)}</A></li> })}
                                                <li><A href="/notifications">{t!(i18n, app.nav_notifications)}{badge}</A></li>
                                                <li><A href="/profile">{t!(i18n, app.nav_profile)}</A></li>
                                                <li>
                                                    <ActionForm action=auth.logout attr:class="inline-form">
                                                        <button type="submit" class="link-button">{t!(i18n, app.nav_logout)}</button>
                                                    </ActionForm>
                                                </li>
                                            </ul>
                                        </details>
                                    }
                                    .into_any()
                                }
                                _ => view! {
                                    <ul class="site-nav__list">
                                        <li><A href="/login">{t!(i18n, app.nav_login)}</A></li>
                                    </ul>
                                }
                                .into_any(),
                            }
                        })}
                    </Transition>
                    <LanguageSwitch/>
                </nav>
            </div>
        </header>
    }
}

/// Switches the interface language; a plain form, so it works without JavaScript too.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLanguage>::new();
    let other = move || match language_of(i18n.get_locale()) {
        crate::account::domain::Language::Nl => crate::account::domain::Language::En,
        crate::account::domain::Language::En => crate::account::domain::Language::Nl,
    };
    view! {
        <ActionForm action=action attr:class="inline-form language-switch">
            <input type="hidden" name="language" prop:value=move || other().as_str() value=move || other().as_str()/>
            <button type="submit" class="link-button" lang=move || other().as_str()>
                {move || match other() {
                    crate::account::domain::Language::Nl => "Nederlands",
                    crate::account::domain::Language::En => "English",
                }}
            </button>
        </ActionForm>
    }
}

/// The last island on every page: islands hydrate in document order, so when this one
/// runs, every island before it is live. It marks `<body>`; the browser tests wait
/// for the mark before they use an island.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
