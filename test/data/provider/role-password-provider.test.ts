/**
 * RolePassword: the provider as Pulumi runs it (serialized, in a plain node process over gRPC)
 * against a real Postgres with SCRAM authentication, as `postgres.manageDatabase: false` uses it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { rolePasswordProvider, scramVerifier } from "../../../components/data/role-password-provider";
import { startPgCluster, type PgCluster } from "../../../scripts/lib/pg-cluster";
import { DynamicProviderHost, providerTextProblems } from "../../support/dynamic-provider-host";
import { canLogIn } from "../../support/postgres/can-log-in";

describe("RolePassword provider (serialized, real dynamic-provider process, real Postgres)", function () {
  let pg: PgCluster;
  let host: DynamicProviderHost;
  const heroku = "heroku-issued-pw-0123456789";
  const generated = "gEnErAtEd0123456789abcdefghijklm";
  const rotated = "rOtAtEd0123456789abcdefghijklmno";

  before(async () => {
    pg = await startPgCluster();
    // Every statement logged, as a server with log_statement = all would: the password must not be.
    pg.psql("ALTER SYSTEM SET log_statement = 'all'");
    pg.psql("SELECT pg_reload_conf()");
    // As the dev job (or a DBA) leaves it: the role exists, here even with Heroku's old password.
    pg.psql(`CREATE ROLE app_owner LOGIN PASSWORD '${heroku}'`);
    pg.createDatabase("app", "app_owner");
    host = await DynamicProviderHost.serve(rolePasswordProvider);
  });
  after(() => {
    host?.stop();
    pg?.stop();
  });

  const inputs = (password: string, role = "app_owner") => ({ adminUrl: pg.url("postgres"), role, password });

  it("carries no credential and no checkout path in its serialized text, and serializes the same again", async () => {
    assert.deepStrictEqual(
      await providerTextProblems(host, rolePasswordProvider, [heroku, generated, pg.password]),
      [],
    );
  });

  it("create sets the generated password: it logs in, Heroku's no longer does", async () => {
    assert.ok(await canLogIn(pg.url("app", "app_owner", heroku)), "before: Heroku's password works");
    const { id, outs } = await host.create(inputs(generated));
    assert.strictEqual(id, `127.0.0.1:${pg.port}/app_owner`);
    assert.strictEqual(outs.role, "app_owner");
    assert.ok(await canLogIn(pg.url("app", "app_owner", generated)));
    assert.ok(!(await canLogIn(pg.url("app", "app_owner", heroku))), "Heroku's password unlocks nothing");
  });

  it("stores a SCRAM verifier, and the server's statement log never sees the password", async () => {
    const log = fs.readFileSync(path.join(path.dirname(pg.dataDir), "server.log"), "utf8");
    assert.match(
      log,
      /ALTER ROLE "app_owner" WITH LOGIN PASSWORD 'SCRAM-SHA-256\$/,
      "the statement was logged",
    );
    assert.ok(!log.includes(generated), "the password is not in the server's log");
    const stored = pg.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'").trim();
    assert.match(stored, /^SCRAM-SHA-256\$4096:/);
    assert.ok(!stored.includes(generated));
    const verifier = scramVerifier(generated, Buffer.from(stored.split("$")[1].split(":")[1], "base64"));
    assert.strictEqual(verifier, stored, "the same verifier PostgreSQL computes");
  });

  it("the same inputs are no change; a rotated password is an update in place that takes effect", async () => {
    const { id, outs } = await host.create(inputs(generated));
    assert.deepStrictEqual(await host.diff(id, outs, inputs(generated)), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const d = await host.diff(id, outs, inputs(rotated));
    assert.deepStrictEqual([d.changes, d.replaces], ["some", []]);
    await host.update(id, outs, inputs(rotated));
    assert.ok(await canLogIn(pg.url("app", "app_owner", rotated)));
    assert.ok(!(await canLogIn(pg.url("app", "app_owner", generated))));
  });

  it("a role that does not exist is a clear error naming it and what manageDatabase false expects", async () => {
    await assert.rejects(
      host.create(inputs(generated, "missing_owner")),
      /role missing_owner does not exist on 127\.0\.0\.1:\d+: with postgres\.manageDatabase false the owner role and its database must exist before `pulumi up`/,
    );
  });

  it("delete leaves the role and its password (the stack never owned the role)", async () => {
    const { id, outs } = await host.create(inputs(generated));
    await host.delete(id, outs);
    assert.ok(await canLogIn(pg.url("app", "app_owner", generated)));
  });

  it("honours sslmode=require as libpq does (encrypted, the self-signed certificate not verified)", async () => {
    const tls = await startPgCluster({ tls: true });
    try {
      tls.psql("CREATE ROLE tls_owner LOGIN PASSWORD 'before-0123456789'");
      const adminUrl = tls.url("postgres");
      assert.match(adminUrl, /sslmode=require/);
      await host.create({ adminUrl, role: "tls_owner", password: generated });
      assert.ok(
        await canLogIn(
          tls.url("postgres", "tls_owner", generated).replace("sslmode=require", "sslmode=no-verify"),
        ),
      );
    } finally {
      tls.stop();
    }
  });

  it("refuses a short password or no role in check", async () => {
    const r = await host.check({}, { adminUrl: "postgres://x@h/db", role: "", password: "short" });
    assert.deepStrictEqual(r.failures.map((f) => f.property).sort(), ["password", "role"]);
  });
});
