#!/usr/bin/env bash
# Installs what building and testing Kring needs, once; every step checks first.
#   scripts/setup.sh          build tools (wasm target, cargo-leptos, wasm-bindgen, sass, wasm-opt)
#   scripts/setup.sh --test   also Chromium, the browser-test packages and PostgreSQL
#   scripts/setup.sh --server only what compiling the server needs (quick), so the run
#                             command can start that build while the rest installs
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Tools build in their own throwaway target directories: Kring's (CARGO_TARGET_DIR)
# may be busy with the server build the run command starts beside them.

CARGO_LEPTOS_VERSION=0.3.11
want_test=false
[ "${1:-}" = "--test" ] && want_test=true
server_only=false
[ "${1:-}" = "--server" ] && server_only=true

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  step "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The server's allocator (jemalloc) is built from C with make.
apt_install make
$server_only && exit 0

if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed)"; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes on 2 cores)"
  # Its lock file pins cargo-util-schemas 0.14.2, which needs a newer rustc; 0.14.1 works.
  work=$(mktemp -d)
  (cd "$work" && curl -sSfL "https://static.crates.io/crates/cargo-leptos/cargo-leptos-$CARGO_LEPTOS_VERSION.crate" -o c.crate \
     && tar xzf c.crate)
  src="$work/cargo-leptos-$CARGO_LEPTOS_VERSION"
  # A build tool: its own speed hardly matters (it hands the real work to cargo,
  # wasm-bindgen and wasm-opt), so it is compiled without optimisation, which takes a
  # fraction of the time (figures in docs/build-times.md).
  (cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1 \
     && CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install -q --path . --locked --features no_downloads --target-dir "$work/target")
  rm -rf "$work"
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  step "installing wasm-bindgen-cli $bindgen_version (matches Cargo.lock)"
  work=$(mktemp -d)
  cargo install -q wasm-bindgen-cli --version "=$bindgen_version" --force --target-dir "$work/target"
  rm -rf "$work"
fi

npm_ci() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.installed" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.installed" ]; then
    step "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
}
npm_ci scripts

if $want_test; then
  apt_install chromium postgresql
  npm_ci end2end
  # An S3-compatible server (moto, from PyPI) for the tests of the S3 file store.
  moto_version=5.2.5
  moto_dir="$HOME/.cache/kring/moto-$moto_version"
  if [ ! -x "$moto_dir/bin/moto_server" ]; then
    step "installing moto $moto_version (S3-compatible test server) from PyPI"
    rm -rf "$moto_dir"
    python3 -m venv "$moto_dir"
    "$moto_dir/bin/pip" install -q "moto[server]==$moto_version"
  fi
fi
step "tools ready"
