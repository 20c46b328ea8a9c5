import * as path from "path";
import { SlugSnapshot } from "../heroku/snapshot";
import { WEB_PORT } from "../plan/types";
import { BuiltImageSpec, DockerfileImageSpec, SlugImageSpec } from "./config";
import { registryHost } from "../formats/image-ref";
import { slugBaseImage, slugContextDigest, SlugContextInput } from "./slug-context";

/**
 * What to build and push for one app, decided from its spec and snapshot: plain data for AppImage
 * to render. Pure: no Pulumi, no I/O. Errors name the app and the config key to change.
 */

/** Heroku slugs hold linux/amd64 binaries, so slug images are built for that platform. */
export const SLUG_PLATFORM = "linux/amd64";
export const DEFAULT_BUILD_DIR = path.join(".build", "images");

export interface ImageBuildPlan {
  /** `<registry>/<app>:<tag>`: `slug-<slug id>` for slugs, `latest` for Dockerfiles. */
  imageName: string;
  /** Registry host for credentials. */
  registryServer: string;
  /** Build context directory (for slugs: the generated folder `<buildDir>/<app>`). */
  context: string;
  dockerfile: string | null;
  buildArgs: Record<string, string>;
  target: string | null;
  platform: string | null;
  /** Set for slug builds: what to generate in `context`, and the archive's expected checksum. */
  slug: { input: SlugContextInput; checksum: string | null; contextDigest: string } | null;
}

export interface BuildPlanSettings {
  registry: string | null;
  slug: SlugSnapshot | null;
  /** Stack-wide base image template (`images.baseImage`). */
  baseImage: string | null;
  buildDir: string | null;
}

export function planImageBuild(app: string, spec: BuiltImageSpec, s: BuildPlanSettings): ImageBuildPlan {
  if (!s.registry) {
    throw new Error(`app ${app}: strategy ${spec.strategy} pushes an image, so images.registry must be set`);
  }
  switch (spec.strategy) {
    case "dockerfile":
      return dockerfileBuild(app, spec, s.registry);
    case "slug":
      return slugBuild(app, spec, s.registry, s);
  }
}

function dockerfileBuild(app: string, spec: DockerfileImageSpec, registry: string): ImageBuildPlan {
  return {
    imageName: `${registry}/${app}:latest`,
    registryServer: registryHost(registry),
    context: spec.context,
    dockerfile: spec.dockerfile,
    buildArgs: spec.args,
    target: spec.target,
    platform: spec.platform,
    slug: null,
  };
}

function slugBuild(app: string, spec: SlugImageSpec, registry: string, s: BuildPlanSettings): ImageBuildPlan {
  const slug = s.slug;
  if (!slug) {
    throw new Error(
      `app ${app}: strategy slug needs the app's current slug, and its snapshot has none (never ` +
        `released, or a Fir app); set images.apps.${app} to strategy dockerfile or image`,
    );
  }
  const input: SlugContextInput = {
    app,
    slugId: slug.id,
    stack: slug.stack,
    baseImage: spec.baseImage ?? s.baseImage,
    // The image's default PORT is the one every web workload sets, so `docker run` of it behaves alike.
    port: WEB_PORT,
    processTypes: slug.processTypes,
  };
  slugBaseImage(input); // a stack without a heroku/heroku:<N> image fails here, naming the app
  return {
    imageName: `${registry}/${app}:slug-${slug.id}`,
    registryServer: registryHost(registry),
    context: path.join(s.buildDir ?? DEFAULT_BUILD_DIR, app),
    dockerfile: null,
    buildArgs: {},
    target: null,
    platform: SLUG_PLATFORM,
    slug: { input, checksum: slug.checksum, contextDigest: slugContextDigest(input, slug.checksum) },
  };
}
