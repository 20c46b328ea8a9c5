/**
 * `npm run cutover -- status|rollback --stack S`: the Heroku side of the cutover after `pulumi up`
 * froze it (components/cutover).
 *
 * - `status` shows each frozen app's maintenance flag and formation now, and as recorded before
 *   the freeze, with a verdict (frozen, restored, changed by hand).
 * - `rollback` restores every app the freeze changed to its recorded state, after showing what it
 *   will change and asking for `yes` (or with `--yes`). What it cannot restore is named.
 * - `journal` writes the stack's freeze records from its state into this machine's journal, where
 *   `pulumi up` reads them to plan frozen apps at their recorded scale (the freeze ran elsewhere).
 *
 * The record comes from the freeze journal of this machine (`<recordDir>/<stack>.json`; recordDir
 * from the stack's `cutover.recordDir` in Pulumi.<stack>.yaml, else `.heroku-to-hasura/cutover`,
 * or `--record-dir`), and from the stack's state (`pulumi stack export`: the HerokuFreeze
 * resource's outputs) unless `--no-state`; the newer of the two wins. `--from FILE` reads one
 * journal file only. The token, as `pulumi up` takes it (the one that froze the apps): the stack's
 * secret `herokuApiKey`, else HEROKU_API_KEY.
 *
 * Exit codes: 0 done; 1 rollback incomplete (named); 2 usage; 3 no freeze record (for `journal`:
 * none in the state, or the state unreadable); 4 not confirmed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import * as yaml from "yaml";
import { activeRecord, FreezeRecord } from "../components/cutover/freeze-record";
import { HEROKU_FREEZE_MODULE, HEROKU_FREEZE_TYPE } from "../components/cutover/heroku-freeze";
import { DEFAULT_RECORD_DIR, journalPath, readJournal, saveRecord } from "../components/cutover/journal";
import { applyRollback, describeRollbackPlan, planRollback } from "../components/cutover/rollback";
import { formatStatus, readNow } from "../components/cutover/status";
import { findProjectRoot } from "../components/data/engine-loader";
import { HerokuClient } from "../components/heroku/client";
import { HerokuPlatformApi } from "../components/heroku/platform-api";
import type { SecretString } from "../components/heroku/secret-string";
import { resolveHerokuToken } from "../components/heroku/token";

const PROJECT = "heroku-to-hasura";
const FREEZE_TYPE = `pulumi-nodejs:dynamic/${HEROKU_FREEZE_MODULE}:${HEROKU_FREEZE_TYPE}`;

const USAGE = `usage: npm run cutover -- status --stack STACK [--json]
       npm run cutover -- rollback --stack STACK [--yes]
       npm run cutover -- journal --stack STACK   (the state's freeze records into this machine's journal)
options: --record-dir DIR (the freeze journal's folder)  --from FILE (one journal file)  --no-state
The Heroku token is the stack's secret herokuApiKey, else HEROKU_API_KEY (as pulumi up takes it).`;

class UsageError extends Error {}

interface Cli {
  command: "status" | "rollback" | "journal";
  stack: string;
  yes: boolean;
  json: boolean;
  recordDir: string | null;
  from: string | null;
  state: boolean;
}

export function parseArgs(argv: string[]): Cli {
  const [command, ...rest] = argv;
  if (command !== "status" && command !== "rollback" && command !== "journal") {
    throw new UsageError(command ? `unknown command "${command}"` : "");
  }
  const cli: Cli = { command, stack: "", yes: false, json: false, recordDir: null, from: null, state: true };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--stack" || a === "-s") cli.stack = value();
    else if (a === "--yes" || a === "-y") cli.yes = true;
    else if (a === "--json") cli.json = true;
    else if (a === "--record-dir") cli.recordDir = value();
    else if (a === "--from") cli.from = value();
    else if (a === "--no-state") cli.state = false;
    else if (a === "-h" || a === "--help") throw new UsageError("");
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!cli.stack) throw new UsageError("--stack is required");
  if (cli.command === "journal" && (cli.from !== null || !cli.state)) {
    throw new UsageError("journal reads the stack's state: --from and --no-state do not apply");
  }
  return cli;
}

/** `cutover.recordDir` from the project's Pulumi.<stack>.yaml, when set. */
function configuredRecordDir(root: string, stack: string): string | null {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return null;
  const doc = yaml.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const c = doc?.config?.[`${PROJECT}:cutover`] as { recordDir?: unknown } | undefined;
  return typeof c?.recordDir === "string" ? c.recordDir : null;
}

