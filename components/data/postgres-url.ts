/**
 * Postgres connection strings, in one place: parsing, masking for messages, the identity that
 * makes two strings "the same database", and the `sslmode` vocabulary. The copy engine, the
 * PostgresImport provider, the TargetDatabase component, the stack config and `npm run import`
 * all use these functions, so a URL means the same thing everywhere.
 *
 * Plain functions without imports: the PostgresImport provider calls them inside methods that
 * Pulumi serializes by value.
 */

/** libpq's `sslmode` values. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** node-postgres spells libpq's `require` (TLS without certificate checks) `no-verify`; accepted as `require`. */
const SSL_MODE_ALIASES: Record<string, SslMode> = { "no-verify": "require" };

/** Hosts of Heroku Postgres, which refuses plaintext: their default sslmode is `require`. */
const HEROKU_HOST = /(\.amazonaws\.com|\.heroku(app)?\.com|\.herokudns\.com)$/i;

/** A database's identity: where it is, never who connects. */
export interface DatabaseIdentity {
  /** Host name, lower-cased (IPv6 without brackets). */
  host: string;
  port: number;
  database: string;
}

/** The parts of a `postgres://` URL, decoded. */
export interface PostgresUrl extends DatabaseIdentity {
  /** Decoded user name; "" when the URL has none. */
  user: string;
  /** Decoded password; "" when the URL has none. */
  password: string;
  /** The URL's `sslmode` parameter (aliases resolved), or undefined when it has none. */
  sslMode?: SslMode;
  /** The URL's `sslrootcert` parameter (a file path), if any. */
  sslRootCert?: string;
  /** Every query parameter, as given. */
  params: Record<string, string>;
}

/** Explicit connection fields, for targets given as parts rather than a URL. */
export interface PostgresConnectionParts {
  host: string;
  /** Default 5432. */
  port?: number;
  database: string;
  user: string;
  password: string;
  /** libpq `sslmode`, added as a query parameter when set. */
  sslMode?: string;
}

/** What a URL must look like; said in errors instead of echoing what was given. */
const SHAPE = "postgres://USER@HOST:5432/DATABASE (the password after USER and a colon)";

/**
 * Parses a `postgres://` or `postgresql://` URL. Errors name `what` and never contain any part of
 * the given string but its scheme: a string that does not parse may hold a password anywhere.
 */
