/**
 * Upgrading a stack to the migration component replaces nothing. Until commit {@link ROOT_LAYOUT},
 * the program declared every resource at the stack's root; since then they are the children of
 * HerokuToHasura (components/migration), so every URN changed, and only aliases stand between an
 * existing stack and a replacement of everything: the protected import included.
 *
 * The proof runs both programs for real: the pinned commit's tree (`git archive`, with this
 * repository's node_modules) `up`s a stack through the real engine (the Heroku API double with a
 * cutover freeze, an import between two real PostgreSQL clusters, GraphQL Engine and its
 * metadata, an in-cluster Redis, createNamespace, rendered manifests); then the current program
 * runs `preview` and `up` on the same state. The only creation is the component itself, nothing
 * is replaced or deleted, every resource keeps its ID and outputs, and only the import records
 * the freeze's new URN (an in-place update that touches no data).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { HEROKU_TO_HASURA_TYPE } from "../../components/migration";
import { cutoverFixtures, PG_ADDON } from "../cutover/support";
import { changedResources, createSandbox, REPO_ROOT, Sandbox } from "../support/engine";
import { HerokuDouble, startHerokuDouble } from "../support/heroku-double";
import { SampleImport, startSampleImport } from "../support/postgres/sample-import";
import { appImage, programStack } from "../support/program-stack";

/** The last commit whose program declared every resource at the stack's root. */
const ROOT_LAYOUT = "935d761f96c7ba881f6f35f8da08443cc5eb2c5b";
const IMAGE = appImage("3");
const IMPORT_TYPE = "pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  parent?: string;
  outputs?: Record<string, unknown>;
}

/** `type::name` of a URN: what stays when only the parent changes. */
const typeAndName = (urn: string) => {
  const [type, name] = urn.split("::").slice(-2);
  return `${type.split("$").pop()}::${name}`;
};

