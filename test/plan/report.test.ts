import assert from "assert";
import { planWithEmptyStarts } from "./helpers";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { renderReport } from "../../components/plan/report";
import { MigrationPlan } from "../../components/plan/types";
import { CRON_APP_SCHEDULES, FIXTURES, settings } from "../fixtures/snapshots/fixtures";
import { renderTemplate } from "./helpers";

function allPlans(): [string, AppSnapshot[], MigrationPlan][] {
  return Object.entries(FIXTURES).map(([name, build]) => {
    const snapshots = build();
    const s = settings(
      name === "scheduler-jobs"
        ? { schedules: CRON_APP_SCHEDULES }
        : name === "redis-kept"
          ? { addons: { "redis-kept-55555": { disposition: "keep" } } }
          : {},
    );
    return [name, snapshots, planWithEmptyStarts(snapshots, s)];
  });
}

/** Every plaintext config var value and log drain URL of the snapshots (fixtures mark them `pw-`). */
function secretValues(snapshots: AppSnapshot[]): string[] {
  return snapshots.flatMap((s) => [
    ...Object.values(s.configVars)
      .filter((v) => !v.isRedacted)
      .map((v) => v.reveal()),
    ...s.logDrains.map((d) => d.url.reveal()),
  ]);
}

const escaped = (s: string) => s.replace(/\|/g, "\\|");

describe("migration report", () => {
  for (const [name, snapshots, plan] of allPlans()) {
    describe(name, () => {
      const md = renderReport(plan);

      it("contains every warning's code, subject and message", () => {
        for (const w of plan.warnings) {
          assert.ok(
            md.includes(
              `| ${w.app ?? "(add-on)"} | \`${w.code}\` | ${escaped(w.subject)} | ${escaped(w.message)} |`,
            ),
            `${w.code} ${w.subject}`,
          );
        }
      });

      it("contains every ledger entry (each Heroku fact and what it became)", () => {
        for (const e of plan.ledger) {
          assert.ok(
            md.includes(`| ${e.kind} | ${escaped(e.subject)} | ${e.outcome} | ${escaped(e.detail)} |`),
            `${e.kind} ${e.subject}`,
          );
        }
      });

      it("maps each process type, config var, add-on and database", () => {
        for (const a of plan.apps) {
          assert.ok(md.includes(`## App \`${a.app}\``));
          for (const w of a.workloads)
            assert.ok(
              md.includes(
                `| ${w.processType} | \`${w.command}\` | ${w.dynoSize} | Deployment \`${w.name}\` | ${w.replicas} |`,
              ),
              w.name,
            );
          if (a.releaseJob) assert.ok(md.includes(`Job \`${a.releaseJob.name}\``));
          for (const c of a.cronJobs) assert.ok(md.includes(`CronJob \`${c.name}\``));
          for (const e of a.secretEntries) assert.ok(md.includes(`| \`${e.key}\` |`), e.key);
          for (const x of a.addons)
            assert.ok(md.includes(`| ${x.addon} | ${x.service} | ${x.plan} | ${x.disposition} |`), x.addon);
          if (a.ingress)
            for (const t of a.ingress.tls) assert.ok(md.includes(`| ${t.hosts[0]} | \`${t.secretName}\` |`));
        }
        for (const s of plan.statefulAddons)
          assert.ok(md.includes(`| ${s.addon} | ${s.plan} | ${s.kind} | \`${s.name}\` |`), s.addon);
        for (const d of plan.databases)
          assert.ok(md.includes(`\`${d.targetHost}:${d.targetPort}/${d.database}\``), d.addon);
      });

      it("never contains a secret value", () => {
        const values = secretValues(snapshots);
        for (const v of values) {
          if (v.length < 6 || ["production", "apikey"].includes(v)) continue;
          assert.ok(!md.includes(v), `a config value leaked into the report`);
        }
        assert.doesNotMatch(md, /pw-/);
        for (const d of plan.databases) assert.ok(!md.includes(renderTemplate(d.targetUrl)));
      });
    });
  }

  it("states when there is nothing to report in a section", () => {
    const plan = planWithEmptyStarts([], settings());
    const md = renderReport(plan);
    assert.match(md, /0 apps, 0 workloads, 0 in-cluster add-ons, 0 databases to migrate, 0 warnings/);
    assert.match(md, /## Warnings\n\nNone\./);
  });

  it("lists every new credential, what it unlocks and its rotation, never a value", () => {
    const plan = planWithEmptyStarts(
      FIXTURES["shared-addon"](),
      settings({ addons: { "postgresql-shop-44444": { rotation: "2027-01" } } }),
    );
    const md = renderReport(plan);
    const section = md.slice(md.indexOf("## New credentials"));
    assert.match(
      section,
      /none is copied from Heroku, so a Heroku password .* unlocks nothing on the cluster/,
    );
    assert.match(
      section,
      /\| `postgresql-shop-44444-owner` \| owner role postgresql_shop_44444_owner of database postgresql_shop_44444 \(migrated postgresql-shop-44444\) \| `2027-01` \|/,
    );
    assert.match(
      section,
      /\| `redis-curved-11111-password` \| password of the in-cluster redis redis-curved-11111 .* \| - \|/,
    );
    assert.doesNotMatch(md, /pw-/);
  });

  it("escapes pipes and newlines in table cells", () => {
    const plan = planWithEmptyStarts([], settings());
    plan.warnings.push({ code: "log-drain", app: "a", subject: "s|t", message: "line1\nline2 | more" });
    assert.ok(renderReport(plan).includes("| a | `log-drain` | s\\|t | line1 line2 \\| more |"));
  });
});
