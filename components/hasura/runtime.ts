/**
 * The HasuraMetadata provider's work, loaded at call time from the project root (./runtime-loader):
 * read each target's catalog, generate the metadata, write the CLI project directory, apply through
 * the metadata API. Errors name the source and never show a URL's password or the admin secret.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { connect, maskUrl, scrub } from "../data/engine/connection";
import type { HasuraSourceReport } from "../plan/hasura-section";
import { readCatalog } from "./catalog";
import { generateSource, metadataOf, type TrackFilter } from "./metadata";
import {
  applyMetadata,
  canonicalJson,
  HasuraApiError,
  MetadataApiClient,
  type ApplyResult,
} from "./metadata-api";
import { metadataFiles, writeMetadataDirectory, type WriteResult } from "./metadata-dir";
import type { MetadataV3 } from "./metadata-types";

export interface RuntimeSource {
  name: string;
  /** Reachable from where `pulumi up` runs. */
  url: string;
  envVar: string;
  filter: TrackFilter;
}

export interface Generated {
  metadata: MetadataV3;
  reports: HasuraSourceReport[];
  /** `schema.name` of every relation of every source (hand-tracked tables are kept while they exist). */
  existing: string[];
  /** SHA-256 of the canonical metadata: equal fingerprints, equal metadata. */
  fingerprint: string;
}

/** Reads every source's catalog and generates the metadata. */
export async function generate(sources: RuntimeSource[]): Promise<Generated> {
  const generated = [];
  const existing: string[] = [];
  for (const s of sources) {
    const spec = { url: s.url };
    let client;
    try {
      client = await connect(spec, "target");
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- the cause may quote the URL: only the scrubbed text
      throw new Error(`Hasura source ${s.name}: ${scrub((e as Error).message, spec)}`);
    }
    try {
      const catalog = await readCatalog(client);
      existing.push(...catalog.relations.map((r) => `${r.schema}.${r.name}`));
      generated.push(generateSource({ name: s.name, envVar: s.envVar, filter: s.filter }, catalog));
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- the cause may quote the URL: only the scrubbed text
      throw new Error(
        `Hasura source ${s.name} (${maskUrl(s.url)}): reading the catalog failed: ${scrub((e as Error).message, spec)}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const metadata = metadataOf(generated);
  return {
    metadata,
    reports: generated.map((g) => g.report),
    existing,
    fingerprint: createHash("sha256").update(canonicalJson(metadata)).digest("hex"),
  };
}

/** `config.yaml` of the CLI project (config v3): never an admin secret. */
function cliConfig(endpoint: string | undefined): string {
  return `version: 3\n${endpoint ? `endpoint: ${JSON.stringify(endpoint)}\n` : ""}metadata_directory: metadata\n`;
}

/** Writes `<dir>/config.yaml` and `<dir>/metadata/…` (only what changed). */
export function writeProject(dir: string, metadata: MetadataV3, endpoint?: string): WriteResult {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const configPath = path.join(abs, "config.yaml");
  const config = cliConfig(endpoint);
  const written: string[] = [];
  if (!fs.existsSync(configPath) || fs.readFileSync(configPath, "utf8") !== config) {
    fs.writeFileSync(configPath, config);
    written.push("config.yaml");
  }
  const r = writeMetadataDirectory(path.join(abs, "metadata"), metadata);
  return {
    written: [...written, ...r.written.map((f) => `metadata/${f}`)],
    removed: r.removed,
    files: r.files + 1,
  };
}

/** True when every file of the project is on disk with the generated content. */
export function projectUpToDate(dir: string, metadata: MetadataV3, endpoint?: string): boolean {
  const abs = path.resolve(dir);
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null);
  if (read(path.join(abs, "config.yaml")) !== cliConfig(endpoint)) return false;
  for (const [rel, content] of metadataFiles(metadata)) {
    if (read(path.join(abs, "metadata", rel)) !== content) return false;
  }
  return true;
}

/**
 * Applies through the metadata API. A GraphQL Engine that has just been rolled out may not answer
 * yet: network errors and 5xx answers are retried until `waitMs` has passed; anything else (a
 * refused inconsistent metadata, a wrong admin secret) fails at once.
 */
export async function apply(
  endpoint: string,
  adminSecret: string | undefined,
  generated: Generated,
  waitMs = 180_000,
): Promise<ApplyResult> {
  const client = new MetadataApiClient({ endpoint, ...(adminSecret ? { adminSecret } : {}) });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await applyMetadata(client, generated.metadata, new Set(generated.existing));
    } catch (e) {
      const transient = e instanceof HasuraApiError && (e.code === "network" || e.status >= 500);
      if (!transient || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
