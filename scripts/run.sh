#!/usr/bin/env bash
# Builds and runs Kring on the embedded SQLite database (data/kring.db), with demo
# data on first start, at http://127.0.0.1:3000. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
step "building Kring (release; the first build takes several minutes)"
cargo leptos build --release
step "starting Kring on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (demo accounts: see README)"
export LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD
exec "$CARGO_TARGET_DIR/release/kring" serve --demo
