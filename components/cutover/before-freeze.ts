/**
 * The Heroku apps as the plan must see them while this stack's freeze holds them. Once the freeze
 * has put an app in maintenance mode and scaled it to 0, Heroku reports exactly that; planning
 * from it would scale the app's Deployments on the cluster to 0 at the very `up` that cuts over
 * to them. So each app the freeze changed, and no rollback restored, is planned from the state
 * the freeze recorded before changing it. Pure: the journal is read by the caller.
 */
import type { AppSnapshot } from "../heroku/snapshot";
import { AppFreeze, formatState, FreezeRecord, touched } from "./freeze-record";

export interface AppsBeforeFreeze {
  /** The snapshots, with each frozen app's maintenance flag and formation as recorded. */
  apps: AppSnapshot[];
  /** One line per app planned from its record rather than from Heroku, for the report. */
  notes: string[];
}

/**
 * `apps` with the freeze undone on paper. Per app, the newest record that names it decides; a
 * process type is taken from the record only where Heroku shows it at 0 (one the user scaled up
 * by hand since is planned as it is now), and a type the record does not know keeps Heroku's.
 */
export function asBeforeFreeze(apps: AppSnapshot[], records: FreezeRecord[]): AppsBeforeFreeze {
  const newestFirst = [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const notes: string[] = [];
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
    if (!freeze || !touched(freeze.app) || freeze.app.restoredAt !== null) return snap;
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
  return { apps: out, notes };
}

/** The report's lines on apps planned from their freeze record; empty when there are none. */
export function renderAppsBeforeFreeze(notes: string[]): string {
  if (notes.length === 0) return "";
  return ["### Apps planned from their freeze record", "", ...notes.map((n) => `- ${n}`), ""].join("\n");
}
