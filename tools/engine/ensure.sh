#!/usr/bin/env bash
# Makes the Pulumi engine available offline, building what is missing from Go modules.
#
#   bash tools/engine/ensure.sh            # builds or reuses; prints KEY=VALUE lines on stdout
#
# The engine lives in a cache directory OUTSIDE the repo, keyed by the versions and by a hash of the
# wrapper modules next to this file (pulumi-cli/, k8s-provider/), and is reused when present:
#   ${HEROKU_TO_HASURA_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-to-hasura/engine}/<key>/
#     bin/pulumi                         CLI (ours, or a symlink to a user's CLI of the same version)
#     home/                              PULUMI_HOME with the resource plugins installed
#     build-times.log                    how long each build took
# What depends on the checkout lives in the checkout (several clones share one cache, e.g. CI's):
#   <repo>/.build/engine/bin/            PULUMI_ENGINE_BIN (PULUMI_ENGINE_ROOT is its parent)
#     pulumi                             a hard link to the cached CLI (a copy across filesystems)
#     pulumi-language-nodejs             symlink to THIS checkout's host (tools/engine/language-host)
#     pulumi-resource-pulumi-nodejs      dynamic-provider shim, copied from this checkout's @pulumi/pulumi
# The CLI looks for its language host on PATH, then next to its own resolved executable: with a
# hard link both are this bin/, so each checkout runs its own host and the CLI prints no warning.
# Versions come from node_modules/@pulumi/*/package.json (the npm pins), never from this file.
# Progress goes to stderr; stdout carries only the KEY=VALUE lines that env.sh evaluates.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)" # the program whose SDK pins the engine matches
log() { echo "[engine] $*" >&2; }
die() {
  echo "[engine] ERROR: $*" >&2
  exit 1
}

npm_field() { # npm_field <package> <json path expression>
  local pkg="$REPO/node_modules/@pulumi/$1/package.json"
  [ -f "$pkg" ] || die "$pkg is missing: run 'npm ci' first"
  node -e 'const p = require(process.argv[1]); const v = process.argv[2].split(".").reduce((o, k) => o && o[k], p);
    if (!v) { console.error(`no ${process.argv[2]} in ${process.argv[1]}`); process.exit(1); } console.log(v);' "$pkg" "$2"
}

PULUMI_VERSION="$(npm_field pulumi version)"
K8S_VERSION="$(npm_field kubernetes pulumi.version)"

CLI_SRC="$HERE/pulumi-cli"
K8S_SRC="$HERE/k8s-provider"

inputs_hash() { # the Go wrappers only (paths relative to this directory)
  (
    cd "$HERE"
    find pulumi-cli k8s-provider -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs sha256sum
  ) | sha256sum | cut -c1-12
}

CACHE="${HEROKU_TO_HASURA_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-to-hasura/engine}"
KEY="pulumi-${PULUMI_VERSION}_kubernetes-${K8S_VERSION}_$(inputs_hash)"
ROOT="$CACHE/$KEY"
BIN="$ROOT/bin"
HOME_DIR="$ROOT/home"
TIMES="$ROOT/build-times.log"
LOCAL_ROOT="$REPO/.build/engine"
LOCAL_BIN="$LOCAL_ROOT/bin"
mkdir -p "$BIN" "$HOME_DIR" "$LOCAL_BIN"

# One builder at a time per key (tests and `npm run dev` may start together).
exec 9>"$ROOT/.lock"
flock 9

go_env() {
  local need
  need="$(awk '$1 == "go" { print $2 }' "$CLI_SRC/go.mod" "$K8S_SRC/go.mod" | sort -V | tail -n1)"
  command -v go >/dev/null 2>&1 || die "Go >= $need (the go lines of tools/engine/*/go.mod) is needed to build the Pulumi engine; or put pulumi v$PULUMI_VERSION on PATH"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
}

timed() { # timed <label> <command...>: runs it, logs the wall time to stderr and build-times.log
  local label="$1" start end
  shift
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  log "$label: $((end - start))s"
  echo "$(date -u +%FT%TZ) $label $((end - start))s" >>"$TIMES"
}

require_module_version() { # require_module_version <wrapper dir> <module> <version>
  local got
  got="$(cd "$1" && go list -m -f '{{.Version}}' "$2")"
  [ "$got" = "$3" ] || die "$1/go.mod pins $2 $got but node_modules needs $3: bump the wrapper (see tools/engine/README.md)"
}

cli_version_of() { "$1" version 2>/dev/null | head -n1 || true; }

# --- 1. CLI ---------------------------------------------------------------------------------------
ensure_cli() {
  if [ "$(cli_version_of "$BIN/pulumi")" = "v$PULUMI_VERSION" ]; then
    log "reusing pulumi v$PULUMI_VERSION at $BIN"
    return
  fi
  # A user's own CLI of the same version, with its bundled language host, is used as it is.
  local theirs
  theirs="$(command -v pulumi || true)"
  if [ -n "$theirs" ] && [ "$(cli_version_of "$theirs")" = "v$PULUMI_VERSION" ]; then
    theirs="$(readlink -f "$theirs")"
    if [ "${theirs#"$CACHE"/}" = "$theirs" ] && [ -x "$(dirname "$theirs")/pulumi-language-nodejs" ]; then
      ln -sfn "$theirs" "$BIN/pulumi"
      log "using your pulumi v$PULUMI_VERSION at $theirs"
      return
    fi
  fi
  go_env
  require_module_version "$CLI_SRC" github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION"
  require_module_version "$CLI_SRC" github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION"
  log "building pulumi v$PULUMI_VERSION (cold: ~15-25 min on 2 cores)"
  local tmp="$ROOT/.build-cli"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # Tags and flags as upstream's release build; the version ldflag is what the Automation API parses.
  timed "build pulumi CLI" \
    bash -c 'cd "$1" && go build -buildvcs=false -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$2" \
      -o "$3/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi' _ "$CLI_SRC" "$PULUMI_VERSION" "$tmp"
  [ "$(cli_version_of "$tmp/pulumi")" = "v$PULUMI_VERSION" ] || die "built pulumi does not report v$PULUMI_VERSION"
  mv -f "$tmp/pulumi" "$BIN/" # last: its presence marks the step done
  rm -rf "$tmp"
}

