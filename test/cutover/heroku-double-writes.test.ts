import { strict as assert } from "assert";
import {
  buildAccountFixtures,
  FULL_TOKEN,
  READ_ONLY_TOKEN,
  startHerokuDouble,
} from "../support/heroku-double";
import type { HerokuDouble } from "../support/heroku-double";

const V3 = "application/vnd.heroku+json; version=3";

async function send(d: HerokuDouble, method: string, path: string, body?: unknown, token = FULL_TOKEN) {
  const res = await fetch(d.url + path, {
    method,
    headers: { Accept: V3, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("Heroku API double: the cutover's PATCH endpoints", () => {
  let d: HerokuDouble;
  beforeEach(async () => {
    d = await startHerokuDouble(buildAccountFixtures());
  });
  afterEach(async () => {
    await d.close();
  });

  it("app → Update sets maintenance mode and answers the app, schema-valid; the call is recorded with its body", async () => {
    const r = await send(d, "PATCH", "/apps/acme-api", { maintenance: true });
    assert.equal(r.status, 200);
    assert.equal(r.body.maintenance, true);
    assert.equal(d.app("acme-api").app.maintenance, true);
    assert.deepEqual(
      d.requests.map((x) => [x.method, x.path, x.link, x.status, x.body]),
      [["PATCH", "/apps/acme-api", "app → Update", 200, { maintenance: true }]],
    );
    assert.equal((await send(d, "GET", "/apps/acme-api")).body.maintenance, true);
  });

  it("formation → Batch Update scales (and resizes) process types, all or nothing", async () => {
    const r = await send(d, "PATCH", "/apps/acme-api/formation", {
      updates: [
        { type: "web", quantity: 0 },
        { type: "worker", quantity: 3, dyno_size: { name: "Standard-2X" } },
      ],
    });
    assert.equal(r.status, 200);
    const f = d
      .app("acme-api")
      .formation.map((x) => `${x.type as string}=${x.quantity as number}:${x.size as string}`);
    assert.deepEqual(f, ["web=0:Standard-2X", "worker=3:Standard-2X"]);

    const missing = await send(d, "PATCH", "/apps/acme-api/formation", {
      updates: [
        { type: "web", quantity: 5 },
        { type: "clock", quantity: 1 },
      ],
    });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { id: "not_found", message: "Couldn't find that process type (clock)." });
    assert.equal(d.app("acme-api").formation[0].quantity, 0, "nothing changed");
  });

  it("validates each request body against the link's schema: wrong types and unlisted properties are 422 and recorded", async () => {
    const typo = await send(d, "PATCH", "/apps/acme-api", { maintainance: true });
    assert.equal(typo.status, 422);
    assert.equal(typo.body.id, "invalid_params");
    const wrongType = await send(d, "PATCH", "/apps/acme-api/formation", {
      updates: [{ type: "web", quantity: "0" }],
    });
    assert.equal(wrongType.status, 422);
    const noUpdates = await send(d, "PATCH", "/apps/acme-api/formation", { quantity: 0 });
    assert.equal(noUpdates.status, 422);
    assert.equal(d.requestViolations.length, 3);
    assert.match(
      d.requestViolations[0],
      /PATCH \/apps\/acme-api \(app → Update\): \(root\) has property "maintainance", which the link's schema does not list/,
    );
    assert.match(d.requestViolations[1], /formation → Batch Update.*\/updates\/0\/quantity must be integer/);
    assert.match(d.requestViolations[2], /must have required property 'updates'/);
    assert.equal(d.app("acme-api").app.maintenance, false, "nothing changed");
    await assert.rejects(d.close(), /received 3 schema-invalid request body/);
    d.requestViolations.length = 0;
  });

  it("a body that is not JSON is a 400; a method it does not serve is a 405", async () => {
    assert.equal((await send(d, "PATCH", "/apps/acme-api", "{maintenance")).status, 400);
    assert.equal((await send(d, "DELETE", "/apps/acme-api")).status, 405);
  });

  it("writes need the write (or global) scope, as on Heroku", async () => {
    const r = await send(d, "PATCH", "/apps/acme-api", { maintenance: true }, READ_ONLY_TOKEN);
    assert.equal(r.status, 403);
    assert.equal(d.app("acme-api").app.maintenance, false);
  });

  it("injects faults by method and after N matching requests (mid-freeze)", async () => {
    d.injectFault({
      path: /^\/apps\/[^/]+\/formation$/,
      method: "PATCH",
      after: 1,
      kind: "status",
      status: 503,
      times: 2,
    });
    assert.equal((await send(d, "GET", "/apps/acme-api/formation")).status, 200, "GETs are not affected");
    const body = { updates: [{ type: "web", quantity: 0 }] };
    assert.equal(
      (await send(d, "PATCH", "/apps/acme-api/formation", body)).status,
      200,
      "the first write passes",
    );
    assert.equal((await send(d, "PATCH", "/apps/acme-admin/formation", body)).status, 503);
    assert.equal((await send(d, "PATCH", "/apps/acme-admin/formation", body)).status, 503);
    assert.equal(
      (await send(d, "PATCH", "/apps/acme-admin/formation", body)).status,
      200,
      "then it passes again",
    );
  });

  it("lists dynos: one per formation quantity plus one-off dynos, which scaling does not stop", async () => {
    d.startOneOffDyno("acme-api", "scheduler.4242", "node dist/cleanup.js");
    const names = async () =>
      ((await send(d, "GET", "/apps/acme-api/dynos")).body as unknown as { name: string }[])
        .map((x) => x.name)
        .sort();
    assert.deepEqual(await names(), ["scheduler.4242", "web.1", "web.2", "worker.1"]);
    await send(d, "PATCH", "/apps/acme-api/formation", {
      updates: [
        { type: "web", quantity: 0 },
        { type: "worker", quantity: 0 },
      ],
    });
    assert.deepEqual(await names(), ["scheduler.4242"]);
  });
});
