/**
 * The `hasura` config section (GraphQL Engine on the cluster and the metadata it serves) and the two
 * top-level secret keys for apps' authentication, `hasuraJwtSecret` and `hasuraAuthWebhook`.
 */
import { SecretString } from "../heroku/secret-string";
import { Fields, join } from "./fields";
import { DIGEST_IMAGE, DNS1123_SUBDOMAIN, HTTP_URL, PG_IDENTIFIER } from "../formats/formats";

export interface HasuraConfig {
  /** `hasura.enabled`, default false: deploy GraphQL Engine and generate its metadata. */
  enabled: boolean;
  /** `hasura.image`: GraphQL Engine by digest; null = the unpinned default tag (reported as such). */
  image: string | null;
  /** `hasura.metadataDatabase`: the metadata database's name, default `hasura_metadata`. */
  metadataDatabase: string;
  /** `hasura.console`, default false. */
  console: boolean;
  /** `hasura.devMode`, default false. */
  devMode: boolean;
  /** `hasura.replicas`, 1–20, default 1. */
  replicas: number;
  /** `hasura.ingressHost`: a host routed to GraphQL Engine through an Ingress; null = none. */
  ingressHost: string | null;
  /**
   * `hasura.endpoint`: GraphQL Engine's URL as reachable from where `pulumi up` runs (the Ingress, a
   * port-forward…): the metadata is applied through its API. Null: only the directory is written.
   */
  endpoint: string | null;
  /** `hasura.adminSecretRotation`: any text; changing it rotates the admin secret. Default "". */
  adminSecretRotation: string;
  /** Which relations to track (`hasura.includeSchemas`… like the import's); null = no restriction. */
  includeSchemas: string[] | null;
  excludeSchemas: string[] | null;
  includeTables: string[] | null;
  excludeTables: string[] | null;
  /** `hasuraJwtSecret` (secret): HASURA_GRAPHQL_JWT_SECRET, the JSON JWT config. */
  jwtSecret: SecretString | null;
  /** `hasuraAuthWebhook` (secret): HASURA_GRAPHQL_AUTH_HOOK, an authentication webhook URL. */
  authWebhook: SecretString | null;
}

export const HASURA_KEYS = [
  "enabled",
  "image",
  "metadataDatabase",
  "console",
  "devMode",
  "replicas",
  "ingressHost",
  "endpoint",
  "adminSecretRotation",
  "includeSchemas",
  "excludeSchemas",
  "includeTables",
  "excludeTables",
] as const;

export function parseHasura(
  f: Fields,
  value: unknown,
  jwtValue: unknown,
  webhookValue: unknown,
): HasuraConfig {
  const o = f.object("hasura", value, HASURA_KEYS) ?? {};
  const k = (key: string) => join("hasura", key);
  const names = (key: string) => f.array(k(key), o[key], (p, v) => f.requiredString(p, v)) ?? null;
  const jwtSecret = f.string("hasuraJwtSecret", jwtValue, { secret: true });
  const authWebhook = f.string("hasuraAuthWebhook", webhookValue, { secret: true, format: HTTP_URL });
  if (jwtSecret !== undefined && authWebhook !== undefined)
    f.issues.add(
      "hasuraAuthWebhook",
      "set either hasuraJwtSecret or hasuraAuthWebhook, not both (GraphQL Engine takes one mode)",
    );
  const enabled = f.boolean(k("enabled"), o.enabled) ?? false;
  if (!enabled && (jwtSecret !== undefined || authWebhook !== undefined))
    f.issues.add(
      jwtSecret !== undefined ? "hasuraJwtSecret" : "hasuraAuthWebhook",
      "only applies with hasura.enabled: true",
    );
  return {
    enabled,
    image: f.string(k("image"), o.image, { format: DIGEST_IMAGE }) ?? null,
    metadataDatabase:
      f.string(k("metadataDatabase"), o.metadataDatabase, { format: PG_IDENTIFIER }) ?? "hasura_metadata",
    console: f.boolean(k("console"), o.console) ?? false,
    devMode: f.boolean(k("devMode"), o.devMode) ?? false,
    replicas: f.integer(k("replicas"), o.replicas, 1, 20) ?? 1,
    ingressHost: f.string(k("ingressHost"), o.ingressHost, { format: DNS1123_SUBDOMAIN }) ?? null,
    endpoint: f.string(k("endpoint"), o.endpoint, { format: HTTP_URL }) ?? null,
    adminSecretRotation: f.string(k("adminSecretRotation"), o.adminSecretRotation) ?? "",
    includeSchemas: names("includeSchemas"),
    excludeSchemas: names("excludeSchemas"),
    includeTables: names("includeTables"),
    excludeTables: names("excludeTables"),
    jwtSecret: jwtSecret === undefined ? null : SecretString.of(jwtSecret),
    authWebhook: authWebhook === undefined ? null : SecretString.of(authWebhook),
  };
}
