/**
 * What the stack deploys for Hasura, as plain data from the validated config and the migration plan
 * (pure: no Pulumi, no I/O). Components render it; the metadata itself is generated later, from the
 * target's catalog, by the HasuraMetadata resource.
 */
import * as path from "path";
import type { HasuraConfig } from "../config/hasura";
import type { SecretTemplate } from "../heroku/secret-template";
import { tlsSecretName } from "../plan/ingress";
import { MANAGED_BY } from "../plan/names";
import type { MigrationPlan, ObjectLabels, ResourcesPlan } from "../plan/types";
import type { TargetPostgresSettings } from "../plan/settings";
import type { TrackFilter } from "./metadata";

/**
 * The default image: GraphQL Engine v2 by TAG, hence unpinned (no digest can be looked up offline).
 * Stacks should set `hasura.image` to `hasura/graphql-engine@sha256:…`; the report says when they do not.
 */
export const DEFAULT_HASURA_IMAGE = "hasura/graphql-engine:v2.48.11";

/** GraphQL Engine's port (HASURA_GRAPHQL_SERVER_PORT default). */
export const HASURA_PORT = 8080;
export const HASURA_SERVICE_PORT = 80;

export interface HasuraSourcePlan {
  /** Hasura source name: the target database's name. */
  name: string;
  /** Heroku add-on the database came from. */
  addon: string;
  database: string;
  /** GraphQL Engine's environment variable holding the source's URL (`from_env`). */
  envVar: string;
  /**
   * The in-cluster URL (the apps' rewritten DATABASE_URL, with the owner's generated password, a
   * credential the component fills in): only ever in the Secret.
   */
  clusterUrl: SecretTemplate;
}

export interface HasuraPlan {
  /** Deployment and Service name. */
  name: string;
  labels: ObjectLabels;
  image: string;
  imagePinned: boolean;
  replicas: number;
  port: number;
  servicePort: number;
  resources: ResourcesPlan;
  console: boolean;
  devMode: boolean;
  /** Ingress for `hasura.ingressHost`, or null. */
  ingress: {
    host: string;
    className: string | null;
    annotations: Record<string, string>;
    tlsSecretName: string;
  } | null;
  sources: HasuraSourcePlan[];
  /** The separate metadata database (never one of the migrated databases). */
  metadataDatabase: {
    name: string;
    ownerRole: string;
    clusterHost: string;
    clusterPort: number;
    sslMode: string | null;
  };
  filter: TrackFilter;
  /** The CLI project directory the metadata is written to (its `metadata/` folder inside). */
  directory: string;
  endpoint: string | null;
}

/** `HASURA_SOURCE_<DATABASE>_URL`: one environment variable per source. */
export function sourceEnvVar(database: string): string {
  return `HASURA_SOURCE_${database.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}_URL`;
}

/**
 * Resources for GraphQL Engine: its own guidance sizes a small instance at 0.25 CPU / 512 MiB and a
 * schema cache of a few hundred tables well under 1 GiB; the limit leaves room for query spikes.
 */
export const HASURA_RESOURCES: ResourcesPlan = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "1Gi" },
};

export function planHasura(
  config: HasuraConfig,
  plan: MigrationPlan,
  postgres: TargetPostgresSettings,
  ingressSettings: { className: string | null; clusterIssuer: string | null },
): HasuraPlan {
  const name = "hasura";
  const labels: ObjectLabels = {
    labels: {
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/instance": `${name}-${plan.stack}`,
      "app.kubernetes.io/component": "graphql-engine",
      "app.kubernetes.io/part-of": "hasura",
      "app.kubernetes.io/managed-by": MANAGED_BY,
    },
    selector: { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "graphql-engine" },
  };
  const names = new Set(plan.databases.map((d) => d.database));
  if (names.has(config.metadataDatabase)) {
    throw new Error(
      `hasura.metadataDatabase "${config.metadataDatabase}" is a migrated database: GraphQL Engine's catalog must live in a database of its own`,
    );
  }
  return {
    name,
    labels,
    image: config.image ?? DEFAULT_HASURA_IMAGE,
    imagePinned: config.image !== null,
    replicas: config.replicas,
    port: HASURA_PORT,
    servicePort: HASURA_SERVICE_PORT,
    resources: HASURA_RESOURCES,
    console: config.console,
    devMode: config.devMode,
    ingress:
      config.ingressHost === null
        ? null
        : {
            host: config.ingressHost,
            className: ingressSettings.className,
            annotations: ingressSettings.clusterIssuer
              ? { "cert-manager.io/cluster-issuer": ingressSettings.clusterIssuer }
              : {},
            tlsSecretName: tlsSecretName(config.ingressHost),
          },
    sources: plan.databases.map((d) => ({
      name: d.database,
      addon: d.addon,
      database: d.database,
      envVar: sourceEnvVar(d.database),
      clusterUrl: d.targetUrl,
    })),
    metadataDatabase: {
      name: config.metadataDatabase,
      ownerRole: `${config.metadataDatabase}_owner`,
      clusterHost: postgres.clusterHost,
      clusterPort: postgres.clusterPort,
      sslMode: postgres.sslMode,
    },
    filter: {
      includeSchemas: config.includeSchemas,
      excludeSchemas: config.excludeSchemas,
      includeTables: config.includeTables,
      excludeTables: config.excludeTables,
    },
    directory: path.join("out", plan.stack, "hasura"),
    endpoint: config.endpoint,
  };
}
