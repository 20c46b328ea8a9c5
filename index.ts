// The Pulumi program: read and validate config, read Heroku apps, plan, render. Wiring only — every
// decision lives in components/plan (pure) and every resource in components/k8s and friends.
import { promises as fs } from "fs";
import * as path from "path";
import { checkConfigAgainstApps, readStackConfig, selectSnapshots, StackConfig } from "./components/config";
import { HerokuAppMigration } from "./components/heroku-app-migration";
import { HerokuClient } from "./components/heroku/client";
import { readAppSnapshots } from "./components/heroku/reader";
import { AppSnapshot } from "./components/heroku/snapshot";
import { readSnapshotFile } from "./components/heroku/snapshot-file";
import { assertRenderable, createKubernetesProvider, StatefulAddon } from "./components/k8s";
import { MigrationPlan, planMigration, renderReport } from "./components/plan";

async function main() {
  // Everything that can be wrong with config or input fails here, before any resource exists.
  const config = readStackConfig();
  const { snapshots, source } = await readSnapshots(config);
  // IMAGES (components/images, wired later): until then each app runs images.apps.<app>.image, a
  // digest checked here; resolveAppImages({ imagesConfig, promoteFrom, snapshots, … }) replaces
  // config.appImages below, requireImages becomes false, and `imageDigests` joins the outputs.
  checkConfigAgainstApps(config, snapshots, { requireImages: true });
  const plan = planMigration(snapshots, config.plan);
  assertRenderable(plan, source);
  const report = renderReport(plan);
  await writeReport(config, report);

  const provider = createKubernetesProvider("kubernetes", config.cluster);
  const opts = { providers: [provider] };
  const addons = Object.fromEntries(
    plan.statefulAddons.map((a) => [
      a.name,
      new StatefulAddon(a.name, { plan: a, namespace: plan.namespace }, opts),
    ]),
  );
  const apps = plan.apps.map(
    (app) =>
      new HerokuAppMigration(
        app.app,
        { plan: app, namespace: plan.namespace, image: config.appImages[app.app], statefulAddons: addons },
        opts,
      ),
  );

  // DATA IMPORT (components/data, wired later): for each plan.databases entry, a TargetDatabase on
  // config.postgres (password config.postgres.password) and, when config.import.enabled, a
  // PostgresImport with config.import's options; the apps' workloads then also wait for it.

  return {
    apps: Object.fromEntries(apps.map((m, i) => [plan.apps[i].app, appOutputs(m, plan, i)])),
    inClusterAddons: Object.fromEntries(
      plan.statefulAddons.map((a) => [
        a.addon,
        { name: a.name, host: a.host, port: a.port, storage: a.storage, usedBy: a.usedBy },
      ]),
    ),
    databases: plan.databases.map((d) => ({
      addon: d.addon,
      ownerApp: d.ownerApp,
      database: d.database,
      host: d.targetHost,
      port: d.targetPort,
      attachments: d.attachments,
    })),
    warnings: plan.warnings.length,
    report,
  };
}

async function readSnapshots(config: StackConfig): Promise<{ snapshots: AppSnapshot[]; source: string }> {
  const { snapshotFile, apps, apiUrl } = config.heroku;
  if (snapshotFile !== null) {
    const set = await readSnapshotFile(snapshotFile);
    return { snapshots: selectSnapshots(config, set.apps, snapshotFile), source: snapshotFile };
  }
  if (apps === null || config.herokuApiKey === null) {
    throw new Error(
      `${config.project}:heroku.pipeline: reading a pipeline's apps from the Heroku API is not supported yet; ` +
        "list them in heroku.apps, or use heroku.snapshotFile",
    );
  }
  const client = new HerokuClient({
    token: config.herokuApiKey,
    ...(apiUrl !== null ? { baseUrl: apiUrl } : {}),
  });
  const set = await readAppSnapshots(client, apps);
  return { snapshots: set.apps, source: "the Heroku API" };
}

/** The report next to the rendered manifests, else under out/<stack>/. */
async function writeReport(config: StackConfig, report: string): Promise<void> {
  const dir =
    config.cluster.target.kind === "render"
      ? config.cluster.target.directory
      : path.join("out", config.stack);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "report.md"), report);
}

function appOutputs(m: HerokuAppMigration, plan: MigrationPlan, i: number) {
  return {
    image: m.image,
    workloads: m.workloads,
    service: m.serviceName,
    hosts: m.hosts,
    secretName: m.secretName,
    releaseJob: m.releaseJobName,
    cronJobs: m.cronJobs,
    addons: m.addons,
    warnings: plan.apps[i].warnings.map((w) => `${w.code} (${w.subject}): ${w.message}`),
  };
}

export = main;
