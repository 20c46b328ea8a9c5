import * as pulumi from "@pulumi/pulumi";
import { BuildahBuildSpec, buildAndPush, BuildahStorage } from "./buildah-build";

/**
 * BuildahImage: a dynamic resource that builds a context with `buildah` and pushes it, for machines
 * without a Docker daemon (`images.builder: buildah`). Like `docker.Image`, it rebuilds when the
 * context digest or a build setting changes, never deletes pushed images, and outputs `repoDigest`.
 */

export const BUILDAH_IMAGE_MODULE = "images";
export const BUILDAH_IMAGE_TYPE = "BuildahImage";
export const BUILDAH_IMAGE_SECRET_OUTPUTS = ["registryPassword"];

/** What buildah builds and pushes, plus the digest of the context's content (the rebuild trigger). */
export interface BuildahImageInputs extends BuildahBuildSpec {
  contextDigest: string;
}

export interface BuildahImageOutputs extends BuildahImageInputs {
  repoDigest: string;
}

/** Inputs whose change means a new build and push (credentials and storage location do not). */
export const REBUILD_INPUTS = [
  "imageName",
  "dockerfile",
  "buildArgs",
  "target",
  "platform",
  "contextDigest",
] as const;

export function buildahImageDiff(
  olds: Partial<BuildahImageOutputs>,
  news: BuildahImageInputs,
): pulumi.dynamic.DiffResult {
  const same = (k: keyof BuildahImageInputs) =>
    JSON.stringify(olds[k] ?? null) === JSON.stringify(news[k] ?? null);
  const changed = REBUILD_INPUTS.filter((k) => !same(k));
  // Credentials, storage flags and the context's path are used only while building: changing them
  // alone must not rebuild (a rebuild gives a new digest: layer timestamps differ).
  return { changes: changed.length > 0 || !olds.repoDigest, replaces: [], deleteBeforeReplace: false };
}

async function build(inputs: BuildahImageInputs): Promise<BuildahImageOutputs> {
  // buildAndPush and what it uses (./image-ref, Node built-ins) are captured by value when Pulumi
  // serializes this provider, so it runs in the provider process without any relative require.
  const { contextDigest: _trigger, ...spec } = inputs;
  const repoDigest = await buildAndPush(spec);
  return { ...inputs, repoDigest };
}

export const buildahImageProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const k of ["imageName", "context", "contextDigest"]) {
      if (typeof news[k] !== "string" || news[k] === "")
        failures.push({ property: k, reason: `${k} is required` });
    }
    return { inputs: news, failures };
  },
  async diff(_id: string, olds: BuildahImageOutputs, news: BuildahImageInputs) {
    return buildahImageDiff(olds, news);
  },
  async create(inputs: BuildahImageInputs) {
    const outs = await build(inputs);
    return { id: outs.repoDigest, outs };
  },
  async update(_id: string, _olds: BuildahImageOutputs, news: BuildahImageInputs) {
    return { outs: await build(news) };
  },
  async delete() {
    // Pushed images stay in the registry (as with docker.Image): a running workload may use them.
  },
};

export interface BuildahImageArgs {
  /** `registry/repo:tag` pushed to. Changing it rebuilds and pushes. */
  imageName: pulumi.Input<string>;
  /** Build context directory. Moving it alone does not rebuild. */
  context: pulumi.Input<string>;
  /** Dockerfile path; default `<context>/Dockerfile`. Changing it rebuilds. */
  dockerfile?: pulumi.Input<string | null>;
  /** Build arguments; default none. Changing them rebuilds. */
  buildArgs?: pulumi.Input<Record<string, string>>;
  /** Multi-stage target; default the last stage. Changing it rebuilds. */
  target?: pulumi.Input<string | null>;
  /** Platform such as `linux/amd64`; default the host's. Changing it rebuilds. */
  platform?: pulumi.Input<string | null>;
  /** Digest of the context's content (see directoryDigest / slugContextDigest). Changing it rebuilds. */
  contextDigest: pulumi.Input<string>;
  /** Registry user; default anonymous. Not a rebuild trigger. */
  registryUsername?: pulumi.Input<string | null>;
  /** Registry password (stored as a secret output). Not a rebuild trigger. */
  registryPassword?: pulumi.Input<string | null>;
  /** buildah storage flags; default buildah's own. Not a rebuild trigger. */
  storage?: pulumi.Input<BuildahStorage>;
}

export class BuildahImage extends pulumi.dynamic.Resource {
  /** `repo@sha256:…` of the pushed manifest. */
  declare readonly repoDigest: pulumi.Output<string>;

  constructor(name: string, args: BuildahImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      buildahImageProvider,
      name,
      {
        imageName: args.imageName,
        context: args.context,
        dockerfile: args.dockerfile ?? null,
        buildArgs: args.buildArgs ?? {},
        target: args.target ?? null,
        platform: args.platform ?? null,
        contextDigest: args.contextDigest,
        registryUsername: args.registryUsername ?? null,
        registryPassword:
          args.registryPassword === undefined || args.registryPassword === null
            ? null
            : pulumi.secret(args.registryPassword),
        storage: args.storage ?? { storageDriver: null, root: null, runroot: null, isolation: null },
        repoDigest: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...BUILDAH_IMAGE_SECRET_OUTPUTS],
      },
      BUILDAH_IMAGE_MODULE,
      BUILDAH_IMAGE_TYPE,
    );
  }
}
