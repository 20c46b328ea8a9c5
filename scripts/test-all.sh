#!/usr/bin/env bash
# The whole test suite (README's test command): type check, lint, unit + integration tests, then the
# end-to-end tests under the real Pulumi engine. Ends with one "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."

summary=$(mktemp)
export TEST_SUMMARY_FILE="$summary"
status=0
step() {
  echo
  echo "=== $1"
  shift
  "$@" || status=1
}

# Set-up, so that this one command works on a fresh machine: system packages (apt, only what is
# missing), npm packages (only when absent: CI runs `npm ci` itself first).
bash scripts/ci-setup.sh || exit 1
[ -d node_modules ] || npm ci || exit 1
step "type check" npx tsc -p tsconfig.json --noEmit
step "lint" npm run --silent lint
step "unit and integration tests" npx mocha --config test/.mocharc.json "$@"
# The engine (CLI, language host, kubernetes plugin) is built once into a cache outside the repo.
step "Pulumi engine" bash scripts/engine/ensure.sh >/dev/null
step "end-to-end tests (real Pulumi engine)" npx mocha --config test/.mocharc.e2e.json

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean);
  const t = lines.map(JSON.parse).reduce((a, s) => ({ p: a.p + s.passes, f: a.f + s.failures, s: a.s + s.pending }), { p: 0, f: 0, s: 0 });
  console.log(`\n${t.p} passed, ${t.f} failed, ${t.s} skipped`);
  if (lines.length === 0) { console.log("no test ran"); process.exit(1); }
' "$summary" || status=1
rm -f "$summary"
[ "$status" -eq 0 ] || echo "FAILED: see the steps above"
exit "$status"