/** HerokuFreeze records in the stack's state, or why none could be read. */
function recordsInState(stack: string): { records: FreezeRecord[]; note: string | null } {
  const r = spawnSync("pulumi", ["stack", "export", "--stack", stack], { encoding: "utf8" });
  if (r.error) return { records: [], note: `Pulumi state not read (${(r.error as Error).message})` };
  if (r.status !== 0) {
    return { records: [], note: `Pulumi state not read: ${(r.stderr || r.stdout).trim().split("\n")[0]}` };
  }
  const doc = JSON.parse(r.stdout) as {
    deployment?: { resources?: { type: string; outputs?: { record?: FreezeRecord } }[] };
  };
  const records = (doc.deployment?.resources ?? [])
    .filter((x) => x.type === FREEZE_TYPE && x.outputs?.record)
    .map((x) => x.outputs!.record!);
  return { records, note: null };
}

interface Found {
  records: FreezeRecord[];
  journal: string;
  /** Where each freezeId's chosen record came from. */
  source: Map<string, string>;
  notes: string[];
}

/**
 * This machine's journal file of the stack, where `pulumi up` keeps it (the configured or default
 * folder, relative to the project root), or under `--record-dir`, or `--from` (relative to the cwd).
 */
function journalFile(cli: Cli): string {
  if (cli.from) return path.resolve(cli.from);
  if (cli.recordDir) return journalPath(process.cwd(), cli.recordDir, cli.stack);
  const root = findProjectRoot();
  return journalPath(root, configuredRecordDir(root, cli.stack) ?? DEFAULT_RECORD_DIR, cli.stack);
}

/** Whether `r` from the state is news to a journal holding `known`: absent, or updated since. */
const newerThan = (known: FreezeRecord | undefined, r: FreezeRecord) =>
  !known || r.updatedAt > known.updatedAt;

/**
 * `journal`: each record of the state that the journal lacks, or holds in an older version, is
 * written into it; nothing else in the journal changes.
 */
function journalFromState(cli: Cli): number {
  const journal = journalFile(cli);
  const st = recordsInState(cli.stack);
  if (st.note || st.records.length === 0) {
    process.stderr.write(
      `No freeze record for stack ${cli.stack} in its state${st.note ? `: ${st.note}` : ""}.\n`,
    );
    return 3;
  }
  const known = new Map(readJournal(journal).map((r) => [r.freezeId, r]));
  const newer = st.records.filter((r) => newerThan(known.get(r.freezeId), r));
  for (const r of newer) saveRecord(journal, r);
  process.stdout.write(
    newer.length === 0
      ? `The journal ${journal} already holds every freeze record of stack ${cli.stack}'s state.\n`
      : `Wrote ${newer.length} freeze record(s) of stack ${cli.stack}'s state into ${journal}: ` +
          `${newer.map((r) => `${r.freezeId} (${r.status}; apps ${r.apps.map((a) => a.app).join(", ")})`).join("; ")}.\n`,
  );
  return 0;
}

function findRecords(cli: Cli): Found {
  const journal = journalFile(cli);
  const byId = new Map<string, FreezeRecord>();
  const source = new Map<string, string>();
  const notes: string[] = [];
  for (const r of readJournal(journal)) {
    byId.set(r.freezeId, r);
    const shown = path.relative(process.cwd(), journal);
    source.set(r.freezeId, `the journal ${shown.startsWith("..") ? journal : shown}`);
  }
  if (cli.state && !cli.from) {
    const st = recordsInState(cli.stack);
    if (st.note) notes.push(st.note);
    for (const r of st.records) {
      if (newerThan(byId.get(r.freezeId), r)) {
        byId.set(r.freezeId, r);
        source.set(r.freezeId, `stack ${cli.stack}'s state (HerokuFreeze outputs)`);
      }
    }
  }
  const records = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { records, journal, source, notes };
}

