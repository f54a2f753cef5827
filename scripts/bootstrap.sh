#!/bin/sh
# Makes a fresh clone runnable: `npm run demo`, `npm run dev` and `npm test` call this first.
#   1. Node >= 20.3 (the Temporal SDK's floor)
#   2. npm ci when node_modules is missing or older than package-lock.json
#   3. the Temporal CLI (dev server), built once from Go modules into .tools/bin when it is not found
# Idempotent; when everything is in place it does no work beyond a few file tests (well under a second).
set -eu

cd "$(dirname "$0")/.."

fail() {
  printf 'bootstrap: %s\n' "$@" >&2
  exit 1
}

# --- 1. Node version -------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || fail 'Node.js is not installed. Install Node.js 20.3 or newer (https://nodejs.org/).'
node_version=$(node -p 'process.versions.node')
node_major=${node_version%%.*}
node_rest=${node_version#*.}
node_minor=${node_rest%%.*}
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 3 ]; }; then
  fail "Node.js $node_version is too old: this project needs Node.js 20.3 or newer (the Temporal SDK requires it)." \
    'Install a newer Node.js (https://nodejs.org/, or `nvm install 20`) and run the command again.'
fi

# --- 2. Dependencies -------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install, so a lock file newer than it means
# the dependencies changed since the last install (a pull, a branch switch).
if [ ! -f node_modules/.package-lock.json ]; then
  echo 'bootstrap: installing dependencies (npm ci)...' >&2
  npm ci --no-audit --no-fund >&2
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo 'bootstrap: package-lock.json changed since the last install; reinstalling (npm ci)...' >&2
  npm ci --no-audit --no-fund >&2
fi
# npm may leave the hidden lock file older than package-lock.json (e.g. when it rewrites both);
# touching it keeps the next run on the fast path.
touch node_modules/.package-lock.json

# --- 3. Temporal CLI -------------------------------------------------------------------------------
# Fast path without starting Node: the explicit path or the project-local build is there. Anything else
# (temporal on PATH, a build from Go, a bad TEMPORAL_CLI_PATH) is decided by scripts/temporal-cli.ts.
if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] && exit 0
elif [ -x .tools/bin/temporal ]; then
  exit 0
fi
# It prints the binary's path on stdout (noise here) and progress or a clear error on stderr.
node_modules/.bin/tsx scripts/temporal-cli.ts >/dev/null
