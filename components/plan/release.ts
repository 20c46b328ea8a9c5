import { AppSnapshot } from "../heroku/snapshot";
import { objectLabels } from "./names";
import { ReleaseJobPlan } from "./types";
import { dynoEnv, processTypes, RELEASE_TYPE, resourcesFor, shellArgs, WEB_TYPE } from "./workloads";
import { Findings } from "./warnings";

/** Heroku kills a release phase after one hour (DC `release-phase`). */
export const RELEASE_DEADLINE_SECONDS = 3600;

/**
 * The release phase → a Job run with the app's image and env before workloads roll (the component
 * suffixes `name` with the image digest so a new image runs it again). Null without a `release` type.
 */
export function planReleaseJob(
  snapshot: AppSnapshot,
  naming: { jobName: string; appBase: string; partOf: string },
  findings: Findings,
): ReleaseJobPlan | null {
  const types = processTypes(snapshot);
  const release = types.find((t) => t.type === RELEASE_TYPE);
  if (!release) return null;
  // Heroku runs the release phase at the release formation's size; a Procfile-only type has none.
  const dynoSize = release.inFormation
    ? release.size
    : (types.find((t) => t.type === WEB_TYPE && t.inFormation)?.size ?? release.size);
  const resources = resourcesFor(snapshot, dynoSize, { kind: "process-type", name: RELEASE_TYPE }, findings);
  findings.record(
    snapshot.app.name,
    "process-type",
    RELEASE_TYPE,
    "mapped",
    `release Job ${naming.jobName} (runs before the workloads roll, again for each new image)`,
  );
  return {
    name: naming.jobName,
    labels: objectLabels({
      name: naming.appBase,
      component: RELEASE_TYPE,
      instance: naming.jobName,
      partOf: naming.partOf,
    }),
    command: release.command,
    args: shellArgs(release.command),
    resources,
    env: dynoEnv(),
    activeDeadlineSeconds: RELEASE_DEADLINE_SECONDS,
    backoffLimit: 0,
    dynoSize,
  };
}
