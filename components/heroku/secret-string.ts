import { inspect } from "util";

const REDACTED = "[secret]";

/**
 * A string that must never be printed by accident: config var values, database URLs, tokens.
 *
 * `toString()`, `JSON.stringify()`, template literals and `console.log`/`util.inspect` all show
 * `[secret]`. The only way to the value is an explicit `reveal()`, so every place that handles a
 * plaintext secret is greppable. A value read from a redacted snapshot file is `redacted` and has
 * no plaintext at all: `reveal()` throws.
 */
export class SecretString {
  readonly #value: string | undefined;

  private constructor(value: string | undefined) {
    this.#value = value;
  }

  /** Wraps a plaintext value. */
  static of(value: string): SecretString {
    return new SecretString(value);
  }

  /** A value that was redacted when its snapshot was written: it is known to exist, not what it is. */
  static redacted(): SecretString {
    return new SecretString(undefined);
  }

  /** True when the plaintext is not available (read from a redacted snapshot file). */
  get isRedacted(): boolean {
    return this.#value === undefined;
  }

  /** The plaintext. Throws for a redacted value; `what` names the value in that error. */
  reveal(what = "secret value"): string {
    if (this.#value === undefined) {
      throw new Error(`${what} is redacted in its snapshot file: re-create the file with --include-secrets`);
    }
    return this.#value;
  }

  /** Applies `f` to the plaintext without exposing it to the caller's scope. */
  map(f: (plaintext: string) => string): SecretString {
    return this.#value === undefined ? this : new SecretString(f(this.#value));
  }

  equals(other: SecretString): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Type guard usable across module copies (e.g. a value created in a serialized closure). */
export function isSecretString(v: unknown): v is SecretString {
  return v instanceof SecretString;
}
