import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SecretString } from "../heroku/secret-string";
import { SlugSnapshot } from "../heroku/snapshot";
import { BuildahStorage, dockerfileContextDigest } from "./buildah-build";
import { BuildahImage } from "./buildah-image";
import { planImageBuild } from "./build-plan";
import { AppImageSpec, buildsImage } from "./config";
import { parseImageRef, registryHost, toDigestRef } from "../formats/image-ref";
import { resolveImageRef } from "./registry-client";
import { DEFAULT_HEROKU_API_URL, prepareSlugContext } from "./slug-fetch";

export const APP_IMAGE_TYPE = "heroku-to-hasura:images:AppImage";
export { SLUG_PLATFORM } from "./build-plan";

export interface AppImageArgs {
  /** Heroku app name; names the pushed repository `<registry>/<app>`. Changing it replaces the image. */
  app: string;
  /** How the image is obtained (parsed `images.apps.<app>`). Changing the strategy replaces the image. */
  spec: AppImageSpec;
  /**
   * Repository prefix images are pushed under (`images.registry`, e.g. `registry.example.com/acme`).
   * Required for `slug` and `dockerfile`; changing it pushes a new image.
   */
  registry?: string | null;
  /** Registry user for pushes and tag resolution; default none (anonymous). Not a rebuild trigger. */
  registryUsername?: string | null;
  /** Registry password or token (a secret); default none. Not a rebuild trigger. */
  registryPassword?: pulumi.Input<string>;
  /** The app's current slug (from its AppSnapshot); required for `slug`. A new slug id rebuilds. */
  slug?: SlugSnapshot | null;
  /** Stack-wide base image template for slug images (`images.baseImage`); default `heroku/heroku:{stackVersion}`. */
  baseImage?: string | null;
  /** Heroku API token used during `up` to fetch the slug archive (a secret). Required for `slug`. */
  herokuToken?: pulumi.Input<string>;
  /** Heroku Platform API base URL; default `https://api.heroku.com` (tests point it at a double). */
  herokuApiUrl?: string;
  /**
   * Directory, relative to the project, where slug build contexts are generated (one folder per app;
   * the downloaded archive is cached there). Default `.build/images`. Changing it rebuilds.
   */
  buildDir?: string;
  /**
   * What builds `slug` and `dockerfile` images: `docker` (a docker.Image, needs a Docker daemon) or
   * `buildah` (a BuildahImage, no daemon). Default `docker`. Changing it replaces the image resource.
   */
  builder?: "docker" | "buildah";
  /** buildah flags (builder `buildah`); default buildah's own. Not a rebuild trigger. */
  buildahStorage?: BuildahStorage;
}

/**
 * One app's container image, referenced by digest. `slug` builds the app's current Heroku slug into a
 * generated context, `dockerfile` builds the app's own source, both pushed to the registry by a
 * `docker.Image`; `image` resolves a prebuilt reference to its digest and declares no child.
 */
export class AppImage extends pulumi.ComponentResource {
  /** `repo@sha256:…`, never a tag: what every workload of the app runs. */
  public readonly imageRef: pulumi.Output<string>;
  /** The resource that builds and pushes (docker.Image or BuildahImage), or undefined for strategy `image`. */
  public readonly image: docker.Image | BuildahImage | undefined;

  constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(APP_IMAGE_TYPE, name, {}, opts);
    const { app, spec } = args;
    const username = args.registryUsername ?? null;
    const password = args.registryPassword === undefined ? undefined : pulumi.secret(args.registryPassword);

    if (!buildsImage(spec)) {
      const host = parseImageRef(spec.image, `images.apps.${app}.image`).registry;
      const useCreds =
        username !== null && password !== undefined && args.registry && host === registryHost(args.registry);
      const resolved = pulumi.all([password ?? ""]).apply(([pw]) =>
        resolveImageRef(spec.image, {
          credentials: useCreds ? { username, password: SecretString.of(pw) } : null,
        }),
      );
      this.imageRef = pulumi.unsecret(resolved);
      this.image = undefined;
    } else {
      const plan = planImageBuild(app, spec, {
        registry: args.registry ?? null,
        slug: args.slug ?? null,
        baseImage: args.baseImage ?? null,
        buildDir: args.buildDir ?? null,
      });
      let context: pulumi.Input<string> = plan.context;
      let contextDigest: pulumi.Input<string>;
      if (plan.slug !== null) {
        const { input, checksum } = plan.slug;
        const apiUrl = args.herokuApiUrl ?? DEFAULT_HEROKU_API_URL;
        // The archive is fetched inside this apply during `up` only; the signed URL never leaves it.
        const prepared = pulumi.output(args.herokuToken ?? "").apply(async (token) => {
          const download = !pulumi.runtime.isDryRun();
          if (download && token === "") {
            throw new Error(
              `app ${app}: strategy slug needs the Heroku API token (herokuApiKey) to download slug ${input.slugId}`,
            );
          }
          const src = { token: SecretString.of(token), apiUrl, checksum };
          return (await prepareSlugContext(plan.context, input, src, download)).dir;
        });
        context = pulumi.unsecret(prepared);
        contextDigest = plan.slug.contextDigest;
      } else {
        // docker.Image hashes its context itself; BuildahImage is told the digest (read-only I/O).
        contextDigest =
          args.builder === "buildah"
            ? pulumi.output(dockerfileContextDigest(plan.context, plan.dockerfile))
            : "";
      }
      if (args.builder === "buildah") {
        this.image = new BuildahImage(
          `${name}-image`,
          {
            imageName: plan.imageName,
            context,
            dockerfile: plan.dockerfile,
            buildArgs: plan.buildArgs,
            target: plan.target,
            platform: plan.platform,
            contextDigest,
            registryUsername: username,
            registryPassword: password,
            storage: args.buildahStorage,
          },
          { parent: this },
        );
      } else {
        const build: docker.types.input.DockerBuild = {
          context,
          ...(plan.dockerfile !== null ? { dockerfile: plan.dockerfile } : {}),
          ...(Object.keys(plan.buildArgs).length > 0 ? { args: plan.buildArgs } : {}),
          ...(plan.target !== null ? { target: plan.target } : {}),
          ...(plan.platform !== null ? { platform: plan.platform } : {}),
        };
        const registry = {
          server: plan.registryServer,
          ...(username !== null ? { username } : {}),
          ...(password !== undefined ? { password } : {}),
        };
        this.image = new docker.Image(
          `${name}-image`,
          { imageName: plan.imageName, build, buildOnPreview: false, skipPush: false, registry },
          { parent: this },
        );
      }
      this.imageRef = this.image.repoDigest.apply((d) => toDigestRef(d, `pushed image of app ${app}`));
    }
    this.registerOutputs({ imageRef: this.imageRef });
  }
}
