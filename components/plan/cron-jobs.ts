import { AppSnapshot } from "../heroku/snapshot";
import { objectLabels } from "./names";
import { CronJobPlan, ScheduledJob } from "./types";
import { dynoEnv, resourcesFor, shellArgs, smallestSize } from "./workloads";
import { Findings } from "./warnings";

/** Label component of scheduled-job pods. */
export const SCHEDULER_COMPONENT = "scheduler";

const CRON = /^(\S+\s+){4}\S+$/;
const JOB_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Checks the declared jobs of `app`; throws naming `schedules.<app>[i].<field>`. */
export function validateScheduledJobs(app: string, jobs: ScheduledJob[]): void {
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    const key = `schedules.${app}[${i}]`;
    if (!JOB_NAME.test(job.name) || job.name.length > 40) {
      throw new Error(`${key}.name: "${job.name}" must be a DNS label (a-z, 0-9, -; ≤ 40 characters)`);
    }
    if (seen.has(job.name)) throw new Error(`${key}.name: ${job.name} is declared twice for app ${app}`);
    seen.add(job.name);
    if (!CRON.test(job.schedule.trim())) {
      throw new Error(
        `${key}.schedule: "${job.schedule}" is not a 5-field cron expression (e.g. "0 3 * * *")`,
      );
    }
    if (job.command.trim() === "") throw new Error(`${key}.command: must not be empty`);
  });
}

/** Declared Scheduler jobs → CronJobs (UTC, like Heroku Scheduler), in declaration order. */
export function planCronJobs(
  snapshot: AppSnapshot,
  jobs: ScheduledJob[],
  naming: { cronName(job: string): string; appBase: string; partOf: string },
  findings: Findings,
): CronJobPlan[] {
  validateScheduledJobs(snapshot.app.name, jobs);
  return jobs.map((job) => {
    const name = naming.cronName(job.name);
    const dynoSize = job.size ?? smallestSize(snapshot);
    return {
      name,
      labels: objectLabels({
        name: naming.appBase,
        component: SCHEDULER_COMPONENT,
        instance: name,
        partOf: naming.partOf,
      }),
      job: job.name,
      schedule: job.schedule.trim(),
      command: job.command,
      args: shellArgs(job.command),
      dynoSize,
      resources: resourcesFor(snapshot, dynoSize, { kind: "scheduled-job", name: job.name }, findings),
      env: dynoEnv(),
    };
  });
}
