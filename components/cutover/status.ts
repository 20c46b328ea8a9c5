/**
 * Cutover status: each frozen app's maintenance flag and formation now, next to what the freeze
 * recorded (before) and what it left (frozen), with a verdict per app.
 */
import type { HerokuPlatformApi } from "../heroku/platform-api";
import { AppFreeze, AppState, formatState, FreezeRecord, isFrozen, looksFrozen } from "./freeze-record";

/** An app's maintenance flag and formation as Heroku has them now. */
export async function readAppState(api: HerokuPlatformApi, app: string): Promise<AppState> {
  const [info, formation] = await Promise.all([api.app(app), api.formation(app)]);
  return {
    maintenance: info.maintenance === true,
    formation: formation
      .map((f) => ({ type: f.type ?? "", quantity: f.quantity ?? 0, size: f.size ?? "" }))
      .sort((a, b) => a.type.localeCompare(b.type)),
  };
}

export type AppNow = { app: string; state: AppState } | { app: string; error: string };

export async function readNow(api: HerokuPlatformApi, record: FreezeRecord): Promise<AppNow[]> {
  const out: AppNow[] = [];
  for (const a of record.apps) {
    try {
      out.push({ app: a.app, state: await readAppState(api, a.app) });
    } catch (e) {
      out.push({ app: a.app, error: (e as Error).message });
    }
  }
  return out;
}

const sameState = (x: AppState, y: AppState) => formatState(x) === formatState(y);

/** Whether an app is as the freeze left it, back as recorded, or neither. */
export function verdict(a: AppFreeze, now: AppState): string {
  const frozenNow = looksFrozen(now);
  if (sameState(now, a.previous)) return a.restoredAt ? "restored" : "as recorded before the freeze";
  if (frozenNow) return isFrozen(a) ? "frozen" : "frozen (the record says the freeze did not finish here)";
  return "changed since the freeze (neither frozen nor as recorded)";
}

/** The status report: the record's header, then per app now / recorded / verdict. */
export function formatStatus(record: FreezeRecord, now: AppNow[], source: string): string {
  const lines = [
    `Stack ${record.stack}: freeze ${record.freezeId}, status ${record.status}`,
    `  recorded ${record.createdAt}, updated ${record.updatedAt} (from ${source})`,
  ];
  if (record.rolledBackAt) lines.push(`  rolled back at ${record.rolledBackAt}`);
  if (record.resourceDeletedAt)
    lines.push(
      `  its HerokuFreeze resource was deleted at ${record.resourceDeletedAt} (the apps were left as they were)`,
    );
  for (const d of record.databases) lines.push(`  database ${d.addon}: apps ${d.apps.join(", ")}`);
  if (record.drain) {
    lines.push(
      `  sessions: waited ${record.drain.waitedSeconds} s, ${record.drain.lingering.length} still connected` +
        (record.drain.terminated ? `, ${record.drain.terminated} ended` : ""),
    );
  }
  for (const a of record.apps) {
    const n = now.find((x) => x.app === a.app);
    lines.push("", `App ${a.app}:`);
    if (!n || "error" in n) {
      lines.push(`  now:       cannot read it: ${n && "error" in n ? n.error : "not read"}`);
    } else {
      lines.push(`  now:       ${formatState(n.state)}  → ${verdict(a, n.state)}`);
    }
    lines.push(`  recorded:  ${formatState(a.previous)} (before the freeze, read ${a.recordedAt})`);
    lines.push(
      `  freeze:    ${isFrozen(a) ? `frozen at ${a.frozenAt}` : `maintenance ${a.maintenanceOn ? "on" : "not set"}, ${a.scaledDown ? "scaled to 0" : "not scaled to 0"}`}` +
        (a.error ? ` (error: ${a.error})` : ""),
    );
    if (a.restoredAt) lines.push(`  restored:  ${a.restoredAt}`);
    for (const p of a.restoreProblems) lines.push(`  not restored: ${p}`);
  }
  for (const w of record.warnings) lines.push("", `warning: ${w}`);
  return lines.join("\n");
}
