import { AppSnapshot, AttachmentSnapshot } from "../heroku/snapshot";
import { compareStrings, Findings } from "./warnings";

/**
 * Config vars set by Heroku's dyno manager or the shell, not by the user: never copied into the
 * Secret, because the pod sets its own (`PORT`, `DYNO` from the plan) or the image does (`PATH`,
 * `HOME`; copying Heroku's `PATH` breaks the image's own).
 */
export const RUNTIME_VARS: readonly string[] = [
  "DYNO",
  "DYNO_RAM",
  "HEROKU_DYNO_ID",
  "HOME",
  "HOSTNAME",
  "PATH",
  "PORT",
  "PS1",
  "PWD",
  "SHLVL",
  "TERM",
  "_",
];

/** Where a config var comes from. */
export type VarSource =
  { kind: "runtime" } | { kind: "user" } | { kind: "addon"; attachment: AttachmentSnapshot };

export interface ConfigVarClassification {
  /** Every config key → its source. */
  sources: Map<string, VarSource>;
  /** Attachment id → the keys it owns, sorted. */
  byAttachment: Map<string, string[]>;
}

/**
 * Classifies every config var of `snapshot` by origin: Heroku runtime, an add-on attachment of this
 * app (from `configVarOwners`, else matched through each add-on's `configVarNames`), or the user.
 */
export function classifyConfigVars(snapshot: AppSnapshot, findings: Findings): ConfigVarClassification {
  const keys = Object.keys(snapshot.configVars).sort(compareStrings);
  const attachmentsById = new Map(snapshot.attachments.map((a) => [a.id, a]));
  const owners =
    snapshot.configVarOwners === null
      ? ownersByName(snapshot, keys)
      : ownersFromSettings(snapshot, keys, findings);
  const sources = new Map<string, VarSource>();
  const byAttachment = new Map<string, string[]>();
  for (const key of keys) {
    const attachmentId = owners.get(key);
    const attachment = attachmentId === undefined ? undefined : attachmentsById.get(attachmentId);
    if (attachment) {
      sources.set(key, { kind: "addon", attachment });
      byAttachment.set(attachment.id, [...(byAttachment.get(attachment.id) ?? []), key]);
    } else if (RUNTIME_VARS.includes(key)) {
      sources.set(key, { kind: "runtime" });
    } else {
      sources.set(key, { kind: "user" });
    }
  }
  return { sources, byAttachment };
}

function ownersFromSettings(snapshot: AppSnapshot, keys: string[], findings: Findings): Map<string, string> {
  const owners = new Map<string, string>();
  const known = new Set(snapshot.attachments.map((a) => a.id));
  for (const key of keys) {
    const owner = snapshot.configVarOwners?.[key];
    if (!owner) continue;
    if (known.has(owner.attachmentId)) {
      owners.set(key, owner.attachmentId);
    } else {
      findings.warn(
        "unknown-config-var-owner",
        snapshot.app.name,
        key,
        `config var ${key} is owned by attachment ${owner.attachmentName ?? owner.attachmentId}, which the app's ` +
          `attachment list does not have; it is carried as a user var.`,
      );
    }
  }
  return owners;
}

/**
 * Without config-vars-settings: an attachment named `A` owns `A_URL` and, for each name the add-on
 * sets on its owning app, that name re-prefixed from the owning attachment's name to `A` (Heroku
 * prefixes an add-on's vars with the attachment name).
 */
function ownersByName(snapshot: AppSnapshot, keys: string[]): Map<string, string> {
  const present = new Set(keys);
  const owners = new Map<string, string>();
  const attachments = [...snapshot.attachments].sort((a, b) => compareStrings(a.name, b.name));
  for (const attachment of attachments) {
    const addon = snapshot.addons.find((a) => a.id === attachment.addon.id);
    const candidates = new Set<string>([`${attachment.name}_URL`]);
    for (const varName of addon?.configVarNames ?? []) {
      const prefixes = [...(addon?.attachments ?? []), attachment]
        .map((b) => `${b.name}_`)
        .filter((p) => varName.startsWith(p));
      for (const p of prefixes) candidates.add(`${attachment.name}_${varName.slice(p.length)}`);
      if (prefixes.length === 0 && addon?.billingApp.id === snapshot.app.id) candidates.add(varName);
    }
    for (const c of candidates) if (present.has(c) && !owners.has(c)) owners.set(c, attachment.id);
  }
  return owners;
}

/** The config var holding an attachment's connection URL: `<ATTACHMENT>_URL`. */
export function urlVarOf(attachment: AttachmentSnapshot): string {
  return `${attachment.name}_URL`;
}
