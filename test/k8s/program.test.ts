import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { promises as fs } from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { parseStackConfig, SECRET_KEYS, StackConfigError } from "../../components/config";
import { readSnapshotFile } from "../../components/heroku/snapshot-file";
import { hasuraSection } from "../../components/hasura/deploy";
import { planHasura } from "../../components/hasura/plan";
import { renderCutoverSection } from "../../components/cutover/cutover-report";
import { planMigration, renderReport } from "../../components/plan";
import { IMAGE_DIGESTS_OUTPUT } from "../../components/images/promotion";
import { BAD_CONFIG_CASES, validConfig } from "../config/config-cases";
import { buildAccountFixtures, FULL_TOKEN, startHerokuDouble } from "../support/heroku-double";
import { fakeGeneratedSecret, GENERATED_SECRET_TYPE, unwrap } from "../support/pulumi-mocks";
import { Obj, renderedChildren, sorted, T, useMockHarness } from "./harness";

const PROJECT = "heroku-to-hasura";

/** Type tokens of the data components. */
const D = {
  import: "pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport",
  rolePassword: "pulumi-nodejs:dynamic/heroku-to-hasura/data:RolePassword",
  generated: GENERATED_SECRET_TYPE,
  target: "heroku-to-hasura:data:TargetDatabase",
  pgProvider: "pulumi:providers:postgresql",
  role: "postgresql:index/role:Role",
  database: "postgresql:index/database:Database",
} as const;
const REPO = path.resolve(__dirname, "../..");
const REDIS_COPY = "pulumi-nodejs:dynamic/heroku-to-hasura/data:RedisImport";

type Program = () => Promise<Record<string, unknown>>;

/** Sets the stack config as the engine would (structured values JSON-encoded, secret keys marked). */
/**
 * The StackConfigError the program failed with: it reaches the SDK as a plain RunError with the
 * same message (shown alone to the user) and the original as its cause.
 */
