/**
 * The cutover freeze: stop every write to the migrated databases before the final import.
 *
 * Maintenance mode alone only stops routing: worker dynos and clock processes keep writing. So,
 * for every Heroku app attached to a migrated database (read fresh from the add-on's attachments,
 * so an app sharing it from outside the stack is included), the freeze records the maintenance
 * flag and formation, turns maintenance on and scales every process type to 0, then waits, with a
 * bound, until no other session of those apps' database credentials is connected to the source.
 *
 * Every step is written to the record (and through `save` to the journal) before the next one, so
 * an error leaves an exact account: which apps are frozen, which not, and what they were. Heroku
 * errors are retried by the client (429, 5xx, timeouts; bounded). A retry of a partial freeze
 * reuses the recorded previous states: an app frozen by the first try is never recorded as
 * "previously frozen".
 */
import { randomUUID } from "crypto";
import { parseUrl } from "../data/engine/connection";
import type { AddOnAttachment, Formation } from "../heroku/api-types";
import type { HerokuPlatformApi } from "../heroku/platform-api";
import { SecretString } from "../heroku/secret-string";
import {
  AppFreeze,
  AppState,
  FREEZE_RECORD_VERSION,
  FreezeRecord,
  freezeSummary,
  isFrozen,
  LingeringSession,
  looksFrozen,
  scaledToZero,
} from "./freeze-record";
import { describeSession, SessionProbe } from "./source-sessions";

export interface FreezeSettings {
  stack: string;
  /** Heroku add-on names of the migrated databases. */
  addons: string[];
  /** How long to wait for other sessions of the apps' credentials to end. */
  drainTimeoutSeconds: number;
  /** End the sessions still connected after the wait (`pg_terminate_backend`) instead of failing. */
  terminateSessions: boolean;
  /** Platform API base URL (recorded for status and rollback), or null for Heroku's own. */
  apiUrl: string | null;
  /** Seconds between looks at the source while waiting. Default 2. */
  pollSeconds?: number;
}

