import type { BuildahStorage } from "./buildah-build";

/**
 * The images component's input: how each app's image is obtained, typed and validated. The config
 * layer produces it from `heroku-to-hasura:images` and `promoteFrom` (components/config/images.ts).
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

/** The strategies that build and push an image (they need `registry` and a builder). */
export type BuiltImageSpec = SlugImageSpec | DockerfileImageSpec;

/**
 * True when the spec builds and pushes an image, false when it names a prebuilt one. A new strategy
 * is refused by the compiler here until it says which it is.
 */
export function buildsImage(spec: AppImageSpec): spec is BuiltImageSpec {
  switch (spec.strategy) {
    case "slug":
    case "dockerfile":
      return true;
    case "image":
      return false;
  }
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
