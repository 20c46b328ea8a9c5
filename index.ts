// The Pulumi program: read and validate config, read Heroku apps, plan, render. Wiring only — every
// decision lives in components/plan (pure) and every resource in components/k8s, components/images
// and components/data.
import * as pulumi from "@pulumi/pulumi";
import { promises as fs } from "fs";
import * as path from "path";
import { checkConfigAgainstApps, readStackConfig, selectSnapshots, StackConfig } from "./components/config";
import { cutoverReport, declareFreeze, importCutoverArgs } from "./components/cutover/program";
import { PostgresImport } from "./components/data/postgres-import";
import { copyAddonData } from "./components/data/redis/addon-copy";
import { RedisImport } from "./components/data/redis/redis-import";
import { RolePassword } from "./components/data/role-password";
import { adminSslMode, TargetAdminConnection, TargetDatabase } from "./components/data/target-database";
import { deployHasura, HasuraDeployment, hasuraSection } from "./components/hasura/deploy";
import { HerokuClient } from "./components/heroku/client";
import { ReadOptions, readAppSnapshots, readPipelineStage } from "./components/heroku/reader";
import { AppSnapshot, SnapshotSet } from "./components/heroku/snapshot";
import { readSnapshotFile } from "./components/heroku/snapshot-file";
import { ImagesConfig } from "./components/images/config";
import { createKubernetesProvider, HerokuAppMigration, StatefulAddon } from "./components/k8s";
import {
  assertRenderable,
  DatabasePlan,
  MigrationPlan,
  planMigration,
  readNeeds,
  renderReport,
} from "./components/plan";
import { withPlainErrors } from "./components/program-errors";
import { version as pulumiSdkVersion } from "@pulumi/pulumi/version";
import { IMAGE_DIGESTS_OUTPUT, resolveAppImages } from "./components/images/promotion";
import { createCredentials } from "./components/secrets/credentials";

async function main() {
  // Everything that can be wrong with config or input fails here, before any resource exists.
  const config = readStackConfig();
  const { snapshots, source } = await readSnapshots(config);
  const { images: imagesConfig } = checkConfigAgainstApps(config, snapshots, { requireImages: false });
  const plan = planMigration(snapshots, config.plan);
  assertRenderable(plan, source);
  const hasuraSectionNow = (d: HasuraDeployment | undefined) =>
    d ? hasuraSection(d.plan, null, null) : null;
  // The cutover section (the freeze, the expected window) closes the report.
  const cutover = await cutoverReport(config, plan);

  const images = appImages(config, imagesConfig, snapshots);
  // The migration's new passwords: never Heroku's (see MigrationPlan.credentials).
  const credentials = createCredentials(plan.credentials);
  const databases = migrateDatabases(config, plan, credentials);
  const provider = createKubernetesProvider("kubernetes", config.cluster);
  const opts = { providers: [provider] };
  const hasura = config.hasura.enabled ? deployHasura(config, plan, databases, opts, credentials) : undefined;
  const report = `${renderReport(plan, hasuraSectionNow(hasura))}\n${cutover}`;
  await writeReport(config, report);
  const addons = Object.fromEntries(
    plan.statefulAddons.map((a) => [
      a.name,
      new StatefulAddon(
        a.name,
        { plan: a, namespace: plan.namespace, password: credentials[a.credential] },
        opts,
      ),
    ]),
  );
  // Never an empty in-cluster server under rewritten URLs: the plan copies each add-on's data or the
  // stack acknowledged an empty start (components/plan/addon-data.ts).
  const copies = plan.statefulAddons.map((a) =>
    copyAddonData(a, plan.namespace, addons[a.name], credentials[a.credential]),
  );
  const apps = plan.apps.map(
    (app) =>
      new HerokuAppMigration(
        app.app,
        {
          plan: app,
          namespace: plan.namespace,
          image: images[app.app],
          statefulAddons: addons,
          waitFor: [
            ...databases.filter((d) => usesDatabase(d.plan, app.app)).flatMap(databaseReadiness),
            // An app must not start on its in-cluster add-on while the data is still being copied.
            ...copies.filter((c, i) => c && plan.statefulAddons[i].usedBy.includes(app.app)).map((c) => c!),
          ],
          credentials,
        },
        opts,
      ),
  );

  return {
    apps: Object.fromEntries(apps.map((m, i) => [plan.apps[i].app, appOutputs(m, plan, i)])),
    [IMAGE_DIGESTS_OUTPUT]: pulumi.all(images),
    inClusterAddons: Object.fromEntries(
      plan.statefulAddons.map((a, i) => [
        a.addon,
        {
          name: a.name,
          host: a.host,
          port: a.port,
          storage: a.storage,
          usedBy: a.usedBy,
          data: addonDataOutputs(a.data.mode, copies[i]),
        },
      ]),
    ),
    databases: databases.map(databaseOutputs),
    warnings: plan.warnings.length,
    // What ran the program (the supported range is Node.js 22 and 24: scripts/node/ensure.sh).
    runtime: { node: process.version, pulumiSdk: pulumiSdkVersion },
    report: hasura?.metadata ? hasuraReport(config, plan, hasura, cutover) : report,
    ...(hasura ? hasuraOutputs(hasura) : {}),
  };
}

