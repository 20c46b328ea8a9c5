import { AddonUse, AddonUsage, Rewrites, setRewrite } from "./addon-usage";
import { urlVarOf } from "./config-vars";
import { sqlIdentifier } from "./names";
import { SecretTemplate } from "../heroku/secret-template";
import { CredentialPlan, DatabasePlan } from "./types";
import { PlanSettings } from "./settings";
import { requireConnectionUrl } from "./urls";
import { Findings } from "./warnings";

/**
 * Heroku Postgres add-ons with disposition `migrate` → one DatabasePlan each (however many apps and
 * attachments use it), and every attachment's `<ATTACHMENT>_URL` rewritten to the target database.
 *
 * The owner role gets a generated password ({@link CredentialPlan} `<addon>-owner`), never the source
 * credential's: Heroku's password, which many people and tools have seen, unlocks nothing on the
 * cluster. The rewritten URLs name that credential; the components fill it in.
 */
export function databaseCredential(addon: string): string {
  return `${addon}-owner`;
}

/** Heroku Postgres add-ons with disposition `migrate` → DatabasePlans and their owners' credentials. */
export function planDatabases(
  usages: AddonUsage[],
  settings: PlanSettings,
  rewrites: Rewrites,
  findings: Findings,
): { databases: DatabasePlan[]; credentials: CredentialPlan[] } {
  const databases: DatabasePlan[] = [];
  const credentials: CredentialPlan[] = [];
  for (const usage of usages) {
    if (usage.disposition !== "migrate") continue;
    const plan = planDatabase(usage, settings, rewrites, findings);
    if (!plan) continue;
    databases.push(plan);
    credentials.push({
      name: plan.ownerCredential,
      purpose: `owner role ${plan.ownerRole} of database ${plan.database} (migrated ${plan.addon})`,
      rotation: usage.override?.rotation ?? "",
    });
  }
  return { databases, credentials };
}

function hasUrl(use: AddonUse): boolean {
  return use.snapshot.configVars[urlVarOf(use.attachment)] !== undefined;
}

function planDatabase(
  usage: AddonUsage,
  settings: PlanSettings,
  rewrites: Rewrites,
  findings: Findings,
): DatabasePlan | null {
  const { addon } = usage;
  const withUrl: AddonUse[] = [];
  for (const use of usage.uses) {
    if (hasUrl(use)) {
      withUrl.push(use);
    } else {
      findings.warned(
        use.app,
        "attachment",
        use.attachment.name,
        "attachment-var-missing",
        `attachment ${use.attachment.name} of ${addon.name} has no ${urlVarOf(use.attachment)} config var; ` +
          `nothing points this app at the migrated database through it.`,
      );
    }
  }
  // The default credential (no namespace) reads everything; the billing app's `DATABASE` first.
  const ranked = [...withUrl].sort(
    (a, b) =>
      Number(a.attachment.namespace !== null) - Number(b.attachment.namespace !== null) ||
      Number(b.app === addon.billingApp.name) - Number(a.app === addon.billingApp.name) ||
      Number(b.attachment.name === "DATABASE") - Number(a.attachment.name === "DATABASE"),
  );
  const source = ranked[0];
  if (!source) {
    for (const use of usage.uses) {
      findings.warned(
        use.app,
        "addon",
        addon.name,
        "attachment-var-missing",
        `${addon.name} is to be migrated but no app has its URL config var, so there is no source to import from.`,
      );
    }
    return null;
  }
  const sourceKey = urlVarOf(source.attachment);
  const what = `config var ${sourceKey} of app ${source.app}`;
  if (source.attachment.namespace !== null) {
    findings.warned(
      source.app,
      "attachment",
      source.attachment.name,
      "postgres-source-credential",
      `${addon.name} has no default-credential attachment on the migrated apps; the import reads through ` +
        `${source.attachment.namespace}, which may not see every table.`,
    );
  }
  const sourceUrl = source.snapshot.configVars[sourceKey];
  const database = sqlIdentifier(addon.name);
  const ownerRole = sqlIdentifier(addon.name, "_owner");
  const { clusterHost, clusterPort, sslMode } = settings.postgres;
  // The import reads with the source credential: a URL without a password cannot be read.
  sourceUrl.map((v) => {
    if (requireConnectionUrl(v, what).password === null) throw new Error(`${what} has no password`);
    return v;
  });
  const ownerCredential = databaseCredential(addon.name);
  const query = sslMode === null ? "" : `?sslmode=${encodeURIComponent(sslMode)}`;
  const targetUrl = SecretTemplate.join(
    `postgres://${ownerRole}:`,
    SecretTemplate.credential(ownerCredential, { uriEncoded: true }),
    `@${clusterHost}:${clusterPort}/${database}${query}`,
  );

  const attachments: DatabasePlan["attachments"] = [];
  for (const use of withUrl) {
    const key = urlVarOf(use.attachment);
    setRewrite(rewrites, use.app, key, targetUrl);
    attachments.push({ app: use.app, attachment: use.attachment.name, configVar: key });
    if (use.attachment.namespace !== null) {
      findings.warned(
        use.app,
        "attachment",
        use.attachment.name,
        "postgres-credential-collapsed",
        `${key} (${use.attachment.namespace} of ${addon.name}) now uses the target's owner role ${ownerRole}: ` +
          `create a restricted role by hand if the app relied on the credential's limited rights.`,
      );
    }
  }
  attachments.sort((a, b) => (a.app === b.app ? cmp(a.attachment, b.attachment) : cmp(a.app, b.app)));

  const attachedApps = [
    ...new Set([...addon.attachments.map((a) => a.app.name), ...usage.uses.map((u) => u.app)]),
  ].sort(cmp);
  return {
    addon: addon.name,
    ownerApp: addon.billingApp.name,
    plan: addon.plan,
    database,
    ownerRole,
    ownerCredential,
    sourceUrl,
    sourceAttachment: { app: source.app, configVar: sourceKey },
    attachedApps,
    attachments,
    targetUrl,
    targetHost: clusterHost,
    targetPort: clusterPort,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
