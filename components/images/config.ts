import { HEROKU_APP_NAME } from "../config/formats";
import type { BuildahStorage } from "./buildah-build";
import { parseImageRef } from "./image-ref";

/**
 * Typed, validated `heroku-to-hasura:images` and `heroku-to-hasura:promoteFrom` stack config. Pure.
 * The config layer passes both keys through untyped; every mistake becomes one error naming its key.
 */

/** How one app's image is obtained. */
export type AppImageSpec = SlugImageSpec | DockerfileImageSpec | PrebuiltImageSpec;

/** Run the app's current Heroku slug (the default when an app has no entry). */
export interface SlugImageSpec {
  strategy: "slug";
  /** Base image for this app; null = the stack-wide `baseImage`, else `heroku/heroku:<stack number>`. */
  baseImage: string | null;
}

/** Build the app's source directory with its Dockerfile. */
export interface DockerfileImageSpec {
  strategy: "dockerfile";
  /** Build context directory, relative to the Pulumi project directory. */
  context: string;
  /** Dockerfile path; null = `<context>/Dockerfile`. */
  dockerfile: string | null;
  /** Build arguments (plain values: never put a secret here, it stays in the image history). */
  args: Record<string, string>;
  /** Multi-stage target; null = the last stage. */
  target: string | null;
  /** Single platform, e.g. `linux/amd64`; null = the builder's. */
  platform: string | null;
}

/** A prebuilt image: a tag is resolved to its digest; a `repo@sha256:…` reference is used as is. */
export interface PrebuiltImageSpec {
  strategy: "image";
  image: string;
}

export interface ImagesConfig {
  /** Repository prefix images are pushed under as `<registry>/<app>`, e.g. `registry.example.com/acme`. */
  registry: string | null;
  /** Registry user; the password is the secret config `heroku-to-hasura:registryPassword`. */
  registryUsername: string | null;
  /**
   * Base image of slug images; `{stackVersion}` is replaced by the slug's stack number (`22` for
   * `heroku-22`). null = `heroku/heroku:{stackVersion}`.
   */
  baseImage: string | null;
  /** `PORT` set in slug images (workloads may override it). Default 5000. */
  port: number;
  /**
   * True for a stack that must only run digests pinned by `npm run promote` (prod): an app without a
   * `repo@sha256:…` pin is an error instead of a build. Default false.
   */
  pinnedOnly: boolean;
  /**
   * What builds `slug` and `dockerfile` images: `docker` (docker.Image, needs a Docker daemon) or
   * `buildah` (the BuildahImage resource, no daemon). Default `docker`.
   */
  builder: "docker" | "buildah";
  /** Flags for `buildah` (builder buildah); every field null = buildah's defaults. */
  buildah: BuildahStorage;
  /**
   * This stack's app → the upstream stack's app whose image it runs, for pipelines whose stages use
   * different Heroku apps (`acme-api-staging` runs `acme-api`'s image). Apps not listed keep their name.
   * Used by `promoteFrom` and by `npm run promote`.
   */
  upstreamApps: Record<string, string>;
  /** One entry per app of the stack (apps without an entry get `{ strategy: "slug" }`). */
  apps: Record<string, AppImageSpec>;
}

export interface ParseResult<T> {
  errors: string[];
  value: T;
}

