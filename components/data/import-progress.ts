/**
 * Progress of a running import, as lines a person reads during `pulumi up`.
 *
 * Dynamic providers cannot reach the engine's structured log (`pulumi.log` in the provider
 * process has no engine connection: pulumi/pulumi#18249), but since pulumi/pulumi#18253 the CLI
 * passes the provider process's unstructured output through: each stderr line shows up live in
 * `pulumi up` (on the stack's row, while the resource is "creating") and again under Diagnostics;
 * test/e2e/postgres-import.test.ts checks the lines in the engine's output.
 * When a progress file is given, lines are also appended to it (for `tail -f`, or when the CLI
 * output is not at hand, e.g. under the Automation API).
 *
 * No imports: this runs inside the provider's serialized methods.
 */
import type { ImportProgress } from "./engine/types";

export interface ProgressSink {
  onProgress(p: ImportProgress): void;
  log(line: string): void;
}

export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m`
    : m > 0
      ? `${m}m${String(r).padStart(2, "0")}s`
      : `${r}s`;
}

/** One line: phase, tables, bytes, rate, ETA and the tables in flight with their rows and bytes. */
export function formatProgress(p: ImportProgress): string {
  const parts = [
    `${p.phase}`,
    `tables ${p.tablesDone}/${p.tablesTotal}`,
    `rows ${p.rows}`,
    `${formatBytes(p.bytes)}/${formatBytes(p.estimatedBytes)}`,
    `${formatBytes(p.bytesPerSecond)}/s`,
  ];
  if (p.etaSeconds !== undefined) {
    parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  }
  const active = p.active.map((t) => `${t.table} ${t.rows} rows ${formatBytes(t.bytes)}`).join(", ");
  return parts.join(" | ") + (active ? ` | copying ${active}` : "") + (p.message ? ` | ${p.message}` : "");
}

/**
 * A sink writing `[label] …` lines to stderr and to `progressFile` (if set). Progress lines are
 * throttled to one per `intervalMs`, except when the phase or the number of finished tables changes.
 * `redact` is applied to every line (the engine already masks passwords; this is a second guard).
 */
export function progressSink(
  label: string,
  progressFile: string | undefined,
  redact: (s: string) => string,
  intervalMs = 2000,
): ProgressSink {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  let last = 0;
  let lastKey = "";
  const write = (line: string) => {
    const text = `[${label}] ${redact(line)}\n`;
    process.stderr.write(text);
    if (progressFile) {
      try {
        fs.appendFileSync(progressFile, `${new Date().toISOString()} ${text}`);
      } catch {
        // A progress file that cannot be written must not fail the import.
      }
    }
  };
  return {
    log: write,
    onProgress(p) {
      const key = `${p.phase}/${p.tablesDone}`;
      const now = Date.now();
      if (key !== lastKey || now - last >= intervalMs) {
        last = now;
        lastKey = key;
        write(formatProgress(p));
      }
    },
  };
}
