import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { promises as fs } from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { parseStackConfig, SECRET_KEYS, StackConfigError } from "../../components/config";
import { readSnapshotFile } from "../../components/heroku/snapshot-file";
import { planMigration, renderReport } from "../../components/plan";
import { BAD_CONFIG_CASES, validConfig } from "../config/config-cases";
import { buildAccountFixtures, FULL_TOKEN, startHerokuDouble } from "../support/heroku-double";
import { unwrap } from "../support/pulumi-mocks";
import { Obj, renderedChildren, sorted, T, useMockHarness } from "./harness";

const PROJECT = "heroku-to-hasura";
const REPO = path.resolve(__dirname, "../..");

type Program = () => Promise<Record<string, unknown>>;

/** Sets the stack config as the engine would (structured values JSON-encoded, secret keys marked). */
function setConfig(values: Record<string, unknown>): void {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    all[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  const secret = SECRET_KEYS.filter((k) => k in values).map((k) => `${PROJECT}:${k}`);
  pulumi.runtime.setAllConfig(all, secret);
}

async function devConfig(): Promise<Record<string, unknown>> {
  const doc = yaml.load(await fs.readFile(path.join(REPO, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(`${PROJECT}:`, ""), v]));
}

describe("index.ts program (mock-based, end to end with the example snapshot)", () => {
  const h = useMockHarness();
  let program: Program;
  let tmp: string;

  before(async () => {
    // `export = main` arrives as the module itself or, through esModuleInterop, as its default.
    const mod = (await import("../../index")) as unknown as Program | { default: Program };
    program = typeof mod === "function" ? mod : mod.default;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-program-"));
  });
  after(async () => {
    pulumi.runtime.setAllConfig({}, []);
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("mock: the dev stack's config renders the example app, its in-cluster Redis and the report", async () => {
    const config = await devConfig();
    const renderTo = path.join(tmp, "dev");
    config.cluster = { ...(config.cluster as object), renderTo };
    setConfig(config);

    const outputs = await program();
    const children = await renderedChildren(h.rec);

    // The expected children follow from the plan the program computes for the same input.
    const parsed = parseStackConfig(config, { project: PROJECT, stack: "test" });
    const set = await readSnapshotFile("examples/snapshot.json");
    const plan = planMigration(set.apps, parsed.plan);
    assert.deepStrictEqual(
      plan.apps.map((a) => a.app),
      ["acme-api"],
    );
    const [app] = plan.apps;
    assert.ok(
      app.workloads.some((w) => w.processType === "web") &&
        app.workloads.some((w) => w.processType === "worker"),
    );
    assert.strictEqual(plan.statefulAddons.length, 1, "the example's Redis runs in-cluster");
    const redis = plan.statefulAddons[0];
    const expected = [
      `${T.provider} kubernetes`,
      `${T.addon} ${redis.name}`,
      `${T.pvc} ${redis.name}`,
      ...(redis.password ? [`${T.secret} ${redis.name}`] : []),
      `${T.deployment} ${redis.name}`,
      `${T.service} ${redis.name}`,
      `${T.app} acme-api`,
      `${T.secret} acme-api-env`,
      ...app.workloads.flatMap((w) => [`${T.micro} ${w.name}`, `${T.deployment} ${w.name}`]),
      ...(app.service ? [`${T.service} ${app.workloads.find((w) => w.processType === "web")!.name}`] : []),
      ...(app.ingress ? [`${T.ingress} ${app.workloads.find((w) => w.processType === "web")!.name}`] : []),
      ...(app.releaseJob ? [`${T.job} acme-api-release`] : []),
      ...app.cronJobs.map((c) => `${T.cronJob} ${c.name}`),
    ];
    assert.deepStrictEqual(children, sorted(expected));
    assert.deepStrictEqual(
      app.cronJobs.map((c) => c.job),
      ["nightly-cleanup"],
      "the declared Scheduler job",
    );
    assert.ok(app.ingress, "the example's custom domains get an Ingress");

    // The provider renders to the configured folder in the configured namespace.
    assert.deepStrictEqual(h.rec.get(T.provider, "kubernetes").inputs, {
      namespace: "default",
      enableServerSideApply: "true",
      renderYamlToDirectory: renderTo,
      suppressDeprecationWarnings: "false",
    });
    // The workloads run the configured image and load the app's Secret.
    const secretName = (h.rec.get(T.secret, "acme-api-env").inputs as Obj).metadata.name;
    for (const w of app.workloads) {
      const c = (h.rec.get(T.deployment, w.name).inputs as Obj).spec.template.spec.containers[0];
      assert.strictEqual(c.image, parsed.appImages["acme-api"]);
      assert.deepStrictEqual(c.envFrom, [{ secretRef: { name: secretName } }]);
    }

    const report = renderReport(plan);
    assert.strictEqual(outputs.report, report);
    assert.strictEqual(await fs.readFile(path.join(renderTo, "report.md"), "utf8"), report);
    assert.ok(!report.includes("fake-pw-acme-source-not-secret"), "the report holds no secret value");
    const apps = outputs.apps as Record<string, Record<string, pulumi.Output<unknown>>>;
    assert.deepStrictEqual(Object.keys(apps), ["acme-api"]);
    assert.deepStrictEqual(
      Object.keys((await unwrap(apps["acme-api"].workloads)) as object).sort(),
      app.workloads.map((w) => w.processType).sort(),
    );
    assert.strictEqual(await unwrap(apps["acme-api"].secretName), secretName);
    assert.deepStrictEqual(Object.keys(outputs.inClusterAddons as object), [redis.addon]);
    assert.strictEqual(outputs.warnings, plan.warnings.length);
  });

  it("mock: without a snapshot file, reads the apps from the Heroku API (schema-validating double)", async () => {
    const double = await startHerokuDouble(buildAccountFixtures());
    try {
      const raw = validConfig();
      raw.heroku = { apps: ["acme-api"], apiUrl: double.url };
      raw.herokuApiKey = FULL_TOKEN;
      raw.cluster = { renderTo: path.join(tmp, "api") };
      raw.addons = {};
      raw.replicas = {};
      setConfig(raw);
      const outputs = await program();
      const children = await renderedChildren(h.rec);
      assert.ok(children.includes(`${T.app} acme-api`), children.join("\n"));
      assert.ok(children.includes(`${T.secret} acme-api-env`));
      const report = outputs.report as string;
      assert.match(report, /## App `acme-api`/);
      assert.ok(!report.includes(FULL_TOKEN) && !JSON.stringify(h.rec.registrations).includes(FULL_TOKEN));
      assert.ok(double.requests.length > 0, "the double was asked");
    } finally {
      await double.close(); // rejects when a response broke the Platform API schema
    }
  });

  describe(`each of ${BAD_CONFIG_CASES.length} bad configs fails naming the key, with no resource created`, () => {
    for (const c of BAD_CONFIG_CASES) {
      it(`mock: ${c.name}`, async () => {
        const raw = validConfig();
        c.mutate(raw);
        setConfig(raw);
        await assert.rejects(program(), (e: unknown) => {
          assert.ok(e instanceof StackConfigError, String(e));
          assert.deepStrictEqual(
            e.issues.map((i) => i.key),
            [c.key],
          );
          return true;
        });
        assert.deepStrictEqual(h.rec.registrations, [], "no resource was registered");
      });
    }
  });

  const crossChecks: { name: string; mutate: (c: Obj) => void; key: string; message: RegExp }[] = [
    {
      name: "an app missing from the snapshot file",
      mutate: (c) => (c.heroku.apps = ["acme-apii"]),
      key: "heroku-to-hasura:heroku.apps[0]",
      message: /app "acme-apii" is not in examples\/snapshot.json \(did you mean "acme-api"\?\)/,
    },
    {
      name: "replicas for a misspelled process type",
      mutate: (c) => (c.replicas = { "acme-api": { wrker: 1 } }),
      key: "heroku-to-hasura:replicas.acme-api.wrker",
      message: /no process type "wrker" \(did you mean "worker"\?\)/,
    },
    {
      name: "an override for an add-on no app has",
      mutate: (c) => (c.addons = { "redis-curved-11112": { disposition: "keep" } }),
      key: "heroku-to-hasura:addons.redis-curved-11112",
      message:
        /no selected app uses an add-on named "redis-curved-11112" \(did you mean "redis-curved-11111"\?\)/,
    },
    {
      name: "an app without an image",
      mutate: (c) => delete c.images.apps,
      key: "heroku-to-hasura:images.apps.acme-api.image",
      message: /is required: the app's image by digest/,
    },
  ];
  describe("config that does not match the snapshot fails naming the key, with no resource created", () => {
    for (const c of crossChecks) {
      it(`mock: ${c.name}`, async () => {
        const raw = validConfig();
        c.mutate(raw);
        setConfig(raw);
        await assert.rejects(program(), (e: unknown) => {
          assert.ok(e instanceof StackConfigError, String(e));
          assert.deepStrictEqual(
            e.issues.map((i) => i.key),
            [c.key],
          );
          assert.match(e.issues[0].message, c.message);
          return true;
        });
        assert.deepStrictEqual(h.rec.registrations, []);
      });
    }
  });
});
