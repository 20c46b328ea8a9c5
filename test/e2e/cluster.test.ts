/**
 * The real program (index.ts, run by the Node.js language host) under the real engine, applying
 * acme-api (read from the Heroku API double) to a real Kubernetes API server: the local control
 * plane of scripts/lib/kube-cluster.ts (kube-apiserver, controller-manager, scheduler, etcd, KWOK as
 * the kubelet). Every claim is checked on the server's objects, not in Pulumi's output:
 * preview → up (Deployments Available, release Job Complete before the app's Deployments exist, PVC
 * Bound, Ingress with its TLS hosts and an address, CronJob, immutable Secrets) → no-op up → a config
 * var changed in the double (new Secret, new release first, new ReplicaSets, old Secret deleted last)
 * → a replicas override (only that Deployment) → drift by hand (refresh shows it, up undoes it) →
 * createNamespace → destroy refused while the PVC is protected → destroy leaves nothing of ours.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { Client } from "pg";

import type { PgCluster } from "../../scripts/lib/pg-cluster";

import { KubeApi, KubeApiError } from "../../scripts/lib/kube-api";
import { KubeCluster } from "../../scripts/lib/kube-cluster";
import { ClusterSuite, startClusterSuite } from "../support/cluster-suite";
import { changedResources, pulumiCli, Sandbox, scanForSecrets, unprotectAll } from "../support/engine";
import { FULL_TOKEN, HerokuDouble } from "../support/heroku-double";
import { Watcher, WatchEvent } from "../support/kube";
import {
  APP,
  appImage,
  editStackConfig,
  NIGHTLY_CLEANUP,
  PROJECT,
  stackConfigFile,
} from "../support/program-stack";

const IMAGE = appImage("2");
const MANAGED = "app.kubernetes.io/managed-by=heroku-to-hasura";

type Obj = {
  kind?: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    generation?: number;
    resourceVersion?: string;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  immutable?: boolean;
};

const conditionTrue = (o: Obj, type: string) =>
  ((o.status?.conditions ?? []) as { type: string; status: string }[]).some(
    (c) => c.type === type && c.status === "True",
  );

describe("index.ts under the real engine, applied to a real Kubernetes API server (local control plane, KWOK nodes, Heroku API double)", function () {
  let suite: ClusterSuite;
  let sb: Sandbox;
  let double: HerokuDouble;
  let cluster: KubeCluster;
  let api: KubeApi;
  let stack: Stack;
  let pg: PgCluster;
  const ns = `h2h-e2e-${process.pid}`;
  const ours = (collection: string) =>
    api.list(`${collection}?labelSelector=${encodeURIComponent(MANAGED)}`) as Promise<unknown> as Promise<
      Obj[]
    >;
  const apps = (kind: "deployments" | "replicasets") => `/apis/apps/v1/namespaces/${ns}/${kind}`;
  const core = (kind: string) => `/api/v1/namespaces/${ns}/${kind}`;
  const batch = (kind: string) => `/apis/batch/v1/namespaces/${ns}/${kind}`;
  const ingresses = `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`;
  const appDeployments = async () =>
    (await ours(apps("deployments"))).filter((d) => d.metadata.labels?.["app.kubernetes.io/name"] === APP);

  /** Runs `op` while watching the namespace's Jobs, Deployments, ReplicaSets and Secrets. */
  async function watched<T>(op: () => Promise<T>): Promise<{ result: T; events: WatchEvent[] }> {
    const w = await Watcher.start(api, [
      batch("jobs"),
      apps("deployments"),
      apps("replicasets"),
      core("secrets"),
    ]);
    try {
      const result = await op();
      // Let the last events of the operation arrive.
      await new Promise((r) => setTimeout(r, 500));
      return { result, events: w.ordered() };
    } finally {
      w.stop();
    }
  }

  before(async function () {
    this.timeout(0); // the first run builds the engine and the control plane
    // The target database and its owner role exist (manageDatabase false, as the dev job leaves
    // them); the stack gives the role its new password, the one the app's DATABASE_URL carries.
    // The database is not imported here (test/e2e/program.test.ts does that); the apps' URLs point
    // at it all the same. KWOK runs no container, so the in-cluster Redis starts empty.
    suite = await startClusterSuite(ns);
    ({ sb, double, cluster, target: pg } = suite);
    api = cluster.api;
    stack = await suite.stack(`e2e-cluster-${process.pid}`, {
      image: IMAGE,
      sections: { schedules: NIGHTLY_CLEANUP },
    });
  });

  after(async function () {
    this.timeout(120_000);
    await suite?.stop();
  });

  it("preview plans the app's objects and creates nothing on the cluster", async function () {
    const res = await stack.preview({ ...sb.ops() });
    assert.ok((res.changeSummary.create ?? 0) >= 15, `creates: ${JSON.stringify(res.changeSummary)}`);
    assert.deepStrictEqual(await ours(apps("deployments")), []);
    assert.deepStrictEqual(await ours(core("secrets")), []);
  });

  it("up: Deployments Available, the release Job Complete before any of the app's Deployments exist, PVC Bound, Ingress with TLS hosts and an address, CronJob, immutable Secrets", async function () {
    const { result, events } = await watched(() => stack.up({ ...sb.ops() }));
    assert.strictEqual(result.summary.result, "succeeded");
    // The program ran on the Node.js this suite runs on: a supported one (scripts/node/ensure.sh
    // fetches Node.js 24 where the machine's is older).
    const runtime = result.outputs.runtime.value as { node: string; pulumiSdk: string };
    assert.strictEqual(runtime.node, process.version);
    assert.ok(["22", "24"].includes(runtime.node.slice(1).split(".")[0]), `Node.js ${runtime.node}`);

    const deployments = await ours(apps("deployments"));
    assert.deepStrictEqual(deployments.map((d) => d.metadata.name).sort(), [
      "acme-api-web",
      "acme-api-worker",
      "redis-curved-11111",
    ]);
    for (const d of deployments) {
      assert.ok(conditionTrue(d, "Available"), `${d.metadata.name} is Available`);
      assert.strictEqual(d.status?.readyReplicas, (d.spec as { replicas: number }).replicas, d.metadata.name);
    }

    // Order, from etcd's revisions: the release Job completed before the app's Deployments were created.
    const complete = events.find((e) => e.kind === "Job" && conditionTrue(e.object as Obj, "Complete"));
    assert.ok(complete, "the release Job completed during up");
    assert.match(complete.name, /^acme-api-release-[0-9a-f]{8}$/);
    const created = events.filter(
      (e) => e.kind === "Deployment" && e.type === "ADDED" && e.name.startsWith(`${APP}-`),
    );
    assert.deepStrictEqual(created.map((e) => e.name).sort(), ["acme-api-web", "acme-api-worker"]);
    for (const e of created) assert.ok(e.revision > complete.revision, `${e.name} created after the release`);
    const job = (await ours(batch("jobs")))[0];
    assert.strictEqual((job.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds, 3600);

    const [pvc] = await ours(core("persistentvolumeclaims"));
    assert.strictEqual(pvc.metadata.name, "redis-curved-11111");
    assert.strictEqual(pvc.status?.phase, "Bound");

    const [ing] = await ours(ingresses);
    const tls = (ing.spec as { tls: { hosts: string[] }[] }).tls.flatMap((t) => t.hosts).sort();
    assert.deepStrictEqual(tls, ["api.acme.example.com", "www.acme.example.com"]);
    const lb = ing.status as { loadBalancer: { ingress: { ip: string }[] } };
    assert.deepStrictEqual(lb.loadBalancer.ingress, [{ ip: "127.0.0.1" }]);

    const [cron] = await ours(batch("cronjobs"));
    assert.strictEqual(cron.metadata.name, "acme-api-nightly-cleanup");
    assert.strictEqual((cron.spec as { schedule: string }).schedule, "0 3 * * *");

    const secrets = await ours(core("secrets"));
    assert.strictEqual(secrets.length, 2, "the app's Secret and the in-cluster Redis'");
    // The DATABASE_URL the pods get logs in as the owner, with the password the stack generated.
    const appSecret = secrets.find((s) => s.metadata.name.startsWith(`${APP}-env-`)) as Obj & {
      data: Record<string, string>;
    };
    const dbUrl = new URL(Buffer.from(appSecret.data.DATABASE_URL, "base64").toString("utf8"));
    const owner = new Client({
      host: "127.0.0.1",
      port: pg.port,
      user: decodeURIComponent(dbUrl.username),
      password: decodeURIComponent(dbUrl.password),
      database: dbUrl.pathname.slice(1),
    });
    await owner.connect();
    await owner.end();
    for (const s of secrets) {
      assert.strictEqual(s.immutable, true, `${s.metadata.name} is immutable`);
      // The API server, not our code, refuses a change to an immutable Secret.
      await assert.rejects(
        api.patch(`${core("secrets")}/${s.metadata.name}`, { data: { EXTRA: "eA==" } }),
        (e: unknown) => e instanceof KubeApiError && e.status === 422 && /immutable/i.test(e.message),
      );
    }
  });

  it("a second up changes nothing, on Pulumi's side and on the server's", async function () {
    const before = (await ours(apps("deployments"))).map((d) => d.metadata.resourceVersion);
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(changedResources(events), []);
    const after = (await ours(apps("deployments"))).map((d) => d.metadata.resourceVersion);
    assert.deepStrictEqual(after, before);
  });

  it("a config var changed on Heroku: a new Secret, the new release completes first, the app's Deployments roll to new ReplicaSets, then the old Secret is deleted", async function () {
    const oldSecret = (await ours(core("secrets"))).find((s) => s.metadata.name.startsWith(`${APP}-env-`))!;
    const redisBefore = (await ours(apps("deployments"))).find(
      (d) => d.metadata.name === "redis-curved-11111",
    )!;
    const oldRs = new Set((await ours(apps("replicasets"))).map((r) => r.metadata.name));
    double.setConfigVar(APP, "LOG_LEVEL", `debug-${crypto.randomBytes(4).toString("hex")}`);

    const { events } = await watched(() => stack.up({ ...sb.ops() }));

    const newSecret = (await ours(core("secrets"))).find((s) => s.metadata.name.startsWith(`${APP}-env-`))!;
    assert.notStrictEqual(newSecret.metadata.name, oldSecret.metadata.name);
    const complete = events.find((e) => e.kind === "Job" && conditionTrue(e.object as Obj, "Complete"));
    assert.ok(complete, "a new release Job ran and completed");
    const newRs = events.filter(
      (e) =>
        e.kind === "ReplicaSet" && e.type === "ADDED" && !oldRs.has(e.name) && e.name.startsWith(`${APP}-`),
    );
    assert.deepStrictEqual(
      newRs.map((e) => e.name.replace(/-[a-z0-9]+$/, "")).sort(),
      ["acme-api-web", "acme-api-worker"],
      "each of the app's Deployments rolled to a new ReplicaSet",
    );
    for (const e of newRs) assert.ok(e.revision > complete.revision, `${e.name} after the release completed`);
    const deleted = events.find((e) => e.kind === "Secret" && e.type === "DELETED");
    assert.ok(deleted, "the old Secret was deleted");
    assert.strictEqual(deleted.name, oldSecret.metadata.name);
    for (const e of newRs)
      assert.ok(deleted.revision > e.revision, `old Secret deleted after ${e.name} rolled`);
    for (const d of await appDeployments()) {
      const tpl = JSON.stringify(d.spec);
      assert.ok(tpl.includes(newSecret.metadata.name), `${d.metadata.name} loads the new Secret`);
      assert.ok(conditionTrue(d, "Available"), `${d.metadata.name} is Available`);
    }
    const redisAfter = (await ours(apps("deployments"))).find(
      (d) => d.metadata.name === "redis-curved-11111",
    )!;
    assert.strictEqual(redisAfter.metadata.generation, redisBefore.metadata.generation, "Redis untouched");
  });

  it("a replicas override changes only that Deployment", async function () {
    const before = Object.fromEntries((await ours(apps("deployments"))).map((d) => [d.metadata.name, d]));
    editStackConfig(stack, (c) => (c[`${PROJECT}:replicas`] = { [APP]: { worker: 3 } }));
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(changedResources(events), [
      "update kubernetes:apps/v1:Deployment::acme-api-worker",
      // Dynamic resources (the generated credentials) run under the default pulumi-nodejs provider,
      // whose inputs are the stack's config: an edited config updates it, and nothing it manages.
      "update pulumi:providers:pulumi-nodejs::default",
    ]);
    const after = Object.fromEntries((await ours(apps("deployments"))).map((d) => [d.metadata.name, d]));
    assert.strictEqual((after["acme-api-worker"].spec as { replicas: number }).replicas, 3);
    assert.strictEqual(after["acme-api-worker"].status?.readyReplicas, 3);
    for (const name of ["acme-api-web", "redis-curved-11111"])
      assert.strictEqual(
        after[name].metadata.generation,
        before[name].metadata.generation,
        `${name} untouched`,
      );
  });

  it("drift made by hand (a Deployment scaled through the API) is shown by refresh and undone by up", async function () {
    await api.patch(`${apps("deployments")}/acme-api-web`, { spec: { replicas: 5 } });
    const refreshed = await stack.refresh({ ...sb.ops() });
    assert.strictEqual(
      refreshed.summary.resourceChanges?.update,
      1,
      JSON.stringify(refreshed.summary.resourceChanges),
    );
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(changedResources(events), ["update kubernetes:apps/v1:Deployment::acme-api-web"]);
    const web = (await ours(apps("deployments"))).find((d) => d.metadata.name === "acme-api-web")!;
    assert.strictEqual((web.spec as { replicas: number }).replicas, 2);
    assert.strictEqual(web.status?.readyReplicas, 2);
  });

  it("createNamespace: true adopts the existing namespace and replaces nothing", async function () {
    editStackConfig(
      stack,
      (c) => ((c[`${PROJECT}:cluster`] as Record<string, unknown>).createNamespace = true),
    );
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    const changed = changedResources(events);
    assert.ok(changed.includes(`create kubernetes:core/v1:Namespace::${ns}`), changed.join("\n"));
    assert.deepStrictEqual(
      changed.filter((c) => c.startsWith("replace") || c.startsWith("delete")),
      [],
      "no object replaced",
    );
    const nsObj = (await api.get(`/api/v1/namespaces/${ns}`)) as unknown as Obj;
    assert.strictEqual(nsObj.metadata.labels?.["app.kubernetes.io/managed-by"], "heroku-to-hasura");
  });

  it("destroy, as a user runs it (preview first), is refused while the PVC is protected, and deletes nothing", async function () {
    // `pulumi destroy --yes` previews first, and the preview fails on the protected PVC. (With
    // `--skip-preview`, as the Automation API's destroy runs, Pulumi deletes the unprotected
    // resources before it stops at the protected one: docs/kubernetes.md says so.)
    const r = pulumiCli(sb, stack, ["destroy", "--yes", "--non-interactive"]);
    assert.notStrictEqual(r.status, 0, "destroy failed");
    assert.match(
      r.stdout + r.stderr,
      /PersistentVolumeClaim::redis-curved-11111"? cannot be deleted\s+because it is protected/,
    );
    assert.strictEqual((await ours(core("persistentvolumeclaims"))).length, 1);
    assert.strictEqual((await ours(apps("deployments"))).length, 3);
    assert.strictEqual((await ours(core("secrets"))).length, 2);
  });

  it("after unprotecting, destroy leaves no object of ours behind (the namespace is kept)", async function () {
    unprotectAll(sb, stack);
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    const collections = [
      apps("deployments"),
      apps("replicasets"),
      core("secrets"),
      core("services"),
      core("persistentvolumeclaims"),
      core("pods"),
      batch("jobs"),
      batch("cronjobs"),
      ingresses,
    ];
    // Pods and ReplicaSets go with their owners (garbage collection): give it a moment.
    const until = Date.now() + 60_000;
    let left: string[];
    do {
      left = (
        await Promise.all(
          collections.map(async (c) =>
            (await api.list(c)).map((o) => `${c.split("/").pop()}/${(o as Obj).metadata.name}`),
          ),
        )
      )
        .flat()
        // The namespace's own service account objects are Kubernetes', not ours.
        .filter((n) => !/^secrets\/default-token/.test(n));
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < until);
    assert.deepStrictEqual(left, []);
    const nsObj = (await api.get(`/api/v1/namespaces/${ns}`)) as unknown as Obj;
    assert.strictEqual((nsObj.status as { phase: string }).phase, "Active", "the namespace is retained");
  });

  it("no config var value, token or the cluster's client key appears in plaintext in state or engine logs", function () {
    const vars = double.fixtures.apps.find((a) => a.app.name === APP)!.configVars;
    const needles = Object.entries(vars)
      .filter(([, v]) => v.length >= 12)
      .map(([k, v]) => ({ label: `config var ${k}`, value: v }));
    assert.ok(needles.length >= 4, "the scan covers the app's secret-looking config vars");
    const key = /client-key-data: (\S+)/.exec(cluster.kubeconfig)![1];
    needles.push(
      { label: "Heroku API token", value: FULL_TOKEN },
      { label: "kubeconfig client key", value: Buffer.from(key, "base64").toString("utf8").split("\n")[1] },
    );
    const configText = fs.readFileSync(stackConfigFile(stack), "utf8");
    // The sandbox's passphrase is looked for too.
    assert.deepStrictEqual(
      scanForSecrets(sb, needles, [{ where: "stack config file", text: configText }]),
      [],
    );
  });
});
