import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CronJobPlan } from "../plan/types";
import { dynoPodSpec, processContainer } from "./pod-spec";
import { ownedAnnotations } from "./ownership";

export interface CronJobArgs {
  /** A declared Heroku Scheduler job: name, labels, schedule (UTC), command, resources. */
  plan: CronJobPlan;
  /** Namespace of the CronJob. Changing it replaces the CronJob. */
  namespace: string;
  /** The app's image by digest. */
  image: pulumi.Input<string>;
  /** The app's Secret name (auto-generated; a config change updates the job template). */
  secretName: pulumi.Input<string>;
}

/**
 * A Heroku Scheduler job as a CronJob. Scheduler runs each job as a one-off dyno, in UTC, once, with
 * no retry and no guard against overlapping runs: hence `timeZone: Etc/UTC` (the controller's own
 * zone may differ), `backoffLimit: 0`, `restartPolicy: Never` and the default `Allow` concurrency.
 */
export function createCronJob(
  name: string,
  args: CronJobArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.CronJob {
  const { plan } = args;
  return new k8s.batch.v1.CronJob(
    name,
    {
      metadata: {
        name: plan.name,
        namespace: args.namespace,
        labels: plan.labels.labels,
        annotations: ownedAnnotations(),
      },
      spec: {
        schedule: plan.schedule,
        timeZone: "Etc/UTC",
        jobTemplate: {
          metadata: { labels: plan.labels.labels },
          spec: {
            backoffLimit: 0,
            template: {
              metadata: { labels: plan.labels.labels },
              spec: dynoPodSpec(
                [processContainer({ ...args, args: plan.args, env: plan.env, resources: plan.resources })],
                { restartPolicy: "Never" },
              ),
            },
          },
        },
      },
    },
    opts,
  );
}
