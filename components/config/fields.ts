import { closest, IssueList, shown } from "./issues";
import { Format } from "../formats/formats";

/**
 * Typed readers for one config value each. They report into an {@link IssueList} and return
 * `undefined` for a missing or bad value, so parsing goes on and every mistake is reported.
 * `secret: true` readers never echo the value.
 */
export class Fields {
  constructor(readonly issues: IssueList) {}

  /** A plain object whose keys are all in `allowed` (unknown keys are reported with a hint). */
  object(
    path: string,
    value: unknown,
    allowed: readonly string[] | null,
  ): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.issues.add(path, `must be an object (got ${shown(value)})`);
      return undefined;
    }
    const obj = value as Record<string, unknown>;
    if (allowed !== null) {
      for (const k of Object.keys(obj)) {
        if (!allowed.includes(k)) this.unknownKey(join(path, k), k, allowed);
      }
    }
    return obj;
  }

  unknownKey(path: string, key: string, allowed: readonly string[]): void {
    const hint = closest(key, allowed);
    this.issues.add(
      path,
      `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; allowed keys: ${allowed.join(", ")}`,
    );
  }

  /** A string, optionally of a given format; empty strings count as missing. */
  string(path: string, value: unknown, opts: { format?: Format; secret?: boolean } = {}): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      this.issues.add(path, `must be a string${opts.secret ? "" : ` (got ${shown(value)})`}`);
      return undefined;
    }
    if (value.trim() === "") {
      this.issues.add(path, "must not be empty");
      return undefined;
    }
    if (opts.format && !opts.format.test(value)) {
      this.issues.add(
        path,
        `must be ${opts.format.description}${opts.secret ? "" : ` (got ${shown(value)})`}`,
      );
      return undefined;
    }
    return value;
  }

  /** Like {@link string} but reports a missing value. */
  requiredString(
    path: string,
    value: unknown,
    opts: { format?: Format; secret?: boolean; hint?: string } = {},
  ): string | undefined {
    if (value === undefined || value === null) {
      this.issues.add(path, `is required${opts.hint ? `: ${opts.hint}` : ""}`);
      return undefined;
    }
    return this.string(path, value, opts);
  }

  /** An integer within [min, max]; numeric strings are accepted (`pulumi config set` stores strings). */
  integer(path: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === "string" && /^-?[0-9]+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      this.issues.add(path, `must be an integer from ${min} to ${max} (got ${shown(value)})`);
      return undefined;
    }
    if (n < min || n > max) {
      this.issues.add(path, `must be an integer from ${min} to ${max} (got ${n})`);
      return undefined;
    }
    return n;
  }

  boolean(path: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    this.issues.add(path, `must be true or false (got ${shown(value)})`);
    return undefined;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === "string" ? closest(value, allowed) : null;
    this.issues.add(
      path,
      `must be one of ${allowed.join(", ")} (got ${shown(value)})${hint ? `; did you mean "${hint}"?` : ""}`,
    );
    return undefined;
  }

  /** An array; each element is read by `item` with its indexed path. */
  array<T>(path: string, value: unknown, item: (path: string, v: unknown) => T | undefined): T[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.issues.add(path, `must be a list (got ${shown(value)})`);
      return undefined;
    }
    const out: T[] = [];
    value.forEach((v, i) => {
      const r = item(`${path}[${i}]`, v);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  /** A map whose keys have `keyFormat`; each value is read by `item`. */
  map<T>(
    path: string,
    value: unknown,
    keyFormat: Format,
    item: (path: string, v: unknown) => T | undefined,
  ): Record<string, T> {
    const obj = this.object(path, value, null);
    const out: Record<string, T> = {};
    if (!obj) return out;
    for (const [k, v] of Object.entries(obj)) {
      const p = join(path, k);
      if (!keyFormat.test(k)) {
        this.issues.add(p, `key "${k}" must be ${keyFormat.description}`);
        continue;
      }
      const r = item(p, v);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
}

export function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
