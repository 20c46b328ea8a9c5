#!/usr/bin/env bash
# The main job (`npm run dev`): a real `pulumi up` of the `dev` stack on its embedded default
# (Pulumi.dev.yaml) against a real, local Kubernetes control plane: Heroku apps from
# examples/snapshot.json, their Deployments, Secrets, PVC, Service, Ingress, release Job and CronJob
# applied to the local cluster (scripts/cluster/: kube-apiserver, controller-manager, scheduler,
# etcd and KWOK as the kubelet, built from Go modules), and the data import from a local source
# Postgres (examples/sample-db.sql) into a local target. Offline: the engine comes from
# tools/engine/ensure.sh.
#
#   npm run dev            # start the clusters if needed, then `pulumi up --yes --stack dev`
#   npm run dev -- stop    # stop the Kubernetes and Postgres clusters (their data stays in .dev/)
#
# Re-runnable: clusters already running are reused, the stack already exists; a second run shows
# no changes. Everything it keeps lives under .dev/ (gitignored): Postgres data, the Kubernetes
# cluster's state, Pulumi state and the stack's per-machine config (.dev/Pulumi.dev.yaml: the
# committed Pulumi.dev.yaml plus this cluster's kubeconfig as a secret). (As root, when the postgres
# OS user cannot reach .dev/, the Postgres clusters live under its home instead:
# ~postgres/heroku-to-hasura-dev/<hash of this checkout's path>/.)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# Below the kernel's ephemeral ports (32768–60999), so no client socket or test server takes them.
SOURCE_PORT=31432
TARGET_PORT=31433
DEV="$REPO/.dev"
SNAPSHOT="$REPO/examples/snapshot.json"
SAMPLE_SQL="$REPO/examples/sample-db.sql"
STACK=dev

say() { echo "[dev] $*" >&2; }
die() {
  echo "[dev] ERROR: $*" >&2
  exit 1
}

pg_bin_dir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    say "installing PostgreSQL (scripts/ci-setup.sh)"
    bash "$REPO/scripts/ci-setup.sh" >&2
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  fi
  [ -x "$d/initdb" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  echo "$d"
}

