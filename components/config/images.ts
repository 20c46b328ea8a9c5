import { Format, HEROKU_APP_NAME } from "../formats/formats";
import { imageRefProblem, isPinnedRef } from "../formats/image-ref";
import { AppImageSpec, buildsImage, ImagesConfig, SlugImageSpec } from "../images/config";
import { WEB_PORT } from "../plan/types";
import { Fields } from "./fields";

/**
 * `heroku-to-hasura:images` and `heroku-to-hasura:promoteFrom`, validated into the images
 * component's input (components/images/config.ts). Pure; every mistake is one issue naming its key.
 */

const SECTION = "images";
const STRATEGIES = ["slug", "dockerfile", "image"] as const;
const TOP_KEYS = [
  "registry",
  "registryUsername",
  "baseImage",
  "pinnedOnly",
  "builder",
  "buildah",
  "upstreamApps",
  "apps",
];
const BUILDAH_KEYS = ["storageDriver", "root", "runroot", "isolation"] as const;
const APP_KEYS: Record<AppImageSpec["strategy"], string[]> = {
  slug: ["strategy", "baseImage"],
  dockerfile: ["strategy", "context", "dockerfile", "args", "target", "platform"],
  image: ["strategy", "image"],
};
const PLATFORM: Format = {
  description: "an os/arch[/variant] platform such as linux/amd64",
  test: (v) => /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(v),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reports why `ref` is not a valid image reference, under its key. */
function checkRef(f: Fields, path: string, ref: string): void {
  const problem = imageRefProblem(ref);
  if (problem !== null) f.issues.add(path, problem);
}

/**
 * Parses `heroku-to-hasura:images` for the stack's `apps`, reporting into `f`'s issue list (one
 * issue per mistake, naming its key). `promoteFrom` is the parsed `heroku-to-hasura:promoteFrom`
 * (null when the stack builds its own images): a promoted stack must declare no per-app images, and
 * a building stack needs a registry.
 */
export function parseImagesConfig(
  f: Fields,
  raw: unknown,
  apps: readonly string[],
  options: { promoteFrom?: string | null } = {},
): ImagesConfig {
  const issues = f.issues;
  const value: ImagesConfig = {
    registry: null,
    registryUsername: null,
    baseImage: null,
    pinnedOnly: false,
    builder: "docker",
    buildah: { storageDriver: null, root: null, runroot: null, isolation: null },
    upstreamApps: {},
    apps: {},
  };
  const obj = f.object(SECTION, raw, null) ?? {};
  for (const k of Object.keys(obj)) {
    if (k === "port") {
      // Every web workload gets PORT=5000 (plan WEB_PORT), so a configured port could only change the
      // image's unused default: the key is refused with that reason rather than as merely unknown.
      issues.add(
        `${SECTION}.port`,
        `no longer supported: web processes always listen on $PORT, which the cluster sets to ` +
          `${WEB_PORT} (image, probes and Service alike); remove the key`,
      );
    } else if (!TOP_KEYS.includes(k)) f.unknownKey(`${SECTION}.${k}`, k, TOP_KEYS);
  }
  value.registry = f.string(`${SECTION}.registry`, obj.registry) ?? null;
  // A tag or digest in the prefix makes `<prefix>/x` unparsable, so this also rejects those.
  if (value.registry !== null && imageRefProblem(`${value.registry}/x`) !== null) {
    issues.add(
      `${SECTION}.registry`,
      `"${value.registry}" must be a repository prefix such as registry.example.com/acme ` +
        `(lowercase, no tag or digest)`,
    );
  }
  value.registryUsername = f.string(`${SECTION}.registryUsername`, obj.registryUsername) ?? null;
  value.baseImage = checkBaseImage(f, `${SECTION}.baseImage`, obj.baseImage);
  value.pinnedOnly = f.boolean(`${SECTION}.pinnedOnly`, obj.pinnedOnly) ?? false;
  value.builder = f.oneOf(`${SECTION}.builder`, obj.builder, ["docker", "buildah"] as const) ?? "docker";
  const buildah = f.object(`${SECTION}.buildah`, obj.buildah, BUILDAH_KEYS) ?? {};
  for (const k of BUILDAH_KEYS) value.buildah[k] = f.string(`${SECTION}.buildah.${k}`, buildah[k]) ?? null;

  const upstream = f.object(`${SECTION}.upstreamApps`, obj.upstreamApps, null) ?? {};
  for (const [app, up] of Object.entries(upstream)) {
    const path = `${SECTION}.upstreamApps.${app}`;
    if (!apps.includes(app)) {
      issues.add(path, `no such app in this stack (apps: ${apps.join(", ") || "none"})`);
      continue;
    }
    const name = f.requiredString(path, up, { format: HEROKU_APP_NAME });
    if (name !== undefined) value.upstreamApps[app] = name;
  }

  const appEntries = f.object(`${SECTION}.apps`, obj.apps, null) ?? {};
  for (const name of Object.keys(appEntries)) {
    if (!apps.includes(name)) {
      issues.add(`${SECTION}.apps.${name}`, `no such app in this stack (apps: ${apps.join(", ") || "none"})`);
    }
  }
  const promoteFrom = options.promoteFrom ?? null;
  if (promoteFrom !== null && Object.keys(appEntries).length > 0) {
    issues.add(
      `${SECTION}.apps`,
      `this stack has promoteFrom ${promoteFrom}, so it takes every image from there and ` +
        `declares none itself; remove images.apps (or remove promoteFrom)`,
    );
  }
  for (const app of apps) {
    value.apps[app] = parseAppSpec(f, `${SECTION}.apps.${app}`, appEntries[app]);
  }
  const builders = apps.filter((a) => buildsImage(value.apps[a]));
  if (value.pinnedOnly && promoteFrom === null) {
    for (const app of apps) {
      const spec = value.apps[app];
      if (spec.strategy !== "image" || !isPinnedRef(spec.image)) {
        issues.add(
          `${SECTION}.apps.${app}`,
          `not pinned to a digest, and this stack has pinnedOnly: true; ` +
            `pin it with \`npm run promote -- <upstream stack> <this stack>\``,
        );
      }
    }
  } else if (promoteFrom === null && builders.length > 0 && value.registry === null) {
    issues.add(
      `${SECTION}.registry`,
      `required because ${builders.join(", ")} ${builders.length === 1 ? "builds" : "build"} an image (strategy slug or ` +
        `dockerfile) that must be pushed; or pin prebuilt images with strategy: image`,
    );
  }
  return value;
}

function checkBaseImage(f: Fields, path: string, raw: unknown): string | null {
  const v = f.string(path, raw);
  if (v === undefined) return null;
  checkRef(f, path, v.split("{stackVersion}").join("24"));
  return v;
}

function parseAppSpec(f: Fields, path: string, raw: unknown): AppImageSpec {
  const fallback: SlugImageSpec = { strategy: "slug", baseImage: null };
  if (raw === undefined || raw === null) return fallback;
  if (!isObject(raw)) {
    f.issues.add(path, "must be an object such as { strategy: slug }");
    return fallback;
  }
  const inferred = raw.image !== undefined ? "image" : raw.context !== undefined ? "dockerfile" : "slug";
  const strategy = f.oneOf(`${path}.strategy`, raw.strategy ?? inferred, STRATEGIES);
  if (strategy === undefined) return fallback;
  for (const k of Object.keys(raw)) {
    if (!APP_KEYS[strategy].includes(k)) {
      f.issues.add(
        `${path}.${k}`,
        `not a setting of strategy ${strategy} (allowed: ${APP_KEYS[strategy].join(", ")})`,
      );
    }
  }
  const optStr = (k: string): string | null => f.string(`${path}.${k}`, raw[k]) ?? null;
  switch (strategy) {
    case "slug":
      return { strategy: "slug", baseImage: checkBaseImage(f, `${path}.baseImage`, raw.baseImage) };
    case "image": {
      if (raw.image === undefined) {
        f.issues.add(`${path}.image`, "required for strategy image");
        return { strategy: "image", image: "" };
      }
      const image = optStr("image");
      if (image === null) return { strategy: "image", image: "" };
      checkRef(f, `${path}.image`, image);
      return { strategy: "image", image };
    }
    case "dockerfile": {
      if (raw.context === undefined) f.issues.add(`${path}.context`, "required for strategy dockerfile");
      const context = optStr("context");
      const args: Record<string, string> = {};
      const rawArgs = f.object(`${path}.args`, raw.args, null) ?? {};
      for (const [k, v] of Object.entries(rawArgs)) {
        if (typeof v === "string") args[k] = v;
        else if (typeof v === "number" || typeof v === "boolean") args[k] = String(v);
        else f.issues.add(`${path}.args.${k}`, "must be a string");
      }
      return {
        strategy: "dockerfile",
        context: context ?? "",
        dockerfile: optStr("dockerfile"),
        args,
        target: optStr("target"),
        platform: f.string(`${path}.platform`, raw.platform, { format: PLATFORM }) ?? null,
      };
    }
  }
}

/**
 * Parses `heroku-to-hasura:promoteFrom`: the fully qualified upstream stack (`org/project/stack`;
 * with a self-managed backend the org is literally `organization`), or null when absent.
 */
export function parsePromoteFrom(f: Fields, raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === "") return null;
  if (typeof raw !== "string" || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(raw)) {
    f.issues.add(
      "promoteFrom",
      `must be a fully qualified stack name <org>/<project>/<stack> ` +
        `(e.g. organization/heroku-to-hasura/dev), got ${JSON.stringify(raw)}`,
    );
    return null;
  }
  return raw;
}
