#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and database tests against SQLite and a
# real PostgreSQL server, and the browser tests (Playwright driving Chromium).
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/common.sh

step "rustfmt"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --release -p app -p kring -p migration --features app/ssr --all-targets -- -D warnings
cargo clippy --release -p frontend --target wasm32-unknown-unknown -- -D warnings

step "starting a throwaway PostgreSQL server"
start_postgres -c fsync=off
cleanup() {
  stop_postgres
  [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2>/dev/null || true
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "${e2e_dir:-}" "${results:-}"
}
trap cleanup EXIT
export KRING_TEST_POSTGRES_URL="$pg_url"
export KRING_REQUIRE_POSTGRES=1

step "starting a throwaway S3-compatible server (moto)"
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HOME/.cache/kring/moto-5.2.5/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >/dev/null 2>&1 &
s3_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$s3_port/" >/dev/null && break; sleep 0.2; done
curl -sf -X PUT "http://127.0.0.1:$s3_port/kring-test" >/dev/null
export KRING_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port" KRING_TEST_S3_BUCKET=kring-test KRING_REQUIRE_S3=1

step "unit, service and HTTP tests (SQLite and PostgreSQL)"
results=$(mktemp /tmp/kring-results.XXXXXX)
cargo test --release -p app -p kring -p migration --features app/ssr 2>&1 | tee "$results"

step "browser bundle (wasm, styles and assets; the server binary is the test build's)"
# `cargo test` above already built target/release/kring with the same profile and
# features; building only the frontend here keeps the server from being compiled twice.
cargo leptos build --release --frontend-only

step "browser tests (Playwright + Chromium, JavaScript on and off, axe-core)"
e2e_dir=$(mktemp -d /tmp/kring-e2e.XXXXXX)
# The browser tests walk through the demo board (KRING_DEMO=1 asks `serve` for it).
e2e_port=${KRING_E2E_PORT:-3217}
DATABASE_URL="sqlite://$e2e_dir/kring.db" KRING_DATA_DIR="$e2e_dir" KRING_E2E_OUTBOX="$e2e_dir/outbox" \
  KRING_DEMO=1 LEPTOS_SITE_ADDR="127.0.0.1:$e2e_port" LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD \
  "$CARGO_TARGET_DIR/release/kring" serve >"$e2e_dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$e2e_port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$e2e_dir/server.log"; exit 1; }
  sleep 0.2
done
export KRING_E2E_OUTBOX="$e2e_dir/outbox" KRING_E2E_BASE_URL="http://127.0.0.1:$e2e_port"
(cd end2end && npx playwright test) 2>&1 | tee -a "$results"

step "all tests passed"
python3 - "$results" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
passed = failed = 0
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed", text):
    passed, failed = passed + int(m[1]), failed + int(m[2])
if m := re.search(r"^\s*(\d+) passed \(", text, re.M):
    passed += int(m[1])
if m := re.search(r"^\s*(\d+) failed$", text, re.M):
    failed += int(m[1])
print(f"tests: {passed} passed, {failed} failed")
PY
