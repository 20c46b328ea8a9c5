/**
 * Client of GraphQL Engine's metadata API (`POST /v1/metadata`), for what this project does with it:
 * export the current metadata with its `resource_version`, merge the generated sources into it, and
 * `replace_metadata` (version 2) with `allow_inconsistent_metadata: false` and that
 * `resource_version`, so Hasura refuses metadata that does not match the database and a concurrent
 * edit is never overwritten. Errors keep Hasura's `code`, `error` and `path`; the admin secret only
 * ever travels in the `X-Hasura-Admin-Secret` header and is never part of a message.
 */
import type { MetadataV3, SourceMetadata, TableMetadata } from "./metadata-types";

/** A Hasura error answer (`{code, error, path, internal?}`) or a transport failure (`code` "network"). */
export class HasuraApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly path: string | null,
    readonly internal: unknown,
  ) {
    super(message);
    this.name = "HasuraApiError";
  }
}

export interface MetadataApiOptions {
  /** GraphQL Engine's base URL, e.g. `https://hasura.example.com` (no `/v1/metadata`). */
  endpoint: string;
  /** Sent as `X-Hasura-Admin-Secret`; omit for an engine without one. */
  adminSecret?: string;
  /** Per-request timeout in ms. Default 60 000. */
  timeoutMs?: number;
}

/** The metadata document as the server holds it (v3, with whatever else it keeps). */
export interface ServerMetadata {
  version: 3;
  sources?: SourceMetadata[];
  [key: string]: unknown;
}

export interface ExportedMetadata {
  resource_version: number;
  metadata: ServerMetadata;
}

export interface InconsistentObject {
  definition: unknown;
  name: string;
  reason: string;
  type: string;
}

export interface ReplaceResult {
  is_consistent: boolean;
  inconsistent_objects: InconsistentObject[];
}

export class MetadataApiClient {
  private readonly url: string;

  constructor(private readonly options: MetadataApiOptions) {
    this.url = `${options.endpoint.replace(/\/+$/, "")}/v1/metadata`;
  }

  /** One metadata API call; a non-2xx answer becomes a {@link HasuraApiError}. */
  async request<T>(body: {
    type: string;
    version?: number;
    resource_version?: number;
    args: unknown;
  }): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.adminSecret !== undefined) headers["x-hasura-admin-secret"] = this.options.adminSecret;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new HasuraApiError(`${body.type}: cannot reach ${this.url}: ${why}`, 0, "network", null, null);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as { code?: string; error?: string; path?: string; internal?: unknown };
      const code = err.code ?? `http-${res.status}`;
      const detail = err.error ?? text.slice(0, 200);
      throw new HasuraApiError(
        `${body.type}: ${res.status} ${code}: ${detail}${err.path ? ` (at ${err.path})` : ""}${describeInternal(err.internal)}`,
        res.status,
        code,
        err.path ?? null,
        err.internal ?? null,
      );
    }
    return parsed as T;
  }

  exportMetadata(): Promise<ExportedMetadata> {
    return this.request<ExportedMetadata>({ type: "export_metadata", version: 2, args: {} });
  }

  replaceMetadata(metadata: ServerMetadata, resourceVersion: number): Promise<ReplaceResult> {
    return this.request<ReplaceResult>({
      type: "replace_metadata",
      version: 2,
      resource_version: resourceVersion,
      args: { allow_inconsistent_metadata: false, metadata },
    });
  }
}

/** Inconsistent objects of a refused replace, one per line. */
function describeInternal(internal: unknown): string {
  if (!Array.isArray(internal)) return "";
  const lines = internal
    .map((o) => (o && typeof o === "object" ? (o as Partial<InconsistentObject>) : {}))
    .map((o) => `\n  - ${o.name ?? "?"}: ${o.reason ?? ""}`);
  return lines.join("");
}

function isFkRelationship(r: { using?: unknown }): boolean {
  return typeof r.using === "object" && r.using !== null && "foreign_key_constraint_on" in r.using;
}

