/**
 * The HasuraMetadata dynamic provider. Pulumi serializes `hasuraMetadataProvider` into state and runs
 * it in another process: no client, credential or heavy module at module scope; the runtime (`pg`,
 * the generator, the API client) is loaded inside each method (./runtime-loader).
 *
 * - `create`/`update`: read each target's catalog, generate the metadata, write the CLI project
 *   directory, and apply it through the metadata API when an endpoint is given.
 * - `diff`: an input change is an update (never a replacement: nothing here holds data). Beyond the
 *   inputs, it regenerates from the live catalogs and compares the fingerprint, and checks the
 *   directory on disk: a changed schema or a deleted directory shows as an update, an unchanged one
 *   as no change. A catalog it cannot reach (the first preview, before the import) is no change.
 * - `read` (refresh) returns the state as it is; `delete` forgets: the directory and the server's
 *   metadata are left as they are (untracking tables is a decision for a person).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HasuraSourceReport } from "../plan/hasura-section";
import { UNKNOWN } from "../engine-unknown";
import { canonicalJson } from "./metadata-api";
import { loadHasuraRuntime } from "./runtime-loader";

export interface HasuraMetadataSourceInputs {
  name: string;
  /** Secret: reachable from where `pulumi up` runs. */
  url: string;
  envVar: string;
  includeSchemas?: string[];
  excludeSchemas?: string[];
  includeTables?: string[];
  excludeTables?: string[];
}

export interface HasuraMetadataInputs {
  sources: HasuraMetadataSourceInputs[];
  /** CLI project directory (relative to the project root, or absolute). */
  directory: string;
  endpoint?: string;
  /** Secret. */
  adminSecret?: string;
  /** Any text that changes when the data changes (the imports' ids): a new value regenerates. */
  trigger?: string;
}

export interface HasuraMetadataOutputs extends HasuraMetadataInputs {
  fingerprint: string;
  reports: HasuraSourceReport[];
  tables: number;
  relationships: number;
  /** True when the metadata was applied through the API in this stack. */
  applied: boolean;
  resourceVersion: number | null;
  /** Files (re)written by the last create/update. */
  filesWritten: number;
}

export const HASURA_METADATA_SECRET_OUTPUTS = ["sources", "adminSecret"];

const SOURCE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;

