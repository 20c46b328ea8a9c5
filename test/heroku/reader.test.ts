import { strict as assert } from "assert";
import { readAppSnapshot, readAppSnapshots, readPipelineStage } from "../../components/heroku/reader";
import { readNeeds } from "../../components/plan";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { toAppInfo } from "../../components/heroku/snapshot-mapping";
import { ACME_API_PROCESS_TYPES, ADMIN_ONLY_TOKEN, EXAMPLE_DATABASE } from "../support/heroku-double/account";
import { domainObject, sniEndpointObject } from "../support/heroku-double/api-objects";
import { rejection, testClient, withDouble } from "./support";

const reveal = (s: AppSnapshot) =>
  Object.fromEntries(Object.entries(s.configVars).map(([k, v]) => [k, v.reveal()]));

describe("readAppSnapshot against the Heroku API double", () => {
  const h = withDouble();

  it("reads every endpoint of acme-api into the AppSnapshot contract", async () => {
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-api", { now: () => new Date("2026-11-01T00:00:00Z") });

    assert.equal(s.formatVersion, 1);
    assert.equal(s.readAt, "2026-11-01T00:00:00.000Z");
    assert.deepEqual(
      {
        ...s.app,
        id: typeof s.app.id,
        webUrl: /^https:\/\/acme-api-[0-9a-f]{12}\.herokuapp\.com\/$/.test(s.app.webUrl ?? ""),
      },
      {
        id: "string",
        name: "acme-api",
        region: "us",
        stack: "heroku-24",
        buildStack: "heroku-24",
        generation: "cedar",
        space: null,
        team: "acme",
        internalRouting: false,
        maintenance: false,
        acm: true,
        webUrl: true,
      },
    );
    const db = `postgres://${EXAMPLE_DATABASE.user}:${EXAMPLE_DATABASE.password}@127.0.0.1:31432/acme_source`;
    assert.deepEqual(reveal(s), h.double.fixtures.apps[0].configVars);
    assert.equal(s.configVars.DATABASE_URL.reveal(), db);
    assert.deepEqual(
      Object.fromEntries(Object.entries(s.configVarOwners ?? {}).map(([k, o]) => [k, o.attachmentName])),
      {
        DATABASE_URL: "DATABASE",
        HEROKU_POSTGRESQL_ONYX_URL: "HEROKU_POSTGRESQL_ONYX",
        PAPERTRAIL_API_TOKEN: "PAPERTRAIL",
        REDIS_URL: "REDIS",
      },
    );
    assert.deepEqual(s.formation, [
      { type: "web", command: "npm start", quantity: 2, size: "Standard-2X" },
      { type: "worker", command: "node dist/worker.js", quantity: 1, size: "Standard-1X" },
    ]);
    assert.deepEqual(
      s.dynoSizes.map((d) => d.name),
      ["Basic", "Eco", "Standard-1X", "Private-S", "Standard-2X", "Performance-M", "Performance-L"],
    );
    assert.deepEqual(
      s.dynoSizes.find((d) => d.name === "Standard-2X"),
      {
        name: "Standard-2X",
        memoryGb: 1,
        compute: 2,
        dedicated: false,
        privateSpaceOnly: false,
      },
    );
    assert.deepEqual(
      s.addons.map((a) => [
        a.name,
        a.service,
        a.plan,
        a.billingApp.name,
        a.state,
        a.attachments.map((x) => x.name),
        a.attachmentsFrom,
      ]),
      [
        [
          "papertrail-flat-33333",
          "papertrail",
          "papertrail:choklad",
          "acme-api",
          "provisioned",
          ["PAPERTRAIL"],
          "addon",
        ],
        [
          "postgresql-concave-52656",
          "heroku-postgresql",
          "heroku-postgresql:standard-0",
          "acme-api",
          "provisioned",
          ["DATABASE", "HEROKU_POSTGRESQL_ONYX"],
          "addon",
        ],
        [
          "redis-curved-11111",
          "heroku-redis",
          "heroku-redis:premium-0",
          "acme-api",
          "provisioned",
          ["REDIS", "REDIS"],
          "addon",
        ],
        [
          "scheduler-rigid-44444",
          "scheduler",
          "scheduler:standard",
          "acme-api",
          "provisioned",
          ["SCHEDULER"],
          "addon",
        ],
      ],
    );
    assert.deepEqual(
      s.attachments.map((a) => [a.name, a.addon.service, a.app.name, a.namespace]),
      [
        ["DATABASE", "heroku-postgresql", "acme-api", null],
        ["HEROKU_POSTGRESQL_ONYX", "heroku-postgresql", "acme-api", null],
        ["PAPERTRAIL", "papertrail", "acme-api", null],
        ["REDIS", "heroku-redis", "acme-api", null],
        ["SCHEDULER", "scheduler", "acme-api", null],
      ],
    );
    assert.deepEqual(
      s.domains.map((d) => [
        d.hostname.replace(/-[0-9a-f]{12}\./, "-X."),
        d.kind,
        d.sniEndpoint,
        d.acmStatus,
      ]),
      [
        ["acme-api-X.herokuapp.com", "heroku", null, null],
        ["api.acme.example.com", "custom", "tyrannosaurus-48523", "cert issued"],
        ["www.acme.example.com", "custom", "tyrannosaurus-48523", "cert issued"],
      ],
    );
    assert.match(s.domains[1].cname ?? "", /\.herokudns\.com$/);
    assert.deepEqual(
      s.sniEndpoints.map((e) => [e.name, e.certificateDomains, e.expiresAt, e.acm]),
      [
        [
          "tyrannosaurus-48523",
          ["api.acme.example.com", "www.acme.example.com"],
          "2027-01-18T16:45:00Z",
          true,
        ],
      ],
    );
    assert.deepEqual(s.buildpacks, [{ ordinal: 0, url: "heroku/nodejs", name: "heroku/nodejs" }]);
    // v58 failed: the current release is the newest succeeded one.
    assert.equal(s.release?.version, 57);
    assert.equal(s.release?.status, "succeeded");
    assert.equal(s.slug?.id, s.release?.slugId);
    assert.deepEqual(s.slug?.processTypes, ACME_API_PROCESS_TYPES);
    assert.equal(s.slug?.stack, "heroku-24");
    assert.equal(s.slug?.commit, "7d3f0c2a9b8e4f1d6c5b4a3928171605f4e3d2c1");
    assert.match(s.slug?.checksum ?? "", /^SHA256:[0-9a-f]{64}$/);
    assert.deepEqual(
      { ...s.pipeline, pipelineId: undefined },
      { pipelineId: undefined, pipelineName: "acme", stage: "staging" },
    );
    assert.equal(s.logDrains.length, 1);
    assert.equal(s.logDrains[0].host, "logs7.papertrailapp.com");
    assert.equal(s.logDrains[0].addon?.name, "papertrail-flat-33333");
    assert.equal(s.logDrains[0].url.reveal(), "syslog+tls://logs7.papertrailapp.com:41234");
    assert.deepEqual(
      s.features.map((f) => [f.name, f.enabled]),
      [
        ["http-session-affinity", false],
        ["preboot", true],
        ["runtime-dyno-metadata", false],
      ],
    );
  });

  it("calls each endpoint it needs once: 17 requests for acme-api and 2 shared ones (dyno sizes, pipeline)", async () => {
    const { client } = testClient(h.double);
    await readAppSnapshot(client, "acme-api");
    const links = h.double.requests.map((r) => r.link);
    assert.deepEqual([...new Set(links)].sort(), [
      "add-on → List By App",
      "add-on-attachment → List by Add-on",
      "add-on-attachment → List by App",
      "app → Info",
      "app-feature → List",
      "buildpack-installation → List",
      "config-vars-settings → List",
      "domain → List",
      "dyno-size → List",
      "formation → List",
      "log-drain → List",
      "pipeline → Info",
      "pipeline-coupling → Info By App",
      "release → List",
      "slug → Info",
      "sni-endpoint → List",
    ]);
    // config-vars-settings carries the values: config-vars is not read.
    assert.ok(!links.includes("config-var → Info for App"));
    assert.equal(links.filter((l) => l === "add-on-attachment → List by Add-on").length, 4);
    assert.equal(
      links.length,
      new Set(links).size + 3,
      "each endpoint once, the add-on list once per add-on",
    );
    assert.equal(client.requestCount("acme-api"), 17);
    assert.equal(client.requestCount(), 19);
    assert.ok(h.double.requests.every((r) => r.status === 200 || r.status === 206));
  });

  it("reads config-vars only when config-vars-settings masks a value, and then takes every value from it", async () => {
    h.double.fixtures.apps[0].maskedConfigVars = ["SESSION_SECRET"];
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-api");
    assert.equal(h.double.requests.filter((r) => r.link === "config-var → Info for App").length, 1);
    assert.deepEqual(reveal(s), h.double.fixtures.apps[0].configVars);
    assert.equal(s.configVarOwners?.DATABASE_URL.attachmentName, "DATABASE");
  });

  it("reads a shared add-on owned by another app, with its attachments on both apps", async () => {
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-admin");
    const redis = s.addons.find((a) => a.service === "heroku-redis");
    assert.ok(redis, "the Redis of acme-api is listed on acme-admin");
    assert.equal(redis.billingApp.name, "acme-api");
    assert.deepEqual(redis.configVarNames, ["REDIS_URL"]);
    assert.deepEqual(redis.attachments.map((a) => `${a.app.name}:${a.name}`).sort(), [
      "acme-admin:REDIS",
      "acme-api:REDIS",
    ]);
    const own = s.addons.find((a) => a.service === "heroku-postgresql");
    assert.equal(own?.billingApp.name, "acme-admin");
    assert.deepEqual(
      s.addons.map((a) => a.attachmentsFrom),
      ["addon", "addon"],
    );
    assert.deepEqual(
      s.attachments.map((a) => `${a.name}→${a.addon.name}`),
      ["DATABASE→postgresql-shaped-55555", "REDIS→redis-curved-11111"],
    );
  });

  it("reads two attachments of one Postgres and which config var each owns", async () => {
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-api");
    const pg = s.addons.filter((a) => a.service === "heroku-postgresql");
    assert.equal(pg.length, 1);
    const [database, onyx] = pg[0].attachments;
    assert.deepEqual([database.name, onyx.name], ["DATABASE", "HEROKU_POSTGRESQL_ONYX"]);
    assert.notEqual(database.id, onyx.id);
    assert.equal(s.configVarOwners?.DATABASE_URL.attachmentId, database.id);
    assert.equal(s.configVarOwners?.HEROKU_POSTGRESQL_ONYX_URL.attachmentId, onyx.id);
    assert.ok(s.configVars.DATABASE_URL.equals(s.configVars.HEROKU_POSTGRESQL_ONYX_URL));
  });

  it("falls back where optional endpoints are absent: settings → null (config-vars read), no pipeline, no SNI endpoint", async () => {
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-admin");
    assert.equal(s.configVarOwners, null);
    assert.equal(s.pipeline, null);
    assert.equal(s.dynoSizes.length, 7);
    assert.ok(h.double.requests.some((r) => r.path === "/dyno-sizes" && r.status === 200));
    assert.deepEqual(
      s.buildpacks.map((b) => [b.ordinal, b.name]),
      [
        [0, "heroku/nodejs"],
        [1, null],
      ],
    );
    assert.equal(s.logDrains[0].host, "logs.acme.example.net");
    assert.equal(s.logDrains[0].addon, null);
    assert.ok(h.double.requests.some((r) => r.link === "config-var → Info for App"));
    assert.ok(
      !h.double.requests.some((r) => r.link === "sni-endpoint → List"),
      "no domain has an SNI endpoint",
    );
    // 15 requests; the list of the Redis it shares counts as its owner's (acme-api).
    assert.equal(client.requestCount("acme-admin"), 14);
    assert.equal(client.requestCount("acme-api"), 1);
  });

  it("pages through > 1,000 domains and > 1,000 releases to the newest succeeded release", async () => {
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-bulk");
    assert.equal(s.domains.length, 1101);
    assert.equal(s.domains.filter((d) => d.kind === "custom").length, 1100);
    // The newest 1,050 releases failed, so the current one (v1000) is on the second page.
    assert.equal(s.release?.version, 1000);
    assert.equal(s.slug?.processTypes.web, "node tenants.js");
    const releasePages = h.double.requests.filter((r) => r.path === "/apps/acme-bulk/releases");
    assert.deepEqual(
      releasePages.map((r) => [r.status, r.range?.startsWith("version ")]),
      [
        [206, true],
        [206, true],
      ],
    );
    assert.equal(releasePages[0].range, "version ..; max=1000, order=desc");
    assert.equal(client.requestCount("acme-bulk"), 15);
  });

  it("gives null release and slug for an app never released", async () => {
    h.double.fixtures.apps[1].releases = [];
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-admin");
    assert.equal(s.release, null);
    assert.equal(s.slug, null);
  });

  it("recovers from transient faults on several endpoints and reads the same snapshot", async () => {
    const clean = await readAppSnapshot(testClient(h.double).client, "acme-api");
    h.double.injectFault({
      path: "/apps/acme-api/config-vars-settings",
      kind: "status",
      status: 429,
      times: 2,
    });
    h.double.injectFault({ path: "/apps/acme-api/domains", kind: "status", status: 503, times: 1 });
    h.double.injectFault({ path: "/apps/acme-api/features", kind: "drop", times: 1 });
    h.double.injectFault({ path: "/apps/acme-api/formation", kind: "drop-mid-body", times: 1 });
    h.double.injectFault({ path: "/apps/acme-api/releases", kind: "slow", delayMs: 2000, times: 1 });
    const { client, sleeps } = testClient(h.double, { timeoutMs: 300 });
    const s = await readAppSnapshot(client, "acme-api");
    assert.deepEqual({ ...s, readAt: "" }, { ...clean, readAt: "" });
    assert.deepEqual(reveal(s), reveal(clean));
    assert.equal(sleeps.length, 6);
    assert.equal(client.requestCount("acme-api"), 17 + 6);
  });

  it("fails clearly, naming app and resource, on a permanent fault", async () => {
    h.double.injectFault({ path: "/apps/acme-api/formation", kind: "status", status: 500, times: 100 });
    const { client } = testClient(h.double, { retry: { maxAttempts: 3 } });
    const e = await rejection(readAppSnapshot(client, "acme-api"));
    assert.match(
      e.message,
      /^Heroku API kept failing reading formation of app "acme-api" \(500 internal_server_error\) after 3 attempts/,
    );
  });

  it("maps the generation in both the object form the API serves and the schema's string form", () => {
    assert.equal(toAppInfo({ name: "a", generation: { id: "x", name: "fir" } }).generation, "fir");
    assert.equal(toAppInfo({ name: "a", generation: "fir" }).generation, "fir");
    assert.equal(toAppInfo({ name: "a" }).generation, "cedar");
  });
});

