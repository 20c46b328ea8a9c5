import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ReleaseJobPlan } from "../plan/types";
import { dynoPodSpec, processContainer } from "./pod-spec";
import { ownedAnnotations } from "./ownership";

export interface ReleaseJobArgs {
  /** The release phase plan: base name, labels, command, resources, deadline, retries. */
  plan: ReleaseJobPlan;
  /** Namespace of the Job. Changing it replaces the Job. */
  namespace: string;
  /** The app's image by digest (`repo@sha256:…`). A new image gives a new Job name: a new release runs. */
  image: pulumi.Input<string>;
  /** The app's Secret name. A config change gives a new Secret name and so a new Job, as on Heroku. */
  secretName: pulumi.Input<string>;
}

/**
 * Heroku's release phase as a Job. Heroku runs it for every new release (new slug or config change)
 * before the new dynos start; here the Job's name is `<plan name>-<hash of image and Secret name>`, so
 * each such change creates a new Job, and the Deployments list it in `dependsOn` (Pulumi waits for
 * the Job to complete before rolling them). Pods are never restarted in place: a failed release fails
 * the update, as on Heroku.
 *
 * Pulumi gives up waiting for a Job after 10 minutes by default, while Heroku allows a release phase
 * an hour: the wait is stretched to the Job's own deadline plus a margin ({@link releaseJobTimeouts}),
 * so Kubernetes, not the wait, decides that a slow migration failed. A failed Job is marked
 * `pulumi.com/replaceUnready`: the next `pulumi up` runs it again (Heroku's `releases:retry`) instead
 * of waiting on the failed Job forever.
 */
export function createReleaseJob(
  name: string,
  args: ReleaseJobArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const { plan } = args;
  const jobName = pulumi
    .all([args.image, args.secretName])
    .apply(([image, secret]) => `${plan.name}-${releaseHash(image, secret)}`);
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: jobName,
        namespace: args.namespace,
        labels: plan.labels.labels,
        annotations: ownedAnnotations({ [REPLACE_UNREADY]: "true" }),
      },
      spec: {
        activeDeadlineSeconds: plan.activeDeadlineSeconds,
        backoffLimit: plan.backoffLimit,
        template: {
          metadata: { labels: plan.labels.labels },
          spec: dynoPodSpec(
            [processContainer({ ...args, args: plan.args, env: plan.env, resources: plan.resources })],
            { restartPolicy: "Never" },
          ),
        },
      },
    },
    { ...opts, customTimeouts: releaseJobTimeouts(plan) },
  );
}

/** Pulumi's annotation that replaces a resource which failed to become ready in an earlier update. */
export const REPLACE_UNREADY = "pulumi.com/replaceUnready";

/** Seconds Pulumi waits beyond the Job's `activeDeadlineSeconds` (pod scheduling, image pull). */
export const RELEASE_AWAIT_MARGIN_SECONDS = 300;

/** How long `pulumi up` waits for the release Job: its deadline plus {@link RELEASE_AWAIT_MARGIN_SECONDS}. */
export function releaseJobTimeouts(
  plan: Pick<ReleaseJobPlan, "activeDeadlineSeconds">,
): pulumi.CustomTimeouts {
  const wait = `${plan.activeDeadlineSeconds + RELEASE_AWAIT_MARGIN_SECONDS}s`;
  return { create: wait, update: wait };
}

/** 8 hex digits identifying one release (image + config). */
export function releaseHash(image: string, secretName: string): string {
  return createHash("sha256").update(`${image}\n${secretName}`).digest("hex").slice(0, 8);
}
