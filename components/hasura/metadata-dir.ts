/**
 * Writes metadata v3 as the Hasura CLI's metadata directory (config v3 layout), for
 * `hasura metadata apply`: `version.yaml`, `databases/databases.yaml` with one entry per source
 * whose `tables` is `!include <source>/tables/tables.yaml`, which includes one
 * `<schema>_<table>.yaml` per tracked table, plus the empty top-level files `hasura init` creates.
 * Files whose content is unchanged are not rewritten, and table files no longer generated are
 * removed, so a new schema changes exactly the affected files.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { MetadataV3, TableMetadata } from "./metadata-types";

/** The empty files of a new CLI project (hasura init, config v3). */
const EMPTY_FILES: Record<string, string> = {
  "actions.graphql": "",
  "actions.yaml":
    "actions: []\ncustom_types:\n  enums: []\n  input_objects: []\n  objects: []\n  scalars: []\n",
  "allow_list.yaml": "[]\n",
  "api_limits.yaml": "{}\n",
  "cron_triggers.yaml": "[]\n",
  "graphql_schema_introspection.yaml": "disabled_for_roles: []\n",
  "inherited_roles.yaml": "[]\n",
  "metrics_config.yaml": "{}\n",
  "network.yaml": "{}\n",
  "query_collections.yaml": "[]\n",
  "remote_schemas.yaml": "[]\n",
  "rest_endpoints.yaml": "[]\n",
};

/** `<schema>_<table>.yaml`, as the CLI names table files. */
export function tableFileName(t: TableMetadata): string {
  const name = `${t.table.schema}_${t.table.name}.yaml`;
  if (name.includes("/") || name.includes("\\") || name.startsWith("."))
    throw new Error(`table ${t.table.schema}.${t.table.name} has no safe metadata file name`);
  return name;
}

/** Every file of the directory (relative path → content), purely. */
export function metadataFiles(metadata: MetadataV3): Map<string, string> {
  const files = new Map<string, string>(Object.entries(EMPTY_FILES));
  files.set("version.yaml", "version: 3\n");
  const databases = metadata.sources.map((s) => {
    const { tables, ...rest } = s;
    const dir = `databases/${s.name}/tables`;
    files.set(
      `${dir}/tables.yaml`,
      tables.length === 0 ? "[]\n" : yaml(tables.map((t) => `!include ${tableFileName(t)}`)),
    );
    for (const t of tables) files.set(`${dir}/${tableFileName(t)}`, yaml(t));
    return {
      name: rest.name,
      kind: rest.kind,
      configuration: rest.configuration,
      tables: `!include ${s.name}/tables/tables.yaml`,
    };
  });
  files.set("databases/databases.yaml", databases.length === 0 ? "[]\n" : yaml(databases));
  return files;
}

function yaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

export interface WriteResult {
  /** Files written because they were new or changed. */
  written: string[];
  /** Stale files removed. */
  removed: string[];
  /** Total files in the directory. */
  files: number;
}

/**
 * Writes the directory `dir` (the CLI project's `metadata/` folder). Only files we own are removed
 * when stale: table files under `databases/<source>/tables/` and source folders no longer generated.
 */
export function writeMetadataDirectory(dir: string, metadata: MetadataV3): WriteResult {
  const files = metadataFiles(metadata);
  const written: string[] = [];
  const removed: string[] = [];
  for (const [rel, content] of files) {
    const p = path.join(dir, rel);
    const current = fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null;
    if (current === content) continue;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, p);
    written.push(rel);
  }
  const dbDir = path.join(dir, "databases");
  for (const source of fs.existsSync(dbDir) ? fs.readdirSync(dbDir) : []) {
    const tablesDir = path.join(dbDir, source, "tables");
    if (!fs.statSync(path.join(dbDir, source)).isDirectory() || !fs.existsSync(tablesDir)) continue;
    for (const f of fs.readdirSync(tablesDir)) {
      const rel = `databases/${source}/tables/${f}`;
      if (f.endsWith(".yaml") && !files.has(rel)) {
        fs.rmSync(path.join(tablesDir, f));
        removed.push(rel);
      }
    }
    if (!metadata.sources.some((s) => s.name === source) && fs.readdirSync(tablesDir).length === 0) {
      fs.rmSync(path.join(dbDir, source), { recursive: true });
    }
  }
  return { written, removed, files: files.size };
}
