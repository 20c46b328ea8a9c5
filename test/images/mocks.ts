import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** One registration seen by the mocks. */
export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  custom: boolean;
  provider?: string;
}

/**
 * Pulumi mocks for the image tests (the docker provider cannot run here: no daemon, no plugin).
 * `docker:index/image:Image` and the BuildahImage dynamic resource answer with a `repoDigest` derived
 * from their inputs, as the real ones report it (`<repository>@sha256:…`); a StackReference answers with `upstream`'s outputs.
 */
export function installMocks(upstream: Record<string, Record<string, unknown>> = {}, stack = "dev") {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          custom: args.custom ?? false,
          provider: args.provider,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        if (
          args.type === "docker:index/image:Image" ||
          args.type === "pulumi-nodejs:dynamic/images:BuildahImage"
        ) {
          const { __provider: _ignored, ...rest } = args.inputs as Record<string, unknown>;
          state.repoDigest = `${String(args.inputs.imageName).replace(/:[^:/]+$/, "")}@${fakeDigest(rest)}`;
        }
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          state.outputs = upstream[name] ?? {};
          state.secretOutputNames = [];
        }
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        registered.push({ type: `call:${args.token}`, name: "", inputs: args.inputs, custom: false });
        return {};
      },
    },
    "heroku-to-hasura",
    stack,
    false,
  );
  return registered;
}

export function fakeDigest(inputs: unknown): string {
  return "sha256:" + createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** Resolves an Output, rejecting when its apply threw (Output#promise is internal but stable). */
export function settle<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}
