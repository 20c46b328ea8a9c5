/**
 * The GeneratedSecret dynamic provider. Pulumi serializes `generatedSecretProvider` into state, so
 * it references nothing but Node's `crypto`, loaded inside the method that needs it.
 *
 * - `create` draws the value once from the OS's CSPRNG.
 * - `diff`: a changed `length`, `alphabet` or `rotation` is a replacement (a new value); nothing
 *   else ever changes it, so the value is stable across `up`s.
 * - `update` (never reached with a real change: every input change is a replacement) keeps the value.
 * - `read` (refresh) returns state as it is: the value lives nowhere else to compare with.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Inputs as the provider receives them. */
export interface GeneratedSecretInputs {
  length: number;
  alphabet: string;
  rotation: string;
}

export interface GeneratedSecretOutputs extends GeneratedSecretInputs {
  value: string;
}

/** Characters safe in URLs (user-info and query), shell words, YAML and connection strings. */
export const URL_SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters drawn uniformly from `alphabet` (rejection sampling: no modulo bias). */
export function randomString(length: number, alphabet: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the serialized provider
  const { randomBytes } = require("crypto") as typeof import("crypto");
  const n = alphabet.length;
  const limit = 256 - (256 % n);
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

const REPLACING_INPUTS: (keyof GeneratedSecretInputs)[] = ["length", "alphabet", "rotation"];

export const generatedSecretProvider: pulumi.dynamic.ResourceProvider<
  GeneratedSecretInputs,
  GeneratedSecretOutputs
> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Number.isInteger(news.length) || news.length < 16 || news.length > 256)
      failures.push({ property: "length", reason: "length must be an integer from 16 to 256" });
    if (typeof news.alphabet !== "string" || new Set(news.alphabet).size < 16)
      failures.push({ property: "alphabet", reason: "alphabet must hold at least 16 distinct characters" });
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const replaces = REPLACING_INPUTS.filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
  async create(inputs) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the serialized provider
    const { randomUUID } = require("crypto") as typeof import("crypto");
    return { id: randomUUID(), outs: { ...inputs, value: randomString(inputs.length, inputs.alphabet) } };
  },
  async update(_id, olds, news) {
    return { outs: { ...news, value: olds.value } };
  },
  async read(id, props) {
    return { id, props };
  },
};