async function readSnapshots(config: StackConfig): Promise<{ snapshots: AppSnapshot[]; source: string }> {
  const { snapshotFile, apps, pipeline, apiUrl } = config.heroku;
  if (snapshotFile !== null) {
    const set = await readSnapshotFile(snapshotFile);
    return { snapshots: selectSnapshots(config, set.apps, snapshotFile), source: snapshotFile };
  }
  if (config.herokuApiKey === null || (apps === null && pipeline === null)) {
    // parseStackConfig requires these whenever there is no snapshot file.
    throw new Error(`${config.project}:heroku: neither heroku.apps nor heroku.pipeline with herokuApiKey`);
  }
  const client = new HerokuClient({
    token: config.herokuApiKey,
    ...(apiUrl !== null ? { baseUrl: apiUrl } : {}),
  });
  const opts: ReadOptions = { needs: readNeeds(config.plan.addons) };
  const set =
    apps !== null
      ? await readAppSnapshots(client, apps, opts)
      : await pipelineApps(config, client, pipeline!, opts);
  return { snapshots: set.apps, source: "the Heroku API" };
}

/** The apps coupled to the configured pipeline stage; errors name the config key. */
async function pipelineApps(
  config: StackConfig,
  client: HerokuClient,
  pipeline: { name: string; stage: string },
  opts: ReadOptions,
): Promise<SnapshotSet> {
  try {
    return await readPipelineStage(client, pipeline.name, pipeline.stage, opts);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${config.project}:heroku.pipeline: cannot read the apps of pipeline "${pipeline.name}" at stage ${pipeline.stage}: ${why}`,
      { cause: e },
    );
  }
}

/** Each app's image by digest: built, resolved, pinned or promoted by components/images. */
function appImages(
  config: StackConfig,
  imagesConfig: ImagesConfig,
  snapshots: AppSnapshot[],
): Record<string, pulumi.Output<string>> {
  const token = config.herokuApiKey;
  const registryPassword = config.registryPassword;
  return resolveAppImages({
    stack: config.stack,
    imagesConfig,
    promoteFrom: config.promoteFrom,
    snapshots,
    ...(token ? { herokuToken: pulumi.secret(token.reveal("herokuApiKey")) } : {}),
    ...(config.heroku.apiUrl !== null ? { herokuApiUrl: config.heroku.apiUrl } : {}),
    ...(registryPassword
      ? { registryPassword: pulumi.secret(registryPassword.reveal("registryPassword")) }
      : {}),
  });
}

/** One migrated Heroku Postgres: its target database (when this stack manages it) and the import. */
interface DatabaseMigrationResources {
  plan: DatabasePlan;
  target: TargetDatabase | undefined;
  /** The owner's generated password set on an existing role (`postgres.manageDatabase` false). */
  rolePassword: RolePassword | undefined;
  import: PostgresImport | undefined;
}

/**
 * For each migrated database: the TargetDatabase when `postgres.manageDatabase` (the apps' URLs point
 * at it whether or not this stack imports), else a RolePassword giving the existing owner role the
 * generated password the apps' URLs carry; and, when `import.enabled`, the protected PostgresImport
 * into it. The import is a deliberate cutover step, so a stack without it still owns the database.
 */
function migrateDatabases(
  config: StackConfig,
  plan: MigrationPlan,
  credentials: Record<string, pulumi.Output<string>>,
): DatabaseMigrationResources[] {
  const { postgres, import: imp } = config;
  const adminPassword = pulumi.secret(postgres.password?.reveal("postgresPassword") ?? "");
  // The postgresql provider cannot do `prefer`/`allow`: say so naming the config key, up front.
  if (postgres.manageDatabase && plan.databases.length > 0) {
    adminSslMode(postgres.sslMode, "config postgres.sslMode (postgres.manageDatabase is true)");
  }
  const admin = pulumi.secret(
    adminPassword.apply((password): TargetAdminConnection => ({
      host: postgres.host,
      port: postgres.port,
      username: postgres.adminUser,
      password,
      ...(postgres.sslMode !== null ? { sslMode: postgres.sslMode } : {}),
      ...(postgres.database !== null ? { database: postgres.database } : {}),
    })),
  );
  const targets = plan.databases.map((d) =>
    postgres.manageDatabase
      ? new TargetDatabase(d.addon, {
          admin,
          database: d.database,
          ownerRole: d.ownerRole,
          ownerPassword: credentials[d.ownerCredential],
        })
      : undefined,
  );
  // The cutover freeze (cutover.freeze) stops the Heroku apps once the targets exist, before any import.
  const freeze = declareFreeze(
    config,
    plan,
    targets.filter((t): t is TargetDatabase => t !== undefined),
  );
  return plan.databases.map((d, i) => {
    const target = targets[i];
    const rolePassword = postgres.manageDatabase
      ? undefined
      : new RolePassword(`${d.addon}-owner-password`, {
          admin,
          role: d.ownerRole,
          password: credentials[d.ownerCredential],
        });
    if (!imp.enabled) return { plan: d, target, rolePassword, import: undefined };
    const importArgs = {
      sourceUrl: pulumi.secret(d.sourceUrl.reveal(`source URL of ${d.addon}`)),
      ...importCutoverArgs(config, d, freeze),
      ...(target
        ? { targetUrl: target.targetUrl }
        : {
            // The database exists already: connect as the admin, to the database the plan names.
            target: pulumi.secret(
              adminPassword.apply((password) => ({
                host: postgres.host,
                port: postgres.port,
                database: d.database,
                user: postgres.adminUser,
                password,
                ...(postgres.sslMode !== null ? { sslMode: postgres.sslMode } : {}),
              })),
            ),
          }),
      ...(imp.jobs !== null ? { jobs: imp.jobs } : {}),
      ...(imp.importId !== null ? { importId: imp.importId } : {}),
      ...(imp.includeSchemas !== null ? { includeSchemas: imp.includeSchemas } : {}),
      ...(imp.excludeSchemas !== null ? { excludeSchemas: imp.excludeSchemas } : {}),
      ...(imp.includeTables !== null ? { includeTables: imp.includeTables } : {}),
      ...(imp.excludeTables !== null ? { excludeTables: imp.excludeTables } : {}),
      ...(imp.progressFile !== null ? { progressFile: imp.progressFile } : {}),
      dropTargetOnDelete: imp.dropTargetOnDelete,
    };
    const dataImport = new PostgresImport(`${d.addon}-import`, importArgs, {
      protect: true,
      dependsOn: [...(target ? [target] : []), ...(freeze ? [freeze] : [])],
    });
    return { plan: d, target, rolePassword, import: dataImport };
  });
}

/**
 * What an app using the database waits for: the import when this stack runs one (an app must not
 * start, nor its release phase migrate, against a database still being copied; the import itself
 * waits for the target), else the target database this stack declares (the app's rewritten URL
 * points at it: its release phase would fail on a database not yet created), else nothing.
 */
function databaseReadiness(d: DatabaseMigrationResources): pulumi.Resource[] {
  // The apps' URLs carry the owner's generated password: it must be set before they connect.
  const password = d.rolePassword ? [d.rolePassword] : [];
  if (d.import) return [d.import, ...password];
  return d.target ? [d.target] : password;
}

function usesDatabase(d: DatabasePlan, app: string): boolean {
  return d.ownerApp === app || d.attachments.some((a) => a.app === app);
}

/** Identity and import results of one database: never a URL or a password. */
function databaseOutputs({ plan: d, import: imp }: DatabaseMigrationResources) {
  return {
    addon: d.addon,
    ownerApp: d.ownerApp,
    database: d.database,
    host: d.targetHost,
    port: d.targetPort,
    attachments: d.attachments,
    import: imp
      ? {
          importId: imp.importId,
          target: imp.targetIdentity,
          tables: imp.tables,
          rows: imp.rows,
          bytes: imp.bytes,
          durationMs: imp.durationMs,
          fingerprint: imp.fingerprint,
          sourceServerVersion: imp.sourceServerVersion,
          verification: imp.verification,
          sourceActivity: imp.sourceActivity,
          completedAt: imp.completedAt,
        }
      : null,
  };
}

/** What happened to an in-cluster add-on's data: the copy's verified figures, never a URL. */
function addonDataOutputs(mode: "copy" | "empty", copy: RedisImport | undefined) {
  if (!copy) return { mode };
  return {
    mode,
    importId: copy.importId,
    // The resource exists only once every key was verified: a failed verification fails `up`.
    verifiedKeys: copy.keys,
    databases: copy.databases,
    types: copy.types,
    completedAt: copy.completedAt,
  };
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

/**
 * The report with the Hasura section as generated from the target's catalog (known after the
 * import, during `pulumi up`), written over the one written at the start.
 */
function hasuraReport(
  config: StackConfig,
  plan: MigrationPlan,
  h: HasuraDeployment,
  cutover: string,
): pulumi.Output<string> {
  return pulumi.all([h.metadata!.reports, h.metadata!.applied]).apply(async ([generated, applied]) => {
    const reports = generated ?? null;
    for (const r of reports ?? [])
      for (const n of r.notTracked.filter((x) => x.warning))
        void pulumi.log.warn(`Hasura source ${r.source}: ${n.object} not tracked: ${n.reason}`);
    const full = `${renderReport(
      plan,
      hasuraSection(h.plan, reports, h.plan.endpoint && reports ? applied : null),
    )}\n${cutover}`;
    await writeReport(config, full);
    return full;
  });
}

/** What a user needs to reach GraphQL Engine; the admin secret only as a Pulumi secret. */
function hasuraOutputs(h: HasuraDeployment) {
  return {
    hasura: {
      image: h.plan.image,
      imagePinned: h.plan.imagePinned,
      deployment: h.engine.deploymentName,
      service: h.engine.serviceName,
      clusterUrl: h.engine.clusterUrl,
      publicUrl: h.engine.publicUrl,
      metadataDirectory: h.plan.directory,
      sources: h.plan.sources.map((s) => ({ name: s.name, database: s.database, envVar: s.envVar })),
      tables: h.metadata?.tables ?? 0,
      relationships: h.metadata?.relationships ?? 0,
    },
    hasuraAdminSecret: h.engine.adminSecret,
  };
}

export = withPlainErrors(main);
