#!/usr/bin/env bash
# The whole test suite (README's test command): type check, lint, unit + integration tests, then the
# end-to-end tests under the real Pulumi engine. Ends with one "N passed, N failed, N skipped" line.
# Each step is judged by test/support/test-steps.js: a test step that ran no tests, skipped one,
# was a dry run or a --grep selection, or left no counts fails the run, whatever its exit status.
set -uo pipefail
cd "$(dirname "$0")/.."

# Always the whole suite: arguments could only narrow it (a --grep, a --dry-run) behind a green line.
if [ "$#" -gt 0 ]; then
  echo "npm test runs the whole suite and takes no arguments (got: $*)." >&2
  echo "To run chosen tests: npm run test:files -- <test files…> [--grep <pattern>]" >&2
  exit 2
fi

# Set-up, so that this one command works on a fresh machine: a supported Node.js (this machine's
# when it is 22 or 24, else Node.js 24 from the npm registry, cached outside the repo), system
# packages (apt, only what is missing), npm packages (only when absent: CI runs `npm ci` itself first).
node_bin="$(bash scripts/node/ensure.sh)" || exit 1
export PATH="$node_bin:$PATH"
echo "node $(node --version) ($node_bin)"
bash scripts/ci-setup.sh || exit 1
[ -d node_modules ] || npm ci || exit 1

TEST_STEPS_FILE=$(mktemp)
export TEST_STEPS_FILE
trap 'rm -f "$TEST_STEPS_FILE"' EXIT
step() { node test/support/test-steps.js "$@"; }

step check "type check" -- npm run --silent typecheck
step check "lint" -- npm run --silent lint
step suite "unit and integration tests" -- npm run --silent test:unit
# The engine (CLI, language host, kubernetes plugin) is built once into a cache outside the repo.
# (Its KEY=VALUE lines are for scripts; its progress and the engine's version go to stderr.)
step check "Pulumi engine" -- bash -c 'bash tools/engine/ensure.sh >/dev/null'
# The local Kubernetes control plane the end-to-end tests deploy to (built once, cached likewise).
step check "Kubernetes control plane" -- bash -c 'bash scripts/cluster/ensure.sh >/dev/null'
step suite "end-to-end tests (real Pulumi engine)" -- npm run --silent test:e2e
step close
