/**
 * Resource graph of the data components under Pulumi mocks: exact children, type tokens,
 * providers, dependsOn, protect and secrets, in milliseconds and without a server. The real engine
 * runs PostgresImport in test/e2e/postgres-import.test.ts; no postgresql plugin can be built here
 * (tools/engine/README.md), so TargetDatabase is covered here only. Options are recorded with a
 * `transformations` hook, which sees each resource's final options.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, recorder, settle, unwrap } from "../../support/pulumi-mocks";

const record = recorder.recordOptions;
const created = () => recorder.registrations;
const byName = (n: string) => created().find((c) => c.name === n)!;
const optsOf = (n: string) => {
  const r = recorder.options.find((o) => o.name === n)!;
  return { props: r.props, opts: r.opts as pulumi.CustomResourceOptions };
};

let mod: {
  PostgresImport: typeof import("../../../components/data/postgres-import").PostgresImport;
  TargetDatabase: typeof import("../../../components/data/target-database").TargetDatabase;
};

describe("data components resource graph (mock)", function () {
  before(async () => {
    installMocks();
    mod = {
      PostgresImport: (await import("../../../components/data/postgres-import")).PostgresImport,
      TargetDatabase: (await import("../../../components/data/target-database")).TargetDatabase,
    };
  });
  beforeEach(() => recorder.reset());

  it("PostgresImport (mock): real type token, serialized provider, protected, URLs secret", async () => {
    const imp = new mod.PostgresImport(
      "acme-db",
      { sourceUrl: "postgres://u:srcpw@src:5432/d1", targetUrl: "postgres://o:tgtpw@tgt:5432/app", jobs: 2 },
      { transformations: [record] },
    );
    await unwrap(imp.urn);
    const reg = created().filter((c) => c.name === "acme-db");
    assert.strictEqual(reg.length, 1);
    assert.strictEqual(reg[0].type, "pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport");
    assert.strictEqual(typeof reg[0].inputs.__provider, "string");
    assert.match(reg[0].inputs.__provider as string, /exports\.handler/);
    // The serialized provider must not carry credentials.
    assert.ok(!(reg[0].inputs.__provider as string).includes("srcpw"));
    const o = optsOf("acme-db");
    assert.strictEqual(o.opts.protect, true);
    assert.deepStrictEqual(o.opts.additionalSecretOutputs, ["sourceUrl", "targetUrl"]);
    assert.strictEqual(await pulumi.isSecret(o.props.sourceUrl as pulumi.Output<string>), true);
    assert.strictEqual(await pulumi.isSecret(o.props.targetUrl as pulumi.Output<string>), true);
  });

  it("PostgresImport (mock): protect can be turned off; a target given as parts becomes one secret URL", async () => {
    const imp = new mod.PostgresImport(
      "rehearsal",
      {
        sourceUrl: "postgres://u:srcpw@src:5432/d1",
        target: {
          host: "127.0.0.1",
          port: 6543,
          database: "app",
          user: "owner",
          password: "p@ss",
          sslMode: "disable",
        },
      },
      { protect: false, transformations: [record] },
    );
    await unwrap(imp.urn);
    const o = optsOf("rehearsal");
    assert.strictEqual(o.opts.protect, false);
    const targetUrl = o.props.targetUrl as pulumi.Output<string>;
    assert.strictEqual(await pulumi.isSecret(targetUrl), true);
    assert.strictEqual(await unwrap(targetUrl), "postgres://owner:p%40ss@127.0.0.1:6543/app?sslmode=disable");
    assert.throws(
      () => new mod.PostgresImport("bad", { sourceUrl: "postgres://u:p@h/d" }),
      /PostgresImport bad: give exactly one of targetUrl and target/,
    );
  });

  it("TargetDatabase (mock): exact children, admin provider, protected database, heroku_ext before extensions", async () => {
    const target = new mod.TargetDatabase(
      "acme",
      {
        admin: { host: "127.0.0.1", port: 5433, username: "admin", password: "adminpw" },
        database: "acme_api",
        ownerRole: "acme_api_owner",
        ownerPassword: "ownerpw",
        extensions: [{ name: "citext", schema: "heroku_ext" }, { name: "pgcrypto" }],
      },
      { transformations: [record] },
    );
    await settle();
    assert.deepStrictEqual(
      created()
        .map((c) => `${c.type} ${c.name}`)
        .sort(),
      [
        "heroku-to-hasura:data:TargetDatabase acme",
        "postgresql:index/database:Database acme-database",
        "postgresql:index/extension:Extension acme-ext-citext",
        "postgresql:index/extension:Extension acme-ext-pgcrypto",
        "postgresql:index/role:Role acme-owner",
        "postgresql:index/schema:Schema acme-heroku-ext",
        "pulumi:providers:postgresql acme-admin",
      ].sort(),
    );
    for (const n of [
      "acme-owner",
      "acme-database",
      "acme-heroku-ext",
      "acme-ext-citext",
      "acme-ext-pgcrypto",
    ]) {
      assert.match(byName(n).provider ?? "", /pulumi:providers:postgresql::acme-admin::acme-admin-id$/, n);
    }
    const { password: _password, ...role } = byName("acme-owner").inputs;
    assert.deepStrictEqual(role, { name: "acme_api_owner", login: true });
    assert.strictEqual(recorder.secretInput(byName("acme-owner"), "password"), "ownerpw");
    assert.deepStrictEqual(byName("acme-database").inputs.owner, "acme_api_owner");
    assert.deepStrictEqual(byName("acme-heroku-ext").inputs, {
      name: "heroku_ext",
      database: "acme_api",
      owner: "acme_api_owner",
    });
    assert.strictEqual(byName("acme-ext-citext").inputs.schema, "heroku_ext");
    assert.strictEqual(byName("acme-ext-pgcrypto").inputs.schema, "public");
    const opt = (n: string) => optsOf(n).opts;
    assert.strictEqual(opt("acme-database").protect, true);
    assert.deepStrictEqual(opt("acme-ext-citext").dependsOn, [target.herokuExtSchema]);
    assert.strictEqual(await pulumi.isSecret(target.targetUrl), true);
    assert.strictEqual(
      await unwrap(target.targetUrl),
      "postgres://acme_api_owner:ownerpw@127.0.0.1:5433/acme_api",
    );
  });

  it("TargetDatabase (mock): the admin provider connects to the given maintenance database with its sslmode", async () => {
    const target = new mod.TargetDatabase("maint", {
      admin: {
        host: "db.internal",
        username: "admin",
        password: "pw",
        sslMode: "require",
        database: "defaultdb",
      },
      database: "d",
      ownerRole: "r",
      ownerPassword: "pw2",
    });
    await settle();
    const prov = created().find((c) => c.type === "pulumi:providers:postgresql")!;
    assert.strictEqual(recorder.secretInput(prov, "database"), "defaultdb");
    assert.strictEqual(recorder.secretInput(prov, "sslmode"), "require");
    assert.strictEqual(await unwrap(target.targetUrl), "postgres://r:pw2@db.internal:5432/d?sslmode=require");
  });

  it("TargetDatabase (mock): defaults to the postgres database and sslmode disable", async () => {
    new mod.TargetDatabase("defaults", {
      admin: { host: "h", username: "admin", password: "pw" },
      database: "d",
      ownerRole: "r",
      ownerPassword: "pw2",
    });
    await settle();
    const prov = created().find((c) => c.type === "pulumi:providers:postgresql")!;
    assert.strictEqual(recorder.secretInput(prov, "database"), "postgres");
    assert.strictEqual(recorder.secretInput(prov, "sslmode"), "disable");
  });

  it("TargetDatabase (mock): sslmode prefer/allow are refused with a clear error, before anything registers", async () => {
    const { adminSslMode } = await import("../../../components/data/target-database");
    for (const mode of ["prefer", "allow"]) {
      assert.throws(
        () =>
          new mod.TargetDatabase(`ssl-${mode}`, {
            admin: { host: "h", username: "admin", password: "secretpw", sslMode: mode },
            database: "d",
            ownerRole: "r",
            ownerPassword: "pw2",
          }),
        (e: Error) =>
          new RegExp(
            `sslmode "${mode}" of TargetDatabase ssl-${mode} is not supported.*"require" if the server offers TLS`,
          ).test(e.message) && !e.message.includes("secretpw"),
      );
    }
    assert.deepStrictEqual(created(), []);
    assert.strictEqual(adminSslMode(undefined), "disable");
    assert.strictEqual(adminSslMode("verify-full"), "verify-full");
    assert.throws(() => adminSslMode("no-verify"), /not supported/);
  });

  it("TargetDatabase (mock): no heroku_ext schema when no extension lives there", async () => {
    const target = new mod.TargetDatabase("plain", {
      admin: { host: "h", username: "admin", password: "pw" },
      database: "d",
      ownerRole: "r",
      ownerPassword: "pw2",
    });
    await settle();
    assert.strictEqual(target.herokuExtSchema, undefined);
    assert.deepStrictEqual(
      created()
        .map((c) => c.type)
        .sort(),
      [
        "heroku-to-hasura:data:TargetDatabase",
        "postgresql:index/database:Database",
        "postgresql:index/role:Role",
        "pulumi:providers:postgresql",
      ],
    );
  });
});
