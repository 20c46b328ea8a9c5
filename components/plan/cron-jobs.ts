import { cronProblem } from "../formats/cron";
import { JOB_NAME } from "../formats/formats";
import { AppSnapshot } from "../heroku/snapshot";
import { objectLabels } from "./names";
import { CronJobPlan } from "./types";
import { ScheduledJob } from "./settings";
import { dynoEnv, resourcesFor, shellArgs, smallestSize } from "./workloads";
import { Findings } from "./warnings";

/** Label component of scheduled-job pods. */
export const SCHEDULER_COMPONENT = "scheduler";

/**
 * Checks the declared jobs of `app` (settings may come from elsewhere than the validated stack
 * config); throws naming `schedules.<app>[i].<field>`.
 */
export function validateScheduledJobs(app: string, jobs: ScheduledJob[]): void {
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    const key = `schedules.${app}[${i}]`;
    // The config layer's rules, so that what the stack config accepts is never refused here.
    if (!JOB_NAME.test(job.name))
      throw new Error(`${key}.name: "${job.name}" must be ${JOB_NAME.description}`);
    if (seen.has(job.name)) throw new Error(`${key}.name: ${job.name} is declared twice for app ${app}`);
    seen.add(job.name);
    const problem = cronProblem(job.schedule);
    if (problem)
      throw new Error(`${key}.schedule: "${job.schedule}" is not a valid cron schedule: ${problem}`);
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