# --- 2. this checkout's bin/: CLI link, Node.js language host, dynamic-provider shim --------------
# The Go host's module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
# served by the module proxy, so the CLI runs ours (language-host/). A user's own CLI keeps
# its bundled host. The shim finds its code through the link, so it must be a symlink, not a copy.
# Each entry is replaced by a rename, so a command already running from this bin/ is never broken.
replace_with() { # replace_with <dest> <command...>: runs the command with "$tmp" as its target, then renames
  local dest="$1" tmp
  shift
  tmp="$(dirname "$dest")/.$(basename "$dest").$$"
  rm -f "$tmp"
  "$@" "$tmp"
  mv -f "$tmp" "$dest"
}

ensure_local_bin() {
  if [ -L "$BIN/pulumi" ]; then # a user's CLI: run it as it is, with its own bundled host
    local theirs
    theirs="$(readlink -f "$BIN/pulumi")"
    [ "$(readlink "$LOCAL_BIN/pulumi" 2>/dev/null)" = "$theirs" ] || replace_with "$LOCAL_BIN/pulumi" ln -s "$theirs"
    rm -f "$LOCAL_BIN/pulumi-language-nodejs"
  else
    if [ ! -L "$LOCAL_BIN/pulumi" ] && { [ "$LOCAL_BIN/pulumi" -ef "$BIN/pulumi" ] ||
      [ "$(stat -c '%s %Y' "$LOCAL_BIN/pulumi" 2>/dev/null)" = "$(stat -c '%s %Y' "$BIN/pulumi")" ]; }; then
      : # the same file (hard link), or a copy of it (same size and mtime: cp -p)
    elif ln "$BIN/pulumi" "$LOCAL_BIN/.probe.$$" 2>/dev/null; then
      mv -f "$LOCAL_BIN/.probe.$$" "$LOCAL_BIN/pulumi"
    else
      replace_with "$LOCAL_BIN/pulumi" cp -p "$BIN/pulumi"
    fi
    local host="$HERE/language-host/pulumi-language-nodejs"
    [ "$(readlink "$LOCAL_BIN/pulumi-language-nodejs" 2>/dev/null)" = "$host" ] ||
      replace_with "$LOCAL_BIN/pulumi-language-nodejs" ln -s "$host"
  fi
  local src="$REPO/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -f "$src" ] || die "$src is missing: run 'npm ci' first"
  cmp -s "$src" "$LOCAL_BIN/pulumi-resource-pulumi-nodejs" 2>/dev/null ||
    replace_with "$LOCAL_BIN/pulumi-resource-pulumi-nodejs" install -m 0755 "$src"
}

# --- 3. resource plugins ------------------------------------------------------------------------
plugin_installed() { [ -x "$HOME_DIR/plugins/resource-$1-v$2/pulumi-resource-$1" ]; }

install_plugin() { # install_plugin <name> <version> <binary>
  PULUMI_HOME="$HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true \
    "$BIN/pulumi" plugin install resource "$1" "$2" --file "$3" >&2
  plugin_installed "$1" "$2" || die "pulumi plugin install resource $1 $2 did not install it"
}

ensure_k8s_provider() {
  if plugin_installed kubernetes "$K8S_VERSION"; then
    log "reusing kubernetes provider v$K8S_VERSION"
    return
  fi
  go_env
  require_module_version "$K8S_SRC" github.com/pulumi/pulumi-kubernetes/sdk/v4 "v$K8S_VERSION"
  log "building the kubernetes provider v$K8S_VERSION (cold: ~10-15 min on 2 cores)"
  local moddir out="$ROOT/.build-k8s"
  moddir="$(cd "$K8S_SRC" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  # Upstream generates these gitignored files with `go generate`; same effect (schema gets the version).
  node "$HERE/k8s-embeds.js" "$moddir/cmd/pulumi-resource-kubernetes" "$K8S_SRC" "$K8S_VERSION"
  rm -rf "$out" && mkdir -p "$out"
  timed "build kubernetes provider" \
    bash -c 'cd "$1" && go build -buildvcs=false -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$2" \
      -o "$3/pulumi-resource-kubernetes" .' _ "$K8S_SRC" "$K8S_VERSION" "$out"
  install_plugin kubernetes "$K8S_VERSION" "$out/pulumi-resource-kubernetes"
  rm -rf "$out"
}


ensure_cli
ensure_local_bin
ensure_k8s_provider
"$LOCAL_BIN/pulumi" version >/dev/null || die "$LOCAL_BIN/pulumi does not run"
log "engine ready: $("$LOCAL_BIN/pulumi" version) at $ROOT, bin $LOCAL_BIN"

echo "PULUMI_ENGINE_ROOT=$LOCAL_ROOT"
echo "PULUMI_ENGINE_BIN=$LOCAL_BIN"
echo "PULUMI_ENGINE_HOME=$HOME_DIR"
echo "PULUMI_ENGINE_VERSION=v$PULUMI_VERSION"
echo "PULUMI_ENGINE_PLUGINS=kubernetes-v$K8S_VERSION"
