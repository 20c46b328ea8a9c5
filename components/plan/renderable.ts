import { MigrationPlan } from "./types";

/**
 * Checks, before any resource exists, that every secret value the components will write is
 * available: a snapshot file written without `--include-secrets` holds redacted values, which can be
 * planned and reported but not deployed. Throws one error naming every app/key (never a value).
 */
export function assertRenderable(plan: MigrationPlan, source: string): void {
  const missing: string[] = [];
  for (const app of plan.apps) {
    for (const e of app.secretEntries)
      if (e.value.isRedacted) missing.push(`${app.app}: config var ${e.key}`);
  }
  for (const a of plan.statefulAddons) {
    if (a.data.mode === "copy" && a.data.sourceUrl.isRedacted) {
      missing.push(
        `add-on ${a.addon}: ${a.data.sourceVar.key} of ${a.data.sourceVar.app} (the copy's source)`,
      );
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `${source} has redacted values the deployment needs; re-create it with --include-secrets:\n` +
        missing.map((m) => `  - ${m}`).join("\n"),
    );
  }
}
