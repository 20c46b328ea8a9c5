/**
 * The cutover's part of the Pulumi program (index.ts): the report section, the HerokuFreeze
 * before the imports, and what each import needs from it. Wiring only.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { identityOf } from "../data/postgres-url";
import type { PostgresImportArgs } from "../data/postgres-import";
import type { DatabasePlan, MigrationPlan } from "../plan/types";
import { DatabaseFacts, renderCutoverSection } from "./cutover-report";
import { HerokuFreeze } from "./heroku-freeze";
import { latestRehearsal, readRehearsals, rehearsalsFile } from "./rehearsals";
import { measureDatabaseSize } from "./source-size";

/**
 * The report's `## Cutover` section. When the stack imports, each source's size is measured now
 * (read-only, a few seconds at most); otherwise the newest rehearsal's figure is used.
 */
export async function cutoverReport(
  config: StackConfig,
  plan: MigrationPlan,
  root = process.cwd(),
): Promise<string> {
  const rehearsals = readRehearsals(rehearsalsFile(root));
  const databases: DatabaseFacts[] = await Promise.all(
    plan.databases.map(async (d) => {
      let identity: { host: string; port: number; database: string } | null = null;
      let bytes: number | null = null;
      if (!d.sourceUrl.isRedacted) {
        const url = d.sourceUrl.reveal(`source URL of ${d.addon}`);
        try {
          identity = identityOf(url);
        } catch {
          identity = null;
        }
        if (config.import.enabled) bytes = await measureDatabaseSize(url);
      }
      return {
        plan: d,
        size: bytes === null ? null : { bytes, from: "measured at this preview/up" },
        rehearsal: identity ? latestRehearsal(rehearsals, identity) : null,
      };
    }),
  );
  const hosts = [...new Set(plan.apps.flatMap((a) => a.ingress?.rules.map((r) => r.host) ?? []))].sort();
  return renderCutoverSection({
    stack: config.stack,
    freeze: config.cutover.freeze,
    drainTimeoutSeconds: config.cutover.drainTimeoutSeconds,
    databases,
    hosts,
  });
}

/**
 * The freeze of every app attached to a migrated database, when `cutover.freeze` is on and there
 * is something to import; it waits for `dependsOn` (the target databases), so the window starts
 * as late as possible.
 */
export function declareFreeze(
  config: StackConfig,
  plan: MigrationPlan,
  dependsOn: pulumi.Resource[],
): HerokuFreeze | undefined {
  if (!config.cutover.freeze || !config.import.enabled || plan.databases.length === 0) return undefined;
  const token = config.herokuApiKey;
  // parseStackConfig refuses cutover.freeze without a token.
  if (token === null) throw new Error(`${config.project}:cutover.freeze needs herokuApiKey`);
  return new HerokuFreeze(
    "cutover-freeze",
    {
      stack: config.stack,
      herokuToken: pulumi.secret(token.reveal("herokuApiKey")),
      addons: plan.databases.map((d) => d.addon).sort(),
      drainTimeoutSeconds: config.cutover.drainTimeoutSeconds,
      terminateSessions: config.cutover.terminateSessions,
      ...(config.heroku.apiUrl !== null ? { apiUrl: config.heroku.apiUrl } : {}),
      ...(config.cutover.recordDir !== null ? { recordDir: config.cutover.recordDir } : {}),
    },
    { dependsOn },
  );
}

/**
 * What an import takes from the cutover: with a Heroku token, where to re-read its source URL at
 * copy time; under a freeze, the freeze (and a dependency on it).
 */
export function importCutoverArgs(
  config: StackConfig,
  d: DatabasePlan,
  freeze: HerokuFreeze | undefined,
): Pick<PostgresImportArgs, "sourceFrom" | "freeze"> {
  const token = config.herokuApiKey;
  return {
    ...(token !== null
      ? {
          sourceFrom: {
            app: d.sourceAttachment.app,
            configVar: d.sourceAttachment.configVar,
            token: pulumi.secret(token.reveal("herokuApiKey")),
            ...(config.heroku.apiUrl !== null ? { apiUrl: config.heroku.apiUrl } : {}),
          },
        }
      : {}),
    ...(freeze ? { freeze: { freezeId: freeze.freezeId, apps: freeze.apps, urn: freeze.urn } } : {}),
  };
}
