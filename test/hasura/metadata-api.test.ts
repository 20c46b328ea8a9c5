/**
 * The metadata API client (export, merge, replace with resource_version, refusing inconsistent
 * metadata) against a test double of GraphQL Engine's metadata API that checks every request's shape
 * and every tracked table, column and foreign key against the real target database.
 */
import * as assert from "assert";
import * as fs from "fs";
import { applyMetadata, HasuraApiError, MetadataApiClient } from "../../components/hasura/metadata-api";
import { generateSource, metadataOf, NO_FILTER } from "../../components/hasura/metadata";
import type { MetadataV3 } from "../../components/hasura/metadata-types";
import { MetadataApiDouble } from "./metadata-api-double";
import { catalogOf, FK_CASES_SQL, hasuraDatabases, sql } from "./support";

const SECRET = "double-admin-secret-3f9a";

async function generated(url: string): Promise<{ metadata: MetadataV3; existing: Set<string> }> {
  const catalog = await catalogOf(url);
  const g = generateSource({ name: "main", envVar: "MAIN_DATABASE_URL", filter: NO_FILTER }, catalog);
  return {
    metadata: metadataOf([g]),
    existing: new Set(catalog.relations.map((r) => `${r.schema}.${r.name}`)),
  };
}

describe("Hasura metadata API client (metadata API double)", function () {
  this.timeout(120_000);
  let url: string;
  let double: MetadataApiDouble;
  let client: MetadataApiClient;

  before(async () => {
    const dbs = await hasuraDatabases();
    dbs.cluster.createDatabase("fk_api");
    dbs.cluster.psql(fs.readFileSync(FK_CASES_SQL, "utf8"), "fk_api");
    url = dbs.cluster.url("fk_api");
  });
  beforeEach(async () => {
    double = new MetadataApiDouble({ adminSecret: SECRET, env: { MAIN_DATABASE_URL: url } });
    client = new MetadataApiClient({ endpoint: await double.start(), adminSecret: SECRET });
  });
  afterEach(() => double.stop());

  it("(metadata API double) applies every table and relationship; the double finds them all in the database", async () => {
    const { metadata, existing } = await generated(url);
    const r = await applyMetadata(client, metadata, existing);
    assert.deepStrictEqual(r, { replaced: true, resourceVersion: 2 });
    assert.deepStrictEqual(double.metadata, metadata);
    assert.deepStrictEqual(
      double.requests.map((q) => q.type),
      ["export_metadata", "replace_metadata", "export_metadata"],
    );
    const replace = double.requests[1].body;
    assert.deepStrictEqual(Object.keys(replace).sort(), ["args", "resource_version", "type", "version"]);
    assert.strictEqual(replace.version, 2);
    assert.strictEqual(replace.resource_version, 1);
    assert.strictEqual(
      (replace.args as { allow_inconsistent_metadata: boolean }).allow_inconsistent_metadata,
      false,
    );
    assert.strictEqual(double.requests[1].headers["x-hasura-admin-secret"], SECRET);
  });

  it("(metadata API double) a second apply of the same metadata replaces nothing", async () => {
    const { metadata, existing } = await generated(url);
    await applyMetadata(client, metadata, existing);
    double.requests.length = 0;
    const again = await applyMetadata(client, metadata, existing);
    assert.deepStrictEqual(again, { replaced: false, resourceVersion: 2 });
    assert.deepStrictEqual(
      double.requests.map((q) => q.type),
      ["export_metadata"],
    );
  });

  it("(metadata API double) metadata the database contradicts is refused with Hasura's inconsistent objects", async () => {
    const { metadata, existing } = await generated(url);
    await sql(
      url,
      "ALTER TABLE pets DROP CONSTRAINT pets_owner_id_fkey; ALTER TABLE log_lines RENAME TO log_lines_old",
    );
    try {
      await assert.rejects(applyMetadata(client, metadata, existing), (e: unknown) => {
        assert.ok(e instanceof HasuraApiError);
        assert.strictEqual(e.status, 400);
        assert.strictEqual(e.code, "unexpected");
        const names = (e.internal as { name: string; reason: string }[]).map((o) => `${o.name}: ${o.reason}`);
        assert.deepStrictEqual(names, [
          'table log_lines in source main: Inconsistent object: no such table/view exists in source: "log_lines"',
          'array_relation pets in table owners in source main: Inconsistent object: in table "owners": in relationship "pets": no foreign constraint exists on the given column(s)',
          'object_relation ownerByOwnerId1 in table pets in source main: Inconsistent object: in table "pets": in relationship "ownerByOwnerId1": no foreign constraint exists on the given column(s)',
        ]);
        assert.match(e.message, /cannot continue due to inconsistent metadata/);
        assert.ok(!e.message.includes(SECRET));
        return true;
      });
      assert.strictEqual(double.resourceVersion, 1, "nothing was replaced");
    } finally {
      await sql(
        url,
        "ALTER TABLE log_lines_old RENAME TO log_lines; ALTER TABLE pets ADD CONSTRAINT pets_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES owners (id)",
      );
    }
  });

  it("(metadata API double) a concurrent edit is not overwritten: the conflict is retried on the newer metadata", async () => {
    const { metadata, existing } = await generated(url);
    await applyMetadata(client, metadata, existing);
    const permission = [{ role: "user", permission: { columns: ["id"], filter: {} } }];
    double.concurrentEditBeforeNextReplace = (m) => {
      const copy = structuredClone(m) as MetadataV3;
      const accounts = copy.sources[0].tables.find((t) => t.table.name === "accounts")!;
      accounts.select_permissions = permission;
      return copy as unknown as Record<string, unknown>;
    };
    // A schema change on our side, so there is something to replace.
    const changed = structuredClone(metadata);
    changed.sources[0].tables = changed.sources[0].tables.filter((t) => t.table.name !== "log_lines");
    const r = await applyMetadata(
      client,
      changed,
      new Set([...existing].filter((t) => t !== "public.log_lines")),
    );
    assert.strictEqual(r.replaced, true);
    const types = double.requests.map((q) => q.type).slice(3);
    assert.deepStrictEqual(types, [
      "export_metadata",
      "replace_metadata",
      "export_metadata",
      "replace_metadata",
      "export_metadata",
    ]);
    const stored = double.metadata as unknown as MetadataV3;
    const accounts = stored.sources[0].tables.find((t) => t.table.name === "accounts")!;
    assert.deepStrictEqual(accounts.select_permissions, permission, "the concurrent edit is kept");
    assert.ok(!stored.sources[0].tables.some((t) => t.table.name === "log_lines"));
  });

  it("(metadata API double) keeps what users added by hand: other sources, manual relationships, permissions", async () => {
    const { metadata, existing } = await generated(url);
    double.metadata = {
      version: 3,
      sources: [
        {
          name: "main",
          kind: "postgres",
          configuration: {
            connection_info: {
              database_url: { from_env: "MAIN_DATABASE_URL" },
              pool_settings: { max_connections: 7 },
            },
          },
          tables: [
            {
              table: { schema: "public", name: "accounts" },
              object_relationships: [
                {
                  name: "latest_invoice",
                  using: {
                    manual_configuration: {
                      remote_table: { schema: "public", name: "invoices" },
                      column_mapping: { id: "account_id" },
                    },
                  },
                },
                { name: "stale_fk", using: { foreign_key_constraint_on: "gone_id" } },
              ],
              insert_permissions: [{ role: "admin2", permission: { check: {}, columns: ["id"] } }],
            },
            { table: { schema: "public", name: "dropped_long_ago" } },
          ],
        },
      ],
      remote_schemas: [],
    };
    await applyMetadata(client, metadata, existing);
    const stored = double.metadata as unknown as MetadataV3;
    const accounts = stored.sources[0].tables.find((t) => t.table.name === "accounts")!;
    assert.deepStrictEqual(
      accounts.object_relationships?.map((r) => r.name),
      ["latest_invoice"],
      "the manual relationship is kept, the stale foreign-key one is not",
    );
    assert.ok(accounts.insert_permissions, "permissions are kept");
    assert.ok(!stored.sources[0].tables.some((t) => t.table.name === "dropped_long_ago"));
    assert.deepStrictEqual(
      (stored.sources[0].configuration.connection_info as unknown as { pool_settings: unknown })
        .pool_settings,
      { max_connections: 7 },
    );
    assert.deepStrictEqual(stored.remote_schemas, []);
  });

  it("(metadata API double) a wrong admin secret is access-denied, and the error never shows a secret", async () => {
    const wrong = new MetadataApiClient({ endpoint: double.url, adminSecret: "not-the-secret-value" });
    await assert.rejects(wrong.exportMetadata(), (e: unknown) => {
      assert.ok(e instanceof HasuraApiError);
      assert.strictEqual(e.code, "access-denied");
      assert.ok(!e.message.includes("not-the-secret-value") && !e.message.includes(SECRET));
      return true;
    });
  });

  it("(metadata API double) refuses requests outside the documented shape", async () => {
    await assert.rejects(
      client.request({ type: "replace_metadata", version: 2, args: { metadata: { version: 2 } } }),
      /parse-failed/,
    );
    await assert.rejects(
      client.request({ type: "export_metadata", version: 2, args: { unexpected: true } }),
      /parse-failed: unexpected key "unexpected" \(at \$\.args\.unexpected\)/,
    );
    const literalUrl = {
      version: 3,
      sources: [
        {
          name: "x",
          kind: "postgres",
          tables: [],
          configuration: { connection_info: { database_url: url } },
        },
      ],
    };
    await assert.rejects(client.replaceMetadata(literalUrl as never, 1), /database_url as \{from_env\}/);
  });

  it("(metadata API double) an unreachable endpoint is a clear network error", async () => {
    await double.stop();
    await assert.rejects(
      client.exportMetadata(),
      (e: unknown) => e instanceof HasuraApiError && e.code === "network" && /cannot reach/.test(e.message),
    );
  });
});
