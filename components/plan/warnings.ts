import { LedgerEntry, LedgerKind, LedgerOutcome, PlanWarning } from "./types";
import { WarningCode } from "./warning-codes";

export { WARNING_CODES } from "./warning-codes";
export type { WarningCode } from "./warning-codes";

/**
 * Accumulates the warnings and ledger entries of one planning run. The planner threads one through
 * its pure functions instead of concatenating arrays at every level; it never does I/O.
 */
export class Findings {
  readonly warnings: PlanWarning[] = [];
  readonly ledger: LedgerEntry[] = [];

  warn(code: WarningCode, app: string | null, subject: string, message: string): void {
    this.warnings.push({ code, app, subject, message });
  }

  record(app: string, kind: LedgerKind, subject: string, outcome: LedgerOutcome, detail: string): void {
    this.ledger.push({ app, kind, subject, outcome, detail });
  }

  /** A warning and the `warned` ledger entry of the fact it is about. */
  warned(app: string, kind: LedgerKind, subject: string, code: WarningCode, message: string): void {
    this.warn(code, app, subject, message);
    this.record(app, kind, subject, "warned", message);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Warnings in a stable order (app, code, subject, message), duplicates removed. */
export function sortWarnings(warnings: PlanWarning[]): PlanWarning[] {
  const seen = new Set<string>();
  const unique = warnings.filter((w) => {
    const key = JSON.stringify([w.app, w.code, w.subject, w.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      compare(a.app ?? "", b.app ?? "") ||
      compare(a.code, b.code) ||
      compare(a.subject, b.subject) ||
      compare(a.message, b.message),
  );
}

const OUTCOME_RANK: Record<LedgerOutcome, number> = { "not-needed": 0, mapped: 1, warned: 2 };

/**
 * One entry per (app, kind, subject), sorted. When several modules recorded the same fact, the
 * strongest outcome wins (warned > mapped > not-needed) and the details are joined.
 */
export function mergeLedger(entries: LedgerEntry[]): LedgerEntry[] {
  const byFact = new Map<string, LedgerEntry>();
  for (const e of entries) {
    const key = JSON.stringify([e.app, e.kind, e.subject]);
    const prev = byFact.get(key);
    if (!prev) {
      byFact.set(key, { ...e });
      continue;
    }
    if (OUTCOME_RANK[e.outcome] > OUTCOME_RANK[prev.outcome]) prev.outcome = e.outcome;
    if (!prev.detail.split("; ").includes(e.detail)) prev.detail = `${prev.detail}; ${e.detail}`;
  }
  return [...byFact.values()].sort(
    (a, b) => compare(a.app, b.app) || compare(a.kind, b.kind) || compare(a.subject, b.subject),
  );
}

export { compare as compareStrings };
