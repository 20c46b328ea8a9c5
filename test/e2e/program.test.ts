/**
 * The real program (index.ts, run by the Node.js language host) under the real engine, reading
 * acme-api from the Heroku API double, rendering to a folder and importing its database between two
 * real Postgres clusters and copying its Heroku Redis (a TLS redis-server) into the "in-cluster"
 * one (a redis-server started, as a user starts `kubectl port-forward`, once the add-on's Secret is
 * rendered): preview → up → no-op up → one Heroku config var changed → refresh → destroy (the
 * imported data stays), with manifests validated against the Kubernetes schema and the state and
 * engine logs scanned for config var values, tokens and passwords.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import { sqlIdentifier } from "../../components/plan/names";
import { freePort, PgCluster } from "../../scripts/lib/pg-cluster";
import {
  changedResources,
  createSandbox,
  findPlaintext,
  NeedleSpec,
  refreshThenPreview,
  Sandbox,
  scanForSecrets,
  unprotectAll,
} from "../support/engine";
import { buildAccountFixtures, FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { SampleImport, startSampleImport } from "../support/postgres/sample-import";
import { APP, appImage, PG_ADDON, REDIS_ADDON, setDatabaseUrl } from "../support/program-stack";
import { loadRichData } from "../support/redis/rich-data";
import { RedisServer, startRedis } from "../support/redis/server";
import { readRendered, RenderedObject, validateRendered } from "./support/manifests";
import { canLogIn } from "../support/postgres/can-log-in";

const IMAGE = appImage("1");

/** Rendered objects by "<Kind>/<name>", with their serialised content. */
function byIdentity(objects: RenderedObject[]): Map<string, string> {
  return new Map(objects.map(({ file: _f, ...o }) => [`${o.kind}/${o.metadata.name}`, JSON.stringify(o)]));
}

/** Row count per user table ("schema.table" → rows; views left out), straight from the server. */
function rowCounts(cluster: PgCluster, db: string): Record<string, number> {
  const tables = cluster
    .psql(
      "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')" +
        // The import's own bookkeeping schema in the target is not user data.
        " AND schemaname <> '_heroku_to_hasura' ORDER BY 1",
      db,
    )
    .trim()
    .split("\n")
    .filter(Boolean);
  return Object.fromEntries(
    tables.map((t) => [t, Number(cluster.psql(`SELECT count(*) FROM ${t}`, db).trim())]),
  );
}

/** Whether `url` logs in (a password check against the real server). */

