import { AppSnapshot } from "../heroku/snapshot";
import { checkAddonReach, recordAddons } from "./addon-ledger";
import { AddonUsage, collectAddonUsage, Rewrites } from "./addon-usage";
import { planAppFacts } from "./app-facts";
import { classifyConfigVars, ConfigVarClassification } from "./config-vars";
import { planCronJobs } from "./cron-jobs";
import { planDatabases } from "./databases";
import { planIngress, planService } from "./ingress";
import { assertNever } from "./dispositions";
import { planMemoryChecks } from "./memory-flags";
import { dnsLabel } from "./names";
import { NamePlan, planNames } from "./object-names";
import { planReleaseJob } from "./release";
import { planSecretEntries } from "./secrets";
import { planStatefulAddons } from "./stateful-addons";
import { AppAddonPlan, AppPlan, MigrationPlan } from "./types";
import { Disposition, PlanSettings } from "./settings";
import { planWorkloads } from "./workloads";
import { compareStrings, Findings, mergeLedger, sortWarnings } from "./warnings";

/**
 * AppSnapshots + settings → MigrationPlan. Pure: no I/O, no Pulumi, same input → same output (every
 * list in a stable order). Secret values are only ever transformed with `SecretString.map`.
 *
 * Throws an Error naming the settings key or app at fault for input it cannot plan (an override of
 * an add-on no app has, a disposition the service cannot take, a negative replica count, …).
 */
export function planMigration(snapshots: AppSnapshot[], settings: PlanSettings): MigrationPlan {
  const sorted = [...snapshots].sort((a, b) => compareStrings(a.app.name, b.app.name));
  checkInputs(sorted, settings);
  const findings = new Findings();

  const classifications = new Map<string, ConfigVarClassification>(
    sorted.map((s) => [s.app.name, classifyConfigVars(s, findings)]),
  );
  const usages = collectAddonUsage(sorted, classifications, settings, findings);
  const names = planNames(sorted, usages, settings);

  checkAddonReach(usages, findings);
  const rewrites: Rewrites = new Map();
  const databases = planDatabases(usages, settings, rewrites, findings);
  const stateful = planStatefulAddons(
    usages,
    { namespace: settings.namespace, storageClass: settings.storageClass, names: names.addons },
    rewrites,
    findings,
  );
  const statefulAddons = stateful.statefulAddons;
  recordAddons(usages, names.addons, findings, settings);

  const apps = sorted.map((snapshot) =>
    planApp(snapshot, settings, names, usages, classifications.get(snapshot.app.name)!, rewrites, findings),
  );
  const warnings = sortWarnings(findings.warnings);
  for (const app of apps) app.warnings = warnings.filter((w) => w.app === app.app);
  return {
    stack: settings.stack,
    namespace: settings.namespace,
    apps,
    statefulAddons,
    databases: databases.databases,
    warnings,
    ledger: mergeLedger(findings.ledger),
    credentials: [...databases.credentials, ...stateful.credentials].sort((a, b) =>
      compareStrings(a.name, b.name),
    ),
  };
}

function checkInputs(snapshots: AppSnapshot[], settings: PlanSettings): void {
  const seen = new Set<string>();
  for (const s of snapshots) {
    if (seen.has(s.app.name)) throw new Error(`app ${s.app.name} appears twice in the snapshots`);
    seen.add(s.app.name);
  }
  for (const [section, byApp] of [
    ["schedules", settings.schedules],
    ["replicas", settings.replicas],
    ["singletons", settings.singletons],
  ] as const) {
    for (const app of Object.keys(byApp).sort(compareStrings)) {
      if (!seen.has(app)) {
        throw new Error(
          `${section}.${app}: no snapshot for app ${app} (apps: ${[...seen].join(", ") || "none"})`,
        );
      }
    }
  }
}

function planApp(
  snapshot: AppSnapshot,
  settings: PlanSettings,
  names: NamePlan,
  usages: AddonUsage[],
  classification: ConfigVarClassification,
  rewrites: Rewrites,
  findings: Findings,
): AppPlan {
  const app = snapshot.app.name;
  const appNames = names.app(app);
  const appBase = appNames.base;
  const partOf = snapshot.pipeline ? dnsLabel(snapshot.pipeline.pipelineName, 63) : appBase;

  const workloads = planWorkloads(
    snapshot,
    settings.replicas[app] ?? {},
    settings.singletons[app] ?? {},
    { appBase, partOf, workloadName: appNames.workload, component: appNames.component },
    findings,
  );
  const releaseJob = planReleaseJob(snapshot, { jobName: appNames.releaseJob, appBase, partOf }, findings);
  const service = planService(workloads.find((w) => w.processType === "web"));
  const ingress = planIngress(snapshot, service, settings.ingress, findings);
  const declared = settings.schedules[app] ?? [];
  const cronJobs = planCronJobs(
    snapshot,
    declared,
    { appBase, partOf, cronName: appNames.cronJob },
    findings,
  );
  const secretEntries = planSecretEntries(snapshot, classification, usages, rewrites.get(app), findings);
  planAppFacts(
    snapshot,
    { ingress: settings.ingress, hasIngress: ingress !== null, clusterRegion: settings.clusterRegion },
    findings,
  );
  planMemoryChecks(snapshot, { workloads, releaseJob, cronJobs }, findings);

  const addons: AppAddonPlan[] = [];
  for (const usage of usages) {
    for (const use of usage.uses.filter((u) => u.app === app)) {
      const target = attachmentTarget(usage.disposition, usage.addon.name, names);
      addons.push({
        addon: usage.addon.name,
        attachment: use.attachment.name,
        namespace: use.attachment.namespace,
        service: usage.addon.service,
        plan: usage.addon.plan,
        disposition: usage.disposition,
        configVars: use.vars,
        target,
      });
    }
  }
  addons.sort((a, b) => compareStrings(a.addon, b.addon) || compareStrings(a.attachment, b.attachment));

  return {
    app,
    baseName: appBase,
    secretEntries,
    workloads,
    releaseJob,
    service,
    ingress,
    cronJobs,
    addons,
    warnings: [],
  };
}

/** What an attachment of an add-on with `disposition` points at afterwards (AppAddonPlan.target). */
function attachmentTarget(disposition: Disposition, addon: string, names: NamePlan): string | null {
  switch (disposition) {
    case "migrate":
      return addon;
    case "in-cluster":
      return names.addons.get(addon) ?? null;
    case "keep":
      return null;
    default:
      return assertNever(disposition, "disposition");
  }
}
