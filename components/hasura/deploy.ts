/**
 * Hasura for one stack, composed from the config, the migration plan and the migrated databases:
 * the metadata database (declared like the other targets when the stack manages its databases),
 * GraphQL Engine (HasuraEngine) and the metadata (HasuraMetadata, after every import). The migration
 * component (components/migration) calls {@link deployHasura} with the plan from `planHasura`.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HasuraConfig } from "../config/hasura";
import { adminUrl } from "../data/migrate-databases";
import { buildPostgresUrl } from "../data/postgres-url";
import type { PostgresImport } from "../data/postgres-import";
import { TargetAdminConnection, TargetDatabase } from "../data/target-database";
import type { HasuraSection, HasuraSourceReport } from "../plan/hasura-section";
import type { DatabasePlan } from "../plan/types";
import { GeneratedSecret } from "../secrets/generated-secret";
import { HasuraEngine } from "./hasura-engine";
import { HasuraMetadata } from "./hasura-metadata";
import type { HasuraPlan } from "./plan";

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

export interface DeployHasuraArgs {
  /** The `hasura` config (adminSecretRotation, jwtSecret, authWebhook). */
  config: HasuraConfig;
  /** What to deploy ({@link planHasura}). */
  plan: HasuraPlan;
  /** Namespace of GraphQL Engine's objects. Changing it replaces them. */
  namespace: string;
  /** The admin connection to the cluster's Postgres (components/data adminConnection). */
  admin: pulumi.Output<TargetAdminConnection>;
  /**
   * Declare the metadata database and its owner role (TargetDatabase) when true; else it exists
   * and GraphQL Engine connects to it as the admin (`postgres.manageDatabase`).
   */
  manageDatabase: boolean;
  /** The migrated databases: the metadata's sources, read once their imports are done. */
  databases: MigratedDatabase[];
  /** The stack's Kubernetes provider, for GraphQL Engine's objects. */
  kubernetes: k8s.Provider;
  /** Values of the migration's generated credentials, by name (the sources' owner passwords). Default none. */
  credentials?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** GraphQL Engine, its metadata database and the metadata. `opts` go to each (parent, aliases). */
export function deployHasura(args: DeployHasuraArgs, opts: pulumi.ResourceOptions = {}): HasuraDeployment {
  const { plan: hasuraPlan, admin, databases } = args;
  if (!hasuraPlan.imagePinned) {
    void pulumi.log.warn(
      `hasura.image is not set: GraphQL Engine runs the unpinned tag ${hasuraPlan.image}; pin a digest (hasura/graphql-engine@sha256:…) so every stack runs the same bits`,
    );
  }
  const m = hasuraPlan.metadataDatabase;
  let metadataDatabase: TargetDatabase | undefined;
  let metadataUrl: pulumi.Output<string>;
  if (args.manageDatabase) {
    const ownerPassword = new GeneratedSecret("hasura-metadata-owner-password", {}, opts);
    metadataDatabase = new TargetDatabase(
      "hasura-metadata",
      { admin, database: m.name, ownerRole: m.ownerRole, ownerPassword: ownerPassword.value },
      opts,
    );
    metadataUrl = pulumi.secret(
      ownerPassword.value.apply((password) => metadataDatabaseUrl(m, m.ownerRole, password)),
    );
  } else {
    // The database exists already (the DBA's, or the dev job's): GraphQL Engine connects as the admin.
    metadataUrl = pulumi.secret(admin.apply((a) => metadataDatabaseUrl(m, a.username, a.password)));
  }
  const { config } = args;
  const engine = new HasuraEngine(
    "hasura",
    {
      plan: hasuraPlan,
      namespace: args.namespace,
      metadataDatabaseUrl: metadataUrl,
      adminSecretRotation: config.adminSecretRotation,
      ...(config.jwtSecret ? { jwtSecret: pulumi.secret(config.jwtSecret.reveal("hasuraJwtSecret")) } : {}),
      ...(config.authWebhook
        ? { authWebhook: pulumi.secret(config.authWebhook.reveal("hasuraAuthWebhook")) }
        : {}),
      // The sources' URLs carry their owners' new passwords: set before GraphQL Engine connects.
      waitFor: [
        ...(metadataDatabase ? [metadataDatabase] : []),
        ...databases.flatMap((d) => (d.rolePassword ? [d.rolePassword] : [])),
      ],
      credentials: args.credentials ?? {},
    },
    { ...opts, providers: [args.kubernetes] },
  );
  const f = hasuraPlan.filter;
  const sources = hasuraPlan.sources.map((s) => {
    const d = databases.find((x) => x.plan.database === s.database);
    if (!d)
      throw new Error(`Hasura source ${s.name}: database ${s.database} is not one of the migrated ones`);
    return {
      name: s.name,
      envVar: s.envVar,
      url: hostUrl(d, admin),
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
    { ...opts, dependsOn: [...imports, ...targets, ...(hasuraPlan.endpoint !== null ? [engine] : [])] },
  );
  return { plan: hasuraPlan, engine, metadata, metadataDatabase };
}

/** GraphQL Engine's metadata database URL, as pods in the cluster reach it. */
function metadataDatabaseUrl(m: HasuraPlan["metadataDatabase"], user: string, password: string): string {
  return buildPostgresUrl({
    host: m.clusterHost,
    port: m.clusterPort,
    database: m.name,
    user,
    password,
    ...(m.sslMode !== null ? { sslMode: m.sslMode } : {}),
  });
}

/** The target database as reachable from where `pulumi up` runs: as the import reached it. */
function hostUrl(d: MigratedDatabase, admin: pulumi.Output<TargetAdminConnection>): pulumi.Output<string> {
  if (d.import) return d.import.targetUrl;
  if (d.target) return d.target.targetUrl;
  return adminUrl(admin, d.plan.database);
}
