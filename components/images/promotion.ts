import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { AppSnapshot } from "../heroku/snapshot";
import { AppImage } from "./app-image";
import { buildsImage, ImagesConfig } from "./config";
import { parseImageRef, toDigestRef } from "../formats/image-ref";

/**
 * Where each app's image comes from in this stack: built or resolved here (the first stack), or read
 * from the upstream stack named by `promoteFrom` (staging), or pinned in config by
 * `npm run promote` (prod). Promoted and pinned stacks declare no image resource.
 */

/** Stack output holding `{ <app>: "repo@sha256:…" }`: what a downstream stack reads. */
export const IMAGE_DIGESTS_OUTPUT = "imageDigests";

export interface ResolveAppImagesArgs {
  /** This stack's name (used in messages). */
  stack: string;
  /** Parsed `heroku-to-hasura:images` (see parseImagesConfig). */
  imagesConfig: ImagesConfig;
  /** Parsed `heroku-to-hasura:promoteFrom` (`org/project/stack`), or null when this stack builds. */
  promoteFrom: string | null;
  /** The apps of this stack; each gets an image. */
  snapshots: AppSnapshot[];
  /** Heroku API token (secret) for slug downloads during `up`. */
  herokuToken?: pulumi.Input<string>;
  /** Heroku API base URL; default `https://api.heroku.com`. */
  herokuApiUrl?: string;
  /** `heroku-to-hasura:registryPassword` (secret). */
  registryPassword?: pulumi.Input<string>;
  /** Where slug build contexts go; default `.build/images`. */
  buildDir?: string;
  /** Options of the created resources (e.g. the migration component as parent, and aliases). */
  opts?: pulumi.ResourceOptions;
}

/** True when the spec is a `repo@sha256:…` pin: it needs no resource and no network. */
function isPinned(cfg: ImagesConfig, app: string): string | null {
  const spec = cfg.apps[app];
  if (spec?.strategy !== "image") return null;
  return parseImageRef(spec.image).digest !== null
    ? toDigestRef(spec.image, `images.apps.${app}.image`)
    : null;
}

/**
 * Returns each app's image as an Output of `repo@sha256:…`, keyed by Heroku app name. Export the
 * result as the `imageDigests` stack output (`export const imageDigests = pulumi.all(result)`) so the
 * next stack can promote it.
 */
export function resolveAppImages(args: ResolveAppImagesArgs): Record<string, pulumi.Output<string>> {
  const apps = args.snapshots.map((s) => s.app.name);
  const out: Record<string, pulumi.Output<string>> = {};
  if (args.promoteFrom !== null) {
    const upstream = args.promoteFrom;
    const ref = new pulumi.StackReference(
      `promote-from-${upstream.split("/").pop()}`,
      { name: upstream },
      args.opts,
    );
    const digests = ref.requireOutput(IMAGE_DIGESTS_OUTPUT);
    for (const app of apps) {
      const from = args.imagesConfig.upstreamApps[app] ?? app;
      out[app] = pulumi.unsecret(
        digests.apply((d: unknown) => {
          const all = typeof d === "object" && d !== null ? (d as Record<string, unknown>) : {};
          const v = all[from];
          if (typeof v !== "string") {
            const hint =
              from === app
                ? `; if that stack names it differently, set images.upstreamApps.${app} to one of: ` +
                  (Object.keys(all).join(", ") || "none")
                : "";
            throw new Error(
              `stack ${args.stack}: upstream stack ${upstream} output ${IMAGE_DIGESTS_OUTPUT} has no image ` +
                `for app ${from}${hint}`,
            );
          }
          return toDigestRef(v, `${upstream} output ${IMAGE_DIGESTS_OUTPUT}.${from}`);
        }),
      );
    }
    return out;
  }
  const cfg = args.imagesConfig;
  const needsDocker =
    cfg.builder === "docker" && apps.some((a) => cfg.apps[a] === undefined || buildsImage(cfg.apps[a]));
  const dockerProvider = needsDocker ? new docker.Provider("images-docker", {}, args.opts) : undefined;
  for (const snap of args.snapshots) {
    const app = snap.app.name;
    const pinned = isPinned(cfg, app);
    if (pinned !== null) {
      out[app] = pulumi.output(pinned);
      continue;
    }
    const image = new AppImage(
      app,
      {
        app,
        spec: cfg.apps[app] ?? { strategy: "slug", baseImage: null },
        registry: cfg.registry,
        registryUsername: cfg.registryUsername,
        registryPassword: args.registryPassword,
        slug: snap.slug,
        baseImage: cfg.baseImage,
        herokuToken: args.herokuToken,
        herokuApiUrl: args.herokuApiUrl,
        buildDir: args.buildDir,
        builder: cfg.builder,
        buildahStorage: cfg.buildah,
      },
      { ...args.opts, ...(dockerProvider ? { providers: { docker: dockerProvider } } : {}) },
    );
    out[app] = image.imageRef;
  }
  return out;
}