describe("index.ts under the real engine, reading the Heroku API double, rendering manifests", function () {
  let sb: Sandbox;
  let double: HerokuDouble;
  let stack: Stack;
  let renderDir: string;
  const newLogLevel = `debug-e2e-${crypto.randomBytes(6).toString("hex")}`;
  let firstRender: RenderedObject[] = [];
  let databases: SampleImport;
  let source: PgCluster;
  let target: PgCluster;
  const sourcePassword = `src-${crypto.randomBytes(9).toString("hex")}`;
  const targetDb = sqlIdentifier(PG_ADDON);
  let ownerPassword = "";
  let redisPassword = "";
  let initialVars: Record<string, string> = {};
  let redisSource: RedisServer;
  let redisTarget: RedisServer | undefined;
  let redisTargetPort = 0;
  let redisTargetPassword: string | null = null;

  before(async function () {
    this.timeout(0); // the first run builds the engine
    sb = await createSandbox();
    double = await startHerokuDouble(buildAccountFixtures());
    // The target database exists, its owner role with Heroku's password (manageDatabase false, as
    // in the dev stack).
    databases = await startSampleImport(sourcePassword);
    ({ source, target } = databases);
    setDatabaseUrl(double, databases.sourceUrl());
    redisSource = await startRedis({ tls: true });
    await loadRichData(redisSource);
    double.setConfigVar(APP, "REDIS_URL", redisSource.url());
    redisTargetPort = await freePort();
    // Short values ("info", "2") would match anywhere: make every value unique, so the final scan
    // can look for each config var's value, not only the secret-looking ones.
    for (const [k, v] of Object.entries(appConfigVars())) {
      if (v.length < 12) double.setConfigVar(APP, k, `${v}-${crypto.randomBytes(6).toString("hex")}`);
    }
    initialVars = { ...appConfigVars() };

    renderDir = path.join(sb.dir, "rendered");
    stack = await databases.stack(sb, `e2e-program-${process.pid}`, {
      apiUrl: double.url,
      renderTo: renderDir,
      image: IMAGE,
      sections: {
        addons: { [REDIS_ADDON]: { copy: { host: "127.0.0.1", port: redisTargetPort, waitSeconds: 300 } } },
      },
    });
  });

  /** The app's config vars as the double now serves them. */
  function appConfigVars(): Record<string, string> {
    return double.fixtures.apps.find((a) => a.app.name === APP)!.configVars;
  }

  after(async function () {
    sb?.cleanup();
    databases?.stop();
    redisSource?.stop();
    redisTarget?.stop();
    await double?.close(); // rejects if any response the double served broke the API schema
  });

  it("preview plans the app's resources and renders nothing, reading each Heroku endpoint once", async function () {
    const before = double.requests.length;
    const res = await stack.preview({ ...sb.ops() });
    // One program run: 15 requests about acme-api (its moved add-ons' lists included) and its
    // pipeline's name, each path once.
    const run = double.requests.slice(before).map((r) => r.path + (r.range ? ` ${r.range}` : ""));
    assert.strictEqual(run.length, 16, run.join("\n"));
    assert.strictEqual(new Set(run).size, run.length, "no request repeated");
    assert.ok((res.changeSummary.create ?? 0) > 3, `creates: ${JSON.stringify(res.changeSummary)}`);
    assert.deepStrictEqual(readRendered(renderDir), []);
  });

  /**
   * Plays the user: once the add-on's Secret is rendered (the in-cluster server "is up"), starts
   * the "in-cluster" Redis with the password it holds on the port the copy waits on, as
   * `kubectl port-forward` would expose it.
   */
  async function startRedisTargetWhenRendered(): Promise<void> {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const secret = readRendered(renderDir).find(
        (o) => o.kind === "Secret" && JSON.stringify(o.metadata).includes(REDIS_ADDON),
      ) as unknown as { data?: Record<string, string> } | undefined;
      const deployment = readRendered(renderDir).find(
        (o) => o.kind === "Deployment" && (o.metadata.name ?? "").startsWith(REDIS_ADDON),
      );
      if (deployment) {
        const encoded = secret?.data?.password;
        redisTargetPassword = encoded ? Buffer.from(encoded, "base64").toString("utf8") : null;
        redisTarget = await startRedis({ port: redisTargetPort, password: redisTargetPassword });
        return;
      }
      if (Date.now() > deadline) throw new Error("the in-cluster Redis was never rendered");
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("up renders schema-valid manifests and the migration report", async function () {
    const targetStarted = startRedisTargetWhenRendered();
    const res = await stack.up({ ...sb.ops() });
    await targetStarted;
    assert.strictEqual(res.summary.result, "succeeded");
    firstRender = readRendered(renderDir);
    const kinds = new Set(firstRender.map((o) => o.kind));
    for (const k of ["Deployment", "Secret", "Service"]) assert.ok(kinds.has(k), `rendered a ${k}`);
    assert.deepStrictEqual(validateRendered(firstRender), []);
    assert.ok(fs.existsSync(path.join(renderDir, "report.md")), "report.md next to the manifests");
    const apps = res.outputs.apps?.value as Record<string, { secretName?: string }>;
    assert.ok(apps?.[APP], "an output per app");
    // Control for the final scan: it does find config var values where they must be, base64 in
    // the rendered Secret, and the target owner's password inside the rewritten DATABASE_URL.
    const secret = firstRender.find(
      (o) => o.kind === "Secret" && JSON.stringify(o).includes("SESSION_SECRET"),
    );
    assert.ok(secret, "the app's Secret is rendered");
    const data = (secret as unknown as { data: Record<string, string> }).data;
    ownerPassword = decodeURIComponent(
      new URL(Buffer.from(data.DATABASE_URL, "base64").toString("utf8")).password,
    );
    assert.ok(ownerPassword.length >= 6, "DATABASE_URL carries the target owner's password");
    const text = fs.readFileSync(secret.file, "utf8");
    assert.deepStrictEqual(
      findPlaintext(
        [
          { label: "SESSION_SECRET", value: appConfigVars().SESSION_SECRET },
          { label: "owner password", value: ownerPassword },
        ],
        [{ where: "rendered Secret", text }],
      ),
      ["SESSION_SECRET in rendered Secret", "owner password in rendered Secret"],
    );
  });

  it("up gave the owner role and the in-cluster Redis new passwords: Heroku's unlock nothing", async function () {
    const owner = sqlIdentifier(PG_ADDON, "_owner");
    assert.notStrictEqual(ownerPassword, sourcePassword, "the app's DATABASE_URL carries a new password");
    // The role existed with Heroku's password (as left by a DBA or the dev job): up replaced it.
    assert.ok(await canLogIn(target.url(targetDb, owner, ownerPassword)), "the new password logs in");
    assert.ok(!(await canLogIn(target.url(targetDb, owner, sourcePassword))), "Heroku's does not");

    const appSecret = firstRender.find(
      (o) => o.kind === "Secret" && JSON.stringify(o).includes("SESSION_SECRET"),
    );
    const redisSecret = firstRender.find(
      (o) =>
        o.kind === "Secret" &&
        Object.keys((o as unknown as { data?: object }).data ?? {}).join() === "password",
    );
    assert.ok(appSecret && redisSecret, "the app's and the Redis server's Secrets are rendered");
    const b64 = (o: unknown, k: string) =>
      Buffer.from((o as { data: Record<string, string> }).data[k], "base64").toString("utf8");
    redisPassword = b64(redisSecret, "password");
    const herokuRedis = new URL(initialVars.REDIS_URL).password;
    assert.ok(redisPassword.length >= 32 && redisPassword !== herokuRedis, "the server's password is new");
    assert.strictEqual(
      new URL(b64(appSecret, "REDIS_URL")).password,
      redisPassword,
      "and the app's URL carries it",
    );
  });

  it("up imported the database between the two clusters, and its verification outputs say so", async function () {
    const outputs = await stack.outputs();
    const dbs = outputs.databases.value as {
      addon: string;
      import: {
        tables: number;
        rows: number;
        verification: { table: string; rows: number; equal: boolean }[];
      } | null;
    }[];
    const db = dbs.find((d) => d.addon === PG_ADDON);
    assert.ok(db?.import, "the import ran");
    const expected = rowCounts(source, "acme_source");
    const imported = rowCounts(target, targetDb);
    assert.deepStrictEqual(imported, expected, "same tables and row counts in the target");
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    assert.ok(total > 0, "the sample has rows");
    assert.strictEqual(db.import.rows, total);
    assert.strictEqual(db.import.tables, Object.keys(expected).length);
    assert.strictEqual(db.import.verification.length, Object.keys(expected).length);
    for (const v of db.import.verification) {
      assert.strictEqual(v.equal, true, `${v.table} verified equal`);
      const key = v.table.includes(".") ? v.table : `public.${v.table}`;
      assert.strictEqual(v.rows, expected[key.replace(/"/g, "")], `${v.table} row count`);
    }
  });

  it("up copied the Heroku Redis into the in-cluster one, verified, before the app's workloads", async function () {
    const outputs = await stack.outputs();
    const addons = outputs.inClusterAddons.value as Record<
      string,
      { data: { mode: string; verifiedKeys: number; databases: { db: number; keys: number }[] } }
    >;
    const data = addons[REDIS_ADDON].data;
    assert.strictEqual(data.mode, "copy");
    assert.strictEqual(data.verifiedKeys, 17);
    assert.deepStrictEqual(
      data.databases.map((d) => [d.db, d.keys]),
      [
        [0, 15],
        [3, 2],
      ],
    );
    assert.ok(redisTarget, "the in-cluster Redis was started");
    assert.strictEqual(redisTarget.cli("-n", "3", "GET", "db3:only").trim(), "in another logical database");
    assert.strictEqual(redisTarget.cli("LLEN", "list:big").trim(), "5000");
    // Under the real engine, every workload of the app depends on the copy.
    const resources = (await stack.exportStack()).deployment.resources as {
      urn: string;
      type: string;
      dependencies?: string[];
    }[];
    const copy = resources.find((r) => r.type.endsWith(":RedisImport"));
    assert.ok(copy, "a RedisImport in state");
    const workloads = resources.filter(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && !r.urn.endsWith(`::${REDIS_ADDON}`),
    );
    assert.ok(workloads.length >= 2);
    for (const w of workloads) {
      assert.ok(w.dependencies?.includes(copy.urn), `${w.urn} waits for the Redis copy`);
    }
  });

  it("a second up changes nothing", async function () {
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
  });

  it("one changed Heroku config var replaces the app's Secret and rolls exactly the workloads that use it", async function () {
    double.setConfigVar(APP, "LOG_LEVEL", newLogLevel);
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    const changed = changedResources(events);

    const secrets = changed.filter((c) => c.includes(":Secret::"));
    assert.strictEqual(secrets.length, 1, `one Secret changes: ${changed.join("; ")}`);
    assert.ok(secrets[0].startsWith("replace "), "an auto-named Secret is replaced, so references change");

    // Which rendered objects referenced the old Secret: exactly those change, nothing else does.
    const before = byIdentity(firstRender);
    const after = byIdentity(readRendered(renderDir));
    const oldSecret = [...before.keys()].find((k) => k.startsWith("Secret/") && !after.has(k));
    assert.ok(oldSecret, "the old Secret's manifest is gone");
    const oldName = oldSecret.slice("Secret/".length);
    const users = [...before]
      .filter(([k, v]) => k !== oldSecret && v.includes(`"${oldName}"`))
      .map(([k]) => k);
    assert.ok(
      users.some((k) => k.startsWith("Deployment/")),
      "at least one Deployment uses the Secret",
    );
    const workloadChanges = changed.filter((c) => !c.includes(":Secret::"));
    assert.strictEqual(
      workloadChanges.length,
      users.length,
      `changed: ${changed.join("; ")}; users: ${users.join(", ")}`,
    );
    for (const [k, v] of before) {
      if (k === oldSecret) continue;
      const now = after.get(k);
      if (users.includes(k)) {
        assert.ok(
          now === undefined || !now.includes(`"${oldName}"`),
          `${k} no longer references the old Secret`,
        );
      } else {
        assert.strictEqual(now, v, `${k} is untouched`);
      }
    }
    assert.deepStrictEqual(validateRendered(readRendered(renderDir)), []);
  });

  // The Kubernetes provider (v4.25.0) cannot read rendered manifests back without a cluster, so
  // refresh targets the import, whose read checks the import marker in the target database.
  it("refresh reads the import back from the target database and leaves nothing to change", async function () {
    const resources = (await stack.exportStack()).deployment.resources as { urn: string; type: string }[];
    const imports = resources.filter((r) => r.type.endsWith(":PostgresImport"));
    assert.strictEqual(imports.length, 1, "one PostgresImport in state");
    assert.deepStrictEqual(
      await refreshThenPreview(
        sb,
        stack,
        imports.map((r) => r.urn),
      ),
      { result: "succeeded", refreshed: [], previewed: [] },
    );
  });

  it("destroy (after unprotecting the import) removes every resource and keeps the imported data", async function () {
    const before = rowCounts(target, targetDb);
    unprotectAll(sb, stack);
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(readRendered(renderDir), []);
    assert.deepStrictEqual(rowCounts(target, targetDb), before, "the target database keeps its data");
    assert.strictEqual(
      redisTarget!.cli("LLEN", "list:big").trim(),
      "5000",
      "the in-cluster Redis keeps its data",
    );
  });

  it("no config var value, API token, password or passphrase appears in plaintext in state or engine logs", function () {
    const needles: NeedleSpec[] = Object.entries(initialVars).map(([k, v]) => ({
      label: `config var ${k}`,
      value: v,
    }));
    assert.ok(needles.length >= 8, "the scan covers every config var of the app");
    needles.push({ label: "config var LOG_LEVEL (changed)", value: newLogLevel });
    assert.ok(ownerPassword, "the owner password was read from the rendered Secret");
    needles.push(
      { label: "Heroku API token", value: FULL_TOKEN },
      { label: "source database password", value: sourcePassword },
      { label: "Heroku Redis password", value: redisSource.password! },
      ...(redisTargetPassword ? [{ label: "in-cluster Redis password", value: redisTargetPassword }] : []),
      { label: "target admin password (postgresPassword)", value: target.password },
      { label: "target owner password", value: ownerPassword },
    );
    assert.ok(
      sb.stateFiles().some((s) => s.file.endsWith(".json")),
      "state was written",
    );
    // The sandbox's passphrase is looked for too.
    assert.deepStrictEqual(scanForSecrets(sb, needles), []);
    // The CLI found this checkout's language host both on PATH and next to itself (no warning).
    assert.ok(!sb.log.text().includes("pulumi-language-nodejs from $PATH"), "no language host warning");
  });
});
