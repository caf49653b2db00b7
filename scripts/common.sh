# Shared by the run, test and bench scripts: one target directory outside the clone
# (so fresh clones reuse compiled dependencies) and the npm build tools on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kring/target}"
export PATH="$(pwd)/scripts/node_modules/.bin:$(pwd)/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Each step says how long the script has run, so slow steps show in any log.
step() { printf '\033[1m==> %s\033[0m (%dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
# Leptos reads LEPTOS_OUTPUT_NAME at compile time and cargo-leptos sets it; setting it
# for every cargo call lets the test build reuse the site build's compiled crates.
export LEPTOS_OUTPUT_NAME=kring
