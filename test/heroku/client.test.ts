import { strict as assert } from "assert";
import * as net from "net";
import { HerokuApiError } from "../../components/heroku/errors";
import { HerokuClient } from "../../components/heroku/client";
import { ADMIN_ONLY_TOKEN, READ_ONLY_TOKEN } from "../support/heroku-double";
import { rejection, testClient, withDouble } from "./support";

const ctx = (app: string, resource = "app", what = "app info") => ({ app, resource, what });

describe("HerokuClient against the Heroku API double", () => {
  const h = withDouble();

  describe("requests", () => {
    it("sends the v3 Accept header and the Bearer token (the double refuses anything else)", async () => {
      const { client } = testClient(h.double);
      const app = await client.get<{ name: string }>("/apps/acme-api", ctx("acme-api"));
      assert.equal(app.name, "acme-api");
      assert.equal(h.double.requests[0].status, 200);
    });

    it("counts the HTTP requests it sends per app", async () => {
      const { client } = testClient(h.double);
      await client.get("/apps/acme-api", ctx("acme-api"));
      await client.get("/apps/acme-admin", ctx("acme-admin"));
      await client.list("/apps/acme-bulk/domains", ctx("acme-bulk", "domains", "domains"));
      assert.deepEqual(
        [
          client.requestCount("acme-api"),
          client.requestCount("acme-admin"),
          client.requestCount("acme-bulk"),
        ],
        [1, 1, 2],
      );
      assert.equal(client.requestCount(), 4);
    });

    it("keeps at most `concurrency` requests in flight", async () => {
      h.double.injectFault({ path: /^\/apps\/acme-api\//, kind: "slow", delayMs: 100, times: 12 });
      const { client } = testClient(h.double, { concurrency: 4 });
      const paths = ["formation", "domains", "features", "log-drains", "addons", "addon-attachments"];
      await Promise.all(
        [...paths, ...paths].map((p) => client.list(`/apps/acme-api/${p}`, ctx("acme-api", p, p))),
      );
      assert.equal(h.double.maxInFlight, 4);
    });
  });

  describe("Range pagination", () => {
    it("asks for max=1000 and follows Next-Range verbatim through 206 pages (1,101 domains)", async () => {
      const { client } = testClient(h.double);
      const domains = await client.list<{ hostname: string }>(
        "/apps/acme-bulk/domains",
        ctx("acme-bulk", "domains", "domains"),
      );
      assert.equal(domains.length, 1101);
      assert.equal(new Set(domains.map((d) => d.hostname)).size, 1101);
      const reqs = h.double.requests.filter((r) => r.path === "/apps/acme-bulk/domains");
      assert.deepEqual(
        reqs.map((r) => r.status),
        [206, 200],
      );
      assert.equal(reqs[0].range, "id ..; max=1000");
      assert.match(reqs[1].range ?? "", /^id \].+\.\.; max=1000$/);
    });

    it("reads all 2,050 releases in three pages, in version order", async () => {
      const { client } = testClient(h.double);
      const releases = await client.list<{ version: number }>(
        "/apps/acme-bulk/releases",
        ctx("acme-bulk", "releases", "releases"),
        { sortBy: "version" },
      );
      assert.deepEqual(
        releases.map((r) => r.version),
        Array.from({ length: 2050 }, (_, i) => i + 1),
      );
      assert.equal(h.double.requests.length, 3);
    });

    it("honours a smaller page size", async () => {
      const { client } = testClient(h.double, { pageSize: 200 });
      const domains = await client.list("/apps/acme-bulk/domains", ctx("acme-bulk", "domains", "domains"));
      assert.equal(domains.length, 1101);
      assert.equal(h.double.requests.length, 6);
    });

    it("asks again without Range when an endpoint refuses the first one (416)", async () => {
      h.double.injectFault({
        path: "/apps/acme-api/features",
        kind: "status",
        status: 416,
        id: "requested_range_not_satisfiable",
      });
      const { client, logs } = testClient(h.double);
      const features = await client.list(
        "/apps/acme-api/features",
        ctx("acme-api", "features", "app features"),
      );
      assert.equal(features.length, 3);
      assert.deepEqual(
        h.double.requests.map((r) => [r.status, r.range]),
        [
          [416, "id ..; max=1000"],
          [200, undefined],
        ],
      );
      assert.ok(logs.some((l) => l.includes("refused Range")));
    });

    it("stops following pages once stopWhen holds", async () => {
      const { client } = testClient(h.double);
      const firstPage = await client.list<{ version: number }>(
        "/apps/acme-bulk/releases",
        ctx("acme-bulk", "releases", "releases"),
        { sortBy: "version", order: "desc", stopWhen: (items) => items.length > 0 },
      );
      assert.equal(firstPage.length, 1000);
      assert.equal(firstPage[0].version, 2050);
      assert.equal(h.double.requests.length, 1);
    });
  });

  describe("transient faults: recovers within its retry bounds", () => {
    for (const status of [429, 500, 503]) {
      it(`retries HTTP ${status} with backoff and succeeds`, async () => {
        h.double.injectFault({ path: "/apps/acme-api", kind: "status", status, times: 2 });
        const { client, sleeps, logs } = testClient(h.double);
        const app = await client.get<{ name: string }>("/apps/acme-api", ctx("acme-api"));
        assert.equal(app.name, "acme-api");
        assert.deepEqual(
          h.double.requests.map((r) => r.status),
          [status, status, 200],
        );
        // random() = 0.5 → 3/4 of base·2^(n-1): 375, 750 ms.
        assert.deepEqual(sleeps, [375, 750]);
        assert.equal(logs.filter((l) => l.startsWith("warn") && l.includes(`HTTP ${status}`)).length, 2);
      });
    }

    it("retries a dropped connection", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "drop", times: 1 });
      const { client, logs } = testClient(h.double);
      const app = await client.get<{ name: string }>("/apps/acme-api", ctx("acme-api"));
      assert.equal(app.name, "acme-api");
      assert.deepEqual(
        h.double.requests.map((r) => r.status),
        ["dropped", 200],
      );
      assert.ok(logs.some((l) => l.includes("network")));
    });

    it("retries a connection dropped in the middle of a list body", async () => {
      h.double.injectFault({ path: "/apps/acme-api/domains", kind: "drop-mid-body", times: 1 });
      const { client } = testClient(h.double);
      const domains = await client.list("/apps/acme-api/domains", ctx("acme-api", "domains", "domains"));
      assert.equal(domains.length, 3);
      assert.deepEqual(
        h.double.requests.map((r) => r.status),
        ["dropped", 200],
      );
    });

    it("times out a slow answer and retries it", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "slow", delayMs: 3000, times: 1 });
      const { client, logs } = testClient(h.double, { timeoutMs: 250 });
      const started = Date.now();
      const app = await client.get<{ name: string }>("/apps/acme-api", ctx("acme-api"));
      assert.equal(app.name, "acme-api");
      assert.ok(Date.now() - started < 2500, "the slow answer was not waited for");
      assert.ok(logs.some((l) => l.includes("timeout")));
    });
  });

  describe("permanent faults: fails clearly once its bounds are spent", () => {
    it("gives up on a lasting 503 after maxAttempts, with bounded exponential delays", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "status", status: 503, times: 100 });
      const { client, sleeps } = testClient(h.double, {
        retry: { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 },
      });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.ok(e instanceof HerokuApiError);
      assert.equal(e.status, 503);
      assert.match(
        e.message,
        /Heroku API kept failing reading app "acme-api" \(503 internal_server_error\) after 6 attempts/,
      );
      assert.equal(h.double.requests.length, 6);
      assert.deepEqual(sleeps, [750, 1500, 3000, 6000, 6000]);
    });

    it("keeps jitter within [half, full] of each capped delay", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "status", status: 500, times: 100 });
      let r = 0;
      const randoms = [0, 0.999, 0.25, 0.75, 0.5];
      const { client, sleeps } = testClient(h.double, {
        random: () => randoms[r++ % randoms.length],
        retry: { maxAttempts: 6, baseDelayMs: 400, maxDelayMs: 2000 },
      });
      await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      const caps = [400, 800, 1600, 2000, 2000];
      sleeps.forEach((s, i) => assert.ok(s >= caps[i] / 2 && s <= caps[i], `delay ${i} = ${s}`));
      assert.notDeepEqual(
        sleeps,
        caps.map((c) => c * 0.75),
      );
    });

    it("fails on an exhausted rate limit with what to do", async () => {
      h.double.setRateLimitRemaining(0);
      const { client } = testClient(h.double, { retry: { maxAttempts: 3 } });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.match(
        e.message,
        /rate limit exhausted reading app "acme-api" \(429 rate_limit\) after 3 attempts/,
      );
      assert.match(e.message, /wait a few minutes and re-run/);
    });

    it("fails when every attempt times out", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "slow", delayMs: 3000, times: 5 });
      const { client } = testClient(h.double, { timeoutMs: 150, retry: { maxAttempts: 2 } });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.ok(e instanceof HerokuApiError);
      assert.equal(e.errorId, "timeout");
      assert.match(
        e.message,
        /did not answer in time reading app "acme-api" \(no complete answer within 150 ms\) after 2 attempts/,
      );
    });

    it("fails when every connection is dropped", async () => {
      h.double.injectFault({ path: "/apps/acme-api", kind: "drop", times: 5 });
      const { client } = testClient(h.double, { retry: { maxAttempts: 3 } });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.match(
        e.message,
        /^Could not reach the Heroku API at http:\/\/127\.0\.0\.1:\d+ reading app "acme-api" .* after 3 attempts/,
      );
    });

    it("fails when the API is not there at all", async () => {
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const client = new HerokuClient({
        token: "x",
        baseUrl: `http://127.0.0.1:${port}`,
        retry: { maxAttempts: 2 },
        sleep: async () => undefined,
      });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.match(
        e.message,
        new RegExp(
          `^Could not reach the Heroku API at http://127.0.0.1:${port} reading app "acme-api" \\(ECONNREFUSED\\)`,
        ),
      );
    });
  });

  describe("4xx errors name the app and resource and say what to do, without retrying", () => {
    it("401: invalid token", async () => {
      const { client } = testClient(h.double, { token: "HRKU-not-a-known-token" });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.ok(e instanceof HerokuApiError && e.status === 401);
      assert.match(e.message, /rejected the token \(401 unauthorized\) while reading app "acme-api"/);
      assert.match(e.message, /pulumi config set --secret herokuApiKey/);
      assert.equal(h.double.requests.length, 1);
    });

    it("403 on config vars: the token lacks the read-protected scope", async () => {
      const { client } = testClient(h.double, { token: READ_ONLY_TOKEN });
      const e = await rejection(
        client.get("/apps/acme-api/config-vars", ctx("acme-api", "config-vars", "config vars")),
      );
      assert.ok(
        e.message.startsWith(
          'Heroku API refused to read config vars of app "acme-api" (403 forbidden): ' +
            "token lacks read-protected scope: config vars cannot be read.",
        ),
        e.message,
      );
      assert.equal(h.double.requests.length, 1);
    });

    it("403 on an app the account cannot see", async () => {
      const { client } = testClient(h.double, { token: ADMIN_ONLY_TOKEN });
      const e = await rejection(client.get("/apps/acme-api", ctx("acme-api")));
      assert.match(
        e.message,
        /refused to read app "acme-api" \(403 forbidden\): the token's account has no access/,
      );
      assert.match(e.message, /collaborator/);
    });

    it("404 on an unknown app", async () => {
      const { client } = testClient(h.double);
      const e = await rejection(client.get("/apps/acme-nope", ctx("acme-nope")));
      assert.match(e.message, /^Heroku app "acme-nope" not found \(404 not_found\): check the app name/);
      assert.equal(h.double.requests.length, 1);
    });

    it("404 on a sub-resource names it", async () => {
      const { client } = testClient(h.double);
      const e = await rejection(
        client.get(
          "/apps/acme-api/slugs/0b5ec000-0000-4000-8000-000000000000",
          ctx("acme-api", "slug", "slug 0b5ec000"),
        ),
      );
      assert.match(e.message, /^Slug 0b5ec000 of app "acme-api" not found \(404 not_found\)/);
    });

    it("422: reports Heroku's message and the resource", async () => {
      h.double.injectFault({
        path: "/apps/acme-api/domains",
        kind: "status",
        status: 422,
        id: "invalid_params",
        message: "Range is not valid for this resource.",
      });
      const { client } = testClient(h.double);
      const e = await rejection(client.list("/apps/acme-api/domains", ctx("acme-api", "domains", "domains")));
      assert.match(
        e.message,
        /rejected the request for domains of app "acme-api" as invalid \(422 invalid_params\)\. Heroku says: "Range is not valid for this resource\."/,
      );
      assert.equal(h.double.requests.length, 1);
    });
  });

  describe("RateLimit-Remaining", () => {
    it("slows down (one request per pause) while the bucket is low, and says so once", async () => {
      h.double.setRateLimitRemaining(150);
      const { client, sleeps, logs } = testClient(h.double, {
        rateLimitLowWater: 200,
        rateLimitPauseMs: 800,
      });
      await client.get("/apps/acme-api", ctx("acme-api"));
      assert.equal(client.rateLimitRemaining, 149);
      for (let i = 0; i < 3; i++) await client.get("/apps/acme-api", ctx("acme-api"));
      assert.deepEqual(sleeps, [800, 800, 800]);
      assert.equal(logs.filter((l) => l.includes("RateLimit-Remaining is 149 (< 200)")).length, 1);
    });

    it("does not pace while the bucket is full", async () => {
      const { client, sleeps } = testClient(h.double);
      for (let i = 0; i < 3; i++) await client.get("/apps/acme-api", ctx("acme-api"));
      assert.deepEqual(sleeps, []);
      assert.equal(client.rateLimitRemaining, 4497);
    });
  });
});
