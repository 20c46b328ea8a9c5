/**
 * The HasuraMetadata provider as Pulumi runs it (serialized, in a plain node process over gRPC), on a
 * real target database, applying through the metadata API double.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hasuraMetadataProvider } from "../../components/hasura/hasura-metadata-provider";
import { DynamicProviderHost, type Props } from "../support/dynamic-provider-host";
import { MetadataApiDouble } from "./metadata-api-double";
import { FK_CASES_SQL, hasuraDatabases, sql } from "./support";

const SECRET = "provider-admin-secret-77c1";

/** Every file under `dir` with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

function changedFiles(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

describe("HasuraMetadata provider (serialized, real dynamic-provider process, metadata API double)", function () {
  this.timeout(180_000);
  let host: DynamicProviderHost;
  let double: MetadataApiDouble;
  let url: string;
  let dir: string;
  let inputs: Props;

  before(async () => {
    const dbs = await hasuraDatabases();
    dbs.cluster.createDatabase("fk_provider");
    dbs.cluster.psql(fs.readFileSync(FK_CASES_SQL, "utf8"), "fk_provider");
    url = dbs.cluster.url("fk_provider");
    double = new MetadataApiDouble({ adminSecret: SECRET, env: { HASURA_SOURCE_MAIN_URL: url } });
    await double.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hasura-project-"));
    inputs = {
      sources: [{ name: "main", url, envVar: "HASURA_SOURCE_MAIN_URL" }],
      directory: dir,
      endpoint: double.url,
      adminSecret: SECRET,
      trigger: "import-1",
    };
    host = await DynamicProviderHost.serve(hasuraMetadataProvider);
  });
  after(async () => {
    host?.stop();
    await double?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let state: { id: string; outs: Props };

  it("(metadata API double) create: generates from the catalog, writes the CLI project, applies it", async () => {
    state = await host.create(inputs);
    assert.match(state.id, /^hasura-metadata-[0-9a-f]{12}$/);
    assert.strictEqual(state.outs.tables, 24);
    assert.strictEqual(state.outs.relationships, 24);
    assert.strictEqual(state.outs.applied, true);
    assert.strictEqual(state.outs.resourceVersion, 2);
    const files = snapshot(dir);
    assert.strictEqual(
      files["config.yaml"],
      `version: 3\nendpoint: "${double.url}"\nmetadata_directory: metadata\n`,
    );
    assert.strictEqual(files["metadata/version.yaml"], "version: 3\n");
    assert.match(files["metadata/databases/databases.yaml"], /from_env: HASURA_SOURCE_MAIN_URL/);
    assert.match(files["metadata/databases/databases.yaml"], /tables: "!include main\/tables\/tables.yaml"/);
    assert.strictEqual(
      files["metadata/databases/main/tables/public_pets.yaml"],
      [
        "table:",
        "  name: pets",
        "  schema: public",
        "object_relationships:",
        "  - name: ownerByOwnerId1",
        "    using:",
        "      foreign_key_constraint_on: owner_id",
        "",
      ].join("\n"),
    );
    const all = JSON.stringify(files);
    assert.ok(!all.includes(SECRET) && !all.includes("postgres://"), "no secret and no URL in the directory");
    assert.ok(!JSON.stringify(double.metadata).includes("postgres://"));
  });

  it("(metadata API double) a second up changes nothing, whatever the order of the inputs' keys", async () => {
    const d = await host.diff(state.id, state.outs, { ...inputs });
    assert.deepStrictEqual(d, { changes: "none", replaces: [], deleteBeforeReplace: false });
    const reordered = {
      trigger: inputs.trigger,
      adminSecret: inputs.adminSecret,
      endpoint: inputs.endpoint,
      directory: inputs.directory,
      sources: [{ envVar: "HASURA_SOURCE_MAIN_URL", url, name: "main" }],
    };
    assert.deepStrictEqual(await host.diff(state.id, state.outs, reordered), d);
    assert.strictEqual(
      (await host.diff(state.id, state.outs, { ...inputs, trigger: "import-9" })).changes,
      "some",
    );
  });

  it("(metadata API double) a changed schema is an update that changes exactly the affected entries", async () => {
    const before = snapshot(dir);
    await sql(url, "CREATE TABLE pet_toys (id int PRIMARY KEY, pet_id int REFERENCES pets (id))");
    const d = await host.diff(state.id, state.outs, { ...inputs, trigger: "import-1" });
    assert.strictEqual(d.changes, "some");
    assert.deepStrictEqual(d.replaces, []);
    const outs = await host.update(state.id, state.outs, { ...inputs, trigger: "import-2" });
    assert.deepStrictEqual(changedFiles(before, snapshot(dir)), [
      "metadata/databases/main/tables/public_pet_toys.yaml",
      "metadata/databases/main/tables/public_pets.yaml",
      "metadata/databases/main/tables/tables.yaml",
    ]);
    assert.strictEqual(outs.tables, 25);
    assert.strictEqual(outs.resourceVersion, 3);
    state = { id: state.id, outs };
  });

  it("a deleted directory shows as an update and is written again", async () => {
    fs.rmSync(path.join(dir, "metadata"), { recursive: true });
    const d = await host.diff(state.id, state.outs, { ...inputs, trigger: "import-2" });
    assert.strictEqual(d.changes, "some");
    const outs = await host.update(state.id, state.outs, { ...inputs, trigger: "import-2" });
    assert.ok(fs.existsSync(path.join(dir, "metadata/databases/main/tables/public_pet_toys.yaml")));
    assert.strictEqual(outs.resourceVersion, 3, "the server already held this metadata: nothing replaced");
  });

  it("check names the bad property; errors never show the database password", async () => {
    const c = await host.check(
      {},
      { ...inputs, sources: [{ name: "bad name", url: "mysql://x", envVar: "lower" }] },
    );
    assert.deepStrictEqual(
      c.failures.map((f) => f.reason),
      [
        "sources[0].name must be 1-63 of A-Z a-z 0-9 _ -",
        "sources[0].envVar must be an environment variable name",
        "sources[0].url must be a postgres:// URL",
      ],
    );
    const password = new URL(url).password;
    const wrong = url
      .replace(/:\/\/([^:]+):[^@]+@/, `://$1:${password}x@`)
      .replace(/\/fk_provider$/, "/no_such_db");
    await assert.rejects(
      host.create({ ...inputs, sources: [{ name: "main", url: wrong, envVar: "HASURA_SOURCE_MAIN_URL" }] }),
      (e: Error) => {
        assert.match(e.message, /Hasura source main/);
        assert.ok(!e.message.includes(password), "the password is not in the error");
        return true;
      },
    );
  });

  it("delete leaves the directory and the server's metadata", async () => {
    const version = double.resourceVersion;
    await host.delete(state.id, state.outs);
    assert.ok(fs.existsSync(path.join(dir, "config.yaml")));
    assert.strictEqual(double.resourceVersion, version);
  });
});
