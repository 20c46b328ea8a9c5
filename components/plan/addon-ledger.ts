import { SCHEDULER_SERVICE } from "./addon-catalog";
import { AddonUsage } from "./addon-usage";
import { assertNever, DISPOSITION_BEHAVIOUR } from "./dispositions";
import { PlanSettings } from "./settings";
import { compareStrings, Findings } from "./warnings";

/** Ledger entries for each add-on and attachment of each app (Scheduler handled specially). */
export function recordAddons(
  usages: AddonUsage[],
  statefulNames: ReadonlyMap<string, string>,
  findings: Findings,
  settings: PlanSettings,
): void {
  for (const usage of usages) {
    const { addon, disposition } = usage;
    const isScheduler = addon.service === SCHEDULER_SERVICE;
    for (const use of usage.uses) {
      const detail = isScheduler
        ? "Heroku Scheduler (see the add-on)"
        : attachmentDetail(usage, use.attachment.name, statefulNames);
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
      const shared = users.length > 1 ? ` shared by ${users.join(", ")}` : "";
      const detail = `${addon.plan}: ${addonDetail(usage, statefulNames)}${DISPOSITION_BEHAVIOUR[disposition].moves ? shared : ""}`;
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

function attachmentDetail(
  usage: AddonUsage,
  attachment: string,
  statefulNames: ReadonlyMap<string, string>,
): string {
  const { addon, disposition } = usage;
  switch (disposition) {
    case "migrate":
      return `${attachment}_URL points at the migrated database of ${addon.name}`;
    case "in-cluster":
      return `${addon.name} runs in-cluster as ${statefulNames.get(addon.name)}`;
    case "keep":
      return `${addon.name} kept on Heroku: its config vars are carried as they are`;
    default:
      return assertNever(disposition, "disposition");
  }
}

function addonDetail(usage: AddonUsage, statefulNames: ReadonlyMap<string, string>): string {
  const { addon, disposition } = usage;
  switch (disposition) {
    case "migrate":
      return `${DISPOSITION_BEHAVIOUR.migrate.summary} (DatabasePlan ${addon.name})`;
    case "in-cluster":
      return `StatefulAddon ${statefulNames.get(addon.name)}`;
    case "keep":
      return DISPOSITION_BEHAVIOUR.keep.summary;
    default:
      return assertNever(disposition, "disposition");
  }
}

/**
 * Who else uses each add-on this stack moves. An app outside the stack that keeps using a moved
 * add-on goes on writing to Heroku's copy after the cutover, and migrating a Postgres owned by such
 * an app copies the whole database: each is warned about, naming the apps and attachments. A
 * migrated Postgres whose attachment list the API refused (`attachmentsFrom` not `addon`) is refused:
 * its other users cannot be named, and the data they write would silently stay behind.
 */
export function checkAddonReach(usages: AddonUsage[], findings: Findings): void {
  for (const usage of usages) {
    const { addon, disposition } = usage;
    const behaviour = DISPOSITION_BEHAVIOUR[disposition];
    if (!behaviour.moves) continue;
    const { verb, moved: kind } = behaviour;
    if (addon.attachmentsFrom !== "addon") {
      const why =
        addon.attachmentsFrom === "hidden"
          ? `the Heroku API refused to list its attachments to this token (by id and by name: an add-on ` +
            `owned by ${addon.billingApp.name || "an app"} of a team the token cannot see?)`
          : "its attachment list was not read (re-create the snapshot file with `npm run snapshot`, which reads it)";
      if (behaviour.needsEveryUser) {
        throw new Error(
          `addons.${addon.name}: cannot plan the migration of ${addon.name}: ${why}, so apps outside this ` +
            `stack that still use the database cannot be named, and what they write after the copy would be ` +
            `left behind. Read it with a token that can see its owning app` +
            (addon.billingApp.name ? ` ${addon.billingApp.name}` : "") +
            `, or keep it on Heroku with addons.${addon.name}.disposition: keep.`,
        );
      }
      findings.warn(
        "addon-attachments-hidden",
        null,
        addon.name,
        `${addon.name} ${verb}, but ${why}: apps outside this stack may still use it on Heroku and would ` +
          `write to the old copy after the cutover; check its attachments on Heroku (heroku addons:info ${addon.name}).`,
      );
    }
    if (usage.ownedOutside) {
      findings.warn(
        "addon-owned-outside-stack",
        null,
        addon.name,
        `${addon.name} belongs to app ${addon.billingApp.name}, which this stack does not migrate: the stack ` +
          `${verb} its whole ${kind}, and ${addon.billingApp.name} keeps using Heroku's copy after the cutover. ` +
          `Migrate ${addon.billingApp.name} in the same stack, or keep the add-on on Heroku (addons.${addon.name}.disposition: keep).`,
      );
    }
    const outside = usage.outsideUses.filter((u) => u.app !== addon.billingApp.name || !usage.ownedOutside);
    if (outside.length > 0) {
      const list = outside.map((u) => `${u.app} (${u.attachment})`).join(", ");
      findings.warn(
        "addon-used-outside-stack",
        null,
        addon.name,
        `${addon.name} is also attached to ${list}, outside this stack: after the cutover ${outside.length === 1 ? "it keeps" : "they keep"} ` +
          `using Heroku's copy of the ${kind} while this stack's apps use the new one. Migrate them in the same ` +
          `stack or repoint them at the cutover.`,
      );
    }
  }
}