export function parsePostgresUrl(url: string, what = "database URL"): PostgresUrl {
  if (typeof url !== "string" || url.trim() === "") throw new Error(`${what} is empty`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim());
  if (!scheme) {
    throw new Error(`${what} has no scheme: it must be a URL like ${SHAPE}`);
  }
  if (!/^postgres(ql)?$/i.test(scheme[1])) {
    throw new Error(`${what} must start with postgres:// or postgresql://, got ${scheme[1]}://…`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error(
      `${what} is not a valid URL: it must look like ${SHAPE} (percent-encode @ : / ? # in the password)`,
    );
  }
  const host = decode(parsed.hostname)
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  if (host === "") throw new Error(`${what} has no host: ${maskUrl(url)}`);
  const port = parsed.port === "" ? 5432 : Number(parsed.port);
  const database = decode(parsed.pathname.replace(/^\//, ""));
  if (database === "") throw new Error(`${what} names no database: ${maskUrl(url)}`);
  const params: Record<string, string> = {};
  parsed.searchParams.forEach((v, k) => {
    params[k] = v;
  });
  let sslMode: SslMode | undefined;
  if (params.sslmode !== undefined) {
    sslMode = checkSslMode(params.sslmode, `the sslmode of ${what}`);
  }
  return {
    host,
    port,
    database,
    user: decode(parsed.username),
    password: decode(parsed.password),
    sslMode,
    sslRootCert: params.sslrootcert,
    params,
  };
}

/** Returns the libpq sslmode `mode` stands for (aliases resolved), or throws naming `what`. */
export function checkSslMode(mode: string, what = "sslmode"): SslMode {
  const m = SSL_MODE_ALIASES[mode] ?? mode;
  if (!(SSL_MODES as readonly string[]).includes(m)) {
    throw new Error(`${what} is "${mode}": use one of ${SSL_MODES.join(", ")}`);
  }
  return m as SslMode;
}

/** The sslmode a connection uses: the explicit one, else the URL's, else `require` for Heroku hosts, else `prefer`. */
export function effectiveSslMode(url: PostgresUrl, explicit?: string): SslMode {
  if (explicit !== undefined) return checkSslMode(explicit);
  return url.sslMode ?? (HEROKU_HOST.test(url.host) ? "require" : "prefer");
}

/** The identity (host, port, database) of a URL. */
export function identityOf(url: string, what = "database URL"): DatabaseIdentity {
  const p = parsePostgresUrl(url, what);
  return { host: p.host, port: p.port, database: p.database };
}

export function sameIdentity(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.database === b.database;
}

/** `host:port/database`, for messages. */
export function describeIdentity(id: DatabaseIdentity): string {
  const host = id.host.includes(":") ? `[${id.host}]` : id.host;
  return `${host}:${id.port}/${id.database}`;
}

/** Builds a URL from parts, percent-encoding every component. */
export function buildPostgresUrl(parts: PostgresConnectionParts): string {
  const host = parts.host.includes(":") ? `[${parts.host}]` : parts.host;
  const query = parts.sslMode ? `?sslmode=${encodeURIComponent(parts.sslMode)}` : "";
  return (
    `postgres://${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}` +
    `@${host}:${parts.port ?? 5432}/${encodeURIComponent(parts.database)}${query}`
  );
}

/**
 * Masks credentials in any text: the password of every `scheme://user:password@` and of a
 * scheme-less `user:password@host`, `password=…` pairs, and query parameters whose name says
 * secret (`password`, `secret`, `token`, `key`). Idempotent.
 */
export function maskUrl(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@]*@/gi, "$1:***@")
    .replace(/(^|[\s"'(<=,])([^\s:/@"'(<=,]+):(?!\/\/)(?!\*\*\*@)[^\s@]+@(?=[^\s@])/g, "$1$2:***@")
    .replace(/\b(password|sslpassword)(\s*=\s*)('[^']*'|[^\s&]+)/gi, "$1$2***")
    .replace(/([?&][^=&\s]*(?:pass|secret|token|key)[^=&\s]*=)[^&\s]+/gi, "$1***");
}

/**
 * The secrets a connection string holds, as they may appear in text: the password raw and
 * decoded. Works on strings that do not parse as URLs too (a scheme-less `user:password@host`).
 */
export function secretsOf(url: string): string[] {
  const text = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const u = new URL(text);
      return u.password ? [...new Set([u.password, decode(u.password)])] : [];
    } catch {
      // not a URL the parser takes: the lenient reading below
    }
  }
  // Up to the last "@": a raw "@" in a password (badly encoded) still counts as password.
  const m = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
    ? /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:(\S*)@[^@]*$/i.exec(text)
    : /^[^\s:/@]*:(\S*)@[^@]*$/.exec(text);
  if (!m || m[1] === "") return [];
  return [...new Set([m[1], decode(m[1])])];
}

/**
 * A function that removes from any text the given connection strings (replaced by their masked
 * form) and their passwords, raw or decoded (replaced by `***`), on top of `maskUrl`. Passwords of
 * fewer than 3 characters are left to `maskUrl` (replacing them everywhere would garble text).
 */
export function redactor(urls: (string | undefined)[]): (text: string) => string {
  const raw = urls.filter((u): u is string => typeof u === "string" && u !== "");
  const secrets = raw.flatMap(secretsOf).filter((s) => s.length >= 3);
  return (text: string) => {
    let out = text;
    for (const u of raw) out = out.split(u).join(maskUrl(u));
    for (const s of secrets) out = out.split(s).join("***");
    return maskUrl(out);
  };
}

/** Decodes a percent-encoded URL component; a malformed escape is kept as written. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
