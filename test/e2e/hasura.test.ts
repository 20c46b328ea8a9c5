/**
 * Hasura under the real engine: index.ts with `hasura.enabled`, reading acme-api from the Heroku API
 * double, importing its sample database between two real Postgres clusters, rendering GraphQL
 * Engine's manifests to a folder, writing the metadata directory under out/<stack>/hasura/ and
 * applying it through the metadata API double (no GraphQL Engine can run here). A second up
 * changes nothing; the admin secret and every password stay out of state and logs in plaintext.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { sqlIdentifier } from "../../components/plan/names";
import { PgCluster, startPgCluster } from "../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, findPlaintext, REPO_ROOT, Sandbox } from "../support/engine";
import { buildAccountFixtures, FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { MetadataApiDouble } from "../hasura/metadata-api-double";
import { readRendered, validateRendered } from "./support/manifests";

const PROJECT = "heroku-to-hasura";
const APP = "acme-api";
const PG_ADDON = "postgresql-concave-52656";
const IMAGE = "registry.invalid/acme/acme-api@sha256:" + "1".repeat(64);
const HASURA_IMAGE = "hasura/graphql-engine@sha256:" + "2".repeat(64);

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

describe("Hasura under the real engine (rendered manifests, metadata API double)", function () {
  let sb: Sandbox;
  let heroku: HerokuDouble;
  let api: MetadataApiDouble;
  let stack: Stack;
  let source: PgCluster;
  let target: PgCluster;
  let renderDir: string;
  const stackName = `e2e-hasura-${process.pid}`;
  const projectDir = path.join(REPO_ROOT, "out", stackName, "hasura");
  const sourcePassword = `src-${crypto.randomBytes(9).toString("hex")}`;
  const targetDb = sqlIdentifier(PG_ADDON);
  let adminSecret = "";

  before(async function () {
    this.timeout(0);
    sb = await createSandbox();
    heroku = await startHerokuDouble(buildAccountFixtures());
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
    // GraphQL Engine's environment as the rendered Secret gives it, pointed at the real target.
    api = new MetadataApiDouble({
      adminSecret: "set-below",
      env: { [`HASURA_SOURCE_${targetDb.toUpperCase()}_URL`]: target.url(targetDb) },
    });
    await api.start();
    renderDir = path.join(sb.dir, "rendered");
    stack = await sb.localStack(stackName, {
      structuredConfig: {
        [`${PROJECT}:heroku`]: { apps: [APP], apiUrl: heroku.url },
        [`${PROJECT}:cluster`]: { namespace: "default", renderTo: renderDir },
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
        [`${PROJECT}:hasura`]: { enabled: true, image: HASURA_IMAGE, endpoint: api.url },
      },
      config: {
        [`${PROJECT}:herokuApiKey`]: { value: FULL_TOKEN, secret: true },
        [`${PROJECT}:postgresPassword`]: { value: target.password, secret: true },
      },
    });
  });

  after(async function () {
    sb?.cleanup();
    source?.stop();
    target?.stop();
    await api?.stop();
    await heroku?.close();
    fs.rmSync(path.join(REPO_ROOT, "out", stackName), { recursive: true, force: true });
  });

  it("up renders GraphQL Engine and writes the sample database's metadata directory", async function () {
    // The admin secret is generated during `up`: the double learns it from the rendered Secret.
    const secretFromRender = () => {
      const s = readRendered(renderDir).find(
        (o) => o.kind === "Secret" && JSON.stringify(o).includes("HASURA_GRAPHQL_ADMIN_SECRET"),
      );
      if (!s) return null;
      return Buffer.from(
        (s as unknown as { data: Record<string, string> }).data.HASURA_GRAPHQL_ADMIN_SECRET,
        "base64",
      ).toString("utf8");
    };
    const poll = setInterval(() => {
      const s = secretFromRender();
      if (s) api.setAdminSecret(s);
    }, 20);
    let res;
    try {
      res = await stack.up({ ...sb.ops() });
    } finally {
      clearInterval(poll);
    }
    assert.strictEqual(res.summary.result, "succeeded");
    adminSecret = secretFromRender() ?? "";
    assert.ok(adminSecret.length === 48, "a 48-character admin secret was generated");

    const rendered = readRendered(renderDir);
    assert.deepStrictEqual(validateRendered(rendered), []);
    const deployment = rendered.find(
      (o) => o.kind === "Deployment" && o.metadata.name === "hasura",
    ) as unknown as {
      spec: { template: { spec: { containers: { image: string; readinessProbe: unknown }[] } } };
    };
    assert.ok(deployment, "the hasura Deployment is rendered");
    assert.strictEqual(deployment.spec.template.spec.containers[0].image, HASURA_IMAGE);

    const hasura = res.outputs.hasura.value as {
      tables: number;
      relationships: number;
      metadataDirectory: string;
    };
    assert.deepStrictEqual([hasura.tables, hasura.relationships], [6, 6]);
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
    assert.match(fs.readFileSync(path.join(tablesDir, "public_projects.yaml"), "utf8"), /name: account\n/);
    assert.ok(
      api.requests.some((r) => r.type === "replace_metadata"),
      "applied through the metadata API",
    );
    const report = fs.readFileSync(path.join(renderDir, "report.md"), "utf8");
    assert.match(report, /## Hasura/);
    assert.match(report, /\| `public.projects` \| `api_requests` \| array \| `public.api_requests` \|/);
  });

  it("a second up changes nothing", async function () {
    const replaces = api.requests.filter((r) => r.type === "replace_metadata").length;
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
    assert.strictEqual(api.requests.filter((r) => r.type === "replace_metadata").length, replaces);
  });

  it("the admin secret and every password stay out of state and engine logs in plaintext", function () {
    const hits = findPlaintext(
      [
        { label: "Hasura admin secret", value: adminSecret },
        { label: "source database password", value: sourcePassword },
        { label: "target admin password", value: target.password },
        { label: "Heroku API token", value: FULL_TOKEN },
      ],
      [
        ...sb.stateFiles().map((s) => ({ where: path.relative(sb.stateDir, s.file), text: s.text })),
        { where: "engine output", text: sb.log.text() },
        { where: "engine events", text: sb.log.events() },
        ...fs.readdirSync(projectDir, { recursive: true }).flatMap((f) => {
          const p = path.join(projectDir, String(f));
          return fs.statSync(p).isFile()
            ? [{ where: `metadata ${f}`, text: fs.readFileSync(p, "utf8") }]
            : [];
        }),
      ],
    );
    assert.deepStrictEqual(hits, []);
  });
});
