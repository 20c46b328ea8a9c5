/**
 * Rolling a freeze back: every app the freeze changed returns to its recorded maintenance flag
 * and formation (quantities and sizes). Planned from what each app looks like now, shown, then
 * applied: formation first, so web dynos are up before maintenance mode ends. Nothing is refused
 * silently: a process type that no longer exists, an app that cannot be read or changed, is named
 * in the outcome and makes it partial.
 */
import type { HerokuPlatformApi, FormationUpdate } from "../heroku/platform-api";
import { AppState, formatFormation, FreezeRecord, touched } from "./freeze-record";
import { readAppState } from "./status";

export interface AppRollbackPlan {
  app: string;
  /** The app now, or null when it could not be read (`readError`). */
  now: AppState | null;
  readError: string | null;
  recorded: AppState;
  /** Process types to set back (quantity, and size where it changed). */
  formation: FormationUpdate[];
  /** Maintenance flag to set, or null when it is already as recorded. */
  maintenance: boolean | null;
  /** What cannot be restored, in words. */
  refused: string[];
  /** What is left alone and why (an app the freeze did not change, a process type added since). */
  notes: string[];
}

/** Reads every app of the record and works out what a rollback changes. Changes nothing. */
export async function planRollback(api: HerokuPlatformApi, record: FreezeRecord): Promise<AppRollbackPlan[]> {
  const plans: AppRollbackPlan[] = [];
  for (const a of record.apps) {
    const plan: AppRollbackPlan = {
      app: a.app,
      now: null,
      readError: null,
      recorded: a.previous,
      formation: [],
      maintenance: null,
      refused: [],
      notes: [],
    };
    plans.push(plan);
    if (a.restoredAt) {
      plan.notes.push(`already restored at ${a.restoredAt}`);
      continue;
    }
    if (!touched(a)) {
      plan.notes.push("the freeze did not change it: left as it is");
      continue;
    }
    try {
      plan.now = await readAppState(api, a.app);
    } catch (e) {
      plan.readError = (e as Error).message;
      plan.refused.push(`cannot read the app: ${plan.readError}`);
      continue;
    }
    const now = plan.now;
    for (const p of a.previous.formation) {
      const n = now.formation.find((f) => f.type === p.type);
      if (!n) {
        if (p.quantity > 0)
          plan.refused.push(
            `process type ${p.type} (recorded ${p.type}=${p.quantity}:${p.size}) no longer exists: deploy it, then ` +
              `heroku ps:scale ${p.type}=${p.quantity}:${p.size} -a ${a.app}`,
          );
        continue;
      }
      if (n.quantity !== p.quantity || n.size !== p.size) {
        plan.formation.push({
          type: p.type,
          quantity: p.quantity,
          ...(n.size !== p.size ? { size: p.size } : {}),
        });
      }
    }
    for (const n of now.formation) {
      if (!a.previous.formation.some((p) => p.type === n.type))
        plan.notes.push(
          `process type ${n.type} was added since the freeze (now ${n.quantity}): left as it is`,
        );
    }
    if (now.maintenance !== a.previous.maintenance) plan.maintenance = a.previous.maintenance;
  }
  return plans;
}

/** The plan in words, one block per app (what the confirmation prompt shows). */
export function describeRollbackPlan(plans: AppRollbackPlan[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    const changes: string[] = [];
    if (p.formation.length) {
      const now = p.now?.formation ?? [];
      changes.push(
        `scale ${p.formation
          .map((u) => {
            const n = now.find((f) => f.type === u.type);
            const to = `${u.type}=${u.quantity}:${u.size ?? n?.size ?? "?"}`;
            return n ? `${n.type}=${n.quantity}:${n.size} → ${to}` : to;
          })
          .join(", ")}`,
      );
    }
    if (p.maintenance !== null) changes.push(`maintenance ${p.maintenance ? "on" : "off"}`);
    lines.push(
      `${p.app}: ${changes.length ? changes.join("; ") : "nothing to change"}` +
        ` (recorded: maintenance ${p.recorded.maintenance ? "on" : "off"}, ${formatFormation(p.recorded.formation)})`,
    );
    for (const r of p.refused) lines.push(`  cannot restore: ${r}`);
    for (const n of p.notes) lines.push(`  ${n}`);
  }
  return lines.join("\n");
}

export interface RollbackOutcome {
  /** True when every app the freeze changed is back as recorded. */
  complete: boolean;
  record: FreezeRecord;
  /** One line per app: restored, or what failed or was refused. */
  lines: string[];
}

/** Applies `plans` (from {@link planRollback}), saving the record after each app. */
export async function applyRollback(
  api: HerokuPlatformApi,
  record: FreezeRecord,
  plans: AppRollbackPlan[],
  save: (r: FreezeRecord) => void,
  now: () => Date = () => new Date(),
): Promise<RollbackOutcome> {
  const lines: string[] = [];
  let complete = true;
  for (const plan of plans) {
    const a = record.apps.find((x) => x.app === plan.app)!;
    if (a.restoredAt || !touched(a)) continue;
    const problems = [...plan.refused];
    if (plan.now) {
      try {
        if (plan.formation.length) await api.updateFormation(plan.app, plan.formation);
        if (plan.maintenance !== null) await api.setMaintenance(plan.app, plan.maintenance);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    a.restoreProblems = problems;
    if (problems.length === 0) {
      a.restoredAt = now().toISOString();
      lines.push(
        `${plan.app}: restored (maintenance ${a.previous.maintenance ? "on" : "off"}, ${formatFormation(a.previous.formation)})`,
      );
    } else {
      complete = false;
      lines.push(`${plan.app}: NOT fully restored: ${problems.join("; ")}`);
    }
    record.updatedAt = now().toISOString();
    save(record);
  }
  record.status = complete ? "rolled-back" : "partly-rolled-back";
  if (complete) record.rolledBackAt = now().toISOString();
  record.updatedAt = now().toISOString();
  save(record);
  return { complete, record, lines };
}