export interface FreezeEnv {
  api: HerokuPlatformApi;
  sessions: SessionProbe;
  /** Persists the record (the journal); called before the first change and after each one. */
  save(r: FreezeRecord): void;
  log(line: string): void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** The freeze stopped short; `record` says exactly how far it got (and is saved). */
export class FreezeError extends Error {
  override readonly name = "FreezeError";
  constructor(
    message: string,
    readonly record: FreezeRecord,
  ) {
    super(message);
  }
}

/** A migrated database as the freeze sees it: who uses it, with which credentials. */
interface DatabaseUse {
  addon: string;
  apps: string[];
  /** Database users of every attachment's credential (the default one and any `credential:…`). */
  users: Set<string>;
  /** A URL to look at the source with (the default credential's when attached). */
  url: SecretString | null;
  urlIsDefault: boolean;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The formation as the record keeps it, sorted by process type. */
function scales(formation: Formation[]): AppState["formation"] {
  return formation
    .map((f) => ({ type: f.type ?? "", quantity: f.quantity ?? 0, size: f.size ?? "" }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

/**
 * Freezes the apps of `settings.addons` and waits for the source to be free of other sessions.
 * `continuing`: the record of an earlier, unfinished or rolled-back-from freeze of this stack
 * whose previous states are kept (for an app it lists). Returns the record with status `frozen`;
 * throws a {@link FreezeError} otherwise.
 */
export async function freezeApps(
  settings: FreezeSettings,
  env: FreezeEnv,
  continuing: FreezeRecord | null,
  earlier: FreezeRecord[] = [],
): Promise<FreezeRecord> {
  const now = () => (env.now ?? (() => new Date()))().toISOString();
  const sleep = env.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { api } = env;

  // 1. Who is attached to each database, read now (an app attached since the preview counts too).
  const uses: DatabaseUse[] = [];
  const attachmentsByApp = new Map<string, AddOnAttachment[]>();
  for (const addon of [...settings.addons].sort()) {
    const atts = await api.attachmentsOfAddon(addon);
    const apps = [...new Set(atts.map((a) => a.app?.name ?? ""))].filter(Boolean).sort();
    uses.push({ addon, apps, users: new Set(), url: null, urlIsDefault: false });
    for (const a of atts) {
      const app = a.app?.name ?? "";
      if (app) attachmentsByApp.set(app, [...(attachmentsByApp.get(app) ?? []), a]);
    }
  }
  // An app of an unfinished freeze stays in it even if detached since: its record is its way back.
  for (const a of continuing?.apps ?? []) if (!attachmentsByApp.has(a.app)) attachmentsByApp.set(a.app, []);
  const appNames = [...attachmentsByApp.keys()].sort();
  if (appNames.length === 0) {
    throw new Error(
      `no Heroku app is attached to ${settings.addons.join(", ")}: nothing to freeze (check the add-on names)`,
    );
  }

  // 2. Each app's credentials, state and add-ons, before anything changes.
  const warnings: string[] = [];
  const current = new Map<string, AppState>();
  // Previous states recorded by this freeze's earlier try, or by an earlier freeze of the stack
  // that left the app frozen (never rolled back): the app's state now is the freeze's doing.
  const kept = new Map<string, AppFreeze>();
  for (const r of earlier) for (const a of r.apps) if (!a.restoredAt) kept.set(a.app, a);
  const reused = new Map<string, AppFreeze>();
  for (const app of appNames) {
    const [info, formation, vars, addons] = await Promise.all([
      api.app(app),
      api.formation(app),
      api.configVars(app),
      api.addons(app),
    ]);
    const state = { maintenance: info.maintenance === true, formation: scales(formation) };
    current.set(app, state);
    const mine = continuing?.apps.find((a) => a.app === app);
    const theirs = kept.get(app);
    if (mine) reused.set(app, mine);
    else if (theirs && (state.maintenance || scaledToZero(state))) reused.set(app, theirs);
    noteCredentials(uses, app, attachmentsByApp.get(app) ?? [], vars, warnings);
    if (addons.some((a) => a.addon_service?.name === "scheduler")) {
      warnings.push(
        `${app} has Heroku Scheduler: its jobs run as one-off dynos, in maintenance mode too, and scaling ` +
          "does not stop them. Pause or remove its jobs in the Scheduler dashboard for the cutover; a job that " +
          "writes during the import fails it.",
      );
    }
    const s = current.get(app)!;
    if (!reused.has(app) && looksFrozen(s)) {
      warnings.push(
        `${app} is already in maintenance mode with every process type at 0: that is recorded as its previous ` +
          "state, so a rollback leaves it so. If an earlier freeze did this, its record is in the journal of the " +
          "machine that ran it.",
      );
    }
  }

  // 3. The record, saved before the first change.
  const t = now();
  const record: FreezeRecord = {
    version: FREEZE_RECORD_VERSION,
    stack: settings.stack,
    freezeId: continuing?.freezeId ?? randomUUID(),
    apiUrl: settings.apiUrl,
    createdAt: continuing?.createdAt ?? t,
    updatedAt: t,
    status: "recording",
    databases: uses.map((u) => ({ addon: u.addon, apps: u.apps })),
    apps: appNames.map((app) => {
      const earlierApp = reused.get(app);
      const s = current.get(app)!;
      return {
        app,
        databases: uses.filter((u) => u.apps.includes(app)).map((u) => u.addon),
        previous: earlierApp?.previous ?? s,
        recordedAt: earlierApp?.recordedAt ?? t,
        maintenanceOn: s.maintenance,
        scaledDown: scaledToZero(s),
        frozenAt: null,
        error: null,
        restoredAt: null,
        restoreProblems: [],
      };
    }),
    drain: null,
    warnings,
    rolledBackAt: null,
    resourceDeletedAt: null,
  };
  const save = () => {
    record.updatedAt = now();
    env.save(record);
  };
  save();
  for (const w of warnings) env.log(`warning: ${w}`);
  for (const a of record.apps) {
    const reusedNote = reused.has(a.app) ? " (kept from the earlier freeze)" : "";
    env.log(
      `${a.app}: recorded maintenance ${a.previous.maintenance ? "on" : "off"}, ` +
        `${a.previous.formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" ") || "no process types"}${reusedNote}`,
    );
  }

  try {
    return await freezeAndDrain(settings, env, record, current, uses, attachmentsByApp, save, sleep, now);
  } catch (e) {
    if (e instanceof FreezeError) throw e;
    // Anything else after the first change still leaves an exact account of what is frozen.
    record.status = record.apps.every(isFrozen) ? "not-drained" : "partial";
    record.warnings.push(`the freeze stopped on an error: ${errorText(e)}`);
    save();
    throw new FreezeError(
      `Heroku freeze of stack ${settings.stack} stopped on an error, so the import does not start: ${errorText(e)}\n` +
        `${indent(freezeSummary(record))}\n` +
        `Run \`pulumi up\` again to finish the freeze, or undo it with \`npm run cutover -- rollback --stack ${settings.stack}\`.`,
      record,
    );
  }
}

async function freezeAndDrain(
  settings: FreezeSettings,
  env: FreezeEnv,
  record: FreezeRecord,
  current: Map<string, AppState>,
  uses: DatabaseUse[],
  attachmentsOf: Map<string, AddOnAttachment[]>,
  save: () => void,
  sleep: (ms: number) => Promise<void>,
  now: () => string,
): Promise<FreezeRecord> {
  const { api } = env;
  const appNames = [...attachmentsOf.keys()].sort();
  // 4. Maintenance on, then every process type to 0, app by app; the first failure stops the freeze.
  for (const a of record.apps) {
    try {
      if (!a.maintenanceOn) {
        await api.setMaintenance(a.app, true);
        a.maintenanceOn = true;
        save();
        env.log(`${a.app}: maintenance mode on`);
      }
      const running = current.get(a.app)!.formation.filter((f) => f.quantity > 0);
      if (!a.scaledDown) {
        await api.updateFormation(
          a.app,
          running.map((f) => ({ type: f.type, quantity: 0 })),
        );
        a.scaledDown = true;
        env.log(`${a.app}: scaled to 0 (${running.map((f) => f.type).join(", ")})`);
      }
      a.frozenAt = now();
      a.error = null;
      save();
    } catch (e) {
      a.error = errorText(e);
      record.status = "partial";
      save();
      throw new FreezeError(
        `Heroku freeze of stack ${settings.stack} is partial, so the import does not start:\n` +
          `${indent(freezeSummary(record))}\n` +
          `Run \`pulumi up\` again to finish the freeze (the recorded states are kept), or undo it with ` +
          `\`npm run cutover -- rollback --stack ${settings.stack}\`.`,
        record,
      );
    }
  }

  // 5. Wait until no other session of the apps' credentials is connected to each source. The
  // credentials are read again: Heroku may have rotated them meanwhile (both users are watched).
  for (const app of appNames) {
    noteCredentials(uses, app, attachmentsOf.get(app) ?? [], await api.configVars(app), null);
  }
  const started = Date.now();
  const deadline = started + settings.drainTimeoutSeconds * 1000;
  const poll = (settings.pollSeconds ?? 2) * 1000;
  let lingering: LingeringSession[];
  let terminated = 0;
  const look = async () => {
    const found: LingeringSession[] = [];
    for (const u of uses) {
      if (!u.url) continue;
      found.push(
        ...(await env.sessions.list(u.url.reveal(`source URL of ${u.addon}`), [...u.users], u.addon)),
      );
    }
    return found;
  };
  for (;;) {
    lingering = await look();
    if (lingering.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(poll, Math.max(0, deadline - Date.now())));
  }
  if (lingering.length > 0 && settings.terminateSessions) {
    for (const u of uses) {
      const pids = lingering.filter((s) => s.database === u.addon).map((s) => s.pid);
      if (u.url && pids.length)
        terminated += await env.sessions.terminate(u.url.reveal(`source URL of ${u.addon}`), pids);
    }
    env.log(`ended ${terminated} session(s) still connected after ${settings.drainTimeoutSeconds} s`);
    await sleep(1000);
    lingering = await look();
  }
  const waitedSeconds = Math.round((Date.now() - started) / 100) / 10;
  record.drain = { waitedSeconds, lingering, terminated };
  for (const u of uses.filter((x) => !x.url)) {
    record.warnings.push(`${u.addon}: no credential URL found on its apps, so no session check was possible`);
  }
  if (lingering.length > 0) {
    record.status = "not-drained";
    save();
    const dynos = await oneOffDynos(api, appNames);
    throw new FreezeError(
      `Heroku apps of stack ${settings.stack} are frozen, but ${lingering.length} other session(s) of their ` +
        `database credentials were still connected after ${settings.drainTimeoutSeconds} s, so the import does not start:\n` +
        `${indent(lingering.map((s) => `${s.database}: ${describeSession(s)}`).join("\n"))}\n` +
        (dynos.length
          ? `One-off dynos still running (scaling does not stop them): ${dynos.join(", ")}; ` +
            "stop each with `heroku ps:stop <dyno> -a <app>`.\n"
          : "") +
        "End those clients (or set cutover.terminateSessions: true to have their sessions ended), then run " +
        `\`pulumi up\` again; or undo the freeze with \`npm run cutover -- rollback --stack ${settings.stack}\`.`,
      record,
    );
  }
  record.status = "frozen";
  save();
  env.log(
    `frozen: ${record.apps.filter(isFrozen).length} app(s); no other session of their credentials on the source ` +
      `(waited ${waitedSeconds} s${terminated ? `, ended ${terminated}` : ""})`,
  );
  return record;
}

/**
 * Adds the database users of `app`'s attachments to `uses` and keeps a URL to look at each source
 * with (the default credential's when attached; the latest read wins, so a rotation is followed).
 */
function noteCredentials(
  uses: DatabaseUse[],
  app: string,
  attachments: AddOnAttachment[],
  vars: Record<string, string>,
  warnings: string[] | null,
): void {
  for (const att of attachments) {
    const use = uses.find((u) => u.addon === att.addon?.name || u.addon === att.addon?.id);
    const key = `${att.name}_URL`;
    const value = vars[key];
    if (!use) continue;
    if (typeof value !== "string" || value === "") {
      warnings?.push(`${app}: attachment ${att.name} of ${use.addon} has no ${key} config var`);
      continue;
    }
    use.users.add(parseUrl({ url: value }).user);
    const isDefault = att.namespace === null || att.namespace === undefined;
    // The default credential's URL over a restricted one; among equals the latest read.
    if (!use.url || isDefault || !use.urlIsDefault) {
      use.url = SecretString.of(value);
      use.urlIsDefault = isDefault;
    }
  }
}

async function oneOffDynos(api: HerokuPlatformApi, apps: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const app of apps) {
    try {
      for (const d of await api.dynos(app)) out.push(`${app} ${d.name ?? "?"} (${d.command ?? ""})`);
    } catch {
      // Only adds detail to the message: its absence is not worth a second error.
    }
  }
  return out;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
