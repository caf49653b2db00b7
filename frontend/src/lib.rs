//! The wasm entry point: wakes the islands (the live parts) of the page the server
//! rendered. Nothing else lives here.

#![recursion_limit = "256"]

// The islands are exported from `app`; naming the crate links it into the bundle.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
