//! Pages of the account feature: sign in, forgotten password, reset, sign-up from an
//! invitation, and the profile. Every form is a plain POST first and works without
//! JavaScript; with it, errors appear in place.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::RequestPasswordReset;
use super::domain::{ExperienceBand, Language};
use crate::account::domain::Flash;
use crate::i18n::*;
use crate::organisation::api::{AcceptGuestInvitation, RequestSignUp, get_invitation_details};
use crate::ui::{
    Alert, Auth, ErrorAlert, Field, Loading, action_error, band_text, flashed, role_text, signed_in, text,
    with_after_post,
};

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
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let error = action_error(auth.sign_up);
    let token = use_params_map().with_untracked(|p| p.get("token")).unwrap_or_default();
    let details = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_invitation_details,
    );
    view! {
        <Title text=t_string!(i18n, signup.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, signup.title)}</h1>
            <Suspense fallback=Loading>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        provide_context(auth.after_post.await.unwrap_or_default());
                        match details.await {
                            Err(_) => view! {
                                <Alert kind="error"><p>{t!(i18n, signup.invalid)}</p></Alert>
                                <p><a href="/login">{t!(i18n, signup.to_login)}</a></p>
                            }.into_any(),
                            Ok(invitation) if invitation.has_account => {
                                let community = invitation.guest_of.clone().unwrap_or_default();
                                let login = format!("/login?next=/invite/{token}");
                                view! {
                                    <p class="lead">{t!(i18n, signup.guest_intro, community = community.clone(), school = invitation.school_name.clone())}</p>
                                    {if invitation.signed_in_as_invitee {
                                        view! {
                                            <form method="post" action=AcceptGuestInvitation::url() class="form">
                                                <input type="hidden" name="token" value=token.clone()/>
                                                <button type="submit" class="button button--primary">{t!(i18n, signup.accept)}</button>
                                            </form>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>{t!(i18n, signup.has_account)}</p>
                                            <p><a class="button button--primary" href=login>{t!(i18n, signup.login_to_accept)}</a></p>
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                            Ok(invitation) if invitation.email.is_none() => view! {
                                <p class="lead">{t!(i18n, signup.link_intro, school = invitation.school_name.clone(), role = move || role_text(i18n.get_locale(), invitation.role))}</p>
                                <LinkSignUp token=token/>
                            }.into_any(),
                            Ok(invitation) => {
                                let school = invitation.school_name.clone();
                                let role = invitation.role;
                                view! {
                                    {match invitation.guest_of.clone() {
                                        Some(community) => view! {
                                            <p class="lead">{t!(i18n, signup.guest_intro, community = community.clone(), school = school.clone())}</p>
                                        }.into_any(),
                                        None => view! {
                                            <p class="lead">{t!(i18n, signup.intro, school = school.clone(), role = move || role_text(i18n.get_locale(), role))}</p>
                                        }.into_any(),
                                    }}
                                    <ErrorAlert error=error/>
                                    <ActionForm action=auth.sign_up attr:class="form" attr:novalidate=true>
                                        <input type="hidden" name="token" value=token/>
                                        <Field name="name" autocomplete="name" required=true
                                            label=text(move || t_string!(i18n, signup.name)) error=error/>
                                        <p class="field__static">
                                            <span class="field__label">{t!(i18n, signup.email)}</span>
                                            <span>{invitation.email.clone()}</span>
                                        </p>
                                        <Field name="password" kind="password" autocomplete="new-password" required=true
                                            label=text(move || t_string!(i18n, signup.password))
                                            hint=text(move || t_string!(i18n, reset.password_hint)) error=error/>
                                        <Field name="password_confirm" kind="password" autocomplete="new-password" required=true
                                            label=text(move || t_string!(i18n, signup.password_confirm)) error=error/>
                                        <button type="submit" class="button button--primary">{t!(i18n, signup.submit)}</button>
                                    </ActionForm>
                                }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// A shared link asks only for the address: the account is made from the personal
/// invitation mailed there, so the page never says whether the address has one.
#[component]
fn LinkSignUp(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let action = ServerAction::<RequestSignUp>::new();
    let error = action_error(action);
    let sent_by_redirect = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let sent = move || sent_by_redirect || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Show when=sent fallback=move || view! {
            <ErrorAlert error=error/>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="token" value=token.get_value()/>
                <Field name="email" kind="email" autocomplete="email" required=true
                    label=text(move || t_string!(i18n, signup.email)) error=error/>
                <button type="submit" class="button button--primary">{t!(i18n, signup.link_submit)}</button>
            </ActionForm>
        }>
            <Alert kind="success"><p>{t!(i18n, signup.link_sent)}</p></Alert>
        </Show>
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
