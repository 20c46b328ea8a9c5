/**
 * Shared set-up of the cutover tests: the double's account plus `acme-reports`, an app outside
 * any stack that shares acme-api's Postgres through its own attachment (so a freeze must find it
 * from the add-on's attachments), with every URL of that Postgres pointing at a real database.
 */
import { HerokuFreezeInputs } from "../../components/cutover/heroku-freeze-provider";
import {
  AddonSpec,
  appObject,
  attachmentObject,
  formationObject,
  releaseObject,
} from "../support/heroku-double/api-objects";
import { buildAccountFixtures, FULL_TOKEN } from "../support/heroku-double";
import type { DoubleFixtures, FaultSpec, HerokuDouble } from "../support/heroku-double";

export const PG_ADDON = "postgresql-concave-52656";
export const SHARING_APP = "acme-reports";

const PG: AddonSpec = {
  name: PG_ADDON,
  service: "heroku-postgresql",
  plan: "heroku-postgresql:standard-0",
  app: "acme-api",
  configVars: ["DATABASE_URL", "HEROKU_POSTGRESQL_ONYX_URL"],
};

/** The account with acme-reports sharing acme-api's Postgres; every URL of it is `databaseUrl`. */
export function cutoverFixtures(databaseUrl: string): DoubleFixtures {
  const f = buildAccountFixtures();
  const api = f.apps.find((a) => a.app.name === "acme-api")!;
  for (const key of PG.configVars) api.configVars[key] = databaseUrl;
  f.apps.push({
    app: appObject({ name: SHARING_APP, team: "acme" }),
    configVars: { ACME_DB_URL: databaseUrl, REPORT_EMAIL: "ops@acme.example.com" },
    configVarOwners: null,
    formation: [
      formationObject(SHARING_APP, "clock", "node clock.js", 1, "Standard-1X"),
      formationObject(SHARING_APP, "web", "node reports.js", 1, "Basic"),
    ],
    domains: [],
    sniEndpoints: [],
    buildpacks: [],
    releases: [releaseObject(SHARING_APP, 1, "succeeded", "Deploy 1", null, true)],
    slugs: [],
    logDrains: [],
    features: [],
    availableDynoSizes: true,
  });
  f.attachments.push(attachmentObject(PG, SHARING_APP, "ACME_DB"));
  return f;
}

/** The formations before any freeze, as `type=quantity:size`. */
export const ORIGINAL = {
  "acme-api": "web=2:Standard-2X worker=1:Standard-1X",
  [SHARING_APP]: "clock=1:Standard-1X web=1:Basic",
};

/** `app`'s formation as the double holds it now, as `type=quantity:size` sorted (like ORIGINAL). */
export function formationOf(double: HerokuDouble, app: string): string {
  return double
    .app(app)
    .formation.map((f) => `${f.type as string}=${f.quantity as number}:${f.size as string}`)
    .sort()
    .join(" ");
}

/** Heroku refusing to scale acme-reports, on every attempt of the client's retry policy (6). */
export const SHARING_APP_SCALING_FAILS: FaultSpec = {
  path: `/apps/${SHARING_APP}/formation`,
  method: "PATCH",
  kind: "status",
  status: 503,
  times: 6,
};

/** HerokuFreeze inputs for the double. */
export function freezeInputs(
  apiUrl: string,
  recordDir: string,
  over: Partial<HerokuFreezeInputs> = {},
): HerokuFreezeInputs & Record<string, unknown> {
  return {
    stack: "cutover-test",
    token: FULL_TOKEN,
    apiUrl,
    addons: [PG_ADDON],
    drainTimeoutSeconds: 5,
    terminateSessions: false,
    recordDir,
    ...over,
  };
}
