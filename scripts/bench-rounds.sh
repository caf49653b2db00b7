#!/usr/bin/env bash
# Live rounds under load (server/benches/rounds.rs): 100 rounds x 8 screens over SSE,
# every lead stepping at once, first on one server with SQLite, then on two servers
# sharing one PostgreSQL database (screens spread over both, leads on the first).
# Prints each run's table: step-to-screen p50/p95/p99, deliveries, memory per server,
# beside the /healthz baseline of the same run. Then, on the same servers, a morning
# (server/benches/morning.rs): 300 rounds spread over an hour, compressed
# MORNING_SPEEDUP (6) times, with people joining, reconnecting and writing; MORNING=0
# skips it. BENCH_ROUNDS and BENCH_STEPS as in the benchmark. Uses the test command's
# build (same profile and features), so after scripts/test.sh little is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/common.sh

step "building the server and the benchmark"
built=$(cargo test --release -p app -p kring -p migration --features app/ssr --no-run --bench rounds --bench morning 2>&1)
bench=$(sed -n 's/.*Executable benches\/rounds.rs (\(.*\))/\1/p' <<<"$built")
morning=$(sed -n 's/.*Executable benches\/morning.rs (\(.*\))/\1/p' <<<"$built")
[ -x "$bench" ] && [ -x "$morning" ] || { echo "could not build the benchmarks:" >&2; echo "$built" >&2; exit 1; }
run_morning() { # urls pids
  [ "${MORNING:-1}" = 0 ] && return 0
  step "a morning: ${MORNING_ROUNDS:-300} rounds over an hour, ${MORNING_SPEEDUP:-6}x compressed"
  KRING_BENCH_URLS="$1" KRING_BENCH_PIDS="$2" "$morning" --bench
}
kring="$CARGO_TARGET_DIR/release/kring"

dir=$(mktemp -d /tmp/kring-bench-rounds.XXXXXX)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_postgres
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # name database_url args...
  local name=$1 url=$2 port
  shift 2
  port=$(free_port)
  mkdir -p "$dir/$name"
  DATABASE_URL="$url" KRING_DATA_DIR="$dir/$name" KRING_SECRET="$(printf 'b%.0s' $(seq 64))" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$dir/$name" LEPTOS_ENV=PROD RUST_LOG=warn \
    "$kring" "$@" >"$dir/$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "$name did not start" >&2; cat "$dir/$name.log" >&2; exit 1; }
  started_url="http://127.0.0.1:$port"
  started_pid=$!
}

step "one server, SQLite"
start sqlite "sqlite://$dir/kring.db" serve --demo
KRING_BENCH_URLS="$started_url" KRING_BENCH_PIDS="$started_pid" "$bench" --bench
run_morning "$started_url" "$started_pid"
kill "$started_pid"; wait "$started_pid" 2>/dev/null || true

step "two servers, one PostgreSQL database"
start_postgres
start first "$pg_url" serve --demo
first_url=$started_url first_pid=$started_pid
start second "$pg_url" serve
KRING_BENCH_URLS="$first_url,$started_url" KRING_BENCH_PIDS="$first_pid,$started_pid" "$bench" --bench
run_morning "$first_url,$started_url" "$first_pid,$started_pid"
