/**
 * The Heroku apps as the plan must see them while this stack's freeze holds them. Once the freeze
 * has put an app in maintenance mode and scaled it to 0, Heroku reports exactly that; planning
 * from it would scale the app's Deployments on the cluster to 0 at the very `up` that cuts over
 * to them. So each app the freeze changed, and no rollback restored, is planned from the state
 * the freeze recorded before changing it. Pure: the journal is read by the caller.
 */
import type { AppSnapshot } from "../heroku/snapshot";
import { AppFreeze, formatState, FreezeRecord, looksFrozen, touched } from "./freeze-record";

export interface AppsBeforeFreeze {
  /** The snapshots, with each frozen app's maintenance flag and formation as recorded. */
  apps: AppSnapshot[];
  /** One line per app planned from its record rather than from Heroku, for the report. */
  notes: string[];
  /**
   * One line per app that looks frozen (maintenance on, every process type at 0) with no record to
   * plan it from: its Deployments get 0 replicas. Shown on the console and in the report, since a
   * freeze run from another machine leaves its journal there.
   */
  warnings: string[];
}

/**
 * `apps` with the freeze undone on paper. Per app, the newest record that names it decides; a
 * process type is taken from the record only where Heroku shows it at 0 (one the user scaled up
 * by hand since is planned as it is now), and a type the record does not know keeps Heroku's.
 */
export function asBeforeFreeze(
  apps: AppSnapshot[],
  records: FreezeRecord[],
  stack: string,
): AppsBeforeFreeze {
  const newestFirst = [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const notes: string[] = [];
  const warnings: string[] = [];
  const out = apps.map((snap) => {
    const name = snap.app.name;
    let freeze: { record: FreezeRecord; app: AppFreeze } | undefined;
    for (const record of newestFirst) {
      const app = record.apps.find((a) => a.app === name);
      if (app) {
        freeze = { record, app };
        break;
      }
    }
    if (!freeze || !touched(freeze.app) || freeze.app.restoredAt !== null) {
      // An app with no process type at all runs nothing on the cluster either: nothing to warn about.
      if (
        snap.formation.length > 0 &&
        looksFrozen({ maintenance: snap.app.maintenance, formation: snap.formation })
      ) {
        warnings.push(
          `${name}: Heroku shows it in maintenance mode with every process type at 0, and no freeze record of this ` +
            "stack on this machine says what it ran before, so its Deployments are planned with 0 replicas. If this " +
            "stack's freeze stopped it from another machine, first run `npm run cutover -- journal --stack " +
            `${stack}\` here: it writes the freeze's record from the stack's state into this machine's journal.`,
        );
      }
      return snap;
    }
    const { record, app } = freeze;
    const formation = snap.formation.map((f) => {
      const before = app.previous.formation.find((p) => p.type === f.type);
      return app.scaledDown && f.quantity === 0 && before
        ? { ...f, quantity: before.quantity, size: before.size }
        : f;
    });
    const maintenance = app.maintenanceOn && !app.previous.maintenance ? false : snap.app.maintenance;
    notes.push(
      `${name}: frozen by this stack's cutover freeze ${record.freezeId}` +
        `${app.frozenAt ? ` since ${app.frozenAt}` : ""}; planned as it was before the freeze ` +
        `(${formatState(app.previous)}), not as Heroku shows it now.`,
    );
    return { ...snap, app: { ...snap.app, maintenance }, formation };
  });
  return { apps: out, notes, warnings };
}

/** The report's lines on frozen apps (planned from their record, or without one); empty when none. */
export function renderAppsBeforeFreeze(r: Pick<AppsBeforeFreeze, "notes" | "warnings">): string {
  const lines = [...r.notes, ...r.warnings.map((w) => `**Warning**: ${w}`)];
  if (lines.length === 0) return "";
  return ["### Frozen apps", "", ...lines.map((n) => `- ${n}`), ""].join("\n");
}
