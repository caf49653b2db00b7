//! Communities of practice (PLGs). For now the home page: "my communities", with a
//! friendly explanation while a person has none.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;
use crate::ui::{EmptyState, signed_in};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    signed_in(move |user| {
        view! {
            <Title text=t_string!(i18n, home.title)/>
            <h1>{t!(i18n, home.greeting, name = user.name.clone())}</h1>
            <section aria-labelledby="my-communities">
                <h2 id="my-communities">{t!(i18n, home.communities_title)}</h2>
                <EmptyState title=Signal::derive(move || t_string!(i18n, home.empty_title).to_string())>
                    <p>{t!(i18n, home.empty_body)}</p>
                    <p>{t!(i18n, home.empty_next)}</p>
                </EmptyState>
            </section>
        }
    })
}
