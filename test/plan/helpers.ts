import { AppSnapshot } from "../../components/heroku/snapshot";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import { defaultDisposition } from "../../components/plan/addon-catalog";
import { planMigration } from "../../components/plan/plan";
import { MigrationPlan, SecretEntry } from "../../components/plan/types";
import { PlanSettings } from "../../components/plan/settings";

/** The template's plaintext with each generated credential shown as `cred(<name>)`. */
export function renderTemplate(t: SecretTemplate): string {
  return t.render(Object.fromEntries(t.credentials.map((n) => [n, `cred(${n})`])), "test value");
}

/** A secret entry with its value revealed, for deepStrictEqual (SecretStrings compare equal otherwise). */
export function revealEntries(entries: SecretEntry[]): [string, string, string | null, boolean][] {
  return entries.map((e) => [
    e.key,
    e.origin.kind === "user" ? "user" : `${e.origin.addon}/${e.origin.attachment}/${e.origin.disposition}`,
    e.value.isRedacted ? null : renderTemplate(e.value),
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
    if (raw instanceof SecretTemplate)
      return `template:${raw.isRedacted ? "[redacted]" : renderTemplate(raw)}`;
    return raw instanceof SecretString ? `secret:${reveal(raw)}` : value;
  });
}

export function warningCodes(plan: MigrationPlan): string[] {
  return plan.warnings.map((w) => `${w.app ?? "-"} ${w.code} ${w.subject}`);
}

/**
 * `planMigration` for a stack that acknowledges every in-cluster add-on it does not otherwise
 * configure as starting empty (`addons.<name>.startEmpty: true`), as a stack that copies none of
 * their data must say. For tests of everything but the data of in-cluster add-ons (test/plan/
 * addon-data.test.ts covers the refusal itself).
 */
export function planWithEmptyStarts(snapshots: AppSnapshot[], settings: PlanSettings): MigrationPlan {
  return planMigration(snapshots, withEmptyStarts(snapshots, settings));
}

/** `settings` with `startEmpty: true` added for each in-cluster add-on that has neither it nor `copy`. */
export function withEmptyStarts(snapshots: AppSnapshot[], settings: PlanSettings): PlanSettings {
  const addons = { ...settings.addons };
  const seen = snapshots.flatMap((s) => [
    ...s.addons.map((a) => ({ name: a.name, service: a.service })),
    ...s.attachments.map((a) => ({ name: a.addon.name, service: a.addon.service })),
  ]);
  for (const { name, service } of seen) {
    const o = addons[name];
    const disposition = o?.disposition ?? defaultDisposition(service);
    if (disposition === "in-cluster" && o?.copy === undefined && o?.startEmpty === undefined) {
      addons[name] = { ...o, startEmpty: true };
    }
  }
  return { ...settings, addons };
}
