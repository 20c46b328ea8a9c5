import * as pulumi from "@pulumi/pulumi";
import { generatedSecretProvider, URL_SAFE_ALPHABET } from "./generated-secret-provider";

export interface GeneratedSecretArgs {
  /** Number of characters, 16–256. Default 32 (190 bits with the default alphabet). Changing it REPLACES (a new value). */
  length?: number;
  /**
   * Characters to draw from (at least 16 distinct). Default letters and digits, safe in URLs,
   * connection strings and shell words. Changing it REPLACES.
   */
  alphabet?: string;
  /**
   * Any text; changing it REPLACES, i.e. rotates the value (e.g. a date in stack config). Default "".
   */
  rotation?: pulumi.Input<string>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret`. */
export const GENERATED_SECRET_MODULE = "heroku-to-hasura/secrets";
export const GENERATED_SECRET_TYPE = "GeneratedSecret";

/**
 * A random credential generated once, kept only in Pulumi state as a secret, stable across `up`s and
 * rotated only by an explicit change of `rotation`. It needs no provider plugin (a dynamic resource),
 * so it runs offline where `@pulumi/random` cannot be installed.
 */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  /** The secret value (a Pulumi secret). */
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      generatedSecretProvider,
      name,
      {
        length: args.length ?? 32,
        alphabet: args.alphabet ?? URL_SAFE_ALPHABET,
        rotation: args.rotation ?? "",
        value: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "value"] },
      GENERATED_SECRET_MODULE,
      GENERATED_SECRET_TYPE,
    );
  }
}
