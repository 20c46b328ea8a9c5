import { createHash } from "crypto";
import { ObjectLabels } from "./types";

/**
 * Kubernetes names and labels, derived deterministically from Heroku names.
 *
 * Rules:
 * - A name that is already a valid DNS-1123 label (lowercase alphanumerics and `-`, starting with a
 *   letter) and short enough is used as it is, so `acme-api` stays `acme-api`.
 * - Anything else (upper case, `.`, `_`, too long) is cleaned, truncated, and suffixed with a short
 *   hash of the original, so `my-app` and `my.app` become `my-app` and `my-app-<hash>`, and two long
 *   names with a common prefix stay distinct.
 * - {@link assignUniqueNames} then resolves the remaining collisions between objects (e.g. app
 *   `acme` + process `web-x` vs app `acme-web` + process `x`): every claimant of a shared name gets a
 *   hash of its own identity, so the result does not depend on input order.
 */

/** Longest object name: CronJob names must leave 11 characters for the Job suffix (63 - 11). */
export const MAX_OBJECT_NAME = 52;
/** Longest app base name (Heroku app names are at most 30 characters). */
export const MAX_APP_BASE = 30;
/** Longest process-type/job part of an object name: MAX_APP_BASE + "-" + this = MAX_OBJECT_NAME. */
export const MAX_COMPONENT = MAX_OBJECT_NAME - MAX_APP_BASE - 1;
const HASH_LENGTH = 6;

/** `managed-by` label value. */
export const MANAGED_BY = "heroku-to-hasura";

/** First {@link HASH_LENGTH} hex digits of SHA-256 of `s`. */
export function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, HASH_LENGTH);
}

function clean(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(s) ? s : `x-${s}`.replace(/-+$/, "");
}

function truncate(s: string, max: number): string {
  return s.slice(0, max).replace(/-+$/, "");
}

/** `name` cut to fit `maxLength` with `-<hash of key>` appended. */
export function withHash(name: string, key: string, maxLength: number): string {
  return `${truncate(name, maxLength - HASH_LENGTH - 1)}-${shortHash(key)}`;
}

/**
 * A DNS-1123 label (also a valid DNS-1035 label: starts with a letter) of at most `maxLength`
 * characters for `raw`: `raw` itself when it already is one, else a cleaned, truncated form with a
 * hash of `raw`.
 */
export function dnsLabel(raw: string, maxLength: number): string {
  const c = clean(raw);
  if (c === raw && c.length <= maxLength) return c;
  return withHash(c, raw, maxLength);
}

/** True for a DNS-1123 label that starts with a letter (DNS-1035), as Services require. */
export function isDnsLabel(s: string, maxLength = 63): boolean {
  return s.length <= maxLength && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

export interface NameRequest {
  /** Identity of the object (unique), e.g. `workload\u0000acme-api\u0000web`. */
  key: string;
  /** The name it would like (already a DNS label within `maxLength`). */
  preferred: string;
  maxLength: number;
}

/**
 * Unique names for `requests`: each keeps its preferred name unless another request wants the same
 * one, in which case every such request gets `withHash(preferred, key)`. Throws if names still
 * collide (only possible with adversarial input), naming the objects.
 */
export function assignUniqueNames(requests: NameRequest[]): Map<string, string> {
  const byName = new Map<string, NameRequest[]>();
  for (const r of requests) byName.set(r.preferred, [...(byName.get(r.preferred) ?? []), r]);
  const result = new Map<string, string>();
  for (const [name, claimants] of byName) {
    for (const r of claimants) {
      result.set(r.key, claimants.length === 1 ? name : withHash(name, r.key, r.maxLength));
    }
  }
  const owners = new Map<string, string>();
  for (const [key, name] of result) {
    const other = owners.get(name);
    if (other !== undefined) {
      throw new Error(
        `Kubernetes name ${name} would be used by both ${describeKey(other)} and ${describeKey(key)}: rename one`,
      );
    }
    owners.set(name, key);
  }
  return result;
}

function describeKey(key: string): string {
  return key.split("\u0000").join(" ");
}

/** Identity key of a named object, for {@link assignUniqueNames}. */
export function nameKey(...parts: string[]): string {
  return parts.join("\u0000");
}

/**
 * Recommended labels. `app.kubernetes.io/name` + `/component` are the selector: both are fixed for
 * the object's lifetime (an immutable Deployment selector must never change), and unique together.
 */
export function objectLabels(args: {
  name: string;
  component: string;
  instance: string;
  partOf: string;
}): ObjectLabels {
  return {
    labels: {
      "app.kubernetes.io/name": args.name,
      "app.kubernetes.io/instance": args.instance,
      "app.kubernetes.io/component": args.component,
      "app.kubernetes.io/part-of": args.partOf,
      "app.kubernetes.io/managed-by": MANAGED_BY,
    },
    selector: { "app.kubernetes.io/name": args.name, "app.kubernetes.io/component": args.component },
  };
}

/**
 * A PostgreSQL identifier (lowercase, `[a-z0-9_]`, starts with a letter, ≤ 63 bytes) for `raw`;
 * `raw` with `-` → `_` when that is lossless enough, else hashed like {@link dnsLabel}.
 */
export function sqlIdentifier(raw: string, suffix = ""): string {
  const max = 63 - suffix.length;
  const label = dnsLabel(raw, max);
  return `${label.replace(/-/g, "_")}${suffix}`;
}
