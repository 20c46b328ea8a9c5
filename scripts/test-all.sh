#!/usr/bin/env bash
# The whole test suite (README's test command): type check, lint, unit + integration tests, then the
# end-to-end tests under the real Pulumi engine. Ends with one "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export TEST_SUMMARY_FILE="$summary"
status=0
step() { # step <title> <command...>; a failed step that ran no test suite counts as one failure
  local before
  echo
  echo "=== $1"
  shift
  before=$(wc -l <"$summary")
  if ! "$@"; then
    status=1
    [ "$(wc -l <"$summary")" -gt "$before" ] ||
      echo '{"passes":0,"failures":1,"pending":0}' >>"$summary"
  fi
}

# Set-up, so that this one command works on a fresh machine: a supported Node.js (this machine's
# when it is 22 or 24, else Node.js 24 from the npm registry, cached outside the repo), system
# packages (apt, only what is missing), npm packages (only when absent: CI runs `npm ci` itself first).
node_bin="$(bash scripts/node/ensure.sh)" || exit 1
export PATH="$node_bin:$PATH"
echo "node $(node --version) ($node_bin)"
bash scripts/ci-setup.sh || exit 1
[ -d node_modules ] || npm ci || exit 1
step "type check" npx tsc -p tsconfig.json --noEmit
step "lint" npm run --silent lint
step "unit and integration tests" npx mocha --config test/.mocharc.json "$@"
# The engine (CLI, language host, kubernetes plugin) is built once into a cache outside the repo.
# (Its KEY=VALUE lines are for scripts; its progress and the engine's version go to stderr.)
step "Pulumi engine" bash -c 'bash tools/engine/ensure.sh >/dev/null'
step "end-to-end tests (real Pulumi engine)" npx mocha --config test/.mocharc.e2e.json

[ "$status" -eq 0 ] || printf '\nFAILED: see the steps above (a failed step that ran no tests counts as 1 failure)\n'
# The closing line, last: every suite's counts added up.
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean);
  if (lines.length === 0) { console.log("\nno test ran: 0 passed, 1 failed, 0 skipped"); process.exit(1); }
  const t = lines.map(JSON.parse).reduce((a, s) => ({ p: a.p + s.passes, f: a.f + s.failures, s: a.s + s.pending }), { p: 0, f: 0, s: 0 });
  console.log(`\n${t.p} passed, ${t.f} failed, ${t.s} skipped`);
' "$summary" || status=1
rm -f "$summary"
exit "$status"
