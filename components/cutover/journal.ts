/**
 * The freeze journal: every freeze record of a stack in a JSON file on the machine that ran it,
 * written before the first change on Heroku and after each one. It outlives what Pulumi state
 * cannot: a crash mid-freeze (the resource never reaches the state), `pulumi destroy` (the
 * resource's outputs leave the state) and `pulumi stack rm`. Plain data, no secrets.
 */
import * as fs from "fs";
import * as path from "path";
import { FREEZE_RECORD_VERSION, FreezeRecord } from "./freeze-record";

/** Where records live unless `cutover.recordDir` says otherwise (relative to the project root). */
export const DEFAULT_RECORD_DIR = ".heroku-to-hasura/cutover";

interface JournalFile {
  version: typeof FREEZE_RECORD_VERSION;
  stack: string;
  /** Oldest first. */
  records: FreezeRecord[];
}

/** The journal file of `stack` under `dir` (absolute, or relative to `root`). */
export function journalPath(root: string, dir: string, stack: string): string {
  return path.resolve(root, dir, `${stack}.json`);
}

/** Every record of the journal, oldest first; none when the file does not exist. */
export function readJournal(file: string): FreezeRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw e;
  }
  let parsed: JournalFile;
  try {
    parsed = JSON.parse(text) as JournalFile;
  } catch (e) {
    throw new Error(`freeze journal ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (parsed.version !== FREEZE_RECORD_VERSION || !Array.isArray(parsed.records)) {
    throw new Error(`freeze journal ${file} has an unknown format (version ${String(parsed.version)})`);
  }
  return parsed.records;
}

/**
 * Adds `record` to the journal, or replaces the one with its freezeId. Written to a temporary file
 * and renamed, so a crash leaves the old journal or the new one, never half of one.
 */
export function saveRecord(file: string, record: FreezeRecord): void {
  const records = readJournal(file).filter((r) => r.freezeId !== record.freezeId);
  records.push(record);
  records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const doc: JournalFile = { version: FREEZE_RECORD_VERSION, stack: record.stack, records };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
