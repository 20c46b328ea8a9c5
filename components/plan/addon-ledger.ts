import { SCHEDULER_SERVICE } from "./addon-catalog";
import { AddonUsage } from "./addon-usage";
import { PlanSettings } from "./types";
import { compareStrings, Findings } from "./warnings";

/** Ledger entries for each add-on and attachment of each app (Scheduler handled specially). */
export function recordAddons(
  usages: AddonUsage[],
  statefulNames: [string, string][],
  findings: Findings,
  settings: PlanSettings,
): void {
  const stateful = new Map(statefulNames);
  for (const usage of usages) {
    const { addon, disposition } = usage;
    const isScheduler = addon.service === SCHEDULER_SERVICE;
    for (const use of usage.uses) {
      const detail = isScheduler
        ? "Heroku Scheduler (see the add-on)"
        : disposition === "migrate"
          ? `${use.attachment.name}_URL points at the migrated database of ${addon.name}`
          : disposition === "in-cluster"
            ? `${addon.name} runs in-cluster as ${stateful.get(addon.name)}`
            : `${addon.name} kept on Heroku: its config vars are carried as they are`;
      findings.record(use.app, "attachment", use.attachment.name, "mapped", detail);
    }
    const users = [...new Set(usage.uses.map((u) => u.app))].sort(compareStrings);
    const addonWarnings = findings.warnings.filter((w) => w.app === null && w.subject === addon.name);
    for (const app of usage.listedBy) {
      if (isScheduler) {
        const jobs = settings.schedules[app] ?? [];
        if (jobs.length === 0) {
          findings.warned(
            app,
            "addon",
            addon.name,
            "scheduler-no-jobs",
            `Heroku Scheduler jobs cannot be read from the API: declare them in schedules.${app} to get CronJobs.`,
          );
        } else {
          findings.record(
            app,
            "addon",
            addon.name,
            "mapped",
            `CronJobs: ${jobs.map((j) => j.name).join(", ")}`,
          );
        }
        continue;
      }
      const detail =
        disposition === "migrate"
          ? `${addon.plan}: migrated into the cluster's Postgres (DatabasePlan ${addon.name})`
          : disposition === "in-cluster"
            ? `${addon.plan}: StatefulAddon ${stateful.get(addon.name)}` +
              (users.length > 1 ? ` shared by ${users.join(", ")}` : "")
            : `${addon.plan}: kept on Heroku (config vars carried as they are)`;
      const warned = addonWarnings.length > 0;
      findings.record(
        app,
        "addon",
        addon.name,
        warned ? "warned" : "mapped",
        warned ? `${detail} (warnings: ${addonWarnings.map((w) => w.code).join(", ")})` : detail,
      );
      if (addon.state !== "provisioned") {
        findings.warned(
          app,
          "addon",
          addon.name,
          "addon-not-provisioned",
          `${addon.name} is ${addon.state} on Heroku: its config may be incomplete.`,
        );
      }
    }
  }
}
