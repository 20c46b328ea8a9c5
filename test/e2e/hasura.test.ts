/**
 * Hasura under the real engine: index.ts with `hasura.enabled`, reading acme-api from the Heroku API
 * double, importing its sample database between two real Postgres clusters, rendering GraphQL
 * Engine's manifests to a folder, writing the metadata directory under out/<stack>/hasura/ and
 * applying it through the metadata API double (no GraphQL Engine can run here). A second up
 * changes nothing; the admin secret and every password stay out of state and logs in plaintext.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { sqlIdentifier } from "../../components/plan/names";
import { PgCluster } from "../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, REPO_ROOT, Sandbox, scanForSecrets } from "../support/engine";
import { buildAccountFixtures, FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { SAMPLE_TABLE_FILES, SampleImport, startSampleImport } from "../support/postgres/sample-import";
import { appImage, PG_ADDON, setDatabaseUrl } from "../support/program-stack";
import { MetadataApiDouble, startStackMetadataApi } from "../hasura/metadata-api-double";
import { readRendered, validateRendered } from "./support/manifests";

const IMAGE = appImage("1");
const HASURA_IMAGE = "hasura/graphql-engine@sha256:" + "2".repeat(64);

describe("Hasura under the real engine (rendered manifests, Heroku API double, metadata API double)", function () {
  let sb: Sandbox;
  let heroku: HerokuDouble;
  let api: MetadataApiDouble;
  let stack: Stack;
  let databases: SampleImport;
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
    databases = await startSampleImport(sourcePassword);
    target = databases.target;
    setDatabaseUrl(heroku, databases.sourceUrl());
    api = await startStackMetadataApi(target, targetDb);
    renderDir = path.join(sb.dir, "rendered");
    stack = await databases.stack(sb, stackName, {
      apiUrl: heroku.url,
      renderTo: renderDir,
      image: IMAGE,
      sections: { hasura: { enabled: true, image: HASURA_IMAGE, endpoint: api.url } },
    });
  });

  after(async function () {
    sb?.cleanup();
    databases?.stop();
    await api?.stop();
    await heroku?.close();
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
    assert.deepStrictEqual(fs.readdirSync(tablesDir).sort(), SAMPLE_TABLE_FILES);
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
    const hits = scanForSecrets(
      sb,
      [
        { label: "Hasura admin secret", value: adminSecret },
        { label: "source database password", value: sourcePassword },
        { label: "target admin password", value: target.password },
        { label: "Heroku API token", value: FULL_TOKEN },
      ],
      [
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
