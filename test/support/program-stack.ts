/**
 * A stack of the real program (index.ts) as the end-to-end suites configure it: acme-api read from
 * the Heroku API double (or a snapshot file), its image by digest, a target Postgres server whose
 * database exists (`manageDatabase: false`: no postgresql plugin can be built here), and its
 * in-cluster Redis acknowledged to start empty (test/e2e/program.test.ts is the suite that copies
 * one). Each suite adds the sections it is about, or replaces one of these.
 */
import * as fs from "fs";
import * as path from "path";

import * as yaml from "js-yaml";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";

import { REPO_ROOT, type Sandbox } from "./engine";
import { FULL_TOKEN, type HerokuDouble } from "./heroku-double";

export { PG_ADDON } from "./postgres/existing-target";
export const PROJECT = "heroku-to-hasura";
export const APP = "acme-api";
export const REDIS_ADDON = "redis-curved-11111";

/** acme-api's config vars holding its Postgres add-on's URL (one per attachment). */
export const DATABASE_URL_VARS = ["DATABASE_URL", "HEROKU_POSTGRESQL_ONYX_URL"];

/** Makes the double serve `url` as acme-api's Postgres (every attachment's config var). */
export function setDatabaseUrl(double: HerokuDouble, url: string): void {
  for (const key of DATABASE_URL_VARS) double.setConfigVar(APP, key, url);
}

/** An image of acme-api pinned by a digest of `digit` repeated (suites use different ones). */
export function appImage(digit: string): string {
  return `registry.invalid/acme/acme-api@sha256:${digit.repeat(64)}`;
}

/** A Heroku Scheduler job of acme-api, as the `schedules` section declares it (a CronJob). */
export const NIGHTLY_CLEANUP = {
  [APP]: [{ name: "nightly-cleanup", schedule: "0 3 * * *", command: "rake cleanup" }],
};

export interface ProgramConfig {
  /** Where Heroku is read: the API double (`apiUrl`) or a snapshot file (`snapshotFile`). */
  heroku: { apiUrl: string } | { snapshotFile: string };
  /** A namespace on a real API server, or (`renderTo`) a folder the manifests are rendered to. */
  cluster: { namespace: string; renderTo?: string; createNamespace?: boolean };
  /** Port of the target Postgres server on 127.0.0.1, administered as `postgres`. */
  postgresPort: number;
  /** acme-api's image. */
  image: string;
  /** More sections by key without the project prefix; one of the above's replaces it (`addons`). */
  sections?: Record<string, unknown>;
}

/** The stack's structured config, keys prefixed with the project, as Pulumi.<stack>.yaml holds it. */
export function programConfig(c: ProgramConfig): Record<string, unknown> {
  const sections: Record<string, unknown> = {
    heroku: { apps: [APP], ...c.heroku },
    cluster: c.cluster,
    postgres: { host: "127.0.0.1", port: c.postgresPort, adminUser: "postgres", manageDatabase: false },
    images: { apps: { [APP]: { image: c.image } } },
    addons: { [REDIS_ADDON]: { startEmpty: true } },
    ...c.sections,
  };
  return Object.fromEntries(Object.entries(sections).map(([k, v]) => [`${PROJECT}:${k}`, v]));
}

export interface ProgramSecrets {
  /** The target Postgres admin's password (`postgresPassword`). */
  postgresPassword: string;
  /** Credentials of the API server the stack deploys to; none when it renders to a folder. */
  kubeconfig?: string;
  /** Where the program is (default this checkout): another tree of it, an older commit's say. */
  workDir?: string;
}

/**
 * A stack `stackName` of this checkout's program in `sb`, reading Heroku with the double's token:
 * the structured config written to Pulumi.<stack>.yaml, the secrets set with `pulumi config set`.
 */
export function programStack(
  sb: Sandbox,
  stackName: string,
  c: ProgramConfig & ProgramSecrets,
): Promise<Stack> {
  const config: ConfigMap = {
    [`${PROJECT}:herokuApiKey`]: { value: FULL_TOKEN, secret: true },
    [`${PROJECT}:postgresPassword`]: { value: c.postgresPassword, secret: true },
  };
  if (c.kubeconfig !== undefined) config[`${PROJECT}:kubeconfig`] = { value: c.kubeconfig, secret: true };
  return sb.localStack(stackName, { workDir: c.workDir, structuredConfig: programConfig(c), config });
}

/** The stack's settings file in this checkout, Pulumi.<stack>.yaml (it holds no secret in plaintext). */
export function stackConfigFile(stack: Stack): string {
  return path.join(REPO_ROOT, `Pulumi.${stack.name}.yaml`);
}

/** Edits the stack's structured config, as a user edits Pulumi.<stack>.yaml. */
export function editStackConfig(
  stack: Stack,
  mutate: (config: Record<string, Record<string, unknown>>) => void,
): void {
  const file = stackConfigFile(stack);
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, Record<string, unknown>> };
  mutate(doc.config);
  fs.writeFileSync(file, yaml.dump(doc));
}
