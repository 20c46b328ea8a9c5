/**
 * Hasura for one stack, composed from the config, the migration plan and the migrated databases:
 * the metadata database (declared like the other targets when the stack manages its databases),
 * GraphQL Engine (HasuraEngine) and the metadata (HasuraMetadata, after every import). index.ts only
 * calls {@link deployHasura}.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { buildPostgresUrl } from "../data/postgres-url";
import type { PostgresImport } from "../data/postgres-import";
import { adminSslMode, TargetDatabase } from "../data/target-database";
import type { HasuraSection, HasuraSourceReport } from "../plan/hasura-section";
import type { DatabasePlan, MigrationPlan } from "../plan/types";
import { GeneratedSecret } from "../secrets/generated-secret";
import { HasuraEngine } from "./hasura-engine";
import { HasuraMetadata } from "./hasura-metadata";
import { planHasura, type HasuraPlan } from "./plan";

export interface MigratedDatabase {
  plan: DatabasePlan;
  target: TargetDatabase | undefined;
  /** The owner's generated password on an existing role (`postgres.manageDatabase` false). */
  rolePassword?: pulumi.Resource | undefined;
  import: PostgresImport | undefined;
}

export interface HasuraDeployment {
  plan: HasuraPlan;
  engine: HasuraEngine;
  /** Undefined when the stack migrates no database. */
  metadata: HasuraMetadata | undefined;
  metadataDatabase: TargetDatabase | undefined;
}

/** The report's Hasura section: `reports`/`applied` null until the metadata has been generated. */
export function hasuraSection(
  plan: HasuraPlan,
  reports: HasuraSourceReport[] | null,
  applied: boolean | null,
): HasuraSection {
  const m = plan.metadataDatabase;
  return {
    image: plan.image,
    imagePinned: plan.imagePinned,
    console: plan.console,
    devMode: plan.devMode,
    metadataDatabase: `${m.clusterHost}:${m.clusterPort}/${m.name}`,
    endpoint: plan.endpoint,
    directory: plan.directory,
    sources: reports,
    applied,
  };
}

