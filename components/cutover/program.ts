/**
 * The cutover's part of the migration (components/migration): the report's cutover section, and
 * the HerokuFreeze the imports run under.
 */
import * as pulumi from "@pulumi/pulumi";
import { identityOf } from "../data/postgres-url";
import type { MigrationPlan } from "../plan/types";
import { DatabaseFacts, renderCutoverSection } from "./cutover-report";
import { HerokuFreeze } from "./heroku-freeze";
import { latestRehearsal, readRehearsals, rehearsalsFile } from "./rehearsals";
import { measureDatabaseSize } from "./source-size";

/** The stack's cutover settings (config `cutover`), as the report and the freeze use them. */
export interface CutoverSettings {
  stack: string;
  /** `cutover.freeze`: freeze the apps before the import. */
  freeze: boolean;
  /** `cutover.drainTimeoutSeconds`. */
  drainTimeoutSeconds: number;
  /** `cutover.terminateSessions`. */
  terminateSessions: boolean;
  /** `cutover.recordDir`; undefined = the freeze's default. */
  recordDir?: string;
}

/**
 * The report's `## Cutover` section. When the stack imports (`measure`), each source's size is
 * measured now (read-only, a few seconds at most); otherwise the newest rehearsal's figure is used.
 */
export async function cutoverReport(
  settings: Pick<CutoverSettings, "stack" | "freeze" | "drainTimeoutSeconds">,
  plan: MigrationPlan,
  measure: boolean,
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
        if (measure) bytes = await measureDatabaseSize(url);
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
    stack: settings.stack,
    freeze: settings.freeze,
    drainTimeoutSeconds: settings.drainTimeoutSeconds,
    databases,
    hosts,
  });
}

/**
 * The freeze of every app attached to the migrated databases (`addons`), when `cutover.freeze` is
 * on and there is something to freeze; it waits for `dependsOn` (the target databases), so the
 * window starts as late as possible. `opts` go to the resource (parent, aliases).
 */
export function declareFreeze(
  settings: CutoverSettings,
  heroku: { token: pulumi.Input<string>; apiUrl?: string } | undefined,
  addons: string[],
  dependsOn: pulumi.Resource[],
  opts: pulumi.CustomResourceOptions = {},
): HerokuFreeze | undefined {
  if (!settings.freeze || addons.length === 0) return undefined;
  // parseStackConfig refuses cutover.freeze without a token.
  if (heroku === undefined) throw new Error(`stack ${settings.stack}: cutover.freeze needs herokuApiKey`);
  return new HerokuFreeze(
    "cutover-freeze",
    {
      stack: settings.stack,
      herokuToken: pulumi.secret(heroku.token),
      addons: [...addons].sort(),
      drainTimeoutSeconds: settings.drainTimeoutSeconds,
      terminateSessions: settings.terminateSessions,
      apiUrl: heroku.apiUrl,
      recordDir: settings.recordDir,
    },
    { ...opts, dependsOn },
  );
}
