/**
 * What makes two Postgres connection strings "the same database": host, port and database name.
 * Credentials and query parameters are not part of it, so rotating a password or changing
 * `sslmode` is not a new import.
 *
 * Plain functions with no imports: the PostgresImport provider uses them inside its serialized
 * methods, so they must serialize by value.
 */

/** A database's identity: no credentials. */
export interface DatabaseIdentity {
  /** Host name, lower-cased. */
  host: string;
  port: number;
  database: string;
}

/** The parts of a `postgres://` URL. */
export interface ParsedPostgresUrl extends DatabaseIdentity {
  user: string;
  /** Query parameters (e.g. `sslmode`), as given. */
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

/** Replaces the password in anything that looks like a URL with credentials. */
export function maskUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, "$1:***@");
}

/**
 * Parses a `postgres://` or `postgresql://` URL. Errors name `what` and never contain the URL's
 * password.
 */
export function parsePostgresUrl(url: string, what = "database URL"): ParsedPostgresUrl {
  if (typeof url !== "string" || url.trim() === "") {
    throw new Error(`${what} is empty`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} is not a valid URL: ${maskUrl(url)}`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`${what} must start with postgres:// or postgresql://, got ${parsed.protocol}//…`);
  }
  const host = decodeURIComponent(parsed.hostname)
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  if (host === "") {
    throw new Error(`${what} has no host: ${maskUrl(url)}`);
  }
  const port = parsed.port === "" ? 5432 : Number(parsed.port);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "") {
    throw new Error(`${what} names no database: ${maskUrl(url)}`);
  }
  const params: Record<string, string> = {};
  parsed.searchParams.forEach((v, k) => {
    params[k] = v;
  });
  return { host, port, database, user: decodeURIComponent(parsed.username), params };
}

/** The identity (host, port, database) of a URL. */
export function identityOf(url: string, what = "database URL"): DatabaseIdentity {
  const p = parsePostgresUrl(url, what);
  return { host: p.host, port: p.port, database: p.database };
}

export function sameIdentity(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  return a.host === b.host && a.port === b.port && a.database === b.database;
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
