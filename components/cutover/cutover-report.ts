/**
 * The migration report's cutover section (pure): per migrated database the apps a freeze stops,
 * the expected freeze window, and the cutover steps in order.
 *
 * The window is the freeze (dynos get 30 s to stop after SIGTERM, so their sessions end within
 * that; a few API calls per app) plus the import (database size ÷ throughput, verification
 * included) plus the final reading of the write counters. The throughput is the newest
 * `npm run import` rehearsal of that source (database size ÷ wall time), else the benchmark's
 * figure of record, which is optimistic for a source across the internet.
 */
import { formatBytes, formatDuration } from "../data/import-progress";
import type { DatabasePlan } from "../plan/types";
import type { RehearsalRecord } from "./rehearsals";

/** docs/benchmarks.md, figure of record: 940 MiB in 15.31 s with 2 jobs (copy and verification). */
export const BENCHMARK_BYTES_PER_SECOND = 61.4 * 1024 * 1024;
/** Heroku stops a dyno with SIGTERM, then SIGKILL 30 s later: its database sessions end by then. */
export const DYNO_STOP_SECONDS = 30;
/** Platform API calls per app (reads, maintenance, formation), at about a second each at worst. */
const API_SECONDS_PER_APP = 6;
/** The final check of the source's write counters: the engine's 1.5 s settle, then the reading. */
const SETTLE_SECONDS = 2;

export interface DatabaseFacts {
  plan: DatabasePlan;
  /** Size of the source database and where the figure comes from, or null when unknown. */
  size: { bytes: number; from: string } | null;
  /** Newest rehearsal of this source, or null. */
  rehearsal: RehearsalRecord | null;
}

export interface CutoverFacts {
  stack: string;
  freeze: boolean;
  drainTimeoutSeconds: number;
  databases: DatabaseFacts[];
  /** Custom domains the apps serve (their DNS moves at the switch). */
  hosts: string[];
}

export interface WindowEstimate {
  addon: string;
  apps: string[];
  sizeBytes: number | null;
  sizeFrom: string;
  bytesPerSecond: number;
  rateFrom: string;
  /** Copy and verification, seconds; null when the size is unknown. */
  importSeconds: number | null;
  /** Freeze + import + final check, seconds; null when the size is unknown. */
  expectedSeconds: number | null;
  /** The same with the whole wait for lingering sessions (cutover.drainTimeoutSeconds). */
  boundSeconds: number | null;
}

export function estimateWindow(d: DatabaseFacts, drainTimeoutSeconds: number): WindowEstimate {
  const r = d.rehearsal;
  const rate = r ? r.databaseBytes / (r.durationMs / 1000) : BENCHMARK_BYTES_PER_SECOND;
  const rateFrom = r
    ? `\`npm run import\` rehearsal of ${r.at} (${formatBytes(r.databaseBytes)} in ${formatDuration(r.durationMs / 1000)}, ${r.jobs} job(s)${r.outcome === "not-final" ? ", source written to meanwhile" : ""})`
    : "the benchmark's figure of record (docs/benchmarks.md; both servers on one machine: a Heroku source across the internet is slower, so rehearse)";
  const size = d.size ?? (r ? { bytes: r.databaseBytes, from: `the rehearsal of ${r.at}` } : null);
  const apps = d.plan.attachedApps;
  const freezeSeconds = apps.length * API_SECONDS_PER_APP;
  const importSeconds = size ? size.bytes / rate : null;
  return {
    addon: d.plan.addon,
    apps,
    sizeBytes: size?.bytes ?? null,
    sizeFrom: size?.from ?? "unknown",
    bytesPerSecond: rate,
    rateFrom,
    importSeconds,
    expectedSeconds:
      importSeconds === null ? null : freezeSeconds + DYNO_STOP_SECONDS + importSeconds + SETTLE_SECONDS,
    boundSeconds:
      importSeconds === null
        ? null
        : freezeSeconds + Math.max(DYNO_STOP_SECONDS, drainTimeoutSeconds) + importSeconds + SETTLE_SECONDS,
  };
}

const rate = (b: number) => `${formatBytes(b)}/s`;

