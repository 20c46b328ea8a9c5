# Source this file (bash): `source tools/engine/env.sh`. It makes sure the offline Pulumi engine
# is built (tools/engine/ensure.sh; slow only the first time) and points this shell at it:
#   PATH                 the engine's bin/ first (pulumi, language host link, dynamic-provider shim),
#                        then a supported Node.js (scripts/node/ensure.sh) for the host and programs
#   PULUMI_HOME          the engine's own home: resource plugins, no credentials of yours
#   PULUMI_BACKEND_URL   file://<repo>/.dev/state unless already set (never the Pulumi Cloud)
#   PULUMI_CONFIG_PASSPHRASE  a dev-only default, only when neither it nor ..._FILE is set
#   PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: no network attempts
# Also exports PULUMI_ENGINE_ROOT / _BIN / _HOME / _VERSION for scripts and tests.
# shellcheck shell=bash

__h2h_engine_env() {
  local here repo out node_bin
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  repo="$(cd "$here/../.." && pwd)"
  node_bin="$(bash "$repo/scripts/node/ensure.sh")" || {
    echo "[engine] no supported Node.js; environment not changed" >&2
    return 1
  }
  case ":$PATH:" in
    "$node_bin:"*) ;;
    *) export PATH="$node_bin:$PATH" ;;
  esac
  out="$(bash "$here/ensure.sh")" || {
    echo "[engine] ensure.sh failed; environment not changed" >&2
    return 1
  }
  local line
  while IFS= read -r line; do
    case "$line" in
      PULUMI_ENGINE_*=*) export "${line?}" ;;
    esac
  done <<<"$out"

  export PATH="$PULUMI_ENGINE_BIN:$PATH"
  export PULUMI_HOME="$PULUMI_ENGINE_HOME"
  if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "$repo/.dev/state"
    export PULUMI_BACKEND_URL="file://$repo/.dev/state"
  fi
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    # Protects only throw-away local dev state; real stacks set their own passphrase or KMS.
    export PULUMI_CONFIG_PASSPHRASE="heroku-to-hasura-dev-only"
  fi
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_DISABLE_REGISTRY_RESOLVE=true
}
__h2h_engine_env
