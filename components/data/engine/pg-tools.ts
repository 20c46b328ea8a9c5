/**
 * pg_dump/pg_restore: finding them, checking their version against the source server, and running
 * them for the schema sections only (the data goes through our own COPY streams).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { libpqEnv, scrub } from "./connection";
import { ConnectionSpec, ImportError } from "./types";

export interface PgTools {
  binDir: string;
  pgDump: string;
  pgRestore: string;
  /** e.g. "15.18" */
  version: string;
  major: number;
}

function toolVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const m = /(\d+)(?:\.(\d+))?/.exec(r.stdout.replace(/^[^)]*\)/, ""));
  return m ? (m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]) : undefined;
}

function candidates(): string[] {
  const dirs: string[] = [];
  const root = "/usr/lib/postgresql";
  if (fs.existsSync(root)) {
    for (const d of fs
      .readdirSync(root)
      .filter((x) => /^\d+$/.test(x))
      .sort((a, b) => Number(b) - Number(a))) {
      dirs.push(path.join(root, d, "bin"));
    }
  }
  for (const d of (process.env.PATH ?? "").split(":")) if (d) dirs.push(d);
  return dirs.filter(
    (d) => fs.existsSync(path.join(d, "pg_dump")) && fs.existsSync(path.join(d, "pg_restore")),
  );
}

/**
 * Finds pg_dump/pg_restore: `pgBinDir` when given, else the newest found on PATH and under
 * /usr/lib/postgresql. Throws an ImportError("tools") naming what is missing.
 */
export function findPgTools(pgBinDir?: string): PgTools {
  const dirs = pgBinDir ? [pgBinDir] : candidates();
  let best: PgTools | undefined;
  for (const binDir of dirs) {
    const pgDump = path.join(binDir, "pg_dump");
    const pgRestore = path.join(binDir, "pg_restore");
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) continue;
    const version = toolVersion(pgDump);
    if (!version) continue;
    const major = Number(version.split(".")[0]);
    if (!best || major > best.major) best = { binDir, pgDump, pgRestore, version, major };
  }
  if (!best) {
    throw new ImportError(
      pgBinDir
        ? `no working pg_dump and pg_restore in ${pgBinDir}`
        : "pg_dump/pg_restore not found on PATH or under /usr/lib/postgresql/*/bin: install the PostgreSQL client tools",
      "tools",
    );
  }
  return best;
}

/** pg_dump refuses servers newer than itself: say which version is needed. */
export function checkToolVersion(tools: PgTools, sourceVersionNum: number, sourceVersion: string): void {
  const sourceMajor = Math.floor(sourceVersionNum / 10000);
  if (tools.major < sourceMajor) {
    throw new ImportError(
      `pg_dump ${tools.version} (${tools.pgDump}) is older than the source server (PostgreSQL ${sourceVersion}): ` +
        `install the PostgreSQL ${sourceMajor} client tools or newer and point pgBinDir at them`,
      "version",
    );
  }
}

function run(
  bin: string,
  args: string[],
  env: Record<string, string>,
  spec: ConnectionSpec | undefined,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"], signal });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (e) => reject(new ImportError(`${path.basename(bin)}: ${e.message}`, "tools")));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new ImportError(`${path.basename(bin)} failed (exit ${code}): ${scrub(err.trim(), spec)}`, "copy"),
        );
    });
  });
}

export interface SchemaDumpOptions {
  snapshot?: string;
  /** Kills pg_dump when aborted. */
  signal?: AbortSignal;
  includeSchemas?: string[];
  excludeSchemas?: string[];
}

/** Dumps the source's pre-data and post-data sections (no rows, no large objects) to `file`. */
export async function dumpSchema(
  tools: PgTools,
  source: ConnectionSpec,
  file: string,
  o: SchemaDumpOptions,
): Promise<void> {
  const args = [
    "-Fc",
    "--section=pre-data",
    "--section=post-data",
    "--no-owner",
    "--no-acl",
    "--no-blobs",
    "--no-publications",
    "--no-subscriptions",
    "--no-security-labels",
    "--no-tablespaces",
    "-f",
    file,
  ];
  if (o.snapshot) args.push(`--snapshot=${o.snapshot}`);
  // pg_dump takes patterns: a double-quoted name matches exactly (case, dots, wildcards).
  const exact = (n: string) => `"${n.replace(/"/g, `""`)}"`;
  for (const s of o.includeSchemas ?? []) args.push("-n", exact(s));
  for (const s of o.excludeSchemas ?? []) args.push("-N", exact(s));
  await run(tools.pgDump, args, libpqEnv(source), source, o.signal);
}