describe("readAppSnapshots against the Heroku API double", () => {
  const h = withDouble();

  it("reads several apps with requests bounded by the client's concurrency", async () => {
    h.double.injectFault({ path: /^\/apps\//, kind: "slow", delayMs: 50, times: 1000 });
    const { client } = testClient(h.double, { concurrency: 4 });
    const set = await readAppSnapshots(client, ["acme-api", "acme-admin", "acme-api"]);
    assert.deepEqual(
      set.apps.map((a) => a.app.name),
      ["acme-api", "acme-admin"],
    );
    assert.equal(set.redacted, false);
    assert.equal(set.formatVersion, 1);
    assert.equal(h.double.maxInFlight, 4);
    // Shared by both apps, asked for once: the Redis's list, the dyno sizes and acme-api's pipeline.
    assert.deepEqual([client.requestCount("acme-api"), client.requestCount("acme-admin")], [17, 14]);
    assert.equal(client.requestCount(), 17 + 15 - 1 + 2);
    assert.equal(h.double.requests.filter((r) => r.link === "dyno-size → List").length, 1);
  });

  it("fails naming the app that does not exist", async () => {
    const { client } = testClient(h.double);
    const e = await rejection(readAppSnapshots(client, ["acme-api", "acme-typo"]));
    assert.match(e.message, /^Heroku app "acme-typo" not found/);
  });

  it("refuses an empty app list", async () => {
    const { client } = testClient(h.double);
    const e = await rejection(readAppSnapshots(client, []));
    assert.match(e.message, /No Heroku apps to read/);
  });
});

describe("what the program reads: readNeeds from the plan's add-on dispositions", () => {
  const h = withDouble();

  it("reads at most 15 requests per app: add-on lists only for add-ons it moves, no dyno sizes for known sizes", async () => {
    const { client } = testClient(h.double);
    const set = await readAppSnapshots(client, ["acme-api", "acme-admin", "acme-bulk"], {
      needs: readNeeds({}),
    });
    // acme-api and acme-admin share acme-api's Redis: its list is read once, as acme-api's.
    const perApp = set.apps.map((a) => client.requestCount(a.app.name));
    assert.deepEqual(perApp, [15, 14, 15]);
    assert.equal(client.requestCount(), 15 + 15 + 15 - 1 + 1, "plus acme-api's pipeline, once");
    const lists = h.double.requests.filter((r) => r.link === "add-on-attachment → List by Add-on");
    assert.equal(lists.length, 4, "the three Postgres and the Redis: not Papertrail nor Scheduler");
    assert.ok(!h.double.requests.some((r) => r.link?.startsWith("dyno-size")));
    const api = set.apps[0];
    assert.deepEqual(
      api.addons.map((a) => [a.name, a.attachmentsFrom, a.attachments.map((x) => `${x.app.name}:${x.name}`)]),
      [
        ["papertrail-flat-33333", "app", ["acme-api:PAPERTRAIL"]],
        ["postgresql-concave-52656", "addon", ["acme-api:DATABASE", "acme-api:HEROKU_POSTGRESQL_ONYX"]],
        ["redis-curved-11111", "addon", ["acme-admin:REDIS", "acme-api:REDIS"]],
        ["scheduler-rigid-44444", "app", ["acme-api:SCHEDULER"]],
      ],
    );
    assert.deepEqual(api.dynoSizes, []);
  });

  it("reads the dyno sizes once when a formation size is one the planner does not know", async () => {
    const formation = h.double.fixtures.apps[0].formation[1] as { size: string; dyno_size: { name: string } };
    formation.size = formation.dyno_size.name = "Performance-L";
    h.double.fixtures.dynoSizes.push({ ...h.double.fixtures.dynoSizes[0], name: "Private-XL-Plus" });
    (h.double.fixtures.apps[1].formation[0] as { dyno_size: { name: string } }).dyno_size.name =
      "Private-XL-Plus";
    const { client } = testClient(h.double);
    await readAppSnapshots(client, ["acme-api", "acme-admin"], { needs: readNeeds({}) });
    assert.equal(h.double.requests.filter((r) => r.link === "dyno-size → List").length, 1);
  });
});

describe("add-on attachment lists the API refuses (owned by a team the token cannot see)", () => {
  const h = withDouble();

  it("a 404 by id is retried by name, and the list is complete", async () => {
    const pg = h.double.fixtures.addons.find((a) => a.name === "postgresql-concave-52656")!;
    h.double.injectFault({
      path: `/addons/${pg.id}/addon-attachments`,
      kind: "status",
      status: 404,
      id: "not_found",
    });
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-api");
    const addon = s.addons.find((a) => a.name === pg.name)!;
    assert.equal(addon.attachmentsFrom, "addon");
    assert.deepEqual(
      addon.attachments.map((a) => a.name),
      ["DATABASE", "HEROKU_POSTGRESQL_ONYX"],
    );
    assert.ok(
      h.double.requests.some((r) => r.path === `/addons/${pg.name}/addon-attachments` && r.status === 200),
    );
  });

  it("refused by id and by name (404 or 403): the read goes on with the app's own attachments, marked hidden", async () => {
    h.double.injectFault({
      path: /^\/addons\/[^/]*redis[^/]*\/addon-attachments$|^\/addons\/[0-9a-f-]+\/addon-attachments$/,
      kind: "status",
      status: 404,
      id: "not_found",
      times: 2,
    });
    const redis = h.double.fixtures.addons.find((a) => a.name === "redis-curved-11111")!;
    h.double.injectFault({
      path: `/addons/${redis.id}/addon-attachments`,
      kind: "status",
      status: 403,
      id: "forbidden",
    });
    h.double.injectFault({
      path: `/addons/${redis.name}/addon-attachments`,
      kind: "status",
      status: 404,
      id: "not_found",
    });
    const { client } = testClient(h.double);
    const s = await readAppSnapshot(client, "acme-admin");
    const addon = s.addons.find((a) => a.name === redis.name)!;
    assert.equal(addon.attachmentsFrom, "hidden");
    assert.deepEqual(
      addon.attachments.map((a) => `${a.app.name}:${a.name}`),
      ["acme-admin:REDIS"],
    );
  });

  it("a token that cannot see the owning app gets the shared add-on's list refused, and reads on", async () => {
    const { client } = testClient(h.double, { token: ADMIN_ONLY_TOKEN });
    const s = await readAppSnapshot(client, "acme-admin");
    const redis = s.addons.find((a) => a.name === "redis-curved-11111")!;
    assert.equal(redis.billingApp.name, "acme-api");
    assert.equal(redis.attachmentsFrom, "hidden");
    assert.equal(s.addons.find((a) => a.service === "heroku-postgresql")?.attachmentsFrom, "addon");
  });

  it("an outage of the list is not mistaken for a hidden add-on: the read fails naming the add-on", async () => {
    const pg = h.double.fixtures.addons.find((a) => a.name === "postgresql-concave-52656")!;
    h.double.injectFault({
      path: `/addons/${pg.id}/addon-attachments`,
      kind: "status",
      status: 503,
      times: 100,
    });
    const { client } = testClient(h.double, { retry: { maxAttempts: 2 } });
    const e = await rejection(readAppSnapshot(client, "acme-api"));
    assert.match(e.message, /attachments of add-on postgresql-concave-52656 of app "acme-api" \(503/);
  });
});

describe("SNI endpoints: ACM or uploaded", () => {
  const h = withDouble();

  it("takes the API's ssl_cert.acm: an uploaded certificate on an ACM app is not called ACM", async () => {
    const api = h.double.fixtures.apps[0];
    api.sniEndpoints = [
      sniEndpointObject(
        "acme-api",
        "tyrannosaurus-48523",
        ["api.acme.example.com"],
        "/C=US/O=Let's Encrypt/CN=R11",
        false,
      ),
    ];
    const s = await readAppSnapshot(testClient(h.double).client, "acme-api");
    assert.equal(s.app.acm, true);
    assert.deepEqual(
      s.sniEndpoints.map((e) => [e.name, e.acm]),
      [["tyrannosaurus-48523", false]],
    );
  });

  it("without ssl_cert.acm, a Let's Encrypt certificate on domains ACM does not manage is uploaded", async () => {
    const api = h.double.fixtures.apps[0];
    const sni = { id: "00000000-0000-4000-8000-00000000a001", name: "uploaded-certbot" };
    api.domains = [domainObject("acme-api", "shop.acme.example.com", "custom", sni, false)];
    api.sniEndpoints = [
      {
        ...sniEndpointObject("acme-api", sni.name, ["shop.acme.example.com"], "/C=US/O=Let's Encrypt/CN=R11"),
        id: sni.id,
      },
    ];
    const s = await readAppSnapshot(testClient(h.double).client, "acme-api");
    assert.deepEqual(
      s.sniEndpoints.map((e) => [e.name, e.acm]),
      [["uploaded-certbot", false]],
    );
  });
});

describe("readPipelineStage against the Heroku API double", () => {
  const h = withDouble();

  it("reads the pipeline and its couplings once, then each app at the stage by id, without asking again", async () => {
    const { client } = testClient(h.double);
    const set = await readPipelineStage(client, "acme", "staging");
    assert.deepEqual(
      set.apps.map((a) => [a.app.name, a.pipeline?.pipelineName, a.pipeline?.stage]),
      [["acme-api", "acme", "staging"]],
    );
    const links = h.double.requests.map((r) => r.link);
    assert.deepEqual(links.slice(0, 2), ["pipeline → Info", "pipeline-coupling → List By Pipeline"]);
    assert.equal(links.filter((l) => l === "pipeline → Info").length, 1);
    assert.ok(!links.includes("pipeline-coupling → Info By App"));
    assert.equal(links.filter((l) => l === "app → Info").length, 1);
  });

  it("says which stages exist when the asked one is empty", async () => {
    const { client } = testClient(h.double);
    const e = await rejection(readPipelineStage(client, "acme", "production"));
    assert.equal(e.message, 'Heroku pipeline "acme" has no app at stage "production" (its stages: staging)');
  });

  it("names an unknown pipeline", async () => {
    const { client } = testClient(h.double);
    const e = await rejection(readPipelineStage(client, "acme-typo", "staging"));
    assert.match(e.message, /^Pipeline "acme-typo" not found \(404 not_found\)/);
  });
});
