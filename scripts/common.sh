# Shared by the run, test and bench scripts: one target directory outside the clone
# (so fresh clones reuse compiled dependencies) and the npm build tools on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kring/target}"
export PATH="$(pwd)/scripts/node_modules/.bin:$(pwd)/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Each step says how long the script has run, so slow steps show in any log.
step() { printf '\033[1m==> %s\033[0m (%dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
# Leptos reads LEPTOS_OUTPUT_NAME at compile time and cargo-leptos sets it; setting it
# for every cargo call lets the test build reuse the site build's compiled crates.
export LEPTOS_OUTPUT_NAME=kring

# A throwaway PostgreSQL server of Debian's packages in a fresh directory, run as the
# postgres user when we are root. Sets pg_dir and pg_url; extra arguments are server
# options (`-c fsync=off`). `stop_postgres` stops it and removes its directory.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pg_dir=$(mktemp -d /tmp/kring-pg.XXXXXX)
  chown postgres "$pg_dir" 2>/dev/null || true
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir $*" \
    -l "$pg_dir/log" -w start >/dev/null
  pg_url="postgres://postgres@127.0.0.1:$port/postgres"
}
stop_postgres() {
  [ -n "${pg_dir:-}" ] || return 0
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