function herokuApi(cli: Cli, record: FreezeRecord): HerokuPlatformApi {
  // The same precedence as the program (components/heroku/token), so rollback acts with the token
  // that froze the apps unless the stack has none.
  const r = spawnSync("pulumi", ["config", "get", `${PROJECT}:herokuApiKey`, "--stack", cli.stack], {
    encoding: "utf8",
  });
  let token: SecretString;
  try {
    token = resolveHerokuToken(r.status === 0 ? r.stdout : undefined);
  } catch {
    throw new UsageError(
      `no Heroku token: set the stack's secret herokuApiKey (pulumi config set --secret herokuApiKey … --stack ${cli.stack}), ` +
        "or export HEROKU_API_KEY (scopes read,read-protected,write)",
    );
  }
  return new HerokuPlatformApi(
    new HerokuClient({
      token,
      ...(record.apiUrl ? { baseUrl: record.apiUrl } : {}),
      logger: { debug: () => undefined, warn: (m) => process.stderr.write(`${m}\n`) },
    }),
  );
}

async function confirm(question: string): Promise<boolean> {
  process.stderr.write(question);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once("line", (l) => resolve(l));
    rl.once("close", () => resolve(""));
  });
  rl.close();
  return answer.trim().toLowerCase() === "yes";
}

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (e) {
    const m = (e as Error).message;
    process.stderr.write((m ? `error: ${m}\n` : "") + USAGE + "\n");
    return 2;
  }
  if (cli.command === "journal") return journalFromState(cli);
  const found = findRecords(cli);
  for (const n of found.notes) process.stderr.write(`note: ${n}\n`);
  if (found.records.length === 0) {
    process.stderr.write(
      `No freeze record for stack ${cli.stack}: none in ${found.journal}` +
        (cli.state && !cli.from ? " nor in the stack's state" : "") +
        ". A freeze is recorded by `pulumi up` with cutover.freeze: true.\n",
    );
    return 3;
  }
  try {
    if (cli.command === "status") {
      const record = found.records[found.records.length - 1];
      const now = await readNow(herokuApi(cli, record), record);
      if (cli.json) process.stdout.write(JSON.stringify({ record, now }, null, 2) + "\n");
      else process.stdout.write(formatStatus(record, now, found.source.get(record.freezeId) ?? "?") + "\n");
      const older = found.records.length - 1;
      if (older > 0 && !cli.json) process.stdout.write(`\n(${older} earlier freeze record(s) not shown)\n`);
      return 0;
    }
    const record = activeRecord(found.records);
    if (!record) {
      const last = found.records[found.records.length - 1];
      process.stdout.write(
        `Nothing to roll back for stack ${cli.stack}: its newest freeze (${last.freezeId}) was rolled back at ${last.rolledBackAt}.\n`,
      );
      return 0;
    }
    const api = herokuApi(cli, record);
    const plans = await planRollback(api, record);
    process.stdout.write(
      `Rollback of freeze ${record.freezeId} of stack ${cli.stack} (from ${found.source.get(record.freezeId)}):\n` +
        `${describeRollbackPlan(plans)}\n`,
    );
    const changes = plans.some((p) => p.formation.length > 0 || p.maintenance !== null);
    if (changes && !cli.yes) {
      const ok = await confirm("Restore these Heroku apps as recorded? Type yes to continue: ");
      if (!ok) {
        process.stderr.write("Not confirmed: nothing was changed. (Pass --yes to skip the question.)\n");
        return 4;
      }
    }
    const outcome = await applyRollback(api, record, plans, (r) => saveRecord(found.journal, r));
    for (const l of outcome.lines) process.stdout.write(`${l}\n`);
    process.stdout.write(
      outcome.complete
        ? `Rolled back: every app the freeze changed is as recorded (record kept in ${found.journal}). To freeze ` +
            "again later, run `pulumi up --replace` on the stack's HerokuFreeze resource (its URN: `pulumi stack --show-urns`).\n"
        : `Rollback INCOMPLETE: see the apps above; fix them and run the rollback again (record in ${found.journal}).\n`,
    );
    return outcome.complete ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      // main reports its own errors; reaching here is a bug, so say where and fail.
      console.error(`cutover: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