/** The pinned commit's tree in `dir`, running on this repository's node_modules. */
function checkoutRootLayout(dir: string): void {
  let archive: Buffer;
  try {
    archive = execFileSync("git", ["-C", REPO_ROOT, "archive", "--format=tar", ROOT_LAYOUT], {
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    throw new Error(
      `the upgrade test runs the program of commit ${ROOT_LAYOUT}, which this clone lacks: ` +
        `it needs the repository's history (git fetch --unshallow). ${(e as Error).message}`,
      { cause: e },
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
}

describe(`upgrading a stack made before the migration component (commit ${ROOT_LAYOUT.slice(0, 7)}, every resource at the root) replaces nothing (real engine, Heroku API double, two real PostgreSQL clusters)`, function () {
  let sb: Sandbox;
  let double: HerokuDouble;
  let databases: SampleImport;
  let stackName: string;
  let old: StateResource[] = [];
  const password = `src-${crypto.randomBytes(9).toString("hex")}`;

  const resources = async (stack: Stack) =>
    ((await stack.exportStack()).deployment.resources ?? []) as StateResource[];

  before(async function () {
    this.timeout(0); // the first run may build the engine
    sb = await createSandbox();
    databases = await startSampleImport(password);
    double = await startHerokuDouble(cutoverFixtures(databases.sourceUrl()));
    process.env.HEROKU_TO_HASURA_REHEARSALS = path.join(sb.dir, "rehearsals.json");
    checkoutRootLayout(path.join(sb.dir, "root-layout"));
    stackName = `e2e-upgrade-${process.pid}`;
  });

  after(async function () {
    delete process.env.HEROKU_TO_HASURA_REHEARSALS;
    sb?.cleanup();
    // The sandbox removes what its stacks wrote; these are copied in before the current program's
    // stack exists, so a failure in between would leave them.
    if (stackName !== undefined) {
      fs.rmSync(path.join(REPO_ROOT, "out", stackName), { recursive: true, force: true });
      fs.rmSync(path.join(REPO_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
    }
    databases?.stop();
    await double?.close(); // rejects on any schema-invalid response or request body
  });

  it(`the program of ${ROOT_LAYOUT.slice(0, 7)} creates the stack: every resource at the root`, async function () {
    const stack = await programStack(sb, stackName, {
      workDir: path.join(sb.dir, "root-layout"),
      heroku: { apiUrl: double.url },
      cluster: { namespace: "h2h-upgrade", createNamespace: true, renderTo: path.join(sb.dir, "rendered") },
      postgresPort: databases.target.port,
      postgresPassword: databases.target.password,
      image: IMAGE,
      sections: {
        import: { enabled: true, jobs: 2 },
        cutover: { freeze: true, drainTimeoutSeconds: 20, recordDir: path.join(sb.dir, "freeze-records") },
        hasura: { enabled: true },
      },
    });
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    old = await resources(stack);
    const types = new Set(old.map((r) => r.type));
    for (const t of [
      IMPORT_TYPE,
      "pulumi-nodejs:dynamic/heroku-to-hasura/cutover:HerokuFreeze",
      "pulumi-nodejs:dynamic/heroku-to-hasura/data:RolePassword",
      "pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata",
      "heroku-to-hasura:hasura:HasuraEngine",
      "heroku-to-hasura:app:HerokuAppMigration",
      "heroku-to-hasura:k8s:StatefulAddon",
      "kubernetes:core/v1:Namespace",
      "kubernetes:apps/v1:Deployment",
    ])
      assert.ok(types.has(t), `the old stack has a ${t}`);
    assert.ok(!types.has(HEROKU_TO_HASURA_TYPE));
    const stackUrn = old.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
    const top = old.filter((r) => r.parent === stackUrn).map((r) => r.type);
    assert.ok(top.includes(IMPORT_TYPE) && top.includes("pulumi:providers:kubernetes"), top.join("\n"));
  });

  it("the current program's preview plans to create the component only, and to replace and delete nothing", async function () {
    // The same stack (its config file, with its encryption salt) from this repository's program.
    const file = `Pulumi.${stackName}.yaml`;
    fs.copyFileSync(path.join(sb.dir, "root-layout", file), path.join(REPO_ROOT, file));
    // And what it wrote beside the program (the Hasura metadata directory, the report): an upgrade
    // happens in the same checkout.
    fs.cpSync(path.join(sb.dir, "root-layout", "out", stackName), path.join(REPO_ROOT, "out", stackName), {
      recursive: true,
    });
    const stack = await sb.localStack(stackName);
    const res = await stack.preview({ ...sb.ops() });
    const { create, delete: deleted, replace } = res.changeSummary;
    assert.deepStrictEqual(
      { create, deleted, replace },
      { create: 1, deleted: undefined, replace: undefined },
      JSON.stringify(res.changeSummary),
    );
  });

  it("the current program's up: the component created, every resource re-parented under it with its ID and outputs, nothing else changed but the import's record of the freeze's URN", async function () {
    const stack = await sb.localStack(stackName);
    const events: EngineEvent[] = [];
    const res = await stack.up({ ...sb.ops({ events }) });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(changedResources(events), [
      `create ${HEROKU_TO_HASURA_TYPE}::migration`,
      // Its `freeze` input names the HerokuFreeze by URN: recorded in place, no data touched.
      `update ${IMPORT_TYPE}::${PG_ADDON}-import`,
    ]);
    const after = await resources(stack);
    const component = after.find((r) => r.type === HEROKU_TO_HASURA_TYPE);
    assert.ok(component, "the component is in the state");
    const byName = new Map(after.map((r) => [typeAndName(r.urn), r]));
    const stackUrn = old.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
    for (const was of old.filter((r) => r.urn !== stackUrn)) {
      const now = byName.get(typeAndName(was.urn));
      assert.ok(now, `${was.urn} is still in the state`);
      assert.strictEqual(now.id, was.id, `${was.urn} kept its ID (not replaced)`);
      // Compared key by key, naming keys only: outputs hold passwords (state exported with secrets).
      const [a, b] = [was.outputs ?? {}, now.outputs ?? {}];
      // `__provider` is a dynamic provider's serialized code: any update records the current code.
      const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
        (k) => k !== "__provider" && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
      );
      assert.deepStrictEqual(
        changed,
        was.type === IMPORT_TYPE ? ["freeze"] : [],
        `${was.urn}: outputs that changed`,
      );
      // What was the stack's child is the component's (the default providers stay the stack's).
      if (was.parent === stackUrn && !was.type.startsWith("pulumi:providers:pulumi-nodejs"))
        assert.strictEqual(now.parent, component.urn, `${was.urn} is now the component's child`);
    }
    assert.strictEqual(after.length, old.length + 1, "one resource more: the component");
  });

  it("a second up of the current program changes nothing", async function () {
    const stack = await sb.localStack(stackName);
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(changedResources(events), []);
  });
});
