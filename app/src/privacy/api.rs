//! Server functions for a person's own data: session → (their own account only) →
//! service.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::service, crate::account::session};

/// Erases the signed-in person's account after they confirm with their password and
/// tick that they understand; signs them out.
#[server(endpoint = "erase_account")]
pub async fn erase_account(password: String, #[server(default)] understood: Option<String>) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        service::erase(&state, &viewer, password, understood.is_some()).await?;
        session::sign_out(&session::current_session().await?).await?;
        leptos_axum::redirect("/login?erased=1");
        Ok(())
    })
    .await
}
