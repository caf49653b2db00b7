#!/usr/bin/env bash
# Builds and runs Kring on the embedded SQLite database (data/kring.db), with demo
# data on first start, at http://127.0.0.1:3000. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
scripts/setup.sh --server
# The server needs only Rust, so its release build (the longest step on a fresh
# machine) runs while the build tools install, instead of after them.
step "building the server (release) while the build tools install; log: $CARGO_TARGET_DIR/server-build.log"
mkdir -p "$CARGO_TARGET_DIR"
# Its own process group, so stopping the script stops cargo's compilers too.
setsid cargo build --release -p kring >"$CARGO_TARGET_DIR/server-build.log" 2>&1 &
server_build=$!
trap 'kill -- -"$server_build" 2>/dev/null || true' EXIT
scripts/setup.sh
step "building the browser bundle (wasm, styles and assets) beside the server build"
cargo leptos build --release --frontend-only
step "waiting for the server build"
if ! wait "$server_build"; then
  tail -n 40 "$CARGO_TARGET_DIR/server-build.log"
  echo "building the server failed; the whole log is $CARGO_TARGET_DIR/server-build.log" >&2
  exit 1
fi
trap - EXIT
step "starting Kring on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (demo accounts: see README)"
export LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD
exec "$CARGO_TARGET_DIR/release/kring" serve --demo
