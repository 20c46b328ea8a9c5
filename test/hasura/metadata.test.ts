/**
 * Metadata generation against real PostgreSQL catalogs: the foreign-key and naming cases
 * (fk-cases.sql), the import tests' rich schema and the dev stack's sample database. Every naming
 * and clash case is asserted exactly (the console's rules: components/hasura/naming.ts).
 */
import * as assert from "assert";
import {
  generateSource,
  metadataOf,
  NO_FILTER,
  type GeneratedSource,
} from "../../components/hasura/metadata";
import { catalogOf, hasuraDatabases } from "./support";

function generate(url: string, filter = NO_FILTER): Promise<GeneratedSource> {
  return catalogOf(url).then((c) => generateSource({ name: "main", envVar: "MAIN_DATABASE_URL", filter }, c));
}

/** `table: name → remote` lines, in metadata order. */
function relationshipLines(g: GeneratedSource): string[] {
  return g.report.relationships.map(
    (r) => `${r.table} ${r.type} ${r.name} → ${r.remoteTable} (${r.foreignKey})`,
  );
}

function table(g: GeneratedSource, schema: string, name: string) {
  const t = g.metadata.tables.find((x) => x.table.schema === schema && x.table.name === name);
  assert.ok(t, `${schema}.${name} is tracked`);
  return t;
}

