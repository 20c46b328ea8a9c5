/**
 * Reads the manifests the Kubernetes provider rendered (`renderYamlToDirectory`) and validates each
 * object against the Kubernetes OpenAPI schema through kubernetes-models' generated validators.
 */
import * as fs from "fs";
import * as path from "path";

import * as yaml from "js-yaml";

export interface RenderedObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Every object in every *.yaml file under `dir` (recursively), in file order. */
export function readRendered(dir: string): RenderedObject[] {
  if (!fs.existsSync(dir)) return [];
  const files = walk(dir).filter((f) => /\.ya?ml$/.test(f));
  return files.flatMap((file) =>
    yaml
      .loadAll(fs.readFileSync(file, "utf8"))
      .filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null)
      .map((d) => ({ ...d, file }) as RenderedObject),
  );
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Validates each object with the kubernetes-models class for its apiVersion/kind. Returns one
 * message per invalid or unknown object ("<kind>/<name> in <file>: <reason>"); empty when all pass.
 */
export function validateRendered(objects: RenderedObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.name ?? "?"} in ${path.basename(o.file)}`;
    let Model: ModelClass | undefined;
    try {
      // Core group objects live at "kubernetes-models/v1", the others at "<group>/<version>".
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`kubernetes-models/${o.apiVersion}`) as Record<string, ModelClass>;
      Model = mod[o.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const { file: _file, ...data } = o;
    try {
      new Model(data).validate();
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  }
  return problems;
}
