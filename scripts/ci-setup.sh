#!/usr/bin/env bash
# Installs the system packages the tests need (idempotent; a fresh machine has none of them).
set -euo pipefail
need=()
command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
# Real image builds without a Docker daemon (test/images): buildah, a loopback registry, and a static
# busybox to make a tiny local base image (nothing can be pulled).
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
# Tools the tests call that a minimal Debian image may lack: openssl (TLS certificates for the test
# Postgres clusters), python3 (bcrypt htpasswd for the registry double), git (tracked-file checks).
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Real Redis servers (TLS-capable in Debian's build) for the Redis copy tests (test/data/redis).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi
