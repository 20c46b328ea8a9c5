import assert from "assert";
import { classifyConfigVars, RUNTIME_VARS } from "../../components/plan/config-vars";
import { Findings } from "../../components/plan/warnings";
import { addon, app } from "../fixtures/snapshots/builder";

function classes(c: ReturnType<typeof classifyConfigVars>): Record<string, string> {
  return Object.fromEntries(
    [...c.sources].map(([k, s]) => [k, s.kind === "addon" ? `addon:${s.attachment.name}` : s.kind]),
  );
}

describe("config var classification", () => {
  it("uses config-vars-settings when present; runtime vars are flagged, the rest are user vars", () => {
    const pg = addon({ name: "pg-1", service: "heroku-postgresql", plan: "essential-0", billingApp: "a" });
    const s = app("a")
      .vars({ FOO: "1", PATH: "/x", DYNO: "web.1", PORT: "5000", HOME: "/app" })
      .attach(pg, "DATABASE", { DATABASE_URL: "postgres://u:p@h/d" })
      .build();
    const c = classifyConfigVars(s, new Findings());
    assert.deepStrictEqual(classes(c), {
      DATABASE_URL: "addon:DATABASE",
      DYNO: "runtime",
      FOO: "user",
      HOME: "runtime",
      PATH: "runtime",
      PORT: "runtime",
    });
    assert.deepStrictEqual([...c.byAttachment.values()], [["DATABASE_URL"]]);
    for (const v of ["PORT", "DYNO", "PATH", "HOME"]) assert.ok(RUNTIME_VARS.includes(v));
  });

  it("without config-vars-settings, re-prefixes the owning app's var names with this app's attachment name", () => {
    const redis = addon({
      name: "redis-1",
      service: "heroku-redis",
      plan: "mini",
      billingApp: "owner",
      configVarNames: ["REDIS_URL", "REDIS_TLS_URL"],
    });
    const owner = app("owner").attach(redis, "REDIS", {
      REDIS_URL: "redis://:p@h:1",
      REDIS_TLS_URL: "rediss://:p@h:2",
    });
    const other = app("other")
      .attach(redis, "CACHE", { CACHE_URL: "redis://:p@h:1", CACHE_TLS_URL: "rediss://:p@h:2" })
      .vars({ REDIS_URL: "redis://mine" })
      .withoutVarOwners()
      .build();
    owner.withoutVarOwners();
    const c = classifyConfigVars(other, new Findings());
    assert.deepStrictEqual(classes(c), {
      CACHE_TLS_URL: "addon:CACHE",
      CACHE_URL: "addon:CACHE",
      REDIS_URL: "user",
    });
    const o = classifyConfigVars(owner.build(), new Findings());
    assert.deepStrictEqual(classes(o), { REDIS_TLS_URL: "addon:REDIS", REDIS_URL: "addon:REDIS" });
  });

  it("an owner attachment the app does not have → user var and a warning naming the key only", () => {
    const s = app("a").vars({ X_URL: "https://secret-host" }).build();
    s.configVarOwners = { X_URL: { attachmentId: "gone", attachmentName: "X" } };
    const findings = new Findings();
    assert.deepStrictEqual(classes(classifyConfigVars(s, findings)), { X_URL: "user" });
    assert.deepStrictEqual(
      findings.warnings.map((w) => [w.code, w.subject]),
      [["unknown-config-var-owner", "X_URL"]],
    );
    assert.ok(!findings.warnings[0].message.includes("secret-host"));
  });
});
