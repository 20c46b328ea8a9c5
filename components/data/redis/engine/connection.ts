/**
 * Redis URLs and connections for the copy engine. `ioredis` is required inside `connectRedis` only,
 * so loading this module (and the RedisImport provider that loads it at run time) costs nothing.
 */
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import type { RedisEndpoint } from "./types";

export type { RedisClient };

/** The parts of a `redis://` or `rediss://` URL. */
export interface ParsedRedisUrl {
  host: string;
  port: number;
  tls: boolean;
  /** ACL user name, or "" for the default user. */
  username: string;
  password: string;
}

/** Replaces the password of every redis(s):// URL in `text`. */
export function maskRedisUrl(text: string): string {
  return text.replace(/(rediss?:\/\/[^:/@\s]*):[^@\s]*@/gi, "$1:***@");
}

/** Parses a Redis URL; errors name `what` and never contain the password. */
export function parseRedisUrl(url: string, what = "Redis URL"): ParsedRedisUrl {
  if (typeof url !== "string" || url.trim() === "") throw new Error(`${what} is empty`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${what} is not a valid URL: ${maskRedisUrl(url)}`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`${what} must start with redis:// or rediss://, got ${u.protocol}//…`);
  }
  const host = decodeURIComponent(u.hostname)
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  if (host === "") throw new Error(`${what} has no host: ${maskRedisUrl(url)}`);
  return {
    host,
    port: u.port === "" ? 6379 : Number(u.port),
    tls: u.protocol === "rediss:",
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/** `host:port` of a URL: the identity of a Redis server (credentials and the db path are not part of it). */
export function redisAddress(url: string, what = "Redis URL"): string {
  const p = parseRedisUrl(url, what);
  return `${p.host.includes(":") ? `[${p.host}]` : p.host}:${p.port}`;
}

/** Heroku's historical user name `h` and an empty one both mean the default user. */
function aclUser(username: string): string | undefined {
  return username === "" || username === "h" ? undefined : username;
}

function optionsOf(endpoint: RedisEndpoint, what: string, connectTimeoutMs: number): RedisOptions {
  const p = parseRedisUrl(endpoint.url, what);
  const isIp = /^[0-9.]+$/.test(p.host) || p.host.includes(":");
  return {
    host: p.host,
    port: p.port,
    username: aclUser(p.username),
    password: p.password === "" ? undefined : p.password,
    db: 0,
    // RESP2: flat replies, the same shapes from every server version.
    protocol: 2,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // No reconnects and no resent commands: a command resent after a reconnect could append list
    // elements twice. A dropped connection fails the attempt; the next one resumes from the marker.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    ...(p.tls
      ? {
          tls: {
            rejectUnauthorized: endpoint.verifyCertificate ?? false,
            ...(endpoint.caPem ? { ca: endpoint.caPem } : {}),
            ...(isIp ? {} : { servername: p.host }),
          },
        }
      : {}),
  };
}

/** Opens a connection (db 0); `what` names the side in errors. The caller disconnects it. */
export async function connectRedis(endpoint: RedisEndpoint, what: string): Promise<RedisClient> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Redis } = require("ioredis") as typeof import("ioredis");
  const where = `${what} ${redisAddress(endpoint.url, what)}`;
  const client = new Redis(optionsOf(endpoint, what, 10_000));
  // Errors reach the caller through the failed command; the socket's own (a TLS refusal) is kept
  // for the connect error, which otherwise only says the connection closed.
  let socketError: Error | undefined;
  client.on("error", (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    return client;
  } catch (e) {
    client.disconnect();
    const why =
      socketError && socketError !== e
        ? `${socketError.message} (${(e as Error).message})`
        : (e as Error).message;
    // eslint-disable-next-line preserve-caught-error -- the cause may quote a URL: only the masked text
    throw new Error(`cannot connect to ${where}: ${maskRedisUrl(why)}`);
  }
}

/**
 * Connects, retrying until `waitSeconds` have passed (e.g. while the user starts the port-forward);
 * `hint` is logged every 15 s while waiting.
 */
export async function connectWhenReady(
  endpoint: RedisEndpoint,
  what: string,
  waitSeconds: number,
  log: (line: string) => void,
  hint: string,
): Promise<RedisClient> {
  const deadline = Date.now() + waitSeconds * 1000;
  let lastLog = 0;
  for (;;) {
    try {
      const c = await connectRedis(endpoint, what);
      await c.ping();
      return c;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      if (Date.now() - lastLog >= 15_000) {
        lastLog = Date.now();
        const left = Math.ceil((deadline - Date.now()) / 1000);
        log(`waiting for ${what} ${redisAddress(endpoint.url)} (${left}s left)${hint ? `: ${hint}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The `redis_version` (or Valkey's `valkey_version`) of INFO server. */
export async function serverVersion(client: RedisClient): Promise<string> {
  const info = String(await client.call("INFO", "server"));
  return /^(?:valkey_version|redis_version):(.+)$/m.exec(info)?.[1].trim() ?? "unknown";
}
