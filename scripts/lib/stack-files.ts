import { isMap, isScalar, parseDocument } from "yaml";
import { toDigestRef } from "../../components/formats/image-ref";

/**
 * Pure edits and comparisons of `Pulumi.<stack>.yaml` files for `npm run promote`: pinning upstream
 * digests (a reviewed commit) and listing config differences between two stacks. Comments, key order
 * and every other key of the file are kept.
 */

/** Reads `{ app: "repo@sha256:…" }` out of `pulumi stack output --json` (or the object itself). */
export function digestsFromOutputs(
  outputs: unknown,
  from: string,
  outputName: string,
): Record<string, string> {
  const obj = typeof outputs === "object" && outputs !== null ? (outputs as Record<string, unknown>) : {};
  const raw = outputName in obj ? obj[outputName] : undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`stack ${from} has no output ${outputName}: run \`pulumi up\` on ${from} first`);
  }
  const out: Record<string, string> = {};
  for (const [app, ref] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof ref !== "string") throw new Error(`stack ${from} output ${outputName}.${app} is not a string`);
    out[app] = toDigestRef(ref, `stack ${from} output ${outputName}.${app}`);
  }
  if (Object.keys(out).length === 0) throw new Error(`stack ${from} output ${outputName} lists no app`);
  return out;
}

export interface PinResult {
  text: string;
  /** One line per app whose pin changed, e.g. `acme-api: <old or (none)> → <new>`. */
  changes: string[];
}

/**
 * Sets `<project>:images.apps.<app>` to `{ strategy: image, image: <digest ref> }` for each app in
 * the stack file's text (through the file's `images.upstreamApps` where a stage names apps differently). Refuses a file with `<project>:promoteFrom`: such a stack follows its upstream
 * on every `up`, so pinning it would be ambiguous.
 */
export function pinDigests(
  text: string,
  digests: Record<string, string>,
  project: string,
  file: string,
): PinResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message}`);
  if (doc.hasIn(["config", `${project}:promoteFrom`])) {
    throw new Error(
      `${file} sets ${project}:promoteFrom, so that stack takes its images from upstream on every up; ` +
        `remove promoteFrom from it before pinning digests`,
    );
  }
  const changes: string[] = [];
  const appsPath = ["config", `${project}:images`, "apps"];
  const apps = doc.getIn(appsPath);
  if (isMap(apps))
    apps.flow = false; // `apps: {}` placeholder: write pins in block style
  else if (apps === undefined || apps === null || (isScalar(apps) && apps.value === null)) {
    doc.setIn(appsPath, doc.createNode({}));
    (doc.getIn(appsPath) as { flow: boolean }).flow = false;
  } else throw new Error(`${file}: ${project}:images.apps must be a map of app name to image settings`);
  const pins = pinsFor(doc.getIn(["config", `${project}:images`, "upstreamApps"]), digests, file, project);
  for (const app of Object.keys(pins).sort()) {
    const pathTo = ["config", `${project}:images`, "apps", app];
    const current = doc.getIn([...pathTo, "image"]);
    const next = pins[app];
    if (current === next && doc.getIn([...pathTo, "strategy"]) === "image") continue;
    const existing = doc.getIn(pathTo);
    if (isMap(existing)) {
      // Keep the entry (and its comments); drop settings of a build strategy.
      for (const item of [...existing.items]) {
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (key !== "strategy" && key !== "image") existing.delete(key);
      }
      existing.set("strategy", "image");
      existing.set("image", next);
    } else {
      doc.setIn(pathTo, doc.createNode({ strategy: "image", image: next }));
    }
    changes.push(`${app}: ${typeof current === "string" ? current : "(none)"} → ${next}`);
  }
  return { text: doc.toString(), changes };
}

/**
 * Target app → digest: apps listed in the target's `images.upstreamApps` take their upstream app's
 * digest; every other upstream app is pinned under its own name.
 */
function pinsFor(mappingNode: unknown, digests: Record<string, string>, file: string, project: string) {
  const mapping = (isMap(mappingNode) ? mappingNode.toJSON() : {}) as Record<string, unknown>;
  const pins: Record<string, string> = {};
  const used = new Set<string>();
  for (const [target, upstream] of Object.entries(mapping)) {
    if (typeof upstream !== "string" || digests[upstream] === undefined) {
      throw new Error(
        `${file}: ${project}:images.upstreamApps.${target} names ${String(upstream)}, which has no digest ` +
          `upstream (it has: ${Object.keys(digests).join(", ")})`,
      );
    }
    pins[target] = digests[upstream];
    used.add(upstream);
  }
  for (const [app, ref] of Object.entries(digests)) if (!used.has(app) && !(app in pins)) pins[app] = ref;
  return pins;
}

type Flat = Map<string, { secret: boolean; value: string }>;

function flatten(node: unknown, prefix: string, out: Flat): void {
  if (typeof node === "object" && node !== null && !Array.isArray(node)) {
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "secure") {
      out.set(prefix, { secret: true, value: "[secret]" });
      return;
    }
    if (keys.length === 0) out.set(prefix, { secret: false, value: "{}" });
    for (const k of keys) flatten(obj[k], prefix === "" ? k : `${prefix}.${k}`, out);
    return;
  }
  if (Array.isArray(node) && node.some((v) => typeof v === "object" && v !== null)) {
    node.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    return;
  }
  out.set(prefix, { secret: false, value: JSON.stringify(node) });
}

/** The `config:` block of a stack file as dotted paths; `secure:` values become `[secret]`. */
export function flattenStackConfig(text: string, file: string): Flat {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message}`);
  const js = (doc.toJS() ?? {}) as { config?: unknown };
  const out: Flat = new Map();
  if (js.config !== undefined && js.config !== null) flatten(js.config, "", out);
  return out;
}

/**
 * Lines describing how the config of stack file `b` differs from `a`: `+` only in b, `-` only in a,
 * `~` changed. Secrets are shown as [secret]; two secrets are never compared (each stack encrypts
 * with its own key, so equal values have different ciphertexts).
 */
export function diffStackConfigs(aText: string, aFile: string, bText: string, bFile: string): string[] {
  const a = flattenStackConfig(aText, aFile);
  const b = flattenStackConfig(bText, bFile);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (x && !y) lines.push(`- ${k}: ${x.value}`);
    else if (!x && y) lines.push(`+ ${k}: ${y.value}`);
    else if (x && y) {
      if (x.secret && y.secret) lines.push(`? ${k}: [secret] in both (not compared: encrypted per stack)`);
      else if (x.value !== y.value) lines.push(`~ ${k}: ${x.value} → ${y.value}`);
    }
  }
  return lines;
}
