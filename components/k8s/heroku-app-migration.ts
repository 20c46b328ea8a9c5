import * as pulumi from "@pulumi/pulumi";
import { createAppSecret } from "./app-secret";
import { createCronJob } from "./cron-job";
import { Microservice } from "./microservice";
import { createReleaseJob } from "./release-job";
import { StatefulAddon } from "./stateful-addon";
import { AppPlan } from "../plan/types";
import { Disposition } from "../plan/settings";

export interface HerokuAppMigrationArgs {
  /** The app's plan: Secret entries, workloads, release Job, Service/Ingress, CronJobs, add-ons. */
  plan: AppPlan;
  /** Namespace of every child. Changing it replaces them all. */
  namespace: string;
  /** The app's image by digest (`repo@sha256:…`), shared by all its process types. A new digest rolls them. */
  image: pulumi.Input<string>;
  /**
   * The in-cluster add-ons, by StatefulAddonPlan name, created once per plan (a shared add-on serves
   * several apps). The app's release Job, workloads and CronJobs wait for the ones its plan targets.
   * Default: none (an app whose plan targets one then fails as a wiring error).
   */
  statefulAddons?: Record<string, StatefulAddon>;
  /**
   * More resources the app waits for, e.g. the imports of the databases it uses: the release Job
   * (its migrations must not write into a target before the import copied it), every workload and
   * every CronJob. Default: none. Changing it changes dependencies only, no object.
   */
  waitFor?: pulumi.Input<pulumi.Resource>[];
  /**
   * Values of the generated credentials the app's config vars name (the rewritten URLs of migrated
   * databases and in-cluster add-ons), by credential name (`MigrationPlan.credentials`). Default none.
   * A rotated credential changes the app's Secret and rolls its workloads.
   */
  credentials?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Per add-on attachment: what became of it (for outputs and the report). */
export interface AddonOutcome {
  addon: string;
  attachment: string;
  disposition: Disposition;
  /** StatefulAddon name or migrated database add-on it now points at, or null (kept on Heroku). */
  target: string | null;
}

/**
 * One Heroku app on the cluster: its config vars as a Secret, one Microservice per process type
 * (web with its Service and Ingress), the release phase as a Job the workloads wait for, and its
 * Heroku Scheduler jobs as CronJobs. In-cluster add-ons are created once outside and referenced.
 */
export class HerokuAppMigration extends pulumi.ComponentResource {
  /** Heroku app name. */
  public readonly app: pulumi.Output<string>;
  /** The image every process type runs, by digest. */
  public readonly image: pulumi.Output<string>;
  /** Auto-generated name of the app's Secret (changes with its content). */
  public readonly secretName: pulumi.Output<string>;
  /** Per process type: Deployment name and replicas. */
  public readonly workloads: pulumi.Output<Record<string, { deployment: string; replicas: number }>>;
  /** The web Service's name, if any. */
  public readonly serviceName: pulumi.Output<string | undefined>;
  /** Custom domains routed by the Ingress. */
  public readonly hosts: pulumi.Output<string[]>;
  /** Name of the current release Job, if the app has a release phase. */
  public readonly releaseJobName: pulumi.Output<string | undefined>;
  /** Names of the CronJobs made from declared Heroku Scheduler jobs. */
  public readonly cronJobs: pulumi.Output<string[]>;
  /** Per add-on attachment: its disposition and what it points at now. */
  public readonly addons: pulumi.Output<AddonOutcome[]>;