export function deployHasura(
  config: StackConfig,
  plan: MigrationPlan,
  databases: MigratedDatabase[],
  k8sOpts: pulumi.ComponentResourceOptions,
  /** Values of the migration's generated credentials, by name (the sources' owner passwords). */
  credentials: Readonly<Record<string, pulumi.Input<string>>> = {},
): HasuraDeployment {
  const { postgres } = config;
  const hasuraPlan = planHasura(config.hasura, plan, config.plan.postgres, config.plan.ingress);
  if (!hasuraPlan.imagePinned) {
    void pulumi.log.warn(
      `hasura.image is not set: GraphQL Engine runs the unpinned tag ${hasuraPlan.image}; pin a digest (hasura/graphql-engine@sha256:…) so every stack runs the same bits`,
    );
  }
  const adminPassword = pulumi.secret(postgres.password?.reveal("postgresPassword") ?? "");
  const m = hasuraPlan.metadataDatabase;
  let metadataDatabase: TargetDatabase | undefined;
  let metadataUrl: pulumi.Output<string>;
  if (postgres.manageDatabase) {
    adminSslMode(postgres.sslMode, "config postgres.sslMode (postgres.manageDatabase is true)");
    const ownerPassword = new GeneratedSecret("hasura-metadata-owner-password", {});
    metadataDatabase = new TargetDatabase("hasura-metadata", {
      admin: pulumi.secret(
        adminPassword.apply((password) => ({
          host: postgres.host,
          port: postgres.port,
          username: postgres.adminUser,
          password,
          ...(postgres.sslMode !== null ? { sslMode: postgres.sslMode } : {}),
          ...(postgres.database !== null ? { database: postgres.database } : {}),
        })),
      ),
      database: m.name,
      ownerRole: m.ownerRole,
      ownerPassword: ownerPassword.value,
    });
    metadataUrl = pulumi.secret(
      ownerPassword.value.apply((password) =>
        buildPostgresUrl({
          host: m.clusterHost,
          port: m.clusterPort,
          database: m.name,
          user: m.ownerRole,
          password,
          ...(m.sslMode !== null ? { sslMode: m.sslMode } : {}),
        }),
      ),
    );
  } else {
    // The database exists already (the DBA's, or the dev job's): GraphQL Engine connects as the admin.
    metadataUrl = pulumi.secret(
      adminPassword.apply((password) =>
        buildPostgresUrl({
          host: m.clusterHost,
          port: m.clusterPort,
          database: m.name,
          user: postgres.adminUser,
          password,
          ...(m.sslMode !== null ? { sslMode: m.sslMode } : {}),
        }),
      ),
    );
  }
  const engine = new HasuraEngine(
    "hasura",
    {
      plan: hasuraPlan,
      namespace: plan.namespace,
      metadataDatabaseUrl: metadataUrl,
      adminSecretRotation: config.hasura.adminSecretRotation,
      ...(config.hasura.jwtSecret
        ? { jwtSecret: pulumi.secret(config.hasura.jwtSecret.reveal("hasuraJwtSecret")) }
        : {}),
      ...(config.hasura.authWebhook
        ? { authWebhook: pulumi.secret(config.hasura.authWebhook.reveal("hasuraAuthWebhook")) }
        : {}),
      // The sources' URLs carry their owners' new passwords: set before GraphQL Engine connects.
      waitFor: [
        ...(metadataDatabase ? [metadataDatabase] : []),
        ...databases.flatMap((d) => (d.rolePassword ? [d.rolePassword] : [])),
      ],
      credentials,
    },
    k8sOpts,
  );
  const f = hasuraPlan.filter;
  const sources = hasuraPlan.sources.map((s) => {
    const d = databases.find((x) => x.plan.database === s.database)!;
    return {
      name: s.name,
      envVar: s.envVar,
      url: hostUrl(config, d, adminPassword),
      ...(f.includeSchemas ? { includeSchemas: f.includeSchemas } : {}),
      ...(f.excludeSchemas ? { excludeSchemas: f.excludeSchemas } : {}),
      ...(f.includeTables ? { includeTables: f.includeTables } : {}),
      ...(f.excludeTables ? { excludeTables: f.excludeTables } : {}),
    };
  });
  const imports = databases.flatMap((d) => (d.import ? [d.import] : []));
  const targets = databases.flatMap((d) => (d.target ? [d.target] : []));
  if (sources.length === 0) return { plan: hasuraPlan, engine, metadata: undefined, metadataDatabase };
  const metadata = new HasuraMetadata(
    "hasura-metadata",
    {
      sources,
      directory: hasuraPlan.directory,
      ...(hasuraPlan.endpoint !== null
        ? { endpoint: hasuraPlan.endpoint, adminSecret: engine.adminSecret }
        : {}),
      trigger: pulumi
        .all(imports.map((i) => pulumi.interpolate`${i.importId}@${i.completedAt}`))
        .apply((t) => t.join(",")),
    },
    // After the imports (the catalog is the imported one) and, when applying, after GraphQL Engine.
    { dependsOn: [...imports, ...targets, ...(hasuraPlan.endpoint !== null ? [engine] : [])] },
  );
  return { plan: hasuraPlan, engine, metadata, metadataDatabase };
}

/** The target database as reachable from where `pulumi up` runs: as the import reached it. */
function hostUrl(
  config: StackConfig,
  d: MigratedDatabase,
  adminPassword: pulumi.Output<string>,
): pulumi.Output<string> {
  if (d.import) return d.import.targetUrl;
  if (d.target) return d.target.targetUrl;
  const { postgres } = config;
  return pulumi.secret(
    adminPassword.apply((password) =>
      buildPostgresUrl({
        host: postgres.host,
        port: postgres.port,
        database: d.plan.database,
        user: postgres.adminUser,
        password,
        ...(postgres.sslMode !== null ? { sslMode: postgres.sslMode } : {}),
      }),
    ),
  );
}
