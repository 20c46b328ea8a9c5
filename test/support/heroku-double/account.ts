/**
 * A realistic Heroku account for the double (all values fake):
 * - `acme-api`: the example app of examples/snapshot.json — Node, web/worker/release, Standard-2X web ×2,
 *   worker Standard-1X ×1, Postgres attached as DATABASE and HEROKU_POSTGRESQL_ONYX, Redis (rediss URL,
 *   shared with acme-admin), Papertrail with its log drain, Scheduler, two custom domains with an ACM
 *   certificate, preboot on, pipeline `acme` at stage `staging`; its newest release failed.
 * - `acme-admin`: its own Postgres, the Redis of acme-api attached, a user log drain with credentials,
 *   no pipeline, and neither config-vars-settings nor available-dyno-sizes offered.
 * - `acme-bulk`: 1,101 domains and 2,050 releases of which the newest 1,050 failed (pagination).
 */
import {
  AddonSpec,
  addonObject,
  ApiObject,
  appObject,
  attachmentObject,
  buildpackObject,
  couplingObject,
  domainObject,
  dynoSizeObject,
  fakeUuid,
  featureObject,
  formationObject,
  logDrainObject,
  pipelineObject,
  releaseObject,
  sniEndpointObject,
  slugObject,
} from "./api-objects";
import { AppFixture, DoubleFixtures } from "./fixtures";

/** Token with every scope. */
export const FULL_TOKEN = "HRKU-fake-test-token-0000-global-scope";
/** Token with `read` only: config vars answer 403. */
export const READ_ONLY_TOKEN = "00000000-fake-read-only-token-0001";
/** Token whose account only sees acme-admin. */
export const ADMIN_ONLY_TOKEN = "HRKU-fake-test-token-0002-admin-only";

/** The source database the dev stack starts locally (port 31432) and imports from. */
export const EXAMPLE_DATABASE = {
  user: "u_acme",
  password: "fake-pw-acme-source-not-secret",
  host: "127.0.0.1",
  port: 31432,
  database: "acme_source",
};
const DATABASE_URL = `postgres://${EXAMPLE_DATABASE.user}:${EXAMPLE_DATABASE.password}@${EXAMPLE_DATABASE.host}:${EXAMPLE_DATABASE.port}/${EXAMPLE_DATABASE.database}`;

export const ACME_API_PROCESS_TYPES = {
  web: "npm start",
  worker: "node dist/worker.js",
  release: "npm run db:migrate",
};

const pg: AddonSpec = {
  name: "postgresql-concave-52656",
  service: "heroku-postgresql",
  plan: "heroku-postgresql:standard-0",
  app: "acme-api",
  configVars: ["DATABASE_URL", "HEROKU_POSTGRESQL_ONYX_URL"],
  cents: 5000,
};
const redis: AddonSpec = {
  name: "redis-curved-11111",
  service: "heroku-redis",
  plan: "heroku-redis:premium-0",
  app: "acme-api",
  configVars: ["REDIS_URL"],
  cents: 1500,
};
const papertrail: AddonSpec = {
  name: "papertrail-flat-33333",
  service: "papertrail",
  plan: "papertrail:choklad",
  app: "acme-api",
  configVars: ["PAPERTRAIL_API_TOKEN"],
};
const scheduler: AddonSpec = {
  name: "scheduler-rigid-44444",
  service: "scheduler",
  plan: "scheduler:standard",
  app: "acme-api",
  configVars: [],
};
const adminPg: AddonSpec = {
  name: "postgresql-shaped-55555",
  service: "heroku-postgresql",
  plan: "heroku-postgresql:essential-0",
  app: "acme-admin",
  configVars: ["DATABASE_URL"],
  cents: 500,
};
const bulkPg: AddonSpec = {
  name: "postgresql-rugged-66666",
  service: "heroku-postgresql",
  plan: "heroku-postgresql:essential-1",
  app: "acme-bulk",
  configVars: ["DATABASE_URL"],
};

const PAPERTRAIL_DRAIN = "syslog+tls://logs7.papertrailapp.com:41234";
const ADMIN_USER_DRAIN = "https://drain-user:fake-drain-pass-9c1e@logs.acme.example.net/heroku/acme-admin";

