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
import { PlanSettings } from "./settings";
import { workloadTypes } from "./workloads";

/** The Kubernetes names of one app's objects. Each getter throws for an object the plan has not named. */
export interface AppNames {
  /** DNS-1123 base name of the app's objects (and its `app.kubernetes.io/name`). */
  readonly base: string;
  /** Selector component of a workload process type (unique within the app). */
  component(type: string): string;
  /** Deployment name of a workload process type. */
  workload(type: string): string;
  /** Base name of the release Job. */
  readonly releaseJob: string;
  /** CronJob name of declared scheduled job `job`. */
  cronJob(job: string): string;
}

/** Every Kubernetes object name of a plan, decided up front. */
export interface NamePlan {
  /** The names of app `app`'s objects; throws for an app not planned. */
  app(app: string): AppNames;
  /** Kubernetes name of each in-cluster add-on, by Heroku add-on name. */
  readonly addons: ReadonlyMap<string, string>;
}

function lookup(names: ReadonlyMap<string, string>, key: string, what: string): string {
  const n = names.get(key);
  if (n === undefined) throw new Error(`no Kubernetes name was planned for ${what}`);
  return n;
}

/**
 * Every object name, decided up front. Two pools, because names must be unique per kind: workloads
 * share theirs with the web Service and in-cluster add-ons have Services too; the release Job and
 * CronJobs both create Jobs.
 */
export function planNames(snapshots: AppSnapshot[], usages: AddonUsage[], settings: PlanSettings): NamePlan {
  const bases = new Map(snapshots.map((s) => [s.app.name, dnsLabel(s.app.name, MAX_APP_BASE)]));
  const components = new Map<string, Map<string, string>>();
  const objects: NameRequest[] = [];
  const jobs: NameRequest[] = [];
  for (const s of snapshots) {
    const app = s.app.name;
    const base = bases.get(app) as string;
    const byType = new Map<string, string>();
    for (const pt of workloadTypes(s, settings.replicas[app] ?? {})) {
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
  const jobNames = assignUniqueNames(jobs);
  const addons = new Map<string, string>();
  for (const u of usages) {
    const n = objectNames.get(nameKey("addon", u.addon.name));
    if (n) addons.set(u.addon.name, n);
  }
  const apps = new Map<string, AppNames>();
  for (const [app, base] of bases) {
    const byType = components.get(app) as Map<string, string>;
    apps.set(app, {
      base,
      component: (type) => lookup(byType, type, `process type ${type} of app ${app}`),
      workload: (type) =>
        lookup(objectNames, nameKey("workload", app, type), `the Deployment of ${type} of app ${app}`),
      releaseJob: lookup(jobNames, nameKey("release", app), `the release Job of app ${app}`),
      cronJob: (job) => lookup(jobNames, nameKey("cron", app, job), `scheduled job ${job} of app ${app}`),
    });
  }
  return {
    app: (app) => {
      const names = apps.get(app);
      if (!names) throw new Error(`no Kubernetes names were planned for app ${app}`);
      return names;
    },
    addons,
  };
}
