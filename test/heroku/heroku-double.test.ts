import { strict as assert } from "assert";
import { buildAccountFixtures, FULL_TOKEN, herokuSchema, startHerokuDouble } from "../support/heroku-double";
import type { HerokuDouble } from "../support/heroku-double";
import { rejection } from "./support";

const V3 = "application/vnd.heroku+json; version=3";

async function get(d: HerokuDouble, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(d.url + path, {
    headers: { Accept: V3, Authorization: `Bearer ${FULL_TOKEN}`, ...headers },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

describe("Heroku API double", () => {
  let d: HerokuDouble;
  afterEach(async () => {
    // Rejects on any schema violation the test did not expect (and clear).
    await d?.close();
  });

  describe("schema validation of every response", () => {
    it("answers 500 for a fixture the schema rejects, and close() fails the run", async () => {
      const f = buildAccountFixtures();
      f.apps[0].formation[0].dyno_password = "not in the schema";
      d = await startHerokuDouble(f);
      const r = await get(d, "/apps/acme-api/formation");
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, {
        id: "double_schema_violation",
        message: "response for /apps/acme-api/formation violates the schema",
      });
      assert.equal(d.violations.length, 1);
      assert.match(d.violations[0], /formation → List.*must NOT have additional properties.*dyno_password/);
      const e = await rejection(d.close());
      assert.match(e.message, /served 1 schema-invalid response/);
      d.violations.length = 0;
    });

    it("requires every property of a strictProperties object", async () => {
      const f = buildAccountFixtures();
      delete f.apps[0].app.web_url;
      d = await startHerokuDouble(f);
      assert.equal((await get(d, "/apps/acme-api")).status, 500);
      assert.match(d.violations[0], /app → Info.*must have required property 'web_url'/);
      d.violations.length = 0;
    });

    it("checks patterns and enums (app name, pipeline stage)", async () => {
      const f = buildAccountFixtures();
      f.couplings[0].stage = "qa";
      d = await startHerokuDouble(f);
      assert.equal((await get(d, "/apps/acme-api/pipeline-couplings")).status, 500);
      assert.match(
        d.violations[0],
        /pipeline-coupling → Info By App.*\/stage must be equal to one of the allowed values/,
      );
      d.violations.length = 0;
    });

    it("accepts app.generation as the object the API serves or as the schema's string, nothing else", () => {
      const schema = herokuSchema();
      assert.deepEqual(
        schema.validateDefinition("app/definitions/generation", {
          id: "8d3fe6ae-0000-4000-8000-000000000000",
          name: "fir",
        }),
        [],
      );
      assert.deepEqual(schema.validateDefinition("app/definitions/generation", "cedar"), []);
      assert.notDeepEqual(schema.validateDefinition("app/definitions/generation", 3), []);
    });

    it("treats domain.hostname as a host name, not a URI", () => {
      const schema = herokuSchema();
      assert.deepEqual(schema.validateDefinition("domain/definitions/hostname", "www.acme.example.com"), []);
      assert.deepEqual(schema.validateDefinition("domain/definitions/hostname", "*.acme.example.com"), []);
      assert.notDeepEqual(
        schema.validateDefinition("domain/definitions/hostname", "https://www.acme.example.com/"),
        [],
      );
    });

    it("validates error bodies too", async () => {
      d = await startHerokuDouble(buildAccountFixtures());
      const r = await get(d, "/apps/acme-nope");
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { id: "not_found", message: "Couldn't find that app." });
      assert.deepEqual(d.violations, []);
    });
  });

  describe("protocol", () => {
    beforeEach(async () => {
      d = await startHerokuDouble(buildAccountFixtures());
    });

    it("refuses a missing Accept version (406) and a missing or unknown token (401)", async () => {
      assert.equal((await get(d, "/apps/acme-api", { Accept: "application/json" })).status, 406);
      assert.equal((await get(d, "/apps/acme-api", { Authorization: "" })).status, 401);
      assert.equal((await get(d, "/apps/acme-api", { Authorization: "Bearer nope" })).status, 401);
    });

    it("pages 200 items by default, caps max at 1000, and sets Content-Range and Next-Range", async () => {
      const first = await get(d, "/apps/acme-bulk/domains");
      assert.equal(first.status, 206);
      assert.equal((first.body as unknown[]).length, 200);
      assert.match(first.headers.get("content-range") ?? "", /^id [0-9a-f-]{36}\.\.[0-9a-f-]{36}$/);
      const next = first.headers.get("next-range") ?? "";
      assert.match(next, /^id \][0-9a-f-]{36}\.\.; max=200$/);
      const second = await get(d, "/apps/acme-bulk/domains", { Range: next });
      assert.equal((second.body as { id: string }[])[0].id > (first.body as { id: string }[])[199].id, true);
      const big = await get(d, "/apps/acme-bulk/domains", { Range: "id ..; max=5000" });
      assert.equal((big.body as unknown[]).length, 1000);
      const last = await get(d, "/apps/acme-bulk/domains", { Range: big.headers.get("next-range") ?? "" });
      assert.equal(last.status, 200);
      assert.equal((last.body as unknown[]).length, 101);
      assert.equal(last.headers.get("next-range"), null);
    });

    it("sorts releases by version, descending on request", async () => {
      const r = await get(d, "/apps/acme-bulk/releases", { Range: "version ..; max=3, order=desc" });
      assert.deepEqual(
        (r.body as { version: number }[]).map((x) => x.version),
        [2050, 2049, 2048],
      );
      assert.equal(r.headers.get("next-range"), "version ]2048..; max=3, order=desc");
    });

    it("answers 416 to a malformed Range", async () => {
      const r = await get(d, "/apps/acme-api/domains", { Range: "id ..; max=ten" });
      assert.equal(r.status, 416);
      assert.equal((r.body as { id: string }).id, "requested_range_not_satisfiable");
    });

    it("counts RateLimit-Remaining down and answers 429 at zero", async () => {
      const a = await get(d, "/apps/acme-api");
      const b = await get(d, "/apps/acme-api");
      assert.deepEqual(
        [a.headers.get("ratelimit-remaining"), b.headers.get("ratelimit-remaining")],
        ["4499", "4498"],
      );
      d.setRateLimitRemaining(0);
      const c = await get(d, "/apps/acme-api");
      assert.equal(c.status, 429);
      assert.equal((c.body as { id: string }).id, "rate_limit");
      const limits = await get(d, "/account/rate-limits");
      assert.deepEqual([limits.status, limits.body], [200, { remaining: 0 }]);
    });
  });
});
