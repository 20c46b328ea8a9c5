#!/usr/bin/env bash
# Runs a command with a supported Node.js first on PATH (scripts/node/ensure.sh: the machine's own
# when it is 22 or 24, else Node.js 24 fetched once into a cache outside the repo):
#   bash scripts/node/run.sh ts-node --transpile-only scripts/import.ts …
# package.json's scripts go through it, so `npm run …` works the same under an older system Node.js.
# `exec`, so signals (Ctrl-C, SIGTERM) reach the command itself.
set -euo pipefail
bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure.sh")"
export PATH="$bin:$PATH"
exec "$@"
