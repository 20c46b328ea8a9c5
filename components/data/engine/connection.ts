/**
 * Connection URLs: parsing, masking and opening `pg` clients with errors that say what is wrong
 * (unreachable, auth, TLS) without ever showing the password.
 */
import * as fs from "fs";
import type { Client, ClientConfig } from "pg";
import {
  effectiveSslMode,
  maskUrl,
  parsePostgresUrl,
  redactor,
  type PostgresUrl,
  type SslMode,
} from "../postgres-url";
import { ConnectionSpec, ImportError } from "./types";

export { maskUrl };

/** A connection spec resolved: the URL's parts and the sslmode actually used. */
export interface ParsedUrl extends PostgresUrl {
  sslMode: SslMode;
}

/** Removes the specs' URLs and passwords (raw or decoded) from any text. */
export function scrub(text: string, ...specs: (ConnectionSpec | undefined)[]): string {
  return redactor(specs.map((s) => s?.url))(text);
}

/** Parses a spec (see postgres-url); a bad URL or sslmode is an ImportError("config") that shows no password. */
export function parseUrl(spec: ConnectionSpec, what = "URL"): ParsedUrl {
  try {
    const u = parsePostgresUrl(spec.url, what);
    return { ...u, user: u.user || "postgres", sslMode: effectiveSslMode(u, spec.sslMode) };
  } catch (err) {
    throw new ImportError(scrub((err as Error).message, spec), "config");
  }
}

/** The libpq environment for pg_dump/pg_restore: credentials never on a command line. */
export function libpqEnv(spec: ConnectionSpec): Record<string, string> {
  const p = parseUrl(spec);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG") && v !== undefined) env[k] = v;
  Object.assign(env, {
    PGHOST: p.host,
    PGPORT: String(p.port),
    PGDATABASE: p.database,
    PGUSER: p.user,
    PGSSLMODE: p.sslMode,
    PGAPPNAME: "heroku-to-hasura-import",
    PGCONNECT_TIMEOUT: "15",
  });
  if (p.password) env.PGPASSWORD = p.password;
  if (p.sslRootCert) env.PGSSLROOTCERT = p.sslRootCert;
  return env;
}

function pgConfig(p: ParsedUrl, ssl: boolean): ClientConfig {
  let sslOpt: ClientConfig["ssl"] = false;
  if (ssl) {
    const verify = p.sslMode === "verify-ca" || p.sslMode === "verify-full";
    sslOpt = {
      // libpq's `require` encrypts without verifying; Heroku's certificates do not verify anyway.
      rejectUnauthorized: verify,
      ...(p.sslRootCert ? { ca: fs.readFileSync(p.sslRootCert, "utf8") } : {}),
      ...(p.sslMode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  return {
    host: p.host,
    port: p.port,
    database: p.database,
    user: p.user,
    password: p.password,
    ssl: sslOpt,
    application_name: "heroku-to-hasura-import",
    connectionTimeoutMillis: 15000,
    keepAlive: true,
  };
}

/** Turns a driver error into an ImportError with the masked URL and a hint. */
export function connectionError(err: unknown, spec: ConnectionSpec, role: string): ImportError {
  const e = err as { code?: string; message?: string };
  const where = `${role} ${maskUrl(spec.url)}`;
  const msg = scrub(String(e?.message ?? err), spec);
  if (e?.code === "28P01" || /password authentication failed/i.test(msg)) {
    return new ImportError(`${where}: authentication failed (check the user and password)`, "auth");
  }
  if (/pg_hba\.conf.*(no encryption|SSL off)/i.test(msg)) {
    return new ImportError(`${where}: the server requires TLS; use sslmode=require (${msg})`, "tls");
  }
  if (/does not support SSL/i.test(msg)) {
    return new ImportError(`${where}: the server does not offer TLS; use sslmode=disable or prefer`, "tls");
  }
  if (/self[- ]signed|certificate|SSL/i.test(msg)) {
    return new ImportError(`${where}: TLS failed: ${msg}`, "tls");
  }
  if (e?.code === "28000" || e?.code === "3D000") {
    return new ImportError(`${where}: ${msg}`, "auth");
  }
  if (
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "EAI_AGAIN", "ECONNRESET"].includes(
      e?.code ?? "",
    ) ||
    /timeout/i.test(msg)
  ) {
    return new ImportError(`${where}: cannot reach the server (${e?.code ?? msg})`, "unreachable");
  }
  return new ImportError(`${where}: ${msg}`, "unreachable");
}

/**
 * Session settings that make text output identical on both ends (verification relies on it).
 * `row_security = off` (as pg_dump does): a table whose rows row-level security would filter
 * raises an error instead of silently yielding only the visible rows to COPY and to count(*).
 */
export const SESSION_SETUP =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; " +
  "SET bytea_output = 'hex'; SET client_encoding = 'UTF8'; SET statement_timeout = 0; SET lock_timeout = 0; " +
  "SET idle_in_transaction_session_timeout = 0; SET row_security = off";

/**
 * For sessions that COPY rows or read them back: an empty search_path (as pg_dump uses), so values
 * of reg* types (regclass, regtype, …) print schema-qualified, restore to the same objects on the
 * target and read back identically on both ends.
 */
export const COPY_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false)";

/** Opens a client (lazy `pg`), honouring sslmode including `prefer`'s fallback. */
export async function connect(spec: ConnectionSpec, role: "source" | "target"): Promise<Client> {
  const p = parseUrl(spec, `${role} URL`);
  const { Client: PgClient } = await import("pg");
  const attempts =
    p.sslMode === "disable"
      ? [false]
      : p.sslMode === "prefer"
        ? [true, false]
        : p.sslMode === "allow"
          ? [false, true]
          : [true];
  let last: unknown;
  for (const ssl of attempts) {
    const client = new PgClient(pgConfig(p, ssl));
    // An idle client whose server dies emits 'error'; without a listener that crashes the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query(SESSION_SETUP);
      // Every target write commits together with its marker row, so a commit lost in a server
      // crash loses both: not waiting for the WAL flush is safe and speeds up many small tables.
      if (role === "target") await client.query("SET synchronous_commit = off");
      return client;
    } catch (err) {
      last = err;
      await client.end().catch(() => undefined);
      const msg = String((err as Error)?.message ?? "");
      const tlsIssue = /SSL|TLS|no encryption/i.test(msg);
      if (!tlsIssue) break;
    }
  }
  throw connectionError(last, spec, role);
}

/**
 * The error says the connection itself is gone (socket errors, the server ending the session),
 * as opposed to a statement that failed: the fix is to re-run, not to change anything.
 */
export function connectionLost(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    [
      "EPIPE",
      "ECONNRESET",
      "ECONNREFUSED",
      "ETIMEDOUT",
      "57P01",
      "57P02",
      "57P03",
      "08006",
      "08003",
      "08000",
    ].includes(e?.code ?? "") ||
    /Connection terminated|socket hang up|write after end|This socket has been ended/i.test(e?.message ?? "")
  );
}

/** Quotes an identifier the way PostgreSQL does for any name. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