/** The `## Cutover` section of the migration report. */
export function renderCutoverSection(f: CutoverFacts): string {
  const lines: string[] = ["## Cutover", ""];
  if (f.databases.length === 0) {
    lines.push("No database to migrate: no freeze window.", "");
    return lines.join("\n");
  }
  lines.push(
    f.freeze
      ? `The freeze is on (\`cutover.freeze\`): the next \`pulumi up\` that imports first turns maintenance mode on and ` +
          `scales every process type to 0 on each app below, records what they were (\`npm run cutover -- status ` +
          `--stack ${f.stack}\`), and waits up to ${f.drainTimeoutSeconds} s for their other database sessions to end. ` +
          "Any write to the source during the import then fails it, naming the tables."
      : "The freeze is off (`cutover.freeze: false`): an import now is a rehearsal while the apps keep writing, and it " +
          'ends "not final" if they write during it. Turn it on for the final import.',
    "",
  );
  lines.push("### Expected freeze window", "");
  lines.push("| Database | Apps frozen | Size | Throughput | Copy and verification | Expected window |");
  lines.push("|---|---|---|---|---|---|");
  const estimates = f.databases.map((d) => estimateWindow(d, f.drainTimeoutSeconds));
  for (const e of estimates) {
    lines.push(
      `| ${e.addon} | ${e.apps.join(", ")} | ${e.sizeBytes === null ? "unknown" : `${formatBytes(e.sizeBytes)} (${e.sizeFrom})`} | ` +
        `${rate(e.bytesPerSecond)} (${e.rateFrom}) | ${e.importSeconds === null ? "unknown" : formatDuration(e.importSeconds)} | ` +
        (e.expectedSeconds === null
          ? "unknown: the size is not known (rehearse with `npm run import`)"
          : `≈ ${formatDuration(e.expectedSeconds)}, at most ≈ ${formatDuration(e.boundSeconds!)} if sessions linger`) +
        " |",
    );
  }
  lines.push(
    "",
    `Window = freeze (about ${API_SECONDS_PER_APP} s of API calls per app, then up to ${DYNO_STOP_SECONDS} s for the dynos ` +
      "to stop and their sessions to end) + copy and verification (size ÷ throughput) + the final check of the " +
      `source's write counters (${SETTLE_SECONDS} s). The DNS switch and the watch after it come on top, while the apps are ` +
      "already served from the cluster.",
    "",
  );
  const hosts = f.hosts.length
    ? f.hosts.map((h) => `\`${h}\``).join(", ")
    : "the apps' custom domains (none found)";
  const apps = [...new Set(estimates.flatMap((e) => e.apps))].sort().join(", ");
  lines.push("### Cutover steps, in order", "");
  lines.push(
    `1. **Lower the DNS TTL** of ${hosts} to 60 s, at least one old TTL before the cutover, so the switch takes effect fast.`,
    `2. **Rehearse**: \`npm run import -- --source <Heroku URL> --target <a scratch database>\` measures the throughput ` +
      "this estimate uses (it is recorded); check the window fits.",
    `3. **Freeze**: with \`cutover.freeze: true\`, \`pulumi up\` puts ${apps} in maintenance mode and scales every ` +
      "process type to 0 (Heroku Scheduler jobs and one-off dynos are not stopped by this: pause them), recording " +
      "their state, then waits for their database sessions to end.",
    "4. **Import**: the same `pulumi up` copies each database, reading its URL from Heroku at copy time.",
    "5. **Verify**: the import compares every table (row count and checksum), sequence and schema object, and " +
      "proves the source was quiet from its snapshot to the end of verification; it fails naming the tables otherwise.",
    `6. **Switch DNS** of ${hosts} to the cluster's ingress; the apps now run there against the imported database.`,
    `7. **Watch** the cluster's apps (errors, logs, the database) for a while; \`npm run cutover -- status --stack ${f.stack}\` ` +
      "shows the Heroku apps, still frozen.",
    `8. **Rollback path**: until writes reach the new database, \`npm run cutover -- rollback --stack ${f.stack}\` ` +
      "restores each Heroku app's maintenance flag and formation as recorded, and DNS goes back; after that, " +
      "rolling back loses the writes made in the cluster (there is no copy back to Heroku).",
    "",
  );
  return lines.join("\n");
}