/**
 * The server's metadata with the generated sources merged in (pure):
 * - a generated source replaces the server's `kind` and database connection, keeping its other
 *   configuration (pool settings…) and every other key (functions, customization…);
 * - each generated table keeps the server's extra keys (permissions, event triggers, custom names,
 *   computed fields, remote relationships) and gets the generated foreign-key relationships; the
 *   server's manual relationships whose names are free are kept, its foreign-key relationships are
 *   not (the generated ones cover every key);
 * - a table the server tracks and the generator does not is kept only while it still exists in the
 *   database (`existing`, `schema.name`), so a table tracked by hand survives and a dropped one goes;
 * - other sources and every other top-level key are kept as they are.
 */
export function mergeMetadata(
  server: ServerMetadata,
  generated: MetadataV3,
  existing: ReadonlySet<string>,
): ServerMetadata {
  const sources = [...(server.sources ?? [])];
  for (const gen of generated.sources) {
    const i = sources.findIndex((s) => s.name === gen.name);
    if (i < 0) {
      sources.push(gen);
      continue;
    }
    const cur = sources[i];
    const curTables = new Map(cur.tables?.map((t) => [key(t), t]) ?? []);
    const genKeys = new Set(gen.tables.map(key));
    const tables = gen.tables.map((t) => mergeTable(curTables.get(key(t)), t));
    for (const t of cur.tables ?? []) if (!genKeys.has(key(t)) && existing.has(key(t))) tables.push(t);
    const curConfig = (cur.configuration ?? {}) as Partial<SourceMetadata["configuration"]>;
    sources[i] = {
      ...cur,
      name: gen.name,
      kind: gen.kind,
      tables,
      configuration: {
        ...curConfig,
        ...gen.configuration,
        connection_info: { ...(curConfig.connection_info ?? {}), ...gen.configuration.connection_info },
      },
    };
  }
  return { ...server, version: 3, sources };
}

function key(t: TableMetadata): string {
  return `${t.table.schema}.${t.table.name}`;
}

function mergeTable(cur: TableMetadata | undefined, gen: TableMetadata): TableMetadata {
  if (!cur) return gen;
  const keep = <R extends { name: string; using?: unknown }>(theirs: unknown, ours: R[] | undefined): R[] => {
    const names = new Set((ours ?? []).map((r) => r.name));
    const manual = ((theirs as R[] | undefined) ?? []).filter(
      (r) => !isFkRelationship(r) && !names.has(r.name),
    );
    return [...(ours ?? []), ...manual];
  };
  const { object_relationships: _o, array_relationships: _a, ...rest } = cur;
  const merged: TableMetadata = { ...rest, table: gen.table };
  const objects = keep(cur.object_relationships, gen.object_relationships);
  const arrays = keep(cur.array_relationships, gen.array_relationships);
  if (objects.length > 0) merged.object_relationships = objects;
  if (arrays.length > 0) merged.array_relationships = arrays;
  return merged;
}

/** JSON with object keys sorted: equal documents compare equal whatever the servers' key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export interface ApplyResult {
  /** False when the server already held exactly this metadata (nothing was replaced). */
  replaced: boolean;
  /** The server's `resource_version` after the call. */
  resourceVersion: number;
}

/**
 * Exports, merges and replaces. A `conflict` (someone changed the metadata between our export and
 * our replace) is retried on the newer metadata, at most `retries` times, so their change is kept.
 */
export async function applyMetadata(
  client: MetadataApiClient,
  generated: MetadataV3,
  existing: ReadonlySet<string>,
  retries = 2,
): Promise<ApplyResult> {
  for (let attempt = 0; ; attempt++) {
    const current = await client.exportMetadata();
    const merged = mergeMetadata(current.metadata, generated, existing);
    if (canonicalJson(merged) === canonicalJson(current.metadata)) {
      return { replaced: false, resourceVersion: current.resource_version };
    }
    try {
      await client.replaceMetadata(merged, current.resource_version);
    } catch (e) {
      if (e instanceof HasuraApiError && e.code === "conflict" && attempt < retries) continue;
      throw e;
    }
    const after = await client.exportMetadata();
    return { replaced: true, resourceVersion: after.resource_version };
  }
}
