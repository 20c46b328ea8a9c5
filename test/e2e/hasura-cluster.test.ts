/**
 * Hasura on a real Kubernetes API server (the local control plane, KWOK as the kubelet) under the
 * real engine: index.ts with `hasura.enabled` imports acme-api's sample database between two real
 * Postgres clusters, deploys GraphQL Engine (its Deployment Available, Service, immutable Secret)
 * and writes the sample database's metadata directory under out/<stack>/hasura/, applying it through
 * the metadata API double (no GraphQL Engine container can run here). A second up changes nothing.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { sqlIdentifier } from "../../components/plan/names";
import { KubeApi } from "../../scripts/lib/kube-api";
import { PgCluster, startPgCluster } from "../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, findPlaintext, REPO_ROOT, Sandbox } from "../support/engine";
import { buildAccountFixtures, FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { createNamespace, testCluster } from "../support/kube";
import { MetadataApiDouble } from "../hasura/metadata-api-double";

const PROJECT = "heroku-to-hasura";
const APP = "acme-api";
const PG_ADDON = "postgresql-concave-52656";
const IMAGE = "registry.invalid/acme/acme-api@sha256:" + "3".repeat(64);
const HASURA_IMAGE = "hasura/graphql-engine@sha256:" + "4".repeat(64);

type Obj = {
  metadata: { name: string };
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string }[]; readyReplicas?: number };
  data?: Record<string, string>;
  immutable?: boolean;
};

function loadSample(cluster: PgCluster, user: string, password: string, db: string): void {
  cluster.psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  cluster.createDatabase(db, user);
  const r = spawnSync(
    path.join(cluster.binDir, "psql"),
    [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(cluster.port),
      "-U",
      user,
      "-d",
      db,
    ],
    {
      input: fs.readFileSync(path.join(REPO_ROOT, "examples", "sample-db.sql")),
      env: { ...process.env, PGPASSWORD: password, PGOPTIONS: "-c client_min_messages=error" },
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`loading examples/sample-db.sql failed: ${r.stderr}`);
}

describe("Hasura on a real Kubernetes API server (local control plane, KWOK nodes, metadata API double)", function () {
  let sb: Sandbox;
  let heroku: HerokuDouble;
  let metadataApi: MetadataApiDouble;
  let kube: KubeApi;
  let stack: Stack;
  let source: PgCluster;
  let target: PgCluster;
  const ns = `h2h-hasura-${process.pid}`;
  const stackName = `e2e-hasura-cluster-${process.pid}`;
  const projectDir = path.join(REPO_ROOT, "out", stackName, "hasura");
  const sourcePassword = `src-${crypto.randomBytes(9).toString("hex")}`;
  const targetDb = sqlIdentifier(PG_ADDON);
  let adminSecret = "";

  const secrets = async () => (await kube.list(`/api/v1/namespaces/${ns}/secrets`)) as unknown as Obj[];
  const hasuraSecret = async () =>
    (await secrets()).find((s) => s.data?.HASURA_GRAPHQL_ADMIN_SECRET !== undefined);

  before(async function () {
    this.timeout(0);
    sb = await createSandbox();
    heroku = await startHerokuDouble(buildAccountFixtures());
    const cluster = await testCluster();
    kube = cluster.api;
    await createNamespace(kube, ns);
    source = await startPgCluster();
    target = await startPgCluster();
    loadSample(source, "u_acme", sourcePassword, "acme_source");
    const sourceUrl = source.url("acme_source", "u_acme", sourcePassword);
    heroku.setConfigVar(APP, "DATABASE_URL", sourceUrl);
    heroku.setConfigVar(APP, "HEROKU_POSTGRESQL_ONYX_URL", sourceUrl);
    const owner = sqlIdentifier(PG_ADDON, "_owner");
    target.psql(`CREATE ROLE ${owner} LOGIN PASSWORD '${sourcePassword}'`);
    target.createDatabase(targetDb, owner);
    target.createDatabase("hasura_metadata");
    metadataApi = new MetadataApiDouble({
      adminSecret: "learnt-from-the-cluster",
      env: { [`HASURA_SOURCE_${targetDb.toUpperCase()}_URL`]: target.url(targetDb) },
    });
    await metadataApi.start();
    stack = await sb.localStack(stackName, {
      structuredConfig: {
        [`${PROJECT}:heroku`]: { apps: [APP], apiUrl: heroku.url },
        [`${PROJECT}:cluster`]: { namespace: ns },
        [`${PROJECT}:postgres`]: {
          host: "127.0.0.1",
          port: target.port,
          adminUser: "postgres",
          manageDatabase: false,
        },
        [`${PROJECT}:import`]: { enabled: true, jobs: 2 },
        [`${PROJECT}:images`]: { apps: { [APP]: { image: IMAGE } } },
        // The in-cluster Redis's data is not what this test is about (test/e2e/program.test.ts copies it).
        [`${PROJECT}:addons`]: { "redis-curved-11111": { startEmpty: true } },
        [`${PROJECT}:hasura`]: { enabled: true, image: HASURA_IMAGE, endpoint: metadataApi.url },
      },
      config: {
        [`${PROJECT}:herokuApiKey`]: { value: FULL_TOKEN, secret: true },
        [`${PROJECT}:postgresPassword`]: { value: target.password, secret: true },
        [`${PROJECT}:kubeconfig`]: { value: cluster.kubeconfig, secret: true },
      },
    });
  });

  after(async function () {
    this.timeout(120_000);
    sb?.log.flush();
    sb?.cleanup();
    source?.stop();
    target?.stop();
    await metadataApi?.stop();
    await heroku?.close();
    fs.rmSync(path.join(REPO_ROOT, "out", stackName), { recursive: true, force: true });
  });

  it("up: the hasura Deployment Available, its Service and immutable Secret, the sample database's metadata written and applied", async function () {
    // GraphQL Engine would read its admin secret from the Secret: the double learns it the same way.
    const poll = setInterval(() => {
      hasuraSecret()
        .then((s) => {
          if (s?.data)
            metadataApi.setAdminSecret(
              Buffer.from(s.data.HASURA_GRAPHQL_ADMIN_SECRET, "base64").toString("utf8"),
            );
        })
        .catch(() => undefined);
    }, 100);
    let res;
    try {
      res = await stack.up({ ...sb.ops() });
    } finally {
      clearInterval(poll);
    }
    assert.strictEqual(res.summary.result, "succeeded");

    const d = (await kube.get(`/apis/apps/v1/namespaces/${ns}/deployments/hasura`)) as unknown as Obj;
    assert.ok(
      d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True"),
      "hasura is Available",
    );
    assert.strictEqual(d.status?.readyReplicas, 1);
    const container = (
      d.spec as {
        template: {
          spec: { containers: { image: string; readinessProbe: { httpGet: { path: string } } }[] };
        };
      }
    ).template.spec.containers[0];
    assert.strictEqual(container.image, HASURA_IMAGE);
    assert.strictEqual(container.readinessProbe.httpGet.path, "/healthz");
    const svc = (await kube.get(`/api/v1/namespaces/${ns}/services/hasura`)) as unknown as Obj;
    assert.deepStrictEqual(
      (svc.spec as { ports: { port: number }[] }).ports.map((p) => p.port),
      [80],
    );
    const secret = await hasuraSecret();
    assert.ok(secret, "GraphQL Engine's Secret exists");
    assert.strictEqual(secret.immutable, true);
    assert.deepStrictEqual(Object.keys(secret.data ?? {}).sort(), [
      "HASURA_GRAPHQL_ADMIN_SECRET",
      "HASURA_GRAPHQL_METADATA_DATABASE_URL",
      `HASURA_SOURCE_${targetDb.toUpperCase()}_URL`,
    ]);
    adminSecret = Buffer.from(secret.data!.HASURA_GRAPHQL_ADMIN_SECRET, "base64").toString("utf8");
    assert.strictEqual(adminSecret.length, 48);

    const tablesDir = path.join(projectDir, "metadata", "databases", targetDb, "tables");
    assert.deepStrictEqual(fs.readdirSync(tablesDir).sort(), [
      "public_accounts.yaml",
      "public_active_projects.yaml",
      "public_api_requests.yaml",
      "public_invoices.yaml",
      "public_monthly_revenue.yaml",
      "public_projects.yaml",
      "tables.yaml",
    ]);
    const hasura = res.outputs.hasura.value as { tables: number; relationships: number };
    assert.deepStrictEqual([hasura.tables, hasura.relationships], [6, 6]);
    const replace = metadataApi.requests.filter((r) => r.type === "replace_metadata");
    assert.strictEqual(replace.length, 1, "applied once through the metadata API");
    assert.strictEqual(
      replace[0].headers["x-hasura-admin-secret"],
      adminSecret,
      "with the generated admin secret",
    );
  });

  it("a second up changes nothing", async function () {
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
  });

  it("the admin secret and the passwords stay out of state and engine logs in plaintext", function () {
    const hits = findPlaintext(
      [
        { label: "Hasura admin secret", value: adminSecret },
        { label: "source database password", value: sourcePassword },
        { label: "target admin password", value: target.password },
      ],
      [
        ...sb.stateFiles().map((s) => ({ where: path.relative(sb.stateDir, s.file), text: s.text })),
        { where: "engine output", text: sb.log.text() },
        { where: "engine events", text: sb.log.events() },
      ],
    );
    assert.deepStrictEqual(hits, []);
  });
});
