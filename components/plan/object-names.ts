import { AppSnapshot } from "../heroku/snapshot";
import { AddonUsage } from "./addon-usage";
import {
  assignUniqueNames,
  dnsLabel,
  MAX_APP_BASE,
  MAX_COMPONENT,
  MAX_OBJECT_NAME,
  nameKey,
  NameRequest,
} from "./names";
import { PlanSettings } from "./types";
import { processTypes, RELEASE_TYPE } from "./workloads";

/** Every Kubernetes object name of a plan, by identity key (see names.ts). */
export interface NamePlan {
  appBase: Map<string, string>;
  components: Map<string, Map<string, string>>;
  objects: Map<string, string>;
  jobs: Map<string, string>;
  addons: Map<string, string>;
}

/**
 * Every object name, decided up front. Two pools, because names must be unique per kind: workloads
 * share theirs with the web Service and in-cluster add-ons have Services too; the release Job and
 * CronJobs both create Jobs.
 */
export function planNames(snapshots: AppSnapshot[], usages: AddonUsage[], settings: PlanSettings): NamePlan {
  const appBase = new Map(snapshots.map((s) => [s.app.name, dnsLabel(s.app.name, MAX_APP_BASE)]));
  const components = new Map<string, Map<string, string>>();
  const objects: NameRequest[] = [];
  const jobs: NameRequest[] = [];
  for (const s of snapshots) {
    const app = s.app.name;
    const base = appBase.get(app) as string;
    const byType = new Map<string, string>();
    for (const pt of processTypes(s)) {
      if (pt.type === RELEASE_TYPE) continue;
      const component = dnsLabel(pt.type, MAX_COMPONENT);
      byType.set(pt.type, component);
      objects.push({
        key: nameKey("workload", app, pt.type),
        preferred: `${base}-${component}`,
        maxLength: MAX_OBJECT_NAME,
      });
    }
    components.set(app, byType);
    jobs.push({ key: nameKey("release", app), preferred: `${base}-release`, maxLength: MAX_OBJECT_NAME });
    for (const job of settings.schedules[app] ?? []) {
      jobs.push({
        key: nameKey("cron", app, job.name),
        preferred: `${base}-${dnsLabel(job.name, MAX_COMPONENT)}`,
        maxLength: MAX_OBJECT_NAME,
      });
    }
  }
  for (const u of usages) {
    if (u.disposition !== "in-cluster") continue;
    objects.push({
      key: nameKey("addon", u.addon.name),
      preferred: dnsLabel(u.addon.name, MAX_OBJECT_NAME),
      maxLength: MAX_OBJECT_NAME,
    });
  }
  const objectNames = assignUniqueNames(objects);
  const addons = new Map<string, string>();
  for (const u of usages) {
    const n = objectNames.get(nameKey("addon", u.addon.name));
    if (n) addons.set(u.addon.name, n);
  }
  return { appBase, components, objects: objectNames, jobs: assignUniqueNames(jobs), addons };
}
