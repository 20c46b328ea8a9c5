/**
 * The HerokuFreeze dynamic provider. Its code is serialized into the state, so it stays small:
 * check and diff are pure and live here; create, update and delete load the cutover runtime from
 * the project root at call time (./loader, ./runtime), where the Heroku client and `pg` are.
 *
 * Semantics:
 * - `create` freezes (./freeze). A partial freeze, or one whose source kept other sessions, is
 *   reported as a resource that failed to initialise: the engine keeps it, with the record of
 *   what is frozen, and skips everything that depends on it (the import); the next `up` calls
 *   `update`, which finishes the freeze with the recorded previous states.
 * - `update` continues an unfinished freeze, or freezes the apps of a database added to the
 *   stack; otherwise it only records new settings and calls nothing.
 * - `delete` (removing it, `pulumi destroy`) never unfreezes: it keeps the record in the journal
 *   and prints how to restore the apps (`npm run cutover -- rollback`, and the Heroku CLI commands).
 * - The Heroku token is an input (secret in state) and never an output.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FreezeRecord, FreezeStatus } from "./freeze-record";
import { isKnown } from "../engine-unknown";
import { loadCutover } from "./loader";

/** Inputs as the provider receives them (resolved, plaintext). */
export interface HerokuFreezeInputs {
  stack: string;
  token: string;
  apiUrl?: string;
  addons: string[];
  drainTimeoutSeconds: number;
  terminateSessions: boolean;
  recordDir: string;
}

/** Outputs kept in state: the inputs but the token, and the record. */
export interface HerokuFreezeOutputs extends Omit<HerokuFreezeInputs, "token"> {
  freezeId: string;
  status: FreezeStatus;
  /** Every app frozen, sorted. */
  apps: string[];
  record: FreezeRecord;
  /** The journal file on the machine that froze (absolute path). */
  journal: string;
}

export function checkFreezeInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = isKnown;
  if (known(news.stack) && (typeof news.stack !== "string" || news.stack === ""))
    failures.push({ property: "stack", reason: "stack must be the stack's name" });
  if (known(news.token) && (typeof news.token !== "string" || news.token === ""))
    failures.push({ property: "token", reason: "token must be a Heroku API token (with the write scope)" });
  const addons = news.addons;
  if (
    known(addons) &&
    !(Array.isArray(addons) && addons.length > 0 && addons.every((a) => typeof a === "string" && a))
  )
    failures.push({ property: "addons", reason: "addons must list the migrated databases' add-on names" });
  const t = news.drainTimeoutSeconds;
  if (known(t) && !(typeof t === "number" && Number.isInteger(t) && t >= 0 && t <= 3600))
    failures.push({ property: "drainTimeoutSeconds", reason: "drainTimeoutSeconds must be 0 to 3600" });
  return failures;
}

/**
 * Changes when a database was added (its apps need freezing) or the recorded freeze is unfinished
 * (the update finishes it); settings update in place; nothing ever replaces a freeze (a new one
 * would record frozen apps as their previous state: `pulumi up --replace` does that deliberately,
 * after a rollback).
 */
export function diffFreeze(olds: HerokuFreezeOutputs, news: HerokuFreezeInputs): pulumi.dynamic.DiffResult {
  const unfinished = olds.status !== "frozen";
  const added = (news.addons ?? []).some((a) => !(olds.addons ?? []).includes(a));
  const settings =
    (news.apiUrl ?? null) !== (olds.apiUrl ?? null) ||
    JSON.stringify([...(news.addons ?? [])].sort()) !== JSON.stringify([...(olds.addons ?? [])].sort()) ||
    news.drainTimeoutSeconds !== olds.drainTimeoutSeconds ||
    news.terminateSessions !== olds.terminateSessions ||
    news.recordDir !== olds.recordDir;
  return { changes: unfinished || added || settings, replaces: [], deleteBeforeReplace: false };
}

export const herokuFreezeProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: checkFreezeInputs(news) };
  },

  async diff(_id: string, olds: HerokuFreezeOutputs, news: HerokuFreezeInputs) {
    return diffFreeze(olds, news);
  },

  async create(inputs: HerokuFreezeInputs) {
    return (await loadCutover()).createFreeze(inputs);
  },

  async update(id: string, olds: HerokuFreezeOutputs, news: HerokuFreezeInputs) {
    return (await loadCutover()).updateFreeze(id, olds, news);
  },

  async read(id: string, props: HerokuFreezeOutputs) {
    // A refresh never forgets the freeze (that would lose the record of the apps' previous state).
    return { id, props };
  },

  async delete(id: string, props: HerokuFreezeOutputs) {
    (await loadCutover()).deleteFreeze(id, props);
  },
};