function acmeApi(): AppFixture {
  const app = "acme-api";
  const att = (name: string) => fakeUuid(`attachment:${app}:${name}:`);
  const sni = { id: fakeUuid(`sni:${app}:tyrannosaurus-48523`), name: "tyrannosaurus-48523" };
  const custom = ["api.acme.example.com", "www.acme.example.com"];
  const slugCurrent = slugObject(
    app,
    "v57",
    ACME_API_PROCESS_TYPES,
    "7d3f0c2a9b8e4f1d6c5b4a3928171605f4e3d2c1",
  );
  const slugFailed = slugObject(
    app,
    "v58",
    ACME_API_PROCESS_TYPES,
    "9f2c1e4b7a6d5c4b3a2918070f6e5d4c3b2a1908",
  );
  const releases: ApiObject[] = [];
  for (let v = 1; v <= 56; v++) {
    releases.push(
      releaseObject(app, v, "succeeded", v % 5 === 0 ? "Set LOG_LEVEL config vars" : `Deploy ${v}`, null),
    );
  }
  releases.push(releaseObject(app, 57, "succeeded", "Deploy 7d3f0c2a", slugCurrent.id as string, true));
  releases.push(
    releaseObject(app, 58, "failed", "Deploy 9f2c1e4b (release command failed)", slugFailed.id as string),
  );
  return {
    app: appObject({ name: app, team: "acme", acm: true }),
    configVars: {
      DATABASE_URL,
      HEROKU_POSTGRESQL_ONYX_URL: DATABASE_URL,
      LOG_LEVEL: "info",
      NODE_ENV: "production",
      PAPERTRAIL_API_TOKEN: "fake-papertrail-token-4f7e2a",
      REDIS_URL: "rediss://:fake-redis-pw-b81d@ec2-0-0-0-0.compute-1.example.invalid:25310",
      SESSION_SECRET: "fake-session-secret-do-not-use-3e9a",
      WEB_CONCURRENCY: "2",
    },
    configVarOwners: {
      DATABASE_URL: att("DATABASE"),
      HEROKU_POSTGRESQL_ONYX_URL: att("HEROKU_POSTGRESQL_ONYX"),
      REDIS_URL: att("REDIS"),
      PAPERTRAIL_API_TOKEN: att("PAPERTRAIL"),
    },
    formation: [
      formationObject(app, "web", ACME_API_PROCESS_TYPES.web, 2, "Standard-2X"),
      formationObject(app, "worker", ACME_API_PROCESS_TYPES.worker, 1, "Standard-1X"),
    ],
    domains: [
      domainObject(app, `${app}-${fakeUuid(app).replace(/-/g, "").slice(0, 12)}.herokuapp.com`, "heroku"),
      ...custom.map((h) => domainObject(app, h, "custom", sni)),
    ],
    sniEndpoints: [sniEndpointObject(app, sni.name, custom, "/C=US/O=Let's Encrypt/CN=R11", true)],
    buildpacks: [buildpackObject(0, "heroku/nodejs")],
    releases,
    slugs: [slugCurrent, slugFailed],
    logDrains: [logDrainObject(app, PAPERTRAIL_DRAIN, papertrail)],
    features: [
      featureObject("preboot", true, "Provide seamless web dyno deploys"),
      featureObject("runtime-dyno-metadata", false, "Provide dyno metadata as environment variables"),
      featureObject("http-session-affinity", false, "Route requests of one session to the same dyno"),
    ],
    availableDynoSizes: true,
  };
}

function acmeAdmin(): AppFixture {
  const app = "acme-admin";
  const slug = slugObject(app, "v12", { web: "node server.js" }, "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567");
  const releases = Array.from({ length: 12 }, (_, i) =>
    releaseObject(
      app,
      i + 1,
      "succeeded",
      `Deploy ${i + 1}`,
      i === 11 ? (slug.id as string) : null,
      i === 11,
    ),
  );
  return {
    app: appObject({ name: app, team: "acme" }),
    configVars: {
      ADMIN_PASSWORD_PEPPER: "fake-admin-pepper-71c0",
      DATABASE_URL:
        "postgres://u_admin:fake-pw-admin-5d2e@ec2-0-0-0-1.compute-1.example.invalid:5432/d_admin",
      NODE_ENV: "production",
      REDIS_URL: "rediss://:fake-redis-pw-b81d@ec2-0-0-0-0.compute-1.example.invalid:25310",
    },
    configVarOwners: null,
    formation: [formationObject(app, "web", "node server.js", 1, "Basic")],
    domains: [
      domainObject(app, `${app}-${fakeUuid(app).replace(/-/g, "").slice(0, 12)}.herokuapp.com`, "heroku"),
    ],
    sniEndpoints: [],
    buildpacks: [
      buildpackObject(0, "heroku/nodejs"),
      buildpackObject(1, "https://github.com/acme/buildpack-assets"),
    ],
    releases,
    slugs: [slug],
    logDrains: [logDrainObject(app, ADMIN_USER_DRAIN, null)],
    features: [featureObject("preboot", false, "Provide seamless web dyno deploys")],
    availableDynoSizes: false,
  };
}

