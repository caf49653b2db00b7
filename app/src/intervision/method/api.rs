//! Server functions for the organisation's method library: copying, adapting and
//! archiving methods. Each is thin: session → permission (inside the service:
//! facilitators of the organisation) → service → DTO.

// Server functions take one argument per field of the plain HTML form that posts them.
#![allow(clippy::too_many_arguments)]

use super::domain::Method;
use super::domain::MethodForm;
use super::domain::PhaseForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::Deserialize;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::library;
#[cfg(feature = "ssr")]
use crate::account::session;

/// The organisation's method library: the built-in methods and those its facilitators
/// adapted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodLibrary {
    /// Facilitators and admins copy and adapt methods; everyone else reads.
    pub may_adapt: bool,
    pub built_in: Vec<Method>,
    pub adapted: Vec<AdaptedMethod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdaptedMethod {
    pub id: Uuid,
    pub method: Method,
    pub author: Option<String>,
    pub updated_at: OffsetDateTime,
    /// Put away: not offered when planning; can be brought back.
    pub archived: bool,
}

/// An adapted method as its edit form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodEdit {
    pub id: Uuid,
    pub form: MethodForm,
    pub total_minutes: u32,
}

#[server(endpoint = "method_library")]
pub async fn get_method_library() -> Result<MethodLibrary, AppError> {
    session::as_viewer(|state, viewer| async move { library::library(&state.db, &viewer).await }).await
}

/// Copies a built-in method (its key) or an adapted one (its id) for adapting.
#[server(endpoint = "copy_method")]
pub async fn copy_method(from: String) -> Result<Uuid, AppError> {
    session::as_viewer(|state, viewer| async move {
        let id = library::copy(&state.db, &viewer, &from).await?;
        leptos_axum::redirect(&format!("/methods/{id}/edit"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "method_for_editing")]
pub async fn method_for_editing(method_id: Uuid, language: String) -> Result<MethodEdit, AppError> {
    session::as_viewer(
        |state, viewer| async move { library::for_editing(&state.db, &viewer, method_id, &language).await },
    )
    .await
}

/// Saves an adapted method. `language` is the one the form was shown in: texts left
/// as they were keep both languages.
#[server(endpoint = "update_method")]
#[allow(clippy::too_many_arguments)]
pub async fn update_method(
    method_id: Uuid,
    language: String,
    name: String,
    #[server(default)] description: String,
    #[server(default)] when_to_use: String,
    trust: String,
    #[server(default)] phases: Vec<PhaseForm>,
) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        let form = MethodForm { name, description, when_to_use, trust, phases };
        library::update(&state.db, &viewer, method_id, &language, form).await?;
        leptos_axum::redirect("/methods");
        Ok(())
    })
    .await
}

/// Puts an adapted method away (`archived = "true"`) or brings it back.
#[server(endpoint = "archive_method")]
pub async fn archive_method(method_id: Uuid, archived: bool) -> Result<(), AppError> {
    session::as_viewer(|state, viewer| async move {
        library::set_archived(&state.db, &viewer, method_id, archived).await?;
        leptos_axum::redirect("/methods");
        Ok(())
    })
    .await
}