  constructor(name: string, args: HerokuAppMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("heroku-to-hasura:app:HerokuAppMigration", name, {}, opts);
    const { plan, image } = args;
    const { secret, release, services, cronJobs } = createAppChildren(name, args, this);
    const secretName = secret.metadata.name;

    this.app = pulumi.output(plan.app);
    this.image = pulumi.output(image);
    this.secretName = secretName;
    this.workloads = pulumi
      .all(services.map((s) => pulumi.all([s.deploymentName, s.replicas])))
      .apply((pairs) =>
        Object.fromEntries(
          plan.workloads.map((w, i) => [w.processType, { deployment: pairs[i][0], replicas: pairs[i][1] }]),
        ),
      );
    const web = services.find((_, i) => plan.workloads[i].processType === "web");
    this.serviceName = web ? web.serviceName : pulumi.output(undefined);
    this.hosts = web ? web.hosts : pulumi.output([]);
    this.releaseJobName = release ? release.metadata.name : pulumi.output(undefined);
    this.cronJobs = pulumi.all(cronJobs.map((c) => c.metadata.name));
    this.addons = pulumi.output(
      plan.addons.map((a) => ({
        addon: a.addon,
        attachment: a.attachment,
        disposition: a.disposition,
        target: a.target,
      })),
    );
    this.registerOutputs({
      app: this.app,
      image: this.image,
      secretName: this.secretName,
      workloads: this.workloads,
      serviceName: this.serviceName,
      hosts: this.hosts,
      releaseJobName: this.releaseJobName,
      cronJobs: this.cronJobs,
      addons: this.addons,
    });
  }
}

/**
 * The app's Secret, release Job, one Microservice per process type (web with the plan's Service and
 * Ingress) waiting for the release Job and the add-ons, and the CronJobs; all children of `parent`.
 */
function createAppChildren(name: string, args: HerokuAppMigrationArgs, parent: pulumi.Resource) {
  const { plan, namespace, image } = args;
  const secret = createAppSecret(
    `${name}-env`,
    {
      app: plan.app,
      namespace,
      labels: sharedLabels(plan),
      entries: plan.secretEntries,
      credentials: args.credentials ?? {},
    },
    { parent },
  );
  const secretName = secret.metadata.name;
  // On Heroku an app's add-ons exist before its release phase and any one-off dyno runs: the release
  // Job (migrations, cache warm-up) and the CronJobs wait for the in-cluster ones it points at too.
  const prerequisites = [...usedStatefulAddons(plan, args.statefulAddons ?? {}), ...(args.waitFor ?? [])];
  const jobOpts = { parent, ...(prerequisites.length > 0 ? { dependsOn: prerequisites } : {}) };
  const release = plan.releaseJob
    ? createReleaseJob(`${name}-release`, { plan: plan.releaseJob, namespace, image, secretName }, jobOpts)
    : undefined;
  const waitFor = [...(release ? [release] : []), ...prerequisites];
  const services = plan.workloads.map((w) => {
    const web = w.processType === "web"; // the plan's Service and Ingress front the web process type
    return new Microservice(
      w.name,
      {
        workload: w,
        namespace,
        image,
        secretName,
        service: web ? plan.service : null,
        ingress: web ? plan.ingress : null,
        waitFor,
      },
      { parent },
    );
  });
  const cronJobs = plan.cronJobs.map((c) =>
    createCronJob(c.name, { plan: c, namespace, image, secretName }, jobOpts),
  );
  return { secret, release, services, cronJobs };
}

/** The in-cluster add-ons this app's config points at; a missing one is a plan/wiring bug. */
function usedStatefulAddons(plan: AppPlan, all: Record<string, StatefulAddon>): StatefulAddon[] {
  const names = [...new Set(plan.addons.filter((a) => a.disposition === "in-cluster").map((a) => a.target))];
  return names.map((n) => {
    const addon = n === null ? undefined : all[n];
    if (!addon)
      throw new Error(
        `app ${plan.app}: in-cluster add-on ${n} was not created (not in the plan's statefulAddons)`,
      );
    return addon;
  });
}

/** Labels every object of the app has in common (part-of, managed-by), for its Secret. */
function sharedLabels(plan: AppPlan): Record<string, string> {
  const all = [...plan.workloads.map((w) => w.labels.labels), ...plan.cronJobs.map((c) => c.labels.labels)];
  if (plan.releaseJob) all.push(plan.releaseJob.labels.labels);
  if (all.length === 0) return {};
  return Object.fromEntries(
    Object.entries(all[0]).filter(
      ([k, v]) => all.every((l) => l[k] === v) && k !== "app.kubernetes.io/component",
    ),
  );
}
