import { inspect } from "util";
import { SecretString } from "./secret-string";

/** A generated credential's place in a {@link SecretTemplate}. */
export interface CredentialSlot {
  readonly credential: string;
  /** Percent-encode the value where it lands (a URL's user-info). Default false. */
  readonly uriEncoded?: boolean;
}

type Part = { text: SecretString } | CredentialSlot;

const REDACTED = "[secret]";

/**
 * A secret value the planner cannot finish: literal secret text (from Heroku's values, transformed
 * only with `SecretString.map`) with generated credentials ({@link CredentialPlan}s) in between, whose
 * values exist only once the components created them (Pulumi Outputs). The components fill them in
 * with {@link render}. A template with no credential is just a SecretString.
 *
 * Like SecretString it prints as `[secret]` everywhere; only `render` (and `literal().reveal()`)
 * yields plaintext.
 */
export class SecretTemplate {
  readonly #parts: readonly Part[];

  private constructor(parts: readonly Part[]) {
    this.#parts = parts;
  }

  /** The value `s` as it is (no credential). */
  static of(s: SecretString): SecretTemplate {
    return new SecretTemplate([{ text: s }]);
  }

  /** The parts concatenated: plain (non-secret) strings, secret text and credential slots. */
  static join(...parts: (string | SecretString | CredentialSlot)[]): SecretTemplate {
    return new SecretTemplate(
      parts.map((p) =>
        typeof p === "string" ? { text: SecretString.of(p) } : p instanceof SecretString ? { text: p } : p,
      ),
    );
  }

  /** A slot for credential `name`. */
  static credential(name: string, opts: { uriEncoded?: boolean } = {}): CredentialSlot {
    return { credential: name, ...(opts.uriEncoded ? { uriEncoded: true } : {}) };
  }

  /** Names of the credentials it needs, sorted, each once. */
  get credentials(): string[] {
    const names = this.#parts.flatMap((p) => ("credential" in p ? [p.credential] : []));
    return [...new Set(names)].sort();
  }

  /** True when some literal text was redacted in its snapshot file: it cannot be rendered. */
  get isRedacted(): boolean {
    return this.#parts.some((p) => "text" in p && p.text.isRedacted);
  }

  /** Throws SecretString's error for a redacted value (naming `what`) when some literal text is redacted. */
  requireAvailable(what: string): void {
    for (const p of this.#parts) if ("text" in p && p.text.isRedacted) p.text.reveal(what);
  }

  /** The value as a SecretString when it names no credential, else null. */
  literal(): SecretString | null {
    if (this.credentials.length > 0) return null;
    let out = SecretString.of("");
    for (const p of this.#parts) {
      const text = (p as { text: SecretString }).text;
      if (text.isRedacted) return text;
      out = out.map((v) => v + text.reveal());
    }
    return out;
  }

  /**
   * The plaintext, with each credential's value from `values`. Throws naming `what` for a redacted
   * value or a credential `values` lacks (never printing a value).
   */
  render(values: Readonly<Record<string, string>>, what: string): string {
    return this.#parts
      .map((p) => {
        if ("text" in p) return p.text.reveal(what);
        const v = values[p.credential];
        if (v === undefined)
          throw new Error(`${what} needs credential ${p.credential}, which was not created`);
        return p.uriEncoded ? encodeURIComponent(v) : v;
      })
      .join("");
  }

  /** Same parts, same secret text (compared without revealing). */
  equals(other: SecretTemplate): boolean {
    const a = this.#parts;
    const b = other.#parts;
    return (
      a.length === b.length &&
      a.every((p, i) => {
        const q = b[i];
        if ("text" in p) return "text" in q && p.text.equals(q.text);
        return "credential" in q && p.credential === q.credential && !!p.uriEncoded === !!q.uriEncoded;
      })
    );
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
