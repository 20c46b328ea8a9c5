import { SecretString } from "../../components/heroku/secret-string";
import { MigrationPlan, SecretEntry } from "../../components/plan/types";

/** A secret entry with its value revealed, for deepStrictEqual (SecretStrings compare equal otherwise). */
export function revealEntries(entries: SecretEntry[]): [string, string, string | null, boolean][] {
  return entries.map((e) => [
    e.key,
    e.origin.kind === "user" ? "user" : `${e.origin.addon}/${e.origin.attachment}/${e.origin.disposition}`,
    e.value.isRedacted ? null : e.value.reveal(),
    e.rewritten,
  ]);
}

export function reveal(s: SecretString | null): string | null {
  return s === null ? null : s.isRedacted ? "[redacted]" : s.reveal();
}

/** The plan as JSON with every secret revealed: equal for equal plans, different otherwise. */
export function fingerprint(plan: MigrationPlan): string {
  // toJSON runs before a replacer sees the value, so look at the holder's raw property instead.
  return JSON.stringify(plan, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof SecretString ? `secret:${reveal(raw)}` : value;
  });
}

export function warningCodes(plan: MigrationPlan): string[] {
  return plan.warnings.map((w) => `${w.app ?? "-"} ${w.code} ${w.subject}`);
}