function configErrorOf(thrown: unknown): StackConfigError {
  assert.ok(pulumi.RunError.isInstance(thrown), `a RunError, got ${String(thrown)}`);
  const cause = (thrown as Error).cause;
  assert.ok(cause instanceof StackConfigError, String(cause));
  assert.equal((thrown as Error).message, cause.message);
  return cause;
}

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
    delete process.env.HEROKU_TO_HASURA_REHEARSALS;
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("mock: the dev stack's config renders the example app, its in-cluster Redis and the report", async () => {
    const config = await devConfig();
    const renderTo = path.join(tmp, "dev");
    // No rehearsal record of this machine's own `npm run import` runs may change the report.
    process.env.HEROKU_TO_HASURA_REHEARSALS = path.join(tmp, "no-rehearsals.json");
    config.cluster = { ...(config.cluster as object), renderTo };
    setConfig(config);

    const outputs = await program();
    const children = await renderedChildren(h.rec);

    // Pinned: the dev stack's config over examples/snapshot.json. acme-api runs web (Service, Ingress
    // for its custom domains) and worker, a release phase and one Scheduler job; its Postgres is
    // migrated into an existing database (manageDatabase false), its Redis runs in-cluster, and
    // GraphQL Engine serves the imported tables. Everything under the one migration component.
    const expected = [
      "heroku-to-hasura:index:HerokuToHasura migration",
      `${T.provider} kubernetes`,
      `${T.addon} redis-curved-11111`,
      `${T.pvc} redis-curved-11111`,
      `${T.secret} redis-curved-11111`,
      `${T.deployment} redis-curved-11111`,
      `${T.service} redis-curved-11111`,
      `${T.app} acme-api`,
      `${T.secret} acme-api-env`,
      `${T.micro} acme-api-web`,
      `${T.deployment} acme-api-web`,
      `${T.service} acme-api-web`,
      `${T.ingress} acme-api-web`,
      `${T.micro} acme-api-worker`,
      `${T.deployment} acme-api-worker`,
      `${T.job} acme-api-release`,
      `${T.cronJob} acme-api-nightly-cleanup`,
      // manageDatabase false: only the import (a dynamic resource, no @pulumi/postgresql plugin),
      // and the owner role's new password set on the existing role.
      `${D.import} postgresql-concave-52656-import`,
      `${D.rolePassword} postgresql-concave-52656-owner-password`,
      // The migration's new credentials: the database owner's and the in-cluster Redis's.
      `${D.generated} postgresql-concave-52656-owner`,
      `${D.generated} redis-curved-11111-password`,
      // GraphQL Engine and the metadata generated from the imported database (docs/hasura.md).
      "heroku-to-hasura:hasura:HasuraEngine hasura",
      "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret hasura-admin-secret",
      `${T.secret} hasura`,
      `${T.deployment} hasura`,
      `${T.service} hasura`,
      "pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata hasura-metadata",
    ];
    assert.deepStrictEqual(children, sorted(expected));
    assert.ok(!children.some((c) => c.startsWith("postgresql:") || c.includes(":providers:postgresql")));
    assert.ok(
      !children.some((c) => c.startsWith("docker:") || c.includes("AppImage")),
      "a pinned image builds nothing",
    );

    // The provider renders to the configured folder in the configured namespace.
    assert.deepStrictEqual(h.rec.get(T.provider, "kubernetes").inputs, {
      namespace: "default",
      enableServerSideApply: "true",
      renderYamlToDirectory: renderTo,
      suppressDeprecationWarnings: "false",
    });
    // The workloads run the configured image and load the app's Secret.
    const secretName = (h.rec.get(T.secret, "acme-api-env").inputs as Obj).metadata.name;
    const pinned = (config.images as Obj).apps["acme-api"].image as string;
    assert.match(pinned, /@sha256:[0-9a-f]{64}$/);
    assert.deepStrictEqual(await unwrap(outputs[IMAGE_DIGESTS_OUTPUT] as pulumi.Output<unknown>), {
      "acme-api": pinned,
    });
    for (const w of ["acme-api-web", "acme-api-worker"]) {
      const c = (h.rec.get(T.deployment, w).inputs as Obj).spec.template.spec.containers[0];
      assert.strictEqual(c.image, pinned);
      assert.deepStrictEqual(c.envFrom, [{ secretRef: { name: secretName } }]);
    }

    // New credentials, never Heroku's: the app's URLs, the Redis server and the owner role all carry
    // the generated values (the mocks' stand-ins), and no Heroku password is left in the Secret.
    const ownerPassword = fakeGeneratedSecret("postgresql-concave-52656-owner");
    const redisPassword = fakeGeneratedSecret("redis-curved-11111-password");
    const env = h.rec.get(T.secret, "acme-api-env");
    const data = env.inputs.stringData as Record<string, string>;
    assert.strictEqual(
      data.DATABASE_URL,
      `postgres://postgresql_concave_52656_owner:${ownerPassword}@127.0.0.1:31433/postgresql_concave_52656`,
    );
    assert.strictEqual(data.REDIS_URL, `redis://:${redisPassword}@redis-curved-11111.default.svc:6379`);
    for (const heroku of ["fake-pw-acme-source-not-secret", "fake-redis-pw-b81d"]) {
      assert.ok(!JSON.stringify(data).includes(heroku), "no Heroku password in the app's Secret");
    }
    assert.deepStrictEqual(h.rec.get(T.secret, "redis-curved-11111").inputs.stringData, {
      password: redisPassword,
    });
    const role = h.rec.get(D.rolePassword, "postgresql-concave-52656-owner-password");
    assert.strictEqual(role.inputs.role, "postgresql_concave_52656_owner");
    assert.strictEqual(role.inputs.password, ownerPassword);
    assert.ok(role.secretPaths.includes("password") && role.secretPaths.includes("adminUrl"));

    // The report's content is test/plan/report.test.ts's: here, that the program writes the report of
    // the plan for this input (with its Hasura section), then the cutover section (freeze off). The
    // source's size is measured when it is reachable (a dev cluster may run on this machine): exact
    // when it is not.
    const parsed = parseStackConfig(config, { project: PROJECT, stack: "test" });
    const plan = planMigration((await readSnapshotFile("examples/snapshot.json")).apps, parsed.plan);
    const hasura = hasuraSection(
      planHasura(parsed.hasura, plan, parsed.plan.postgres, parsed.plan.ingress),
      null,
      null,
    );
    const report = pulumi.Output.isInstance(outputs.report)
      ? await unwrap(outputs.report as pulumi.Output<string>)
      : String(outputs.report);
    const base = renderReport(plan, hasura);
    assert.ok(
      report.startsWith(`${base}\n## Cutover\n\nThe freeze is off`),
      "the plan's report, then the cutover section",
    );
    assert.match(report, /\| postgresql-concave-52656 \| acme-api \|/);
    if (!report.includes("(measured at this preview/up)")) {
      const section = renderCutoverSection({
        stack: "test",
        freeze: false,
        drainTimeoutSeconds: 120,
        databases: plan.databases.map((d) => ({ plan: d, size: null, rehearsal: null })),
        hosts: ["api.acme.example.com", "www.acme.example.com"],
      });
      assert.strictEqual(report, `${base}\n${section}`);
    }
    assert.strictEqual(await fs.readFile(path.join(renderTo, "report.md"), "utf8"), report);
    assert.ok(!report.includes("fake-pw-acme-source-not-secret"), "the report holds no secret value");
    const apps = outputs.apps as Record<string, Record<string, pulumi.Output<unknown>>>;
    assert.deepStrictEqual(Object.keys(apps), ["acme-api"]);
    assert.deepStrictEqual(Object.keys((await unwrap(apps["acme-api"].workloads)) as object).sort(), [
      "web",
      "worker",
    ]);
    assert.strictEqual(await unwrap(apps["acme-api"].secretName), secretName);
    assert.deepStrictEqual(Object.keys(outputs.inClusterAddons as object), ["redis-curved-11111"]);
    assert.strictEqual(outputs.warnings, 8, "the example's warnings (the report lists them)");
    assert.strictEqual(outputs.warnings, plan.warnings.length);
  });

  it("mock: a stack that copies the in-cluster Redis declares its RedisImport (after the server) and outputs what it verified", async () => {
    const config = await devConfig();
    config.cluster = { ...(config.cluster as object), renderTo: path.join(tmp, "copy") };
    config.addons = {
      "redis-curved-11111": { copy: { host: "127.0.0.1", port: 16379, importId: "cutover-1" } },
    };
    setConfig(config);
    const outputs = await program();
    const children = await renderedChildren(h.rec);
    const copy = "pulumi-nodejs:dynamic/heroku-to-hasura/data:RedisImport redis-curved-11111-data";
    assert.ok(children.includes(copy), children.join("\n"));
    const inputs = h.rec.get(
      "pulumi-nodejs:dynamic/heroku-to-hasura/data:RedisImport",
      "redis-curved-11111-data",
    ).inputs as Obj;
    assert.deepStrictEqual(
      [inputs.targetName, inputs.importId, inputs.waitSeconds, inputs.targetHint],
      [
        "redis-curved-11111.default.svc:6379",
        "cutover-1",
        600,
        "kubectl port-forward -n default svc/redis-curved-11111 16379:6379",
      ],
    );
    // The copy logs in to the in-cluster server with its generated password, as the apps do.
    assert.strictEqual(
      decodeURIComponent(new URL(inputs.targetUrl as string).password),
      fakeGeneratedSecret("redis-curved-11111-password"),
    );
    const data = (outputs.inClusterAddons as Record<string, { data: Record<string, unknown> }>)[
      "redis-curved-11111"
    ].data;
    assert.strictEqual(data.mode, "copy");
    assert.strictEqual(await unwrap(data.importId as pulumi.Output<string>), "cutover-1");
    // With Hasura on (the dev stack), the report is rewritten once the metadata exists: an Output.
    const report = pulumi.Output.isInstance(outputs.report)
      ? await unwrap(outputs.report as pulumi.Output<string>)
      : String(outputs.report);
    assert.match(report, /\| redis-curved-11111 \| heroku-redis \| in-cluster \| copied once and verified/);
  });

  it("mock: without a snapshot file, reads the apps from the Heroku API (schema-validating double)", async () => {
    const double = await startHerokuDouble(buildAccountFixtures());
    try {
      const raw = validConfig();
      raw.heroku = { apps: ["acme-api"], apiUrl: double.url };
      raw.herokuApiKey = FULL_TOKEN;
      raw.cluster = { renderTo: path.join(tmp, "api") };
      raw.addons = { "redis-curved-11111": { startEmpty: true } }; // its data is not what this test is about
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

  it("mock: heroku.pipeline reads the apps coupled at that stage from the Heroku API (schema-validating double)", async () => {
    const fixtures = buildAccountFixtures();
    assert.deepStrictEqual(
      fixtures.couplings.map((c) => (c.stage as string) ?? ""),
      ["staging"],
      "the account couples acme-api to pipeline acme at stage staging",
    );
    const double = await startHerokuDouble(fixtures);
    try {
      const raw = validConfig();
      raw.heroku = { pipeline: { name: "acme", stage: "staging" }, apiUrl: double.url };
      raw.herokuApiKey = FULL_TOKEN;
      raw.cluster = { renderTo: path.join(tmp, "pipeline") };
      raw.addons = { "redis-curved-11111": { startEmpty: true } }; // its data is not what this test is about
      raw.replicas = {};
      setConfig(raw);
      const outputs = await program();
      const children = await renderedChildren(h.rec);
      assert.deepStrictEqual(
        children.filter((c) => c.startsWith(`${T.app} `)),
        [`${T.app} acme-api`],
        "exactly the app coupled at staging (not acme-admin, acme-bulk)",
      );
      assert.deepStrictEqual(Object.keys(outputs.apps as object), ["acme-api"]);
      const paths = double.requests.map((r) => r.path);
      assert.ok(
        paths.some((p) => /^\/pipelines\/[^/]+\/pipeline-couplings$/.test(p)),
        paths.join("\n"),
      );
    } finally {
      await double.close();
    }
  });

  it("mock: a pipeline stage with no app fails naming heroku.pipeline and the stages it has, with no resource", async () => {
    const double = await startHerokuDouble(buildAccountFixtures());
    try {
      const raw = validConfig();
      raw.heroku = { pipeline: { name: "acme", stage: "production" }, apiUrl: double.url };
      raw.herokuApiKey = FULL_TOKEN;
      setConfig(raw);
      await assert.rejects(
        program(),
        /heroku-to-hasura:heroku\.pipeline: .*pipeline "acme".*production.*\(its stages: staging\)/,
      );
      assert.deepStrictEqual(h.rec.registrations, []);
    } finally {
      await double.close();
    }
  });

  describe(`each of ${BAD_CONFIG_CASES.length} bad configs fails naming the key, with no resource created`, () => {
    for (const c of BAD_CONFIG_CASES) {
      it(`mock: ${c.name}`, async () => {
        const raw = validConfig();
        c.mutate(raw);
        setConfig(raw);
        await assert.rejects(program(), (thrown: unknown) => {
          const e = configErrorOf(thrown);
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
      name: "an app without an image and no registry to push its slug build to",
      mutate: (c) => {
        delete c.images.apps;
        delete c.images.registry;
        delete c.heroku.apps;
      },
      key: "heroku-to-hasura:images.registry",
      message: /required because acme-api builds an image/,
    },
  ];
  describe("config that does not match the snapshot fails naming the key, with no resource created", () => {
    for (const c of crossChecks) {
      it(`mock: ${c.name}`, async () => {
        const raw = validConfig();
        c.mutate(raw);
        setConfig(raw);
        await assert.rejects(program(), (thrown: unknown) => {
          const e = configErrorOf(thrown);
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

/** What the engine would receive per registration: protect and direct dependencies (URNs). */
interface RegistrationOptions {
  type: string;
  name: string;
  protect: boolean;
  dependencies: string[];
}

// The SDK's monitor (the mock monitor under setMocks); not in its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkSettings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): { registerResource: (req: RegisterRequest, cb: unknown) => unknown };
};
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean;
  getDependenciesList(): string[];
}

/** Records protect and dependencies of every registration the mock monitor receives. */
function recordRegistrationOptions(into: RegistrationOptions[]): void {
  const monitor = sdkSettings.getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    into.push({
      type: req.getType(),
      name: req.getName(),
      protect: req.getProtect(),
      dependencies: req.getDependenciesList(),
    });
    return original(req, cb);
  };
}

describe("index.ts program: the data import graph (mock)", () => {
  const h = useMockHarness();
  const seen: RegistrationOptions[] = [];
  let program: Program;
  let tmp: string;
  // The example's migrated Postgres and acme-api's workloads (examples/snapshot.json).
  const db = {
    addon: "postgresql-concave-52656",
    database: "postgresql_concave_52656",
    ownerRole: "postgresql_concave_52656_owner",
  };
  const appWorkloads = ["acme-api-web", "acme-api-worker"];

  before(async () => {
    recordRegistrationOptions(seen); // after the harness installed this suite's mocks
    const mod = (await import("../../index")) as unknown as Program | { default: Program };
    program = typeof mod === "function" ? mod : mod.default;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-program-data-"));
  });
  beforeEach(() => (seen.length = 0));
  after(async () => {
    pulumi.runtime.setAllConfig({}, []);
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const opts = (type: string, name: string): RegistrationOptions => {
    const o = seen.find((x) => x.type === type && x.name === name);
    assert.ok(o, `no registration of ${type} ${name}`);
    return o;
  };
  const urnOf = (type: string, name: string) => new RegExp(`(::|\\$)${escape(type)}::${escape(name)}$`);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  /** The migration's new credentials: the owner's and the in-cluster Redis's. */
  const generated = [
    `${D.generated} postgresql-concave-52656-owner`,
    `${D.generated} redis-curved-11111-password`,
  ];
  /** The Postgres data graph (the Redis copy of the config's in-cluster add-on has its own test). */
  const dataChildren = (children: string[]) =>
    children.filter(
      (c) =>
        (c.startsWith("pulumi-nodejs:") || c.includes("postgresql") || c.includes(":data:")) &&
        !c.startsWith(`${REDIS_COPY} `),
    );

  it("mock: the in-cluster Redis copy is protected, follows its server, and every workload, Job and CronJob of its app waits for it", async () => {
    const { children } = await run(() => undefined);
    assert.ok(children.includes(`${REDIS_COPY} redis-curved-11111-data`));
    const copy = opts(REDIS_COPY, "redis-curved-11111-data");
    assert.strictEqual(copy.protect, true);
    assert.ok(
      copy.dependencies.some((u) =>
        /StatefulAddon\$kubernetes:apps\/v1:Deployment::redis-curved-11111$/.test(u),
      ),
      `the copy waits for the in-cluster server's Deployment: ${copy.dependencies.join(", ")}`,
    );
    const copyUrn = urnOf(REDIS_COPY, "redis-curved-11111-data");
    const waiting = [
      ...appWorkloads.map((w) => opts(T.deployment, w)),
      ...seen.filter((x) => x.type === T.job || x.type === T.cronJob),
    ];
    assert.ok(waiting.length > appWorkloads.length);
    for (const r of waiting) {
      assert.ok(
        r.dependencies.some((u) => copyUrn.test(u)),
        `${r.type} ${r.name} waits for the Redis copy: ${r.dependencies.join(", ")}`,
      );
    }
  });

  async function run(
    mutate: (c: Obj) => void,
  ): Promise<{ outputs: Record<string, unknown>; children: string[] }> {
    const raw = validConfig() as Obj;
    raw.cluster = { renderTo: path.join(tmp, "out") };
    mutate(raw);
    setConfig(raw);
    const outputs = await program();
    return { outputs, children: await renderedChildren(h.rec) };
  }

  /** Every workload, the release Job and the CronJobs of acme-api depend on the import. */
  function assertAppWaitsForImport(): void {
    const importUrn = urnOf(D.import, `${db.addon}-import`);
    const waiting = [
      ...appWorkloads.map((w) => opts(T.deployment, w)),
      ...seen.filter((x) => x.type === T.job || x.type === T.cronJob),
    ];
    assert.ok(waiting.length > appWorkloads.length, "the release Job and CronJobs are checked too");
    for (const r of waiting) {
      assert.ok(
        r.dependencies.some((u) => importUrn.test(u)),
        `${r.type} ${r.name} waits for the import: ${r.dependencies.join(", ")}`,
      );
    }
  }

  it("mock: manageDatabase true → TargetDatabase (role, protected database) then the protected PostgresImport; the app waits", async () => {
    const { outputs, children } = await run((c) => {
      c.import = { enabled: true, jobs: 3, importId: "cutover-1", excludeTables: ["events"] };
      c.postgresPassword = "fake-admin-pw-not-secret";
    });
    const target = db.addon;
    assert.deepStrictEqual(
      dataChildren(children),
      sorted([
        `${D.import} ${db.addon}-import`,
        `${D.target} ${target}`,
        `${D.pgProvider} ${target}-admin`,
        `${D.role} ${target}-owner`,
        `${D.database} ${target}-database`,
        ...generated,
      ]),
    );
    // The owner role is created with the generated password, never the Heroku source's.
    const role = h.rec.get(D.role, `${target}-owner`);
    assert.strictEqual(role.inputs.password, fakeGeneratedSecret(`${db.addon}-owner`));
    assert.ok(role.secretPaths.includes("password"));
    assert.strictEqual(
      opts(D.database, `${target}-database`).protect,
      true,
      "the target database is protected",
    );
    const imp = opts(D.import, `${db.addon}-import`);
    assert.strictEqual(imp.protect, true, "the import is protected");
    for (const [type, name] of [
      [D.role, `${target}-owner`],
      [D.database, `${target}-database`],
    ]) {
      assert.ok(
        imp.dependencies.some((u) => urnOf(type, name).test(u)),
        `the import depends on ${type} ${name}: ${imp.dependencies.join(", ")}`,
      );
    }
    const reg = h.rec.get(D.import, `${db.addon}-import`);
    assert.strictEqual(reg.inputs.jobs, 3);
    assert.strictEqual(reg.inputs.importId, "cutover-1");
    assert.deepStrictEqual(reg.inputs.excludeTables, ["events"]);
    assert.ok(
      reg.secretPaths.includes("sourceUrl") && reg.secretPaths.includes("targetUrl"),
      reg.secretPaths.join(),
    );
    const targetUrl = new URL(reg.inputs.targetUrl as string);
    assert.deepStrictEqual(
      [targetUrl.hostname, targetUrl.port, targetUrl.pathname, decodeURIComponent(targetUrl.username)],
      ["127.0.0.1", "31433", `/${db.database}`, db.ownerRole],
      "the import writes as the owner role into the new database",
    );
    assert.strictEqual(decodeURIComponent(targetUrl.password), fakeGeneratedSecret(`${db.addon}-owner`));
    assertAppWaitsForImport();

    const [out] = outputs.databases as Obj[];
    assert.deepStrictEqual(
      { addon: out.addon, database: out.database },
      { addon: db.addon, database: db.database },
    );
    assert.deepStrictEqual(Object.keys(out.import).sort(), [
      "bytes",
      "completedAt",
      "durationMs",
      "fingerprint",
      "importId",
      "rows",
      "sourceActivity",
      "sourceServerVersion",
      "tables",
      "target",
      "verification",
    ]);
    const shown = JSON.stringify(await unwrap(pulumi.output(outputs.databases)));
    assert.ok(!shown.includes("fake-admin-pw-not-secret") && !/postgres(ql)?:\/\//.test(shown), shown);
  });

  it("mock: manageDatabase false → the PostgresImport as the admin into the existing database, and the existing owner role's new password; the app waits for both", async () => {
    const { children } = await run((c) => {
      c.postgres.manageDatabase = false;
      c.import = { enabled: true };
    });
    assert.deepStrictEqual(
      dataChildren(children),
      sorted([
        `${D.import} ${db.addon}-import`,
        `${D.rolePassword} ${db.addon}-owner-password`,
        ...generated,
      ]),
    );
    const role = h.rec.get(D.rolePassword, `${db.addon}-owner-password`);
    assert.deepStrictEqual(
      [role.inputs.role, role.inputs.password],
      [db.ownerRole, fakeGeneratedSecret(`${db.addon}-owner`)],
    );
    const admin = new URL(role.inputs.adminUrl as string);
    assert.deepStrictEqual(
      [admin.hostname, admin.port, admin.username, admin.pathname],
      ["127.0.0.1", "31433", "postgres", "/postgres"],
    );
    assert.deepStrictEqual(role.secretPaths.sort(), ["adminUrl", "password"]);
    const imp = opts(D.import, `${db.addon}-import`);
    assert.strictEqual(imp.protect, true);
    const reg = h.rec.get(D.import, `${db.addon}-import`);
    const targetUrl = new URL(reg.inputs.targetUrl as string);
    assert.deepStrictEqual(
      [targetUrl.hostname, targetUrl.port, targetUrl.pathname, targetUrl.username, targetUrl.password],
      ["127.0.0.1", "31433", `/${db.database}`, "postgres", ""],
      "trust auth: the admin user without a password, into the database the plan names",
    );
    assert.ok(reg.secretPaths.includes("targetUrl"));
    assertAppWaitsForImport();
    const passwordUrn = urnOf(D.rolePassword, `${db.addon}-owner-password`);
    for (const w of appWorkloads) {
      assert.ok(
        opts(T.deployment, w).dependencies.some((u) => passwordUrn.test(u)),
        `${w} waits for the owner's password`,
      );
    }
  });

  for (const manageDatabase of [true, false]) {
    it(`mock: import disabled (manageDatabase ${manageDatabase}) → no import; the database is still declared when managed`, async () => {
      const { outputs, children } = await run((c) => {
        c.postgres.manageDatabase = manageDatabase;
        c.import = { enabled: false };
      });
      const target = db.addon;
      assert.deepStrictEqual(
        dataChildren(children),
        manageDatabase
          ? sorted([
              `${D.target} ${target}`,
              `${D.pgProvider} ${target}-admin`,
              `${D.role} ${target}-owner`,
              `${D.database} ${target}-database`,
              ...generated,
            ])
          : sorted([`${D.rolePassword} ${db.addon}-owner-password`, ...generated]),
      );
      // The app's DATABASE_URL points at the declared database: its release phase and workloads wait
      // for it to exist; with an existing database (not managed here), for its owner's new password.
      const waiting = [
        ...appWorkloads.map((w) => opts(T.deployment, w)),
        ...seen.filter((x) => x.type === T.job || x.type === T.cronJob),
      ];
      assert.ok(waiting.length > appWorkloads.length, "the release Job and CronJobs are checked too");
      for (const r of waiting) {
        assert.ok(!r.dependencies.some((u) => u.includes("PostgresImport")));
        assert.strictEqual(
          r.dependencies.some((u) => urnOf(D.database, `${target}-database`).test(u)),
          manageDatabase,
          `${r.type} ${r.name} waits for the target database: ${r.dependencies.join(", ")}`,
        );
        assert.strictEqual(
          r.dependencies.some((u) => urnOf(D.rolePassword, `${target}-owner-password`).test(u)),
          !manageDatabase,
          `${r.type} ${r.name} waits for the owner's new password: ${r.dependencies.join(", ")}`,
        );
      }
      const [out] = outputs.databases as Obj[];
      assert.strictEqual(out.import, null);
      assert.strictEqual(out.database, db.database);
    });
  }
});
