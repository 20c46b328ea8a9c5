import { SecretString } from "../heroku/secret-string";
import { AppSnapshot } from "../heroku/snapshot";
import { AddonUsage } from "./addon-usage";
import { ConfigVarClassification } from "./config-vars";
import { secretSatisfies } from "./secret-values";
import { SecretEntry } from "./types";
import { parseConnectionUrl } from "./urls";
import { compareStrings, Findings } from "./warnings";

/**
 * The app's Secret: every config var except Heroku's runtime ones, sorted by key, with add-on URLs
 * replaced by their rewrites. Records each config var in the ledger (by key, never by value).
 */
export function planSecretEntries(
  snapshot: AppSnapshot,
  classification: ConfigVarClassification,
  usages: AddonUsage[],
  rewrites: Map<string, SecretString> | undefined,
  findings: Findings,
): SecretEntry[] {
  const app = snapshot.app.name;
  const entries: SecretEntry[] = [];
  for (const key of [...classification.sources.keys()].sort(compareStrings)) {
    const source = classification.sources.get(key)!;
    const value = snapshot.configVars[key];
    if (source.kind === "runtime") {
      findings.record(
        app,
        "config-var",
        key,
        "not-needed",
        "set by Heroku's dyno manager; pods set their own",
      );
      continue;
    }
    if (value.isRedacted) {
      findings.warned(
        app,
        "config-var",
        key,
        "redacted-value",
        `${key} is redacted in the snapshot file: re-create it with --include-secrets before deploying.`,
      );
    }
    if (source.kind === "user") {
      entries.push({ key, origin: { kind: "user" }, value, rewritten: false });
      findings.record(app, "config-var", key, "mapped", "app Secret (user var)");
      continue;
    }
    const attachment = source.attachment;
    const usage = usages.find((u) => u.addon.id === attachment.addon.id);
    const disposition = usage?.disposition ?? "keep";
    const rewritten = rewrites?.get(key);
    entries.push({
      key,
      origin: {
        kind: "addon",
        addon: attachment.addon.name,
        attachment: attachment.name,
        service: attachment.addon.service,
        disposition,
      },
      value: rewritten ?? value,
      rewritten: rewritten !== undefined,
    });
    if (rewritten !== undefined) {
      const to = disposition === "migrate" ? "the migrated database" : "the in-cluster service";
      findings.record(
        app,
        "config-var",
        key,
        "mapped",
        `app Secret, rewritten to ${to} (${attachment.addon.name})`,
      );
    } else if (
      disposition !== "keep" &&
      secretSatisfies(value, (v) => parseConnectionUrl(v) !== null) === true
    ) {
      findings.warned(
        app,
        "config-var",
        key,
        "addon-var-unchanged",
        `${key} of ${attachment.addon.name} (${disposition}) is carried unchanged and still points at Heroku.`,
      );
    } else {
      findings.record(
        app,
        "config-var",
        key,
        "mapped",
        `app Secret, unchanged (${attachment.addon.name}, ${disposition})`,
      );
    }
  }
  return entries;
}