describe("Hasura metadata generation (real PostgreSQL catalogs)", function () {
  this.timeout(120_000);
  let fk: GeneratedSource;
  before(async () => {
    const dbs = await hasuraDatabases();
    fk = await generate(dbs.url.fk);
  });

  it("names every foreign-key relationship as the console's Track All does, clashes included", () => {
    assert.deepStrictEqual(relationshipLines(fk), [
      // across schemas: the other table's name, without its schema
      "billing.payments object account → public.accounts (payments_account_id_fkey)",
      "public.accounts array payments → billing.payments (payments_account_id_fkey)",
      // several keys to the same table: the first gets the plain name, the others <plural>By<columns>
      "public.accounts array invoices → public.invoices (invoices_account_id_fkey)",
      "public.accounts array invoicesByCreatedBy → public.invoices (invoices_created_by_fkey)",
      "public.accounts array invoicesByUpdatedBy → public.invoices (invoices_updated_by_fkey)",
      "public.constructors array machines → public.machines (machines_constructor_id_fkey)",
      // a column named like the array relationship: fallback by the referencing column
      "public.customers array ordersByCustomerId → public.orders (orders_customer_id_fkey)",
      // two keys on the same column
      "public.depots object region → public.regions (depots_region_fkey)",
      "public.depots object zone → public.zones (depots_zone_fkey)",
      // self reference: an object and an array relationship on the same table
      "public.employees object employee → public.employees (employees_manager_id_fkey)",
      "public.employees array employees → public.employees (employees_manager_id_fkey)",
      "public.invoices object account → public.accounts (invoices_account_id_fkey)",
      "public.invoices object accountByCreatedBy → public.accounts (invoices_created_by_fkey)",
      "public.invoices object accountByUpdatedBy → public.accounts (invoices_updated_by_fkey)",
      // "constructor" is a member of every JS object: the console's `in {}` counts it as taken
      "public.machines object constructorByConstructorId → public.constructors (machines_constructor_id_fkey)",
      // composite key
      "public.order_lines array shipments → public.shipments (shipments_line_fkey)",
      // a column named like the object relationship
      "public.orders object customerByCustomerId → public.customers (orders_customer_id_fkey)",
      "public.owners array pets → public.pets (pets_owner_id_fkey)",
      // the fallback is a column too: a number is appended
      "public.pets object ownerByOwnerId1 → public.owners (pets_owner_id_fkey)",
      "public.regions array depots → public.depots (depots_region_fkey)",
      "public.shipments object order_line → public.order_lines (shipments_line_fkey)",
      // one-to-one (the referencing column is its table's primary key): object relationships both ways
      "public.user_profiles object user → public.users (user_profiles_user_id_fkey)",
      "public.users object user_profile → public.user_profiles (user_profiles_user_id_fkey)",
      "public.zones array depots → public.depots (depots_zone_fkey)",
    ]);
    assert.deepStrictEqual(
      fk.report.relationships.filter((r) => r.fallbackName).map((r) => r.name),
      [
        "invoicesByCreatedBy",
        "invoicesByUpdatedBy",
        "ordersByCustomerId",
        "accountByCreatedBy",
        "accountByUpdatedBy",
        "constructorByConstructorId",
        "customerByCustomerId",
        "ownerByOwnerId1",
      ],
    );
  });

  it("writes foreign_key_constraint_on for single, composite and remote keys, manual configuration when ambiguous", () => {
    assert.deepStrictEqual(table(fk, "public", "invoices").object_relationships, [
      { name: "account", using: { foreign_key_constraint_on: "account_id" } },
      { name: "accountByCreatedBy", using: { foreign_key_constraint_on: "created_by" } },
      { name: "accountByUpdatedBy", using: { foreign_key_constraint_on: "updated_by" } },
    ]);
    assert.deepStrictEqual(table(fk, "public", "shipments").object_relationships, [
      { name: "order_line", using: { foreign_key_constraint_on: ["order_no", "line_no"] } },
    ]);
    assert.deepStrictEqual(table(fk, "public", "order_lines").array_relationships, [
      {
        name: "shipments",
        using: {
          foreign_key_constraint_on: {
            table: { name: "shipments", schema: "public" },
            columns: ["order_no", "line_no"],
          },
        },
      },
    ]);
    assert.deepStrictEqual(table(fk, "public", "users").object_relationships, [
      {
        name: "user_profile",
        using: {
          foreign_key_constraint_on: {
            table: { name: "user_profiles", schema: "public" },
            column: "user_id",
          },
        },
      },
    ]);
    assert.deepStrictEqual(table(fk, "public", "accounts").array_relationships?.[0], {
      name: "payments",
      using: {
        foreign_key_constraint_on: { table: { name: "payments", schema: "billing" }, column: "account_id" },
      },
    });
    assert.deepStrictEqual(table(fk, "public", "depots").object_relationships, [
      {
        name: "region",
        using: {
          manual_configuration: {
            remote_table: { name: "regions", schema: "public" },
            column_mapping: { area_id: "id" },
          },
        },
      },
      {
        name: "zone",
        using: {
          manual_configuration: {
            remote_table: { name: "zones", schema: "public" },
            column_mapping: { area_id: "id" },
          },
        },
      },
    ]);
    assert.deepStrictEqual(table(fk, "public", "regions").array_relationships, [
      {
        name: "depots",
        using: {
          foreign_key_constraint_on: { table: { name: "depots", schema: "public" }, column: "area_id" },
        },
      },
    ]);
  });

  it("tracks tables, views, materialized views and partitioned parents; reports every table it leaves out", () => {
    assert.deepStrictEqual(
      fk.report.tables.map((t) => `${t.table} (${t.kind}) as ${t.graphqlName}`),
      [
        "billing.payments (table) as billing_payments",
        "crm.notes (table) as crm_notes",
        "public.CamelCase (table) as CamelCase",
        "public.accounts (table) as accounts",
        "public.badges (table) as badges",
        "public.big_invoices (view) as big_invoices",
        "public.constructors (table) as constructors",
        "public.customers (table) as customers",
        "public.depots (table) as depots",
        "public.employees (table) as employees",
        "public.invoice_counts (materialized view) as invoice_counts",
        "public.invoices (table) as invoices",
        "public.log_lines (table) as log_lines",
        "public.machines (table) as machines",
        "public.order_lines (table) as order_lines",
        "public.orders (table) as orders",
        "public.owners (table) as owners",
        "public.pets (table) as pets",
        "public.readings (partitioned table) as readings",
        "public.regions (table) as regions",
        "public.shipments (table) as shipments",
        "public.user_profiles (table) as user_profiles",
        "public.users (table) as users",
        "public.zones (table) as zones",
      ],
    );
    assert.deepStrictEqual(fk.report.notTracked, [
      {
        object: "table public.crm_notes",
        reason:
          'its GraphQL name "crm_notes" is already used by crm.notes: track it by hand with a custom_name',
        warning: true,
      },
      {
        object: "table public.nothing",
        reason: "it has no columns: a GraphQL object type needs at least one field",
        warning: true,
      },
      {
        object: "table public.odd_columns",
        reason:
          'column "has space" is not a valid GraphQL name: rename it, or track the table by hand with a custom column name',
        warning: true,
      },
      {
        object: "table public.readings_2024",
        reason: "partition of public.readings: tracked through its parent",
        warning: false,
      },
      {
        object: "table public.readings_other",
        reason: "partition of public.readings: tracked through its parent",
        warning: false,
      },
      {
        object: "table public.with space",
        reason:
          'its GraphQL name "with space" is not a valid GraphQL name ([_A-Za-z][_0-9A-Za-z]*): rename it, or track it by hand with a custom_name',
        warning: true,
      },
      {
        object: "table public.Ünïcödé",
        reason:
          'its GraphQL name "Ünïcödé" is not a valid GraphQL name ([_A-Za-z][_0-9A-Za-z]*): rename it, or track it by hand with a custom_name',
        warning: true,
      },
      {
        object: "foreign key badges_owner_id_fkey (public.badges → public.with space)",
        reason: "no relationship: public.with space is not tracked",
        warning: true,
      },
    ]);
  });

  it("sets extensions_schema to heroku_ext and reads the URL from the environment only", () => {
    assert.deepStrictEqual(fk.metadata.configuration, {
      connection_info: {
        database_url: { from_env: "MAIN_DATABASE_URL" },
        isolation_level: "read-committed",
        use_prepared_statements: true,
      },
      extensions_schema: "heroku_ext",
    });
    assert.strictEqual(fk.report.extensionsSchema, "heroku_ext");
    assert.ok(!JSON.stringify(metadataOf([fk])).includes("postgres://"), "no URL in the metadata");
  });

  it("applies include/exclude filters and says why a table is left out", async () => {
    const dbs = await hasuraDatabases();
    const g = await generate(dbs.url.fk, {
      includeSchemas: ["public"],
      excludeSchemas: null,
      includeTables: null,
      excludeTables: ["invoices", "public.log_lines"],
    });
    assert.ok(
      !g.report.tables.some((t) =>
        ["public.invoices", "public.log_lines", "billing.payments"].includes(t.table),
      ),
    );
    const reasons = Object.fromEntries(g.report.notTracked.map((n) => [n.object, n.reason]));
    assert.strictEqual(reasons["table public.invoices"], "in hasura.excludeTables");
    assert.strictEqual(reasons["table public.log_lines"], "in hasura.excludeTables");
    assert.strictEqual(reasons["table billing.payments"], "schema billing is not in hasura.includeSchemas");
    assert.deepStrictEqual(table(g, "public", "accounts").array_relationships, undefined);
  });

  it("rich schema: quoted, unicode and no-key tables, inheritance, circular keys, partitions", async () => {
    const dbs = await hasuraDatabases();
    const g = await generate(dbs.url.rich);
    assert.deepStrictEqual(relationshipLines(g), [
      "public.customers array invoices → public.invoices (invoices_customer_id_fkey)",
      "public.invoices object customer → public.customers (invoices_customer_id_fkey)",
      "public.players object team → public.teams (players_team_id_fkey)",
      "public.players array teams → public.teams (teams_captain_fk)",
      "public.teams object player → public.players (teams_captain_fk)",
      "public.teams array players → public.players (players_team_id_fkey)",
    ]);
    const tracked = g.report.tables.map((t) => t.table);
    for (const t of [
      "public.audit_log",
      "public.vehicles",
      "public.trucks",
      "public.measurements",
      "public.empty_table",
      "public.active_customers",
      "public.not_yet",
    ])
      assert.ok(tracked.includes(t), `${t} tracked`);
    const reasons = Object.fromEntries(g.report.notTracked.map((n) => [n.object, n.reason]));
    assert.strictEqual(
      reasons["table public.measurements_2023"],
      "partition of public.measurements: tracked through its parent",
    );
    assert.match(
      reasons["table Sales Dept.Order Lines"],
      /GraphQL name "Sales Dept_Order Lines" is not a valid GraphQL name/,
    );
    assert.match(
      reasons["table Sales Dept.données"],
      /GraphQL name "Sales Dept_données" is not a valid GraphQL name/,
    );
    assert.ok(
      !tracked.some((t) => t.startsWith("heroku_ext.")),
      "pg_stat_statements' views (extension members) are not tracked",
    );
    assert.strictEqual(g.metadata.configuration.extensions_schema, "heroku_ext");
  });

  it("sample database: every table tracked, every foreign key a relationship pair", async () => {
    const dbs = await hasuraDatabases();
    const g = await generate(dbs.url.sample);
    assert.deepStrictEqual(
      g.report.tables.map((t) => `${t.table} (${t.kind})`),
      [
        "public.accounts (table)",
        "public.active_projects (view)",
        "public.api_requests (table)",
        "public.invoices (table)",
        "public.monthly_revenue (materialized view)",
        "public.projects (table)",
      ],
    );
    assert.deepStrictEqual(relationshipLines(g), [
      "public.accounts array invoices → public.invoices (invoices_account_id_fkey)",
      "public.accounts array projects → public.projects (projects_account_id_fkey)",
      "public.api_requests object project → public.projects (api_requests_project_id_fkey)",
      "public.invoices object account → public.accounts (invoices_account_id_fkey)",
      "public.projects object account → public.accounts (projects_account_id_fkey)",
      "public.projects array api_requests → public.api_requests (api_requests_project_id_fkey)",
    ]);
    assert.deepStrictEqual(g.report.notTracked, []);
  });

  it("is deterministic: the same catalog gives the same metadata", async () => {
    const dbs = await hasuraDatabases();
    const again = await generate(dbs.url.fk);
    assert.deepStrictEqual(again, fk);
  });
});
