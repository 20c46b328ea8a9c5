import { SecretString } from "../heroku/secret-string";
import { AppSnapshot } from "../heroku/snapshot";
import { AddonUsage } from "./addon-usage";
import { DISPOSITION_BEHAVIOUR } from "./dispositions";
import { ConfigVarClassification } from "./config-vars";
import { secretSatisfies } from "./secret-values";
import { SecretTemplate } from "../heroku/secret-template";
import { SecretEntry } from "./types";
import { parseConnectionUrl } from "./urls";
import { compareStrings, Findings } from "./warnings";

/** Runtime vars a user may have set on Heroku that reached the dyno unchanged (see RUNTIME_VARS). */
const USER_SETTABLE_RUNTIME_VARS: readonly string[] = ["HOME", "PATH"];

/** Keys the API server accepts in a Secret's data (`IsConfigMapKey`): anything else fails the apply. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Env var names `envFrom` passes on clusters before 1.30; other keys are skipped there with an event. */
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The app's Secret: every config var except Heroku's runtime ones and keys Kubernetes refuses,
 * sorted by key, with add-on URLs replaced by their rewrites. Records each config var in the ledger
 * (by key, never by value).
 */
export function planSecretEntries(
  snapshot: AppSnapshot,
  classification: ConfigVarClassification,
  usages: AddonUsage[],
  rewrites: Map<string, SecretTemplate> | undefined,
  findings: Findings,
): SecretEntry[] {
  const app = snapshot.app.name;
  const entries: SecretEntry[] = [];
  for (const key of [...classification.sources.keys()].sort(compareStrings)) {
    const source = classification.sources.get(key)!;
    const value = snapshot.configVars[key];
    if (source.kind === "runtime" && USER_SETTABLE_RUNTIME_VARS.includes(key)) {
      // Only PORT and DYNO are the dyno manager's: Heroku passed a PATH or HOME config var to the
      // dyno (old Ruby buildpacks even set PATH), so dropping it is a behaviour change to announce.
      findings.warned(
        app,
        "config-var",
        key,
        "runtime-var-not-copied",
        `config var ${key} is not copied: on Heroku the dyno got it (the dyno manager itself sets only ` +
          `PORT and DYNO), but its value points into Heroku's filesystem layout and would replace the ` +
          `image's own ${key} (slug images set HOME=/app; .profile.d scripts extend PATH as on Heroku). ` +
          `If the app needs it, set it in the image (ENV) or in a .profile.d script.`,
      );
      continue;
    }
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
    if (!SECRET_KEY.test(key) || key === "." || key === "..") {
      // Heroku accepts such keys; one in the Secret would make the API server refuse the whole Secret.
      findings.warned(
        app,
        "config-var",
        key,
        "config-var-bad-key",
        `config var key ${JSON.stringify(key)} is not a valid Kubernetes Secret key (letters, digits, ` +
          "'-', '_', '.'): it is left out of the Secret; rename it on Heroku or set it another way.",
      );
      continue;
    }
    if (!C_IDENTIFIER.test(key)) {
      findings.warned(
        app,
        "config-var",
        key,
        "config-var-not-env-name",
        `config var key ${key} is not a C identifier: Kubernetes before 1.30 skips it when loading the ` +
          "Secret as env (an InvalidVariableNames event); rename it or check the cluster's version.",
      );
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
      entries.push({ key, origin: { kind: "user" }, value: SecretTemplate.of(value), rewritten: false });
      const copy = movedAddonUrlCopied(value, usages);
      if (copy) {
        findings.warned(
          app,
          "config-var",
          key,
          "user-var-copies-addon-url",
          `${key} is a user var holding the same URL as ${copy.key} of ${copy.addon} (${copy.disposition}), ` +
            `which is rewritten; ${key} is carried unchanged and still points at Heroku: point it at the ` +
            `new location or remove it.`,
        );
      } else {
        findings.record(app, "config-var", key, "mapped", "app Secret (user var)");
      }
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
      value: rewritten ?? SecretTemplate.of(value),
      rewritten: rewritten !== undefined,
    });
    const to = DISPOSITION_BEHAVIOUR[disposition].rewrittenTo;
    if (rewritten !== undefined && to !== null) {
      findings.record(
        app,
        "config-var",
        key,
        "mapped",
        `app Secret, rewritten to ${to} (${attachment.addon.name})`,
      );
    } else if (
      DISPOSITION_BEHAVIOUR[disposition].moves &&
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

/**
 * The add-on var a user var is a verbatim copy of, when that add-on moves (`migrate`, `in-cluster`):
 * apps copy `DATABASE_URL` into their own vars (`READ_URL`, another app's `MAIN_DB_URL`), and such a
 * copy would keep pointing at Heroku's add-on after the move. Compares secrets without revealing them.
 */
function movedAddonUrlCopied(
  value: SecretString,
  usages: AddonUsage[],
): { addon: string; key: string; disposition: string } | null {
  if (secretSatisfies(value, (v) => parseConnectionUrl(v) !== null) !== true) return null;
  for (const usage of usages) {
    if (!DISPOSITION_BEHAVIOUR[usage.disposition].moves) continue;
    for (const use of usage.uses) {
      for (const key of use.vars) {
        const original = use.snapshot.configVars[key];
        if (original !== undefined && !original.isRedacted && original.equals(value)) {
          return { addon: usage.addon.name, key, disposition: usage.disposition };
        }
      }
    }
  }
  return null;
}