export const DEFAULT_SLUG_PORT = 5000;
const KEY = "heroku-to-hasura:images";
const STRATEGIES = ["slug", "dockerfile", "image"] as const;
const TOP_KEYS = [
  "registry",
  "registryUsername",
  "baseImage",
  "port",
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses `heroku-to-hasura:images` for the stack's `apps`. `promoteFrom` is the parsed
 * `heroku-to-hasura:promoteFrom` (null when the stack builds its own images): a promoted stack must
 * declare no per-app images, and a building stack needs a registry.
 */
export function parseImagesConfig(
  raw: unknown,
  apps: string[],
  options: { promoteFrom?: string | null } = {},
): ParseResult<ImagesConfig> {
  const errors: string[] = [];
  const value: ImagesConfig = {
    registry: null,
    registryUsername: null,
    baseImage: null,
    port: DEFAULT_SLUG_PORT,
    pinnedOnly: false,
    builder: "docker",
    buildah: { storageDriver: null, root: null, runroot: null, isolation: null },
    upstreamApps: {},
    apps: {},
  };
  const obj: Record<string, unknown> = raw === undefined || raw === null ? {} : isObject(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isObject(raw)) errors.push(`${KEY}: must be an object`);
  for (const k of Object.keys(obj)) {
    if (!TOP_KEYS.includes(k))
      errors.push(`${KEY}.${k}: unknown key (expected one of ${TOP_KEYS.join(", ")})`);
  }
  const str = (v: unknown, key: string): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "string" || v.trim() === "") {
      errors.push(`${key}: must be a non-empty string`);
      return null;
    }
    return v;
  };
  value.registry = str(obj.registry, `${KEY}.registry`);
  if (value.registry !== null) {
    try {
      // A tag or digest in the prefix makes `<prefix>/x` unparsable, so this also rejects those.
      parseImageRef(`${value.registry}/x`, `${KEY}.registry`);
    } catch {
      errors.push(
        `${KEY}.registry: "${value.registry}" must be a repository prefix such as registry.example.com/acme ` +
          `(lowercase, no tag or digest)`,
      );
    }
  }
  value.registryUsername = str(obj.registryUsername, `${KEY}.registryUsername`);
  value.baseImage = checkBaseImage(str(obj.baseImage, `${KEY}.baseImage`), `${KEY}.baseImage`, errors);
  if (obj.port !== undefined) {
    if (typeof obj.port === "number" && Number.isInteger(obj.port) && obj.port > 0 && obj.port < 65536) {
      value.port = obj.port;
    } else errors.push(`${KEY}.port: must be an integer port number (1-65535)`);
  }

  if (obj.pinnedOnly !== undefined) {
    if (typeof obj.pinnedOnly === "boolean") value.pinnedOnly = obj.pinnedOnly;
    else errors.push(`${KEY}.pinnedOnly: must be true or false`);
  }

  if (obj.builder !== undefined) {
    if (obj.builder === "docker" || obj.builder === "buildah") value.builder = obj.builder;
    else errors.push(`${KEY}.builder: must be docker or buildah`);
  }
  if (obj.buildah !== undefined) {
    if (!isObject(obj.buildah)) errors.push(`${KEY}.buildah: must be an object (${BUILDAH_KEYS.join(", ")})`);
    else {
      for (const k of Object.keys(obj.buildah)) {
        if (!(BUILDAH_KEYS as readonly string[]).includes(k)) {
          errors.push(`${KEY}.buildah.${k}: unknown key (expected one of ${BUILDAH_KEYS.join(", ")})`);
        }
      }
      for (const k of BUILDAH_KEYS) value.buildah[k] = str(obj.buildah[k], `${KEY}.buildah.${k}`);
    }
  }

  if (obj.upstreamApps !== undefined && obj.upstreamApps !== null) {
    if (!isObject(obj.upstreamApps))
      errors.push(`${KEY}.upstreamApps: must map this stack's app names to upstream app names`);
    else {
      for (const [app, up] of Object.entries(obj.upstreamApps)) {
        if (!apps.includes(app)) {
          errors.push(
            `${KEY}.upstreamApps.${app}: no such app in this stack (apps: ${apps.join(", ") || "none"})`,
          );
        } else if (typeof up !== "string" || !HEROKU_APP_NAME.test(up)) {
          errors.push(`${KEY}.upstreamApps.${app}: must be a Heroku app name of the upstream stack`);
        } else value.upstreamApps[app] = up;
      }
    }
  }

  const rawApps = obj.apps === undefined || obj.apps === null ? {} : obj.apps;
  if (!isObject(rawApps)) errors.push(`${KEY}.apps: must be an object keyed by Heroku app name`);
  const appEntries = isObject(rawApps) ? rawApps : {};
  for (const name of Object.keys(appEntries)) {
    if (!apps.includes(name)) {
      errors.push(`${KEY}.apps.${name}: no such app in this stack (apps: ${apps.join(", ") || "none"})`);
    }
  }
  const promoteFrom = options.promoteFrom ?? null;
  if (promoteFrom !== null && Object.keys(appEntries).length > 0) {
    errors.push(
      `${KEY}.apps: this stack has promoteFrom ${promoteFrom}, so it takes every image from there and ` +
        `declares none itself; remove images.apps (or remove promoteFrom)`,
    );
  }
  for (const app of apps) {
    value.apps[app] = parseAppSpec(appEntries[app], `${KEY}.apps.${app}`, errors);
  }
  const builders = apps.filter((a) => value.apps[a].strategy !== "image");
  if (value.pinnedOnly && promoteFrom === null) {
    for (const app of apps) {
      const spec = value.apps[app];
      if (spec.strategy !== "image" || !/@sha256:/.test(spec.image)) {
        errors.push(
          `${KEY}.apps.${app}: not pinned to a digest, and this stack has pinnedOnly: true; ` +
            `pin it with \`npm run promote -- <upstream stack> <this stack>\``,
        );
      }
    }
  } else if (promoteFrom === null && builders.length > 0 && value.registry === null) {
    errors.push(
      `${KEY}.registry: required because ${builders.join(", ")} ${builders.length === 1 ? "builds" : "build"} an image (strategy slug or ` +
        `dockerfile) that must be pushed; or pin prebuilt images with strategy: image`,
    );
  }
  return { errors, value };
}

