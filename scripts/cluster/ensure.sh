#!/usr/bin/env bash
# Makes the local Kubernetes control plane's binaries available offline, building what is missing
# from Go modules (wrapper modules under tools/cluster/: etcd, kubernetes, kwok).
#
#   bash scripts/cluster/ensure.sh     # builds or reuses; prints KEY=VALUE lines on stdout
#
# Binaries live in a cache OUTSIDE the repo, keyed by the pinned versions and a hash of the
# wrappers, and are reused when present:
#   ${HEROKU_TO_HASURA_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-to-hasura/cluster}/<key>/
#     bin/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,kwok}
#     stages/kwok-stages.yaml     KWOK's own node and pod stages, read from its module
#     build-times.log             how long each build took
# Versions come from the wrappers' go.mod files, never from this file. Progress goes to stderr;
# stdout carries only KEY=VALUE lines (KUBE_CLUSTER_BIN, KUBE_CLUSTER_STAGES, KUBE_VERSION…).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$REPO/tools/cluster"
log() { echo "[cluster] $*" >&2; }
die() {
  echo "[cluster] ERROR: $*" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || die "Go (>= 1.26) is needed to build the local Kubernetes control plane"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

module_version() { (cd "$SRC/$1" && go list -m -f '{{.Version}}' "$2"); }
module_dir() { (cd "$SRC/$1" && go list -m -f '{{.Dir}}' "$2"); }

# Reading versions needs the module graph (go.sum), not the sources: cheap when the cache is warm.
versions_key() {
  local h
  h="$(cd "$SRC" && find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
  echo "k8s-$(grep -m1 -o 'k8s.io/kubernetes v[^ ]*' "$SRC/kubernetes/go.mod" | cut -d' ' -f2)_etcd-$(grep -m1 -o 'go.etcd.io/etcd/server/v3 v[^ ]*' "$SRC/etcd/go.mod" | cut -d' ' -f2)_kwok-$(grep -m1 -o 'sigs.k8s.io/kwok v[^ ]*' "$SRC/kwok/go.mod" | cut -d' ' -f2)_$h"
}

CACHE="${HEROKU_TO_HASURA_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-to-hasura/cluster}"
KEY="$(versions_key)"
ROOT="$CACHE/$KEY"
BIN="$ROOT/bin"
STAGES="$ROOT/stages"
TIMES="$ROOT/build-times.log"
mkdir -p "$BIN" "$STAGES"

exec 9>"$ROOT/.lock"
flock 9

timed() { # timed <label> <command...>
  local label="$1" start end
  shift
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  log "$label: $((end - start))s"
  echo "$(date -u +%FT%TZ) $label $((end - start))s" >>"$TIMES"
}

# build <wrapper> <binary name> <package> [extra ldflags]: builds into a temp name, renamed last.
build() {
  local wrapper="$1" name="$2" pkg="$3" ldx="${4:-}"
  [ -x "$BIN/$name" ] && return
  log "building $name ($pkg)"
  timed "build $name" bash -c 'cd "$1" && go build -buildvcs=false -trimpath -ldflags "-s -w $4" -o "$2" "$3"' \
    _ "$SRC/$wrapper" "$BIN/.$name.tmp" "$pkg" "$ldx"
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
}

K8S_VERSION="$(module_version kubernetes k8s.io/kubernetes)"
ETCD_VERSION="$(module_version etcd go.etcd.io/etcd/server/v3)"
KWOK_VERSION="$(module_version kwok sigs.k8s.io/kwok)"
minor="${K8S_VERSION#v1.}"
minor="${minor%%.*}"
# What `--version` reports (upstream sets these from git at release time).
K8S_LDFLAGS="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"

build etcd etcd go.etcd.io/etcd/server/v3
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build kubernetes "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$K8S_LDFLAGS"
done

# KWOK exits without stages: take its own node and pod stages from the module it was built from.
if [ ! -s "$STAGES/kwok-stages.yaml" ]; then
  dir="$(module_dir kwok sigs.k8s.io/kwok)"
  [ -n "$dir" ] && [ -d "$dir/kustomize/stage" ] || (cd "$SRC/kwok" && go mod download sigs.k8s.io/kwok)
  dir="$(module_dir kwok sigs.k8s.io/kwok)"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      [ -f "$dir/kustomize/stage/$f" ] || die "KWOK's module has no kustomize/stage/$f"
      echo "---"
      cat "$dir/kustomize/stage/$f"
    done
  } >"$STAGES/.kwok-stages.yaml.tmp"
  mv -f "$STAGES/.kwok-stages.yaml.tmp" "$STAGES/kwok-stages.yaml"
fi

"$BIN/kube-apiserver" --version >/dev/null || die "$BIN/kube-apiserver does not run"
log "control plane ready: Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, KWOK $KWOK_VERSION at $BIN"
echo "KUBE_CLUSTER_BIN=$BIN"
echo "KUBE_CLUSTER_STAGES=$STAGES/kwok-stages.yaml"
echo "KUBE_VERSION=$K8S_VERSION"
echo "ETCD_VERSION=$ETCD_VERSION"
echo "KWOK_VERSION=$KWOK_VERSION"
