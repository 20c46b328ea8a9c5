/**
 * The freeze record: what the cutover's freeze found and did on Heroku, per app, so that it can
 * be shown (`npm run cutover -- status`) and undone (`… rollback`) later, by another process.
 * Plain data (no secrets: app names, maintenance flags, process types, quantities and sizes).
 * Pure helpers only; ./journal keeps records on disk, the HerokuFreeze resource in Pulumi state.
 */

export const FREEZE_RECORD_VERSION = 1 as const;

/** One process type's scale. */
export interface ProcessScale {
  type: string;
  quantity: number;
  /** Dyno size as the API spells it, e.g. `Standard-2X`. */
  size: string;
}

/** An app's maintenance flag and formation. */
export interface AppState {
  maintenance: boolean;
  formation: ProcessScale[];
}

/** One app of the freeze. */
export interface AppFreeze {
  app: string;
  /** The migrated databases (Heroku add-on names) attached to this app: why it is frozen. */
  databases: string[];
  /**
   * The app before the freeze, read once and never overwritten by a retry or a later freeze of
   * the same stack (those reuse it), so a rollback always returns to what the user had.
   */
  previous: AppState;
  recordedAt: string;
  /** Maintenance mode is on (set by the freeze, or already on). */
  maintenanceOn: boolean;
  /** Every process type is at 0 (scaled by the freeze, or already). */
  scaledDown: boolean;
  /** When both held. */
  frozenAt: string | null;
  /** Why the app's freeze failed (after retries), when it did. Never holds a secret. */
  error: string | null;
  /** When a rollback returned the app to `previous`. */
  restoredAt: string | null;
  /** What a rollback could not restore (e.g. a process type removed since), in words. */
  restoreProblems: string[];
}

/** A database session that kept the source busy when the freeze gave up waiting. */
export interface LingeringSession {
  database: string;
  pid: number;
  user: string;
  application: string;
  client: string | null;
  state: string | null;
  since: string | null;
}

/**
 * - `recording`: previous states read, nothing changed yet (a crash here changed nothing);
 * - `partial`: some apps are frozen, some not (an API error after retries);
 * - `not-drained`: every app is frozen but other sessions of their credentials stayed connected;
 * - `frozen`: every app frozen and the source free of other sessions: the import may start;
 * - `rolled-back` / `partly-rolled-back`: `npm run cutover -- rollback` ran.
 */
export type FreezeStatus =
  "recording" | "partial" | "not-drained" | "frozen" | "rolled-back" | "partly-rolled-back";

export interface FreezeRecord {
  version: typeof FREEZE_RECORD_VERSION;
  stack: string;
  /** Unique per freeze; the HerokuFreeze resource's id. */
  freezeId: string;
  /** Platform API base URL used, or null for Heroku's own. */
  apiUrl: string | null;
  createdAt: string;
  updatedAt: string;
  status: FreezeStatus;
  /** Each migrated database (add-on name) and the apps attached to it when the freeze read them. */
  databases: { addon: string; apps: string[] }[];
  /** Sorted by app name; the freeze goes through them in this order. */
  apps: AppFreeze[];
  /** The wait for other sessions to end: how long it took, and who stayed. */
  drain: { waitedSeconds: number; lingering: LingeringSession[]; terminated: number } | null;
  warnings: string[];
  rolledBackAt: string | null;
  /** Set when the HerokuFreeze resource was deleted from the stack: the apps were left as they were. */
  resourceDeletedAt: string | null;
}

export const isFrozen = (a: AppFreeze): boolean => a.maintenanceOn && a.scaledDown;

/** Every process type at 0 (an app with none counts: nothing runs). */
export const scaledToZero = (s: Pick<AppState, "formation">): boolean =>
  s.formation.every((f) => f.quantity === 0);

/** What a frozen app looks like from Heroku: maintenance on and every process type at 0. */
export const looksFrozen = (s: AppState): boolean => s.maintenance && scaledToZero(s);

/** Whether the freeze changed anything on this app (so a rollback has something to undo). */
export const touched = (a: AppFreeze): boolean =>
  (a.maintenanceOn && !a.previous.maintenance) ||
  (a.scaledDown && a.previous.formation.some((f) => f.quantity > 0));

/** `web=2:Standard-2X worker=1:Standard-1X` (the Heroku CLI's `ps:scale` syntax). */
export function formatFormation(formation: ProcessScale[]): string {
  if (formation.length === 0) return "no process types";
  return formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" ");
}

export function formatState(s: AppState): string {
  return `maintenance ${s.maintenance ? "on" : "off"}, ${formatFormation(s.formation)}`;
}

/** Apps by how far the freeze got: the words of a partial freeze. */
export function freezeSummary(r: FreezeRecord): string {
  const frozen = r.apps.filter(isFrozen);
  const half = r.apps.filter((a) => !isFrozen(a) && (a.maintenanceOn || a.scaledDown));
  const not = r.apps.filter((a) => !a.maintenanceOn && !a.scaledDown);
  const lines: string[] = [];
  if (frozen.length)
    lines.push(`frozen (maintenance on, every process type at 0): ${frozen.map((a) => a.app).join(", ")}`);
  for (const a of half) {
    lines.push(
      `partly frozen: ${a.app} (maintenance ${a.maintenanceOn ? "on" : "OFF"}, ` +
        `${a.scaledDown ? "scaled to 0" : "NOT scaled to 0"})${a.error ? `: ${a.error}` : ""}`,
    );
  }
  for (const a of not) lines.push(`NOT frozen: ${a.app}${a.error ? `: ${a.error}` : " (not attempted)"}`);
  return lines.join("\n");
}

/**
 * Heroku CLI commands that put every app the freeze changed back as recorded: printed where the
 * record could get lost (deleting the resource), so a user can always restore by hand.
 */
export function restoreCommands(r: FreezeRecord): string[] {
  const out: string[] = [];
  for (const a of r.apps) {
    if (!touched(a) || a.restoredAt) continue;
    const up = a.previous.formation.filter((f) => f.quantity > 0);
    if (a.scaledDown && up.length > 0)
      out.push(`heroku ps:scale ${up.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" ")} -a ${a.app}`);
    if (a.maintenanceOn && !a.previous.maintenance) out.push(`heroku maintenance:off -a ${a.app}`);
  }
  return out;
}

/** The newest record in `records` that has not been rolled back, or null. */
export function activeRecord(records: FreezeRecord[]): FreezeRecord | null {
  const live = records.filter((r) => r.status !== "rolled-back");
  return live.length ? live.reduce((a, b) => (a.createdAt >= b.createdAt ? a : b)) : null;
}