function checkBaseImage(v: string | null, key: string, errors: string[]): string | null {
  if (v === null) return null;
  try {
    parseImageRef(v.split("{stackVersion}").join("24"), key);
  } catch (e) {
    errors.push((e as Error).message);
  }
  return v;
}

function parseAppSpec(raw: unknown, key: string, errors: string[]): AppImageSpec {
  const fallback: SlugImageSpec = { strategy: "slug", baseImage: null };
  if (raw === undefined || raw === null) return fallback;
  if (!isObject(raw)) {
    errors.push(`${key}: must be an object such as { strategy: slug }`);
    return fallback;
  }
  const inferred = raw.image !== undefined ? "image" : raw.context !== undefined ? "dockerfile" : "slug";
  const strategy = raw.strategy ?? inferred;
  if (typeof strategy !== "string" || !(STRATEGIES as readonly string[]).includes(strategy)) {
    errors.push(`${key}.strategy: must be one of ${STRATEGIES.join(", ")}`);
    return fallback;
  }
  const s = strategy as AppImageSpec["strategy"];
  for (const k of Object.keys(raw)) {
    if (!APP_KEYS[s].includes(k)) {
      errors.push(`${key}.${k}: not a setting of strategy ${s} (allowed: ${APP_KEYS[s].join(", ")})`);
    }
  }
  const optStr = (k: string): string | null => {
    const v = raw[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string" || v.trim() === "") {
      errors.push(`${key}.${k}: must be a non-empty string`);
      return null;
    }
    return v;
  };
  switch (s) {
    case "slug":
      return { strategy: "slug", baseImage: checkBaseImage(optStr("baseImage"), `${key}.baseImage`, errors) };
    case "image": {
      const image = optStr("image");
      if (image === null) {
        if (raw.image === undefined) errors.push(`${key}.image: required for strategy image`);
        return { strategy: "image", image: "" };
      }
      try {
        parseImageRef(image, `${key}.image`);
      } catch (e) {
        errors.push((e as Error).message);
      }
      return { strategy: "image", image };
    }
    case "dockerfile": {
      const context = optStr("context");
      if (context === null && raw.context === undefined)
        errors.push(`${key}.context: required for strategy dockerfile`);
      const args: Record<string, string> = {};
      if (raw.args !== undefined) {
        if (!isObject(raw.args))
          errors.push(`${key}.args: must be an object of build argument names to strings`);
        else {
          for (const [k, v] of Object.entries(raw.args)) {
            if (typeof v === "string") args[k] = v;
            else if (typeof v === "number" || typeof v === "boolean") args[k] = String(v);
            else errors.push(`${key}.args.${k}: must be a string`);
          }
        }
      }
      const platform = optStr("platform");
      if (platform !== null && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) {
        errors.push(
          `${key}.platform: "${platform}" is not an os/arch[/variant] platform such as linux/amd64`,
        );
      }
      return {
        strategy: "dockerfile",
        context: context ?? "",
        dockerfile: optStr("dockerfile"),
        args,
        target: optStr("target"),
        platform,
      };
    }
  }
}

/**
 * Parses `heroku-to-hasura:promoteFrom`: the fully qualified upstream stack (`org/project/stack`;
 * with a self-managed backend the org is literally `organization`), or null when absent.
 */
export function parsePromoteFrom(raw: unknown): ParseResult<string | null> {
  if (raw === undefined || raw === null || raw === "") return { errors: [], value: null };
  if (typeof raw !== "string" || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(raw)) {
    return {
      errors: [
        `heroku-to-hasura:promoteFrom: must be a fully qualified stack name <org>/<project>/<stack> ` +
          `(e.g. organization/heroku-to-hasura/dev), got ${JSON.stringify(raw)}`,
      ],
      value: null,
    };
  }
  return { errors: [], value: raw };
}
