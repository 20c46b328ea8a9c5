/**
 * A test double of GraphQL Engine's metadata API (`POST /v1/metadata`), for tests only: no GraphQL
 * Engine can run on these machines (it ships only as a container image). It checks each request's
 * documented shape (hasura.io/docs/latest/api-reference/metadata-api/: `{type, version,
 * resource_version?, args}`; `export_metadata` and `replace_metadata` version 2), the admin
 * secret, and, for `replace_metadata`, every tracked table, column and relationship against the
 * REAL database each source's `from_env` variable points at, answering as Hasura does: 400
 * `unexpected` "cannot continue due to inconsistent metadata" with the inconsistent objects in
 * `internal`, 409 `conflict` for a stale `resource_version`, 401 `access-denied`, 400 `parse-failed`.
 */
import * as http from "http";
import { Client } from "pg";

import type { PgCluster } from "../../scripts/lib/pg-cluster";

export interface DoubleOptions {
  adminSecret: string;
  /** GraphQL Engine's environment: `from_env` names resolve here (database URLs). */
  env: Record<string, string>;
}

export interface RecordedRequest {
  type: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

interface Inconsistent {
  definition: unknown;
  name: string;
  reason: string;
  type: string;
}

type Obj = Record<string, unknown>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path = "$",
    readonly internal?: unknown,
  ) {
    super(message);
  }
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function only(o: Obj, allowed: string[], path: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new ApiError(400, "parse-failed", `unexpected key "${k}"`, `${path}.${k}`);
}

/** Hasura's text for a table: `name` in public, else `schema.name`. */
const tableText = (t: { schema: string; name: string }) =>
  t.schema === "public" ? t.name : `${t.schema}.${t.name}`;

export class MetadataApiDouble {
  readonly requests: RecordedRequest[] = [];
  resourceVersion = 1;
  metadata: Obj = { version: 3, sources: [] };
  /** Set to make the next replace fail with a conflict after bumping the version (a concurrent edit). */
  concurrentEditBeforeNextReplace: ((metadata: Obj) => Obj) | null = null;
  private server: http.Server | undefined;
  url = "";

  constructor(private readonly options: DoubleOptions) {}

