import assert from "assert";
import { planWithEmptyStarts } from "./helpers";
import { cronProblem } from "../../components/formats/cron";
import { schedulerWithJobsApp, settings } from "../fixtures/snapshots/fixtures";

describe("Scheduler jobs → CronJobs", () => {
  // Every schedule the config layer accepts must plan: the stack config and the planner share one rule.
  for (const schedule of ["@hourly", "@daily", "*/10 * * * *", "0 3 * * 1-5"]) {
    it(`plans a CronJob for schedule ${schedule}, which the config accepts`, () => {
      assert.strictEqual(cronProblem(schedule), null);
      const plan = planWithEmptyStarts(
        schedulerWithJobsApp(),
        settings({ schedules: { "cron-app": [{ name: "job", schedule, command: "rake x" }] } }),
      );
      assert.deepStrictEqual(
        plan.apps[0].cronJobs.map((c) => [c.name, c.schedule, c.args]),
        [["cron-app-job", schedule, ["/bin/sh", "-c", "rake x"]]],
      );
    });
  }

  it("refuses what the config refuses, with the config's reason and key", () => {
    assert.throws(
      () =>
        planWithEmptyStarts(
          schedulerWithJobsApp(),
          settings({ schedules: { "cron-app": [{ name: "job", schedule: "@fortnightly", command: "x" }] } }),
        ),
      /schedules\.cron-app\[0\]\.schedule: "@fortnightly" is not a valid cron schedule: unknown macro/,
    );
  });

  it("plans a job name the config accepts even when it starts with a digit (the object name is made DNS-1035)", () => {
    const plan = planWithEmptyStarts(
      schedulerWithJobsApp(),
      settings({
        schedules: { "cron-app": [{ name: "1st-of-month", schedule: "0 0 1 * *", command: "x" }] },
      }),
    );
    const [job] = plan.apps[0].cronJobs;
    assert.strictEqual(job.job, "1st-of-month");
    assert.match(job.name, /^cron-app-x-1st-of-month-[0-9a-f]{6}$/);
  });
});
