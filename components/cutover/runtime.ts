/**
 * What the HerokuFreeze provider runs at call time, loaded from the project root by ./loader
 * (PostgresImport's checks under a freeze are ../data/heroku-source). Clients are created per call; nothing at module scope
 * holds a credential.
 */
import { findProjectRoot } from "../data/engine-loader";
import { HerokuClient } from "../heroku/client";
import { HerokuPlatformApi } from "../heroku/platform-api";
import { SecretString } from "../heroku/secret-string";
import { freezeApps, FreezeError, FreezeSettings } from "./freeze";
import { FreezeRecord, restoreCommands, touched } from "./freeze-record";
import type { HerokuFreezeInputs, HerokuFreezeOutputs } from "./heroku-freeze-provider";
import { journalPath, readJournal, saveRecord } from "./journal";
import { postgresSessionProbe } from "./source-sessions";

const line = (stack: string) => (text: string) => process.stderr.write(`[HerokuFreeze ${stack}] ${text}\n`);

function journalOf(i: { stack: string; recordDir: string }): string {
  return journalPath(findProjectRoot(), i.recordDir, i.stack);
}

function settingsOf(i: HerokuFreezeInputs): FreezeSettings {
  return {
    stack: i.stack,
    addons: i.addons,
    drainTimeoutSeconds: i.drainTimeoutSeconds,
    terminateSessions: i.terminateSessions,
    apiUrl: i.apiUrl ?? null,
  };
}

function envOf(i: HerokuFreezeInputs, journal: string) {
  const log = line(i.stack);
  const client = new HerokuClient({
    token: SecretString.of(i.token),
    ...(i.apiUrl ? { baseUrl: i.apiUrl } : {}),
    logger: { debug: () => undefined, warn: log },
  });
  return {
    api: new HerokuPlatformApi(client),
    sessions: postgresSessionProbe,
    save: (r: FreezeRecord) => saveRecord(journal, r),
    log,
  };
}

function outputsOf(i: HerokuFreezeInputs, record: FreezeRecord, journal: string): HerokuFreezeOutputs {
  const { token: _token, ...rest } = i;
  const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<
    HerokuFreezeInputs,
    "token"
  >;
  return {
    ...clean,
    freezeId: record.freezeId,
    status: record.status,
    apps: record.apps.map((a) => a.app),
    record,
    journal,
  };
}

/**
 * A failed freeze as an initialisation error: the engine keeps the resource with these outputs
 * (the record of what is frozen) and marks it for an update on the next `up`.
 */
function initError(e: FreezeError, i: HerokuFreezeInputs, journal: string): Error {
  const props = {
    ...outputsOf(i, e.record, journal),
    __provider: (i as unknown as { __provider?: string }).__provider,
  };
  return Object.assign(new Error(e.message), {
    id: e.record.freezeId,
    properties: props,
    reasons: [e.message],
  });
}

async function run(
  i: HerokuFreezeInputs,
  continuing: FreezeRecord | null,
): Promise<{ record: FreezeRecord; journal: string }> {
  const journal = journalOf(i);
  const earlier = readJournal(journal).filter((r) => r.freezeId !== continuing?.freezeId);
  try {
    const record = await freezeApps(settingsOf(i), envOf(i, journal), continuing, earlier);
    return { record, journal };
  } catch (e) {
    if (e instanceof FreezeError) throw initError(e, i, journal);
    // Before the first change (reading the apps failed): nothing on Heroku was touched.
    throw new Error(
      `Heroku freeze of stack ${i.stack} failed before changing anything: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

export async function createFreeze(
  i: HerokuFreezeInputs,
): Promise<{ id: string; outs: HerokuFreezeOutputs }> {
  const { record, journal } = await run(i, null);
  return { id: record.freezeId, outs: outputsOf(i, record, journal) };
}

export async function updateFreeze(
  _id: string,
  olds: HerokuFreezeOutputs,
  news: HerokuFreezeInputs,
): Promise<{ outs: HerokuFreezeOutputs }> {
  const added = news.addons.some((a) => !(olds.addons ?? []).includes(a));
  if (olds.status === "frozen" && !added) {
    // Settings only: nothing to do on Heroku.
    return { outs: { ...outputsOf(news, olds.record, olds.journal) } };
  }
  // The journal may know more than the state (e.g. a rollback); the state's record is the fallback.
  const inJournal = readJournal(journalOf(news)).find((r) => r.freezeId === olds.freezeId);
  const { record, journal } = await run(news, inJournal ?? olds.record);
  return { outs: outputsOf(news, record, journal) };
}

/** Never unfreezes: keeps the record in the journal and says how to restore the apps. */
export function deleteFreeze(id: string, props: HerokuFreezeOutputs): void {
  const log = line(props.stack);
  const journal = journalOf(props);
  const record = readJournal(journal).find((r) => r.freezeId === id) ?? props.record;
  record.resourceDeletedAt = new Date().toISOString();
  saveRecord(journal, record);
  const changed = record.apps.filter((a) => touched(a) && !a.restoredAt);
  if (record.status === "rolled-back" || changed.length === 0) {
    log(
      `deleted from the stack; the freeze was rolled back (or changed nothing), so nothing is left to undo`,
    );
    return;
  }
  const commands = restoreCommands(record);
  log(
    `deleted from the stack, and the Heroku apps were NOT unfrozen: ${changed.map((a) => a.app).join(", ")} stay as ` +
      `they are. Their recorded state is kept in ${journal}. Restore them with ` +
      `\`npm run cutover -- rollback --stack ${props.stack}\`, or by hand:\n  ${commands.join("\n  ")}`,
  );
}