function acmeBulk(): AppFixture {
  const app = "acme-bulk";
  const slug = slugObject(
    app,
    "v1000",
    { web: "node tenants.js" },
    "1111111111111111111111111111111111111111",
  );
  const releases: ApiObject[] = [];
  for (let v = 1; v <= 2050; v++) {
    const ok = v <= 1000;
    releases.push(
      releaseObject(
        app,
        v,
        ok ? "succeeded" : "failed",
        ok ? `Deploy ${v}` : `Deploy ${v} (crashed)`,
        v === 1000 ? (slug.id as string) : null,
        v === 1000,
      ),
    );
  }
  const domains = [
    domainObject(app, `${app}-${fakeUuid(app).replace(/-/g, "").slice(0, 12)}.herokuapp.com`, "heroku"),
  ];
  for (let i = 1; i <= 1100; i++)
    domains.push(domainObject(app, `t${String(i).padStart(4, "0")}.tenants.acme.example.com`, "custom"));
  return {
    app: appObject({ name: app, team: "acme" }),
    configVars: {
      DATABASE_URL: "postgres://u_bulk:fake-pw-bulk-0c3a@ec2-0-0-0-2.compute-1.example.invalid:5432/d_bulk",
    },
    configVarOwners: { DATABASE_URL: fakeUuid(`attachment:${app}:DATABASE:`) },
    formation: [formationObject(app, "web", "node tenants.js", 1, "Standard-1X")],
    domains,
    sniEndpoints: [],
    buildpacks: [buildpackObject(0, "heroku/nodejs")],
    releases,
    slugs: [slug],
    logDrains: [],
    features: [],
    availableDynoSizes: true,
  };
}

export const DYNO_SIZES: ApiObject[] = [
  dynoSizeObject("Eco", 0.5, 1, false, false),
  dynoSizeObject("Basic", 0.5, 1, false, false),
  dynoSizeObject("Standard-1X", 0.5, 1, false, false),
  dynoSizeObject("Standard-2X", 1, 2, false, false),
  dynoSizeObject("Performance-M", 2.5, 12, true, false),
  dynoSizeObject("Performance-L", 14, 50, true, false),
  dynoSizeObject("Private-S", 1, 12, true, true),
];

/** A fresh copy of the whole account (tests may mutate it). */
export function buildAccountFixtures(): DoubleFixtures {
  return {
    tokens: {
      [FULL_TOKEN]: { scopes: ["global"] },
      [READ_ONLY_TOKEN]: { scopes: ["read"] },
      [ADMIN_ONLY_TOKEN]: { scopes: ["read", "read-protected"], apps: ["acme-admin"] },
    },
    apps: [acmeApi(), acmeAdmin(), acmeBulk()],
    addons: [pg, redis, papertrail, scheduler, adminPg, bulkPg].map(addonObject),
    attachments: [
      attachmentObject(pg, "acme-api", "DATABASE"),
      attachmentObject(pg, "acme-api", "HEROKU_POSTGRESQL_ONYX"),
      attachmentObject(redis, "acme-api", "REDIS"),
      attachmentObject(papertrail, "acme-api", "PAPERTRAIL"),
      attachmentObject(scheduler, "acme-api", "SCHEDULER"),
      attachmentObject(adminPg, "acme-admin", "DATABASE"),
      attachmentObject(redis, "acme-admin", "REDIS"),
      attachmentObject(bulkPg, "acme-bulk", "DATABASE"),
    ],
    pipelines: [pipelineObject("acme", "acme")],
    couplings: [couplingObject("acme-api", "acme", "staging")],
    dynoSizes: DYNO_SIZES,
  };
}
