/**
 * The stack outputs of the migration: what `pulumi stack output` shows, what the next stack reads
 * (`imageDigests`) and what the tests and `npm run promote` check. Identity and results only:
 * never a URL or a password (the Hasura admin secret only as a Pulumi secret).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseMigration } from "../data/migrate-databases";
import type { RedisImport } from "../data/redis/redis-import";
import { hasuraSection, type HasuraDeployment } from "../hasura/deploy";
import type { HerokuAppMigration } from "../k8s/heroku-app-migration";
import { renderReport, type MigrationPlan, type StatefulAddonPlan } from "../plan";
import { writeReport } from "./prepare";

/** One migrated app: its objects' names, its image and its plan's warnings. */
export function appOutputs(m: HerokuAppMigration, app: MigrationPlan["apps"][number]) {
  return {
    image: m.image,
    workloads: m.workloads,
    service: m.serviceName,
    hosts: m.hosts,
    secretName: m.secretName,
    releaseJob: m.releaseJobName,
    cronJobs: m.cronJobs,
    addons: m.addons,
    warnings: app.warnings.map((w) => `${w.code} (${w.subject}): ${w.message}`),
  };
}

/** An in-cluster add-on: where the apps reach it, and what happened to its data. */
export function inClusterAddonOutputs(a: StatefulAddonPlan, copy: RedisImport | undefined) {
  return {
    name: a.name,
    host: a.host,
    port: a.port,
    storage: a.storage,
    usedBy: a.usedBy,
    data: addonDataOutputs(a.data.mode, copy),
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

/** Identity and import results of one database: never a URL or a password. */
export function databaseOutputs({ plan: d, import: imp }: DatabaseMigration) {
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

/** What a user needs to reach GraphQL Engine; the admin secret only as a Pulumi secret. */
export function hasuraOutputs(h: HasuraDeployment) {
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

/**
 * The report with the Hasura section as generated from the target's catalog (known after the
 * import, during `pulumi up`), written over the one written at the start; the report as written
 * at the start when there is no metadata.
 */
export function finalReport(
  plan: MigrationPlan,
  hasura: HasuraDeployment | undefined,
  report: { text: string; cutoverSection: string; file: string },
): string | pulumi.Output<string> {
  const metadata = hasura?.metadata;
  if (!hasura || !metadata) return report.text;
  return pulumi.all([metadata.reports, metadata.applied]).apply(async ([generated, applied]) => {
    const reports = generated ?? null;
    for (const r of reports ?? [])
      for (const n of r.notTracked.filter((x) => x.warning))
        void pulumi.log.warn(`Hasura source ${r.source}: ${n.object} not tracked: ${n.reason}`);
    const full = `${renderReport(
      plan,
      hasuraSection(hasura.plan, reports, hasura.plan.endpoint && reports ? applied : null),
    )}\n${report.cutoverSection}`;
    await writeReport(report.file, full);
    return full;
  });
}
