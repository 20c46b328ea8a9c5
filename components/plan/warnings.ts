import { LedgerEntry, LedgerOutcome, PlanWarning } from "./types";

/**
 * Every warning code the planner emits, with what it means. Codes are stable: the report and users'
 * tooling may filter on them.
 */
export const WARNING_CODES = {
  "unknown-dyno-size": "a formation size the planner does not know; default resources used",
  "non-web-binds-port": "a non-web process command references $PORT, which only web gets",
  "scheduler-no-jobs": "Heroku Scheduler add-on with no jobs declared in settings.schedules",
  "addon-image-placeholder": "an in-cluster add-on still uses the placeholder image digest",
  "rediss-url": "a rediss:// URL rewritten to plain redis:// in-cluster",
  "redis-no-password": "a Redis URL without a password: the in-cluster Redis has no auth",
  "storage-below-floor": "an add-on storage override below the 1Gi floor was raised",
  "redacted-value": "a config var value is redacted in the snapshot file",
  "postgres-credential-collapsed": "a Postgres credential attachment now uses the owner role",
  "postgres-source-credential": "no default-credential attachment: the import reads with another role",
  "attachment-var-missing": "an attachment's URL config var is absent from the app's config",
  "addon-var-unchanged": "an add-on var of a moved add-on carried unchanged (still points at Heroku)",
  "addon-password-mismatch": "a shared add-on's URLs disagree on the password across apps",
  "addon-not-provisioned": "an add-on is not in state `provisioned`",
  "addon-not-in-snapshot": "an attachment names an add-on missing from the snapshot's add-ons",
  "unknown-config-var-owner": "config-vars-settings names an attachment the app does not have",
  "log-drain": "a log drain is not carried over",
  "sni-certificate-key": "an uploaded SNI certificate: its private key is not readable from Heroku",
  "tls-no-issuer": "custom domains with no cert-manager issuer: TLS Secrets must be supplied",
  "wildcard-domain": "a wildcard domain: cert-manager needs a DNS-01 solver for it",
  "web-not-exposed": "a web process with no custom domain: no Ingress, reachable only in-cluster",
  "domain-without-web": "custom domains on an app with no web process type",
  "feature-no-equivalent": "an enabled app feature with no Kubernetes equivalent",
  "private-space": "the app runs in a Private Space (network isolation, static IPs)",
  "internal-routing": "the app uses Private Space internal routing",
  "maintenance-mode": "the app is in maintenance mode on Heroku",
  "no-release": "the app has no succeeded release",
  "fir-generation": "a Fir-generation app (CNB image, telemetry drains)",
  "user-var-copies-addon-url": "a user var copies the URL of a moved add-on: it still points at Heroku",
  "config-var-bad-key": "a config var key Kubernetes refuses as a Secret key: left out of the Secret",
  "config-var-not-env-name": "a config var key that is not a C identifier: older clusters skip it in envFrom",
  "runtime-var-not-copied": "a PATH or HOME config var the user set on Heroku: the image's own is used",
  "dyno-name-check": "a command or config var mentions DYNO, which is the pod name in-cluster, not web.1",
} as const;

export type WarningCode = keyof typeof WARNING_CODES;

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

  record(app: string, kind: string, subject: string, outcome: LedgerOutcome, detail: string): void {
    this.ledger.push({ app, kind, subject, outcome, detail });
  }

  /** A warning and the `warned` ledger entry of the fact it is about. */
  warned(app: string, kind: string, subject: string, code: WarningCode, message: string): void {
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
