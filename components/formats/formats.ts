/**
 * Formats of config values, each with the wording used in error messages: the vocabulary the config
 * layer validates with and the planner re-checks with. Pure predicates: no I/O, no imports from the
 * layers that use them.
 */
import { isPinnedRef } from "./image-ref";
import { quantityBytes } from "./quantity";

export interface Format {
  /** How the format is described to the user, e.g. "a DNS-1123 label (lowercase letters, digits, '-')". */
  description: string;
  test(value: string): boolean;
}

function regexFormat(description: string, re: RegExp, maxLength = Infinity): Format {
  return { description, test: (v) => v.length <= maxLength && re.test(v) };
}

/** Heroku app names: the Platform API schema's `app.name` pattern, verbatim. */
export const HEROKU_APP_NAME = regexFormat(
  "a Heroku app name (^[a-z][a-z0-9-]{1,28}[a-z0-9]$: 3 to 30 lowercase letters, digits and '-', not ending in '-')",
  /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/,
);

/** Heroku add-on names, e.g. `redis-curved-11111` or a user-chosen `acme-redis`. */
export const HEROKU_ADDON_NAME = regexFormat(
  "a Heroku add-on name (letters, digits, '-' and '_', starting with a letter)",
  /^[a-zA-Z][a-zA-Z0-9_-]{0,99}$/,
);

/** Procfile process type names. */
export const PROCESS_TYPE = regexFormat(
  "a process type name (letters, digits, '-' and '_')",
  /^[a-zA-Z0-9_-]{1,63}$/,
);

export const PIPELINE_NAME = regexFormat(
  "a Heroku pipeline name (lowercase letters, digits and '-', starting with a letter)",
  /^[a-z][a-z0-9-]{0,29}$/,
);

/** Kubernetes namespaces and most object names. */
export const DNS1123_LABEL = regexFormat(
  "a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending alphanumeric)",
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  63,
);

/** `cluster.region`: a Heroku region name or a cloud region code, compared by geography. */
export const CLUSTER_REGION = regexFormat(
  "a region name such as eu, frankfurt, eu-west-1, europe-west4 or westeurope (letters, digits, '-', '_')",
  /^[A-Za-z][A-Za-z0-9_-]*$/,
  64,
);

/** Ingress class, storage class and ClusterIssuer names. */
export const DNS1123_SUBDOMAIN = regexFormat(
  "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)",
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  253,
);

/** Scheduler job names end up inside a CronJob name (limit 52) after the app's base name. */
export const JOB_NAME = regexFormat(
  "a DNS-1123 label of at most 30 characters (lowercase letters, digits and '-')",
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  30,
);

/** A positive Kubernetes storage quantity with a binary or decimal suffix, e.g. `5Gi`, `500M`. */
export const STORAGE_QUANTITY = {
  description: "a positive Kubernetes quantity such as 1Gi, 512Mi or 10G",
  test: (v: string) => (quantityBytes(v) ?? 0) > 0,
} satisfies Format;

/**
 * An image reference pinned by digest: `[registry[:port]/]repo[/path][:tag]@sha256:<64 hex>`. Tags
 * alone are refused: a digest is what makes dev, staging and prod run the same bits.
 */
export const DIGEST_IMAGE = {
  description: "an image reference by digest, repo@sha256:<64 hex digits>",
  test: isPinnedRef,
} satisfies Format;

/** A PostgreSQL database name we accept unquoted. */
export const PG_IDENTIFIER = regexFormat(
  "an unquoted PostgreSQL identifier (^[a-z_][a-z0-9_]{0,62}$)",
  /^[a-z_][a-z0-9_]{0,62}$/,
);

/** The PostgresImport's `importId` (recorded in the target's marker). */
export const IMPORT_ID = regexFormat("1-63 characters of A-Z a-z 0-9 . _ -", /^[A-Za-z0-9._-]{1,63}$/);

/** A host name or IP address, without scheme or port. */
export const HOST = regexFormat(
  "a host name or IP address without scheme or port",
  /^(?:[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/,
  253,
);

export const HTTP_URL = {
  description: "an http(s) URL",
  test: (v: string) => {
    try {
      const u = new URL(v);
      return u.protocol === "https:" || u.protocol === "http:";
    } catch {
      return false;
    }
  },
} satisfies Format;