export function checkHasuraMetadataInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const sources = news.sources;
  if (sources === UNKNOWN) return failures;
  if (!Array.isArray(sources) || sources.length === 0) {
    failures.push({ property: "sources", reason: "sources must list at least one database" });
    return failures;
  }
  const names = new Set<string>();
  sources.forEach((s: Record<string, unknown>, i: number) => {
    if (s === null || typeof s !== "object") {
      failures.push({ property: "sources", reason: `sources[${i}] must be an object` });
      return;
    }
    if (typeof s.name !== "string" || !SOURCE_NAME.test(s.name))
      failures.push({ property: "sources", reason: `sources[${i}].name must be 1-63 of A-Z a-z 0-9 _ -` });
    else if (names.has(s.name))
      failures.push({ property: "sources", reason: `source ${s.name} is listed twice` });
    else names.add(s.name);
    if (typeof s.envVar !== "string" || !ENV_VAR.test(s.envVar))
      failures.push({
        property: "sources",
        reason: `sources[${i}].envVar must be an environment variable name`,
      });
    if (s.url !== UNKNOWN && (typeof s.url !== "string" || !/^postgres(ql)?:\/\//.test(s.url)))
      failures.push({ property: "sources", reason: `sources[${i}].url must be a postgres:// URL` });
  });
  if (news.directory !== UNKNOWN && (typeof news.directory !== "string" || news.directory.trim() === ""))
    failures.push({ property: "directory", reason: "directory is required" });
  const endpoint = news.endpoint;
  if (
    endpoint !== undefined &&
    endpoint !== UNKNOWN &&
    (typeof endpoint !== "string" || !/^https?:\/\//.test(endpoint))
  )
    failures.push({ property: "endpoint", reason: "endpoint must be an http(s) URL" });
  return failures;
}

/** Inputs only (no outputs, no serialized provider, no undefined). */
function inputsOf(p: HasuraMetadataInputs): HasuraMetadataInputs {
  const out: Record<string, unknown> = { sources: p.sources, directory: p.directory };
  for (const k of ["endpoint", "adminSecret", "trigger"] as const) if (p[k] !== undefined) out[k] = p[k];
  return out as unknown as HasuraMetadataInputs;
}

function runtimeSources(inputs: HasuraMetadataInputs) {
  return inputs.sources.map((s) => ({
    name: s.name,
    url: s.url,
    envVar: s.envVar,
    filter: {
      includeSchemas: s.includeSchemas ?? null,
      excludeSchemas: s.excludeSchemas ?? null,
      includeTables: s.includeTables ?? null,
      excludeTables: s.excludeTables ?? null,
    },
  }));
}

function hasUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

async function generateAndApply(inputs: HasuraMetadataInputs): Promise<HasuraMetadataOutputs> {
  const rt = await loadHasuraRuntime();
  const generated = await rt.generate(runtimeSources(inputs));
  const written = rt.writeProject(inputs.directory, generated.metadata, inputs.endpoint);
  let applied = false;
  let resourceVersion: number | null = null;
  if (inputs.endpoint) {
    const r = await rt.apply(inputs.endpoint, inputs.adminSecret, generated);
    applied = true;
    resourceVersion = r.resourceVersion;
  }
  const tables = generated.reports.reduce((n, r) => n + r.tables.length, 0);
  const relationships = generated.reports.reduce((n, r) => n + r.relationships.length, 0);
  process.stderr.write(
    `[HasuraMetadata] ${tables} tables, ${relationships} relationships; ${written.written.length} files written to ${inputs.directory}` +
      (applied ? `; applied through ${inputs.endpoint} (resource_version ${resourceVersion})` : "") +
      "\n",
  );
  return {
    ...inputsOf(inputs),
    fingerprint: generated.fingerprint,
    reports: generated.reports,
    tables,
    relationships,
    applied,
    resourceVersion,
    filesWritten: written.written.length,
  };
}

export const hasuraMetadataProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: checkHasuraMetadataInputs(news) };
  },

  async diff(_id: string, olds: HasuraMetadataOutputs, news: HasuraMetadataInputs) {
    if (hasUnknown(news)) return { changes: true, replaces: [], deleteBeforeReplace: false };
    // Sorted keys: state and new inputs may list keys in different orders.
    const before = canonicalJson(inputsOf(olds));
    const after = canonicalJson(inputsOf(news));
    if (before !== after) return { changes: true, replaces: [], deleteBeforeReplace: false };
    try {
      const rt = await loadHasuraRuntime();
      const generated = await rt.generate(runtimeSources(news));
      const drift =
        generated.fingerprint !== olds.fingerprint ||
        !rt.projectUpToDate(news.directory, generated.metadata, news.endpoint);
      return { changes: drift, replaces: [], deleteBeforeReplace: false };
    } catch (e) {
      process.stderr.write(
        `[HasuraMetadata] cannot compare with the live catalog: ${(e as Error).message}\n`,
      );
      return { changes: false, replaces: [], deleteBeforeReplace: false };
    }
  },

  async create(inputs: HasuraMetadataInputs) {
    const outs = await generateAndApply(inputs);
    return { id: `hasura-metadata-${outs.fingerprint.slice(0, 12)}`, outs };
  },

  async update(_id: string, _olds: HasuraMetadataOutputs, news: HasuraMetadataInputs) {
    return { outs: await generateAndApply(news) };
  },

  async read(id: string, props: HasuraMetadataOutputs) {
    return { id, props };
  },

  async delete(id: string, props: HasuraMetadataOutputs) {
    process.stderr.write(
      `[HasuraMetadata ${id}] forgotten; ${props.directory} and the server's metadata are left as they are\n`,
    );
  },
};
