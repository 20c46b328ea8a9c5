/**
 * Hasura on a real Kubernetes API server (the local control plane, KWOK as the kubelet) under the
 * real engine: index.ts with `hasura.enabled` imports acme-api's sample database between two real
 * Postgres clusters, deploys GraphQL Engine (its Deployment Available, Service, immutable Secret)
 * and writes the sample database's metadata directory under out/<stack>/hasura/, applying it through
 * the metadata API double (no GraphQL Engine container can run here). A second up changes nothing.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { sqlIdentifier } from "../../components/plan/names";
import { KubeApi } from "../../scripts/lib/kube-api";
import { PgCluster } from "../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, REPO_ROOT, Sandbox, scanForSecrets } from "../support/engine";
import { buildAccountFixtures, FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { SAMPLE_TABLE_FILES, SampleImport, startSampleImport } from "../support/postgres/sample-import";
import { appImage, PG_ADDON, programStack, setDatabaseUrl } from "../support/program-stack";
import { createNamespace, testCluster } from "../support/kube";
import { MetadataApiDouble, startStackMetadataApi } from "../hasura/metadata-api-double";

const IMAGE = appImage("3");
const HASURA_IMAGE = "hasura/graphql-engine@sha256:" + "4".repeat(64);

type Obj = {
  metadata: { name: string };
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string }[]; readyReplicas?: number };
  data?: Record<string, string>;
  immutable?: boolean;
};

describe("Hasura on a real Kubernetes API server (local control plane, KWOK nodes, Heroku API double, metadata API double)", function () {
  let sb: Sandbox;
  let heroku: HerokuDouble;
  let metadataApi: MetadataApiDouble;
  let kube: KubeApi;
  let stack: Stack;
  let databases: SampleImport;
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
    databases = await startSampleImport(sourcePassword);
    target = databases.target;
    setDatabaseUrl(heroku, databases.sourceUrl());
    metadataApi = await startStackMetadataApi(target, targetDb);
    stack = await programStack(sb, stackName, {
      heroku: { apiUrl: heroku.url },
      cluster: { namespace: ns },
      postgresPort: target.port,
      postgresPassword: target.password,
      kubeconfig: cluster.kubeconfig,
      image: IMAGE,
      sections: {
        import: { enabled: true, jobs: 2 },
        hasura: { enabled: true, image: HASURA_IMAGE, endpoint: metadataApi.url },
      },
    });
  });

  after(async function () {
    this.timeout(120_000);
    sb?.log.flush();
    sb?.cleanup();
    databases?.stop();
    await metadataApi?.stop();
    await heroku?.close();
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
    assert.deepStrictEqual(fs.readdirSync(tablesDir).sort(), SAMPLE_TABLE_FILES);
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
    const hits = scanForSecrets(sb, [
      { label: "Hasura admin secret", value: adminSecret },
      { label: "source database password", value: sourcePassword },
      { label: "target admin password", value: target.password },
      { label: "Heroku API token", value: FULL_TOKEN },
    ]);
    assert.deepStrictEqual(hits, []);
  });
});