# Server binaries refuse to run as root: run them as the postgres OS user then.
as_pg() {
  # From /: the postgres user may not be able to enter the current directory (initdb, pg_ctl warn).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Where the clusters live: .dev/pg/, unless the postgres OS user cannot reach it (a clone under a
# private home such as /root) or the socket path would exceed the kernel's 107 bytes: then a directory
# of the postgres user's own, one per checkout. Prints the directory.
pg_root() {
  local dir="$DEV/pg" alt
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    if runuser -u postgres -- test -w "$dir" && [ ${#dir} -le 80 ]; then
      echo "$dir"
      return
    fi
    alt="$(getent passwd postgres | cut -d: -f6)/heroku-to-hasura-dev/$(echo "$REPO" | sha256sum | cut -c1-12)"
    mkdir -p "$alt"
    chown postgres: "$alt"
    echo "$REPO" >"$alt/checkout" # which clone these clusters belong to
    echo "$alt"
  else
    [ ${#dir} -le 80 ] || die "$dir is too long a path for Postgres' unix socket; clone the repo to a shorter path"
    echo "$dir"
  fi
}

cluster_running() { as_pg "$PG/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

# start_cluster <dir> <port> <host auth method>: initdb once, then start unless running.
start_cluster() {
  local dir="$1" port="$2" auth="$3"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$PG/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host="$auth" >/dev/null
    printf 'local all all trust\nhost all all 127.0.0.1/32 %s\n' "$auth" | as_pg tee "$dir/data/pg_hba.conf" >/dev/null
  fi
  # Rewritten at every start, so a cluster made by an older checkout follows this one's ports.
  as_pg tee "$dir/data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
EOF
  if cluster_running "$dir"; then
    say "Postgres on 127.0.0.1:$port already running ($dir)"
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port is taken by another process (another checkout's \`npm run dev\`?): stop it first"
    fi
    as_pg "$PG/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
      die "Postgres on port $port did not start: see $dir/server.log"
    say "Postgres on 127.0.0.1:$port started ($dir)"
  fi
}

psql_su() { # psql_su <cluster dir> <port> <database> : SQL on stdin, over the unix socket as postgres
  PGOPTIONS="-c client_min_messages=warning" "$PG/psql" -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d "$3"
}

stop_clusters() {
  ts-node --transpile-only "$REPO/scripts/cluster.ts" stop --dir "$DEV/kube" >&2 || true
  for d in "$PGROOT/source" "$PGROOT/target"; do
    if [ -f "$d/data/PG_VERSION" ] && cluster_running "$d"; then
      as_pg "$PG/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null && say "stopped $d"
    fi
  done
}

# A supported Node.js for npm, ts-node, the language host and the program (see scripts/node/).
PATH="$(bash "$REPO/scripts/node/ensure.sh")${PATH:+:$PATH}" || die "no supported Node.js"
export PATH

PATH="$REPO/node_modules/.bin:$PATH"
[ -d node_modules/@pulumi/pulumi ] || npm ci
PG="$(pg_bin_dir)"
PGROOT="$(pg_root)"
if [ "${1:-}" = "stop" ]; then
  stop_clusters
  exit 0
fi

[ -f "$SNAPSHOT" ] || die "$SNAPSHOT is missing"
[ -f "$SAMPLE_SQL" ] || die "$SAMPLE_SQL is missing"
[ -f "$REPO/Pulumi.$STACK.yaml" ] || die "Pulumi.$STACK.yaml is missing"

# The source database's role, password and name: from the example snapshot's DATABASE_URL, the
# value the import will connect with (never printed: it only goes into the SQL piped to psql).
source_fields="$(node -e '
  const snap = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const urls = new Set();
  for (const app of snap.apps ?? []) {
    const v = app.configVars?.DATABASE_URL;
    if (v && typeof v.$secret === "string") urls.add(v.$secret);
  }
  const local = [...urls].map((u) => new URL(u)).filter((u) => u.port === process.argv[2]);
  if (local.length !== 1) {
    console.error(`expected one DATABASE_URL on port ${process.argv[2]} in ${process.argv[1]}, found ${local.length}`);
    process.exit(1);
  }
  const u = local[0];
  console.log([decodeURIComponent(u.username), decodeURIComponent(u.password), decodeURIComponent(u.pathname.slice(1))].join("\n"));
' "$SNAPSHOT" "$SOURCE_PORT")" || die "cannot read the source database from $SNAPSHOT"
{
  read -r SRC_USER
  read -r SRC_PASSWORD
  read -r SRC_DB
} <<<"$source_fields"

start_cluster "$PGROOT/source" "$SOURCE_PORT" scram-sha-256
start_cluster "$PGROOT/target" "$TARGET_PORT" trust

if [ ! -f "$PGROOT/source/.loaded" ]; then
  say "loading examples/sample-db.sql into $SRC_DB on :$SOURCE_PORT"
  # Role and password as the snapshot says; identifiers are quoted, the password a literal.
  node -e '
    const [user, pw, db] = process.argv.slice(1);
    const q = String.fromCharCode(39);
    const id = (s) => "\"" + s.split("\"").join("\"\"") + "\"";
    const lit = (s) => q + s.split(q).join(q + q) + q;
    console.log(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${lit(user)}) THEN CREATE ROLE ${id(user)} LOGIN; END IF; END $$;`);
    console.log(`ALTER ROLE ${id(user)} PASSWORD ${lit(pw)};`);
    console.log(`DROP DATABASE IF EXISTS ${id(db)};`);
    console.log(`CREATE DATABASE ${id(db)} OWNER ${id(user)};`);
  ' "$SRC_USER" "$SRC_PASSWORD" "$SRC_DB" | psql_su "$PGROOT/source" "$SOURCE_PORT" postgres
  # Loaded as the owner, so the tables belong to the role the import reads with.
  # Its messages (ANALYZE skipping catalogs it does not own…) are shown only if the load fails.
  PGOPTIONS="-c client_min_messages=error" "$PG/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGROOT/source" -p "$SOURCE_PORT" \
    -U "$SRC_USER" -d "$SRC_DB" -f "$SAMPLE_SQL" >/dev/null 2>"$PGROOT/source/load.log" ||
    die "loading $SAMPLE_SQL failed: $(tail -n 5 "$PGROOT/source/load.log")"
  touch "$PGROOT/source/.loaded"
fi

# The local Kubernetes control plane (built from Go modules the first time), ports 31440–31449.
ts-node --transpile-only "$REPO/scripts/cluster.ts" start --dir "$DEV/kube"

# With postgres.manageDatabase false the stack expects its target databases to exist: create them
# (names from the real planner on this stack's config and snapshot; the owner roles get their
# passwords from the stack itself, generated on up).
ts-node --transpile-only "$REPO/scripts/dev-databases.ts" "$STACK" "$DEV/kube/kubeconfig"

# Engine and a file backend under .dev/ (never the Pulumi Cloud).
export PULUMI_BACKEND_URL="file://$DEV/state"
mkdir -p "$DEV/state"
# shellcheck source=../tools/engine/env.sh
source "$REPO/tools/engine/env.sh"
say "engine: pulumi $(pulumi version), node $(node --version) ($PULUMI_ENGINE_ROOT)"

pulumi stack select "$STACK" --create --non-interactive >/dev/null
# The stack's config for this machine: the committed Pulumi.dev.yaml plus the local cluster's
# kubeconfig, set as a secret (from stdin, never on a command line) in a copy under .dev/.
STACK_CONFIG="$DEV/Pulumi.$STACK.yaml"
cp "$REPO/Pulumi.$STACK.yaml" "$STACK_CONFIG"
pulumi config set --secret kubeconfig --stack "$STACK" --config-file "$STACK_CONFIG" <"$DEV/kube/kubeconfig"
pulumi up --yes --stack "$STACK" --config-file "$STACK_CONFIG" --non-interactive --color never

# The Node.js the program itself ran on under `pulumi up` (its `runtime` output), checked.
program_node="$(pulumi stack output runtime --json --stack "$STACK" 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).node))')"
case "$program_node" in
  v22.* | v24.*) say "the program ran on Node.js $program_node" ;;
  *) die "the program ran on Node.js ${program_node:-?}, outside the supported 22 and 24" ;;
esac

echo
ts-node --transpile-only "$REPO/scripts/cluster.ts" summary --dir "$DEV/kube" \
  --namespace "$(pulumi config get --path cluster.namespace --stack "$STACK" --config-file "$STACK_CONFIG" 2>/dev/null || echo default)" 2>/dev/null
echo
echo "Migration report:     out/$STACK/report.md"
if [ -d "$REPO/out/$STACK/hasura/metadata" ]; then
  echo "Hasura metadata:      out/$STACK/hasura/metadata ($(find "$REPO/out/$STACK/hasura/metadata/databases" -name '*_*.yaml' | wc -l) tracked tables; apply: hasura metadata apply --project out/$STACK/hasura)"
fi
echo "Stack outputs:        source tools/engine/env.sh && pulumi stack output --stack $STACK --config-file .dev/Pulumi.$STACK.yaml"
echo "Postgres:             source 127.0.0.1:$SOURCE_PORT, target 127.0.0.1:$TARGET_PORT"
echo "Stop everything:      npm run dev -- stop"