export interface TocEntry {
  line: string;
  dumpId: number;
  type: string;
  schema: string;
  name: string;
}

const TYPES = [
  "MATERIALIZED VIEW DATA",
  "MATERIALIZED VIEW",
  "FK CONSTRAINT",
  "INDEX ATTACH",
  "SEQUENCE OWNED BY",
  "SEQUENCE SET",
  "DEFAULT ACL",
  "EVENT TRIGGER",
  "FOREIGN TABLE",
  "TABLE ATTACH",
  "TEXT SEARCH CONFIGURATION",
  "TEXT SEARCH DICTIONARY",
  "TEXT SEARCH PARSER",
  "TEXT SEARCH TEMPLATE",
  "PUBLICATION TABLE",
  "PUBLICATION TABLES IN SCHEMA",
  "OPERATOR CLASS",
  "OPERATOR FAMILY",
  "ACCESS METHOD",
  "CHECK CONSTRAINT",
  "SHELL TYPE",
  "PROCEDURAL LANGUAGE",
  "FOREIGN DATA WRAPPER",
  "SERVER",
  "USER MAPPING",
  "TABLE DATA",
  "LARGE OBJECT",
  "BLOB",
  "BLOBS",
  "CONSTRAINT",
  "INDEX",
  "TRIGGER",
  "RULE",
  "POLICY",
  "COMMENT",
  "TABLE",
  "VIEW",
  "SEQUENCE",
  "FUNCTION",
  "PROCEDURE",
  "AGGREGATE",
  "TYPE",
  "DOMAIN",
  "SCHEMA",
  "EXTENSION",
  "DEFAULT",
  "CAST",
  "COLLATION",
  "CONVERSION",
  "OPERATOR",
  "STATISTICS",
  "TRANSFORM",
  "ACL",
];

/** `pg_restore -l`: the table of contents of a custom-format dump. */
export async function listToc(tools: PgTools, file: string): Promise<TocEntry[]> {
  const text = await run(
    tools.pgRestore,
    ["-l", file],
    { ...process.env } as Record<string, string>,
    undefined,
  );
  const entries: TocEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+); \d+ \d+ (.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2];
    const type = TYPES.find((t) => rest.startsWith(t + " ")) ?? rest.split(" ")[0];
    const [schema, ...nameParts] = rest.slice(type.length + 1).split(" ");
    entries.push({
      line,
      dumpId: Number(m[1]),
      type,
      schema,
      name: nameParts.slice(0, -1).join(" ") || nameParts.join(" "),
    });
  }
  return entries;
}

/** SQL text of the given TOC entries (via `pg_restore -L`), with psql-only lines removed. */
export async function restoreSql(
  tools: PgTools,
  file: string,
  entries: TocEntry[],
  listFile: string,
  section: "pre-data" | "post-data",
): Promise<string> {
  fs.writeFileSync(listFile, entries.map((e) => e.line).join("\n") + "\n");
  const sql = await run(
    tools.pgRestore,
    ["--no-owner", "--no-acl", `--section=${section}`, "-L", listFile, "-f", "-", file],
    { ...process.env } as Record<string, string>,
    undefined,
  );
  // pg_dump ≥ 15.14 wraps plain output in psql's \restrict … \unrestrict; we are not psql.
  return sql.replace(/^\\(un)?restrict \S+\s*$/gm, "");
}

export interface SqlItem {
  type: string;
  name: string;
  schema: string;
  sql: string;
}

/**
 * Splits pg_restore's plain SQL into its preamble (session SETs) and one item per TOC entry, using
 * the `-- Name: …; Type: …; Schema: …; Owner: …` header pg_restore writes before every entry.
 */
export function splitSql(sql: string): { preamble: string; items: SqlItem[] } {
  const header = /^--\n-- Name: (.*); Type: ([A-Z][A-Z ]*); Schema: (.*); Owner: .*\n--\n/gm;
  const heads: { index: number; end: number; name: string; type: string; schema: string }[] = [];
  let m: RegExpExecArray | null;
  while ((m = header.exec(sql)))
    heads.push({ index: m.index, end: header.lastIndex, name: m[1], type: m[2], schema: m[3] });
  const preamble = heads.length ? sql.slice(0, heads[0].index) : sql;
  const items = heads.map((h, i) => ({
    type: h.type,
    name: h.name,
    schema: h.schema,
    sql: sql.slice(h.end, i + 1 < heads.length ? heads[i + 1].index : sql.length).trim(),
  }));
  return {
    preamble: preamble.replace(/^--.*$/gm, "").trim(),
    items: items.filter((it) => it.sql.replace(/^--.*$/gm, "").trim()),
  };
}