  /** The admin secret GraphQL Engine would have (e.g. learnt from a rendered Secret). */
  setAdminSecret(secret: string): void {
    this.options.adminSecret = secret;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method !== "POST" || req.url !== "/v1/metadata")
        throw new ApiError(404, "not-found", "resource does not exist");
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
        throw new ApiError(400, "parse-failed", "content-type must be application/json");
      if (req.headers["x-hasura-admin-secret"] !== this.options.adminSecret)
        throw new ApiError(401, "access-denied", "invalid x-hasura-admin-secret/x-hasura-access-key");
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        throw new ApiError(400, "parse-failed", "Error in $: not a valid json value");
      }
      if (!isObj(body)) throw new ApiError(400, "parse-failed", "expected Object");
      only(body, ["type", "version", "resource_version", "args"], "$");
      if (typeof body.type !== "string") throw new ApiError(400, "parse-failed", 'key "type" not found', "$");
      this.requests.push({ type: body.type, body, headers: req.headers });
      if (body.resource_version !== undefined && !Number.isInteger(body.resource_version))
        throw new ApiError(400, "parse-failed", "resource_version must be an integer", "$.resource_version");
      if (!isObj(body.args)) throw new ApiError(400, "parse-failed", "expected Object", "$.args");
      switch (body.type) {
        case "export_metadata":
          if (body.version !== 2)
            throw new ApiError(400, "parse-failed", "this double answers version 2 only", "$.version");
          only(body.args, [], "$.args");
          return send(200, { resource_version: this.resourceVersion, metadata: this.metadata });
        case "replace_metadata":
          return send(200, await this.replace(body));
        default:
          throw new ApiError(400, "parse-failed", `unknown metadata command "${body.type}"`, "$.type");
      }
    } catch (e) {
      if (e instanceof ApiError)
        return send(e.status, {
          path: e.path,
          error: e.message,
          code: e.code,
          ...(e.internal ? { internal: e.internal } : {}),
        });
      send(500, { path: "$", error: (e as Error).message, code: "unexpected" });
    }
  }

  private async replace(body: Obj): Promise<unknown> {
    if (body.version !== 2)
      throw new ApiError(400, "parse-failed", "replace_metadata: use version 2", "$.version");
    const args = body.args as Obj;
    only(args, ["allow_inconsistent_metadata", "allow_warnings", "metadata"], "$.args");
    const metadata = args.metadata;
    if (!isObj(metadata) || metadata.version !== 3)
      throw new ApiError(400, "parse-failed", "metadata must be an object with version 3", "$.args.metadata");
    if (!Array.isArray(metadata.sources))
      throw new ApiError(400, "parse-failed", "metadata.sources must be a list", "$.args.metadata.sources");
    if (this.concurrentEditBeforeNextReplace) {
      this.metadata = this.concurrentEditBeforeNextReplace(this.metadata);
      this.concurrentEditBeforeNextReplace = null;
      this.resourceVersion++;
    }
    if (body.resource_version !== undefined && body.resource_version !== this.resourceVersion)
      throw new ApiError(
        409,
        "conflict",
        `metadata resource version referenced (${body.resource_version}) did not match current version`,
      );
    const inconsistent: Inconsistent[] = [];
    metadata.sources.forEach((s, i) => this.shapeOfSource(s, `$.args.metadata.sources[${i}]`));
    for (const s of metadata.sources as Obj[]) inconsistent.push(...(await this.checkSource(s)));
    if (inconsistent.length > 0 && args.allow_inconsistent_metadata !== true)
      throw new ApiError(
        400,
        "unexpected",
        "cannot continue due to inconsistent metadata",
        "$",
        inconsistent,
      );
    this.metadata = metadata;
    this.resourceVersion++;
    return { is_consistent: inconsistent.length === 0, inconsistent_objects: inconsistent };
  }

  /** The documented shape of a Postgres source and its tables (parse errors, not inconsistencies). */
  private shapeOfSource(s: unknown, path: string): void {
    if (!isObj(s)) throw new ApiError(400, "parse-failed", "expected Object", path);
    if (typeof s.name !== "string" || s.kind !== "postgres")
      throw new ApiError(400, "parse-failed", "a source needs a name and kind postgres", path);
    const ci = isObj(s.configuration) ? s.configuration.connection_info : undefined;
    if (!isObj(ci) || !isObj(ci.database_url) || typeof ci.database_url.from_env !== "string")
      throw new ApiError(
        400,
        "parse-failed",
        "this double expects database_url as {from_env}",
        `${path}.configuration`,
      );
    if (!Array.isArray(s.tables))
      throw new ApiError(400, "parse-failed", "tables must be a list", `${path}.tables`);
    s.tables.forEach((t, j) => {
      const tp = `${path}.tables[${j}]`;
      if (
        !isObj(t) ||
        !isObj(t.table) ||
        typeof t.table.schema !== "string" ||
        typeof t.table.name !== "string"
      )
        throw new ApiError(400, "parse-failed", "table must be {schema, name}", tp);
      for (const kind of ["object_relationships", "array_relationships"]) {
        const rels = t[kind];
        if (rels === undefined) continue;
        if (!Array.isArray(rels)) throw new ApiError(400, "parse-failed", "expected a list", `${tp}.${kind}`);
        rels.forEach((r, k) => {
          const rp = `${tp}.${kind}[${k}]`;
          if (!isObj(r) || typeof r.name !== "string" || !isObj(r.using))
            throw new ApiError(400, "parse-failed", "relationship needs name and using", rp);
          only(r, ["name", "using", "comment"], rp);
          const keys = Object.keys(r.using);
          if (keys.length !== 1 || !["foreign_key_constraint_on", "manual_configuration"].includes(keys[0]))
            throw new ApiError(
              400,
              "parse-failed",
              "using must be foreign_key_constraint_on or manual_configuration",
              `${rp}.using`,
            );
          const fk = r.using.foreign_key_constraint_on;
          if (kind === "array_relationships" && fk !== undefined) {
            if (
              !isObj(fk) ||
              !isObj(fk.table) ||
              (typeof fk.column !== "string" && !Array.isArray(fk.columns))
            )
              throw new ApiError(
                400,
                "parse-failed",
                "array foreign_key_constraint_on must be {table, column(s)}",
                `${rp}.using`,
              );
          }
        });
      }
    });
  }

  /** Every table, column and foreign key checked against the real database. */
  private async checkSource(s: Obj): Promise<Inconsistent[]> {
    const source = s.name as string;
    const env = ((s.configuration as Obj).connection_info as Obj).database_url as { from_env: string };
    const url = this.options.env[env.from_env];
    if (url === undefined)
      return [
        {
          definition: source,
          name: `source ${source}`,
          reason: `Inconsistent object: environment variable '${env.from_env}' not set`,
          type: "source",
        },
      ];
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const cols = await client.query<{ schema: string; name: string; columns: string[] }>(
        `SELECT n.nspname AS schema, c.relname AS name,
                coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped), '{}') AS columns
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid
          WHERE c.relkind IN ('r','p','v','m','f') GROUP BY 1, 2`,
      );
      const fks = await client.query<{
        schema: string;
        name: string;
        ref_schema: string;
        ref_name: string;
        columns: string[];
        ref_columns: string[];
      }>(
        `SELECT n.nspname AS schema, c.relname AS name, fn.nspname AS ref_schema, fc.relname AS ref_name,
                (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS columns,
                (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS ref_columns
           FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_class fc ON fc.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
          WHERE con.contype = 'f' AND con.conparentid = 0`,
      );
      const k = (schema: string, name: string) => `${schema}.${name}`;
      const columnsOf = new Map(cols.rows.map((r) => [k(r.schema, r.name), r.columns]));
      const tables = s.tables as Obj[];
      const tracked = new Set(
        tables.map((t) => k((t.table as Obj).schema as string, (t.table as Obj).name as string)),
      );
      const out: Inconsistent[] = [];
      const seen = new Set<string>();
      for (const t of tables) {
        const qt = t.table as { schema: string; name: string };
        const tName = `table ${tableText(qt)} in source ${source}`;
        if (seen.has(k(qt.schema, qt.name))) {
          out.push({
            definition: qt,
            name: tName,
            reason: `Inconsistent object: duplicate table ${tableText(qt)}`,
            type: "table",
          });
          continue;
        }
        seen.add(k(qt.schema, qt.name));
        const columns = columnsOf.get(k(qt.schema, qt.name));
        if (!columns) {
          out.push({
            definition: qt,
            name: tName,
            reason: `Inconsistent object: no such table/view exists in source: "${tableText(qt)}"`,
            type: "table",
          });
          continue;
        }
        const bad = [qt.schema === "public" ? qt.name : `${qt.schema}_${qt.name}`, ...columns].find(
          (c) => !GRAPHQL_NAME.test(c),
        );
        if (bad !== undefined) {
          out.push({
            definition: qt,
            name: tName,
            reason: `Inconsistent object: cannot include "${bad}" in the GraphQL schema because  it is not a valid GraphQL identifier`,
            type: "table",
          });
          continue;
        }
        const fields = new Set(columns);
        for (const [kind, type] of [
          ["object_relationships", "object_relation"],
          ["array_relationships", "array_relation"],
        ] as const) {
          for (const r of (t[kind] as Obj[] | undefined) ?? []) {
            const name = r.name as string;
            const fail = (why: string) =>
              out.push({
                definition: { name, source, comment: null, using: r.using, table: qt },
                name: `${type} ${name} in table ${tableText(qt)} in source ${source}`,
                reason: `Inconsistent object: in table "${tableText(qt)}": in relationship "${name}": ${why}`,
                type,
              });
            if (!GRAPHQL_NAME.test(name)) {
              fail(`"${name}" is not a valid GraphQL name`);
              continue;
            }
            if (fields.has(name)) {
              fail(`column/relationship "${name}" of table "${tableText(qt)}" already exists`);
              continue;
            }
            fields.add(name);
            const why = this.relationshipProblem(kind, qt, r.using as Obj, fks.rows, columnsOf, tracked);
            if (why) fail(why);
          }
        }
      }
      return out;
    } finally {
      await client.end();
    }
  }

  private relationshipProblem(
    kind: "object_relationships" | "array_relationships",
    qt: { schema: string; name: string },
    using: Obj,
    fks: { schema: string; name: string; ref_schema: string; ref_name: string; columns: string[] }[],
    columnsOf: Map<string, string[]>,
    tracked: Set<string>,
  ): string | null {
    const same = (a: string[], b: string[]) =>
      a.length === b.length && [...a].sort().join() === [...b].sort().join();
    const isTracked = (t: Obj) => tracked.has(`${t.schema}.${t.name}`);
    if (isObj(using.manual_configuration)) {
      const m = using.manual_configuration;
      const remote = m.remote_table as { schema: string; name: string };
      if (!isTracked(remote)) return `table "${tableText(remote)}" is not tracked`;
      for (const [l, r] of Object.entries(m.column_mapping as Record<string, string>)) {
        if (!columnsOf.get(`${qt.schema}.${qt.name}`)?.includes(l)) return `column "${l}" does not exist`;
        if (!columnsOf.get(`${remote.schema}.${remote.name}`)?.includes(r))
          return `column "${r}" of "${tableText(remote)}" does not exist`;
      }
      return null;
    }
    const on = using.foreign_key_constraint_on;
    const local = typeof on === "string" ? [on] : Array.isArray(on) ? (on as string[]) : null;
    let candidates;
    if (local !== null) {
      if (kind === "array_relationships")
        return "array relationships need foreign_key_constraint_on {table, column(s)}";
      candidates = fks.filter((f) => f.schema === qt.schema && f.name === qt.name && same(f.columns, local));
      if (candidates.length === 1 && !tracked.has(`${candidates[0].ref_schema}.${candidates[0].ref_name}`))
        return `table "${candidates[0].ref_schema}.${candidates[0].ref_name}" is not tracked`;
    } else {
      const remote = (on as Obj).table as { schema: string; name: string };
      const cols =
        typeof (on as Obj).column === "string"
          ? [(on as Obj).column as string]
          : ((on as Obj).columns as string[]);
      if (!isTracked(remote)) return `table "${tableText(remote)}" is not tracked`;
      candidates = fks.filter(
        (f) =>
          f.schema === remote.schema &&
          f.name === remote.name &&
          f.ref_schema === qt.schema &&
          f.ref_name === qt.name &&
          same(f.columns, cols),
      );
    }
    if (candidates.length === 0) return "no foreign constraint exists on the given column(s)";
    if (candidates.length > 1) return "more than one foreign key constraint exists on the given column(s)";
    return null;
  }
}

/**
 * Starts the double as GraphQL Engine deployed by a stack over `database` of `target` would run:
 * its metadata database (`hasura.metadataDatabase`'s default) made there, as `manageDatabase:
 * false` expects, and the source's URL under the name the rendered Secret gives it. The admin
 * secret is generated during `up`: the test passes it on with `setAdminSecret`.
 */
export async function startStackMetadataApi(target: PgCluster, database: string): Promise<MetadataApiDouble> {
  target.createDatabase("hasura_metadata");
  const double = new MetadataApiDouble({
    adminSecret: "generated-during-up",
    env: { [`HASURA_SOURCE_${database.toUpperCase()}_URL`]: target.url(database) },
  });
  await double.start();
  return double;
}
