//! The privacy page: what Kring keeps about a person, who sees it, for how long and
//! what they can do, in plain words readable without signing in; signed in, the
//! download of all one's data and the form to erase one's own account.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::EraseAccount;
use crate::i18n::*;
use crate::ui::{Auth, ErrorAlert, Field, action_error, kept_input, text};

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, privacy.title)/>
        <article class="card prose narrow-wide">
            <h1>{t!(i18n, privacy.title)}</h1>
            <p class="lead">{t!(i18n, privacy.intro)}</p>
            <h2>{t!(i18n, privacy.stores_title)}</h2>
            <p>{t!(i18n, privacy.stores_body)}</p>
            <h2>{t!(i18n, privacy.who_title)}</h2>
            <ul>
                <li>{t!(i18n, privacy.who_members)}</li>
                <li>{t!(i18n, privacy.who_facilitators)}</li>
                <li>{t!(i18n, privacy.who_leaders)}" "<a href="/privacy/leaders">{t!(i18n, privacy.leaders_link)}</a></li>
                <li>{t!(i18n, privacy.who_admins)}</li>
                <li>{t!(i18n, privacy.who_guests)}</li>
            </ul>
            <h2>{t!(i18n, privacy.kept_title)}</h2>
            <p>{t!(i18n, privacy.kept_body)}</p>
            <h2>{t!(i18n, privacy.rights_title)}</h2>
            <p>{t!(i18n, privacy.rights_body)}</p>
        </article>
        <EraseCard/>
    }
}

/// For the signed-in: downloading all their data, and erasing their account with
/// the password and a confirmation.
#[component]
fn EraseCard() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let erase = ServerAction::<EraseAccount>::new();
    let error = action_error(erase);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(auth.user.await, Ok(Some(_)));
                provide_context(auth.after_post.await.unwrap_or_default());
                signed_in.then(|| view! {
                    <section class="card narrow-wide" aria-labelledby="export-title">
                        <h2 id="export-title">{t!(i18n, privacy.export_title)}</h2>
                        <p>{t!(i18n, privacy.export_explained)}</p>
                        <p><a class="button button--primary" href="/me/export.zip" download="kring-mijn-gegevens.zip">{t!(i18n, privacy.export_link)}</a></p>
                    </section>
                    <section class="card narrow-wide" aria-labelledby="erase-title">
                        <h2 id="erase-title">{t!(i18n, privacy.erase_title)}</h2>
                        <p>{t!(i18n, privacy.erase_explained)}</p>
                        <ErrorAlert error=error/>
                        <ActionForm action=erase attr:class="form" attr:novalidate=true>
                            <Field name="password" kind="password" autocomplete="current-password" required=true
                                label=text(move || t_string!(i18n, privacy.erase_password)) error=error/>
                            <div class="field field--check">
                                // Ticked again after a refused try: the form posts as a page, and the
                                // tick comes back with the rest of the kept input.
                                <input type="checkbox" id="field-understood" name="understood" value="on"
                                    checked=kept_input("understood").is_some_and(|v| v == "on")/>
                                <label for="field-understood">{t!(i18n, privacy.erase_understood)}</label>
                            </div>
                            <button type="submit" class="button button--danger">{t!(i18n, privacy.erase_submit)}</button>
                        </ActionForm>
                    </section>
                })
            })}
        </Suspense>
    }
}
