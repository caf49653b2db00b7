//! Pages of the account feature: sign in, forgotten password, reset and the profile. Every form is a plain POST first and works without
//! JavaScript; with it, errors appear in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::RequestPasswordReset;
use super::domain::{ExperienceBand, Language};
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::ui::{Alert, Auth, ErrorAlert, Field, action_error, band_text, flashed, signed_in, text, with_after_post};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let error = action_error(auth.login);
    let next = use_query_map().with_untracked(|q| q.get("next")).unwrap_or_default();
    let erased = use_query_map().with_untracked(|q| q.get("erased").is_some());
    with_after_post(move || {
        let next = next.clone();
        view! {
            <Title text=t_string!(i18n, login.title)/>
            <section class="card narrow">
                <h1>{t!(i18n, login.title)}</h1>
                {erased.then(|| view! { <Alert kind="success"><p>{t!(i18n, login.erased)}</p></Alert> })}
                <p class="lead">{t!(i18n, login.intro)}</p>
                <ErrorAlert error=error/>
                <ActionForm action=auth.login attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" value=next/>
                    <Field name="email" kind="email" autocomplete="username" required=true
                        label=text(move || t_string!(i18n, login.email)) error=error/>
                    <Field name="password" kind="password" autocomplete="current-password" required=true
                        label=text(move || t_string!(i18n, login.password)) error=error/>
                    <div class="field field--check">
                        <input type="checkbox" id="field-shared_computer" name="shared_computer" value="on" aria-describedby="field-shared_computer-hint"/>
                        <label for="field-shared_computer">{t!(i18n, login.shared_computer)}</label>
                        <p class="field__hint" id="field-shared_computer-hint">{t!(i18n, login.shared_computer_hint)}</p>
                    </div>
                    <button type="submit" class="button button--primary">{t!(i18n, login.submit)}</button>
                </ActionForm>
                <p><a href="/password/forgot">{t!(i18n, login.forgot)}</a></p>
                <p class="muted">{t!(i18n, login.no_account)}</p>
            </section>
        }
    })
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(action);
    let sent_by_redirect = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let sent = move || sent_by_redirect || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text=t_string!(i18n, forgot.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, forgot.title)}</h1>
            <Show when=sent fallback=move || view! {
                <p class="lead">{t!(i18n, forgot.intro)}</p>
                <ErrorAlert error=error/>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <Field name="email" kind="email" autocomplete="email" required=true
                        label=text(move || t_string!(i18n, forgot.email)) error=error/>
                    <button type="submit" class="button button--primary">{t!(i18n, forgot.submit)}</button>
                </ActionForm>
            }>
                <Alert kind="success"><p>{t!(i18n, forgot.sent)}</p></Alert>
            </Show>
            <p><a href="/login">{t!(i18n, forgot.back)}</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let error = action_error(auth.reset);
    let token = use_params_map().with_untracked(|p| p.get("token")).unwrap_or_default();
    view! {
        <Title text=t_string!(i18n, reset.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, reset.title)}</h1>
            <p class="lead">{t!(i18n, reset.intro)}</p>
            <ErrorAlert error=error/>
            <ActionForm action=auth.reset attr:class="form" attr:novalidate=true>
                <input type="hidden" name="token" value=token/>
                <Field name="password" kind="password" autocomplete="new-password" required=true
                    label=text(move || t_string!(i18n, reset.password))
                    hint=text(move || t_string!(i18n, reset.password_hint)) error=error/>
                <Field name="password_confirm" kind="password" autocomplete="new-password" required=true
                    label=text(move || t_string!(i18n, reset.password_confirm)) error=error/>
                <button type="submit" class="button button--primary">{t!(i18n, reset.submit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let save = ServerAction::<super::api::UpdateProfile>::new();
    let save_error = action_error(save);
    let password_error = action_error(auth.change_password);
    signed_in(move |user| {
        let band = user.experience_band;
        let language = user.language;
        view! {
            <Title text=t_string!(i18n, profile.title)/>
            <h1>{t!(i18n, profile.title)}</h1>
            <p><a href="/privacy">{t!(i18n, profile.privacy_link)}</a></p>
            <div class="grid-2">
                <section class="card" aria-labelledby="profile-details">
                    <h2 id="profile-details">{t!(i18n, profile.details)}</h2>
                    <p class="muted">{user.email.clone()}</p>
                    <ErrorAlert error=save_error/>
                    <Show when=move || flashed(&Flash::ProfileSaved)>
                        <Alert kind="success"><p>{t!(i18n, profile.saved)}</p></Alert>
                    </Show>
                    <ActionForm action=save attr:class="form" attr:novalidate=true>
                        <Field name="name" autocomplete="name" required=true value=user.name.clone()
                            label=text(move || t_string!(i18n, profile.name)) error=save_error/>
                        <div class="field">
                            <label class="field__label" for="field-language">{t!(i18n, profile.language)}</label>
                            <select class="field__input" id="field-language" name="language">
                                {Language::ALL.into_iter().map(|l| view! {
                                    <option value=l.as_str() selected=l == language>
                                        {match l { Language::Nl => "Nederlands", Language::En => "English" }}
                                    </option>
                                }).collect_view()}
                            </select>
                        </div>
                        <fieldset class="fieldset">
                            <legend>{t!(i18n, profile.breadth_title)}</legend>
                            <p class="field__hint">{t!(i18n, profile.breadth_note)}</p>
                            <Field name="department" value=user.department.clone().unwrap_or_default()
                                label=text(move || t_string!(i18n, profile.department)) error=save_error/>
                            <div class="field">
                                <label class="field__label" for="field-experience_band">{t!(i18n, profile.experience)}</label>
                                <select class="field__input" id="field-experience_band" name="experience_band">
                                    <option value="" selected=band.is_none()>{t!(i18n, profile.experience_none)}</option>
                                    {ExperienceBand::ALL.into_iter().map(|b| view! {
                                        <option value=b.as_str() selected=Some(b) == band>{move || band_text(i18n.get_locale(), b)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <Field name="location" value=user.location.clone().unwrap_or_default()
                                label=text(move || t_string!(i18n, profile.location)) error=save_error/>
                        </fieldset>
                        <button type="submit" class="button button--primary">{t!(i18n, profile.save)}</button>
                    </ActionForm>
                </section>
                <section class="card" aria-labelledby="profile-password">
                    <h2 id="profile-password">{t!(i18n, profile.password_title)}</h2>
                    <p class="muted">{t!(i18n, profile.password_note)}</p>
                    <ErrorAlert error=password_error/>
                    <Show when=move || flashed(&Flash::PasswordChanged)>
                        <Alert kind="success"><p>{t!(i18n, profile.password_changed)}</p></Alert>
                    </Show>
                    <ActionForm action=auth.change_password attr:class="form" attr:novalidate=true>
                        <Field name="current_password" kind="password" autocomplete="current-password" required=true
                            label=text(move || t_string!(i18n, profile.current_password)) error=password_error/>
                        <Field name="new_password" kind="password" autocomplete="new-password" required=true
                            label=text(move || t_string!(i18n, profile.new_password))
                            hint=text(move || t_string!(i18n, reset.password_hint)) error=password_error/>
                        <Field name="new_password_confirm" kind="password" autocomplete="new-password" required=true
                            label=text(move || t_string!(i18n, profile.new_password_confirm)) error=password_error/>
                        <button type="submit" class="button">{t!(i18n, profile.change_password)}</button>
                    </ActionForm>
                </section>
            </div>
        }
    })
}
