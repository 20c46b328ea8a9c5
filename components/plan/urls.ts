/**
 * Connection-URL parsing for rewriting add-on URLs. Works on plaintext only inside
 * `SecretString.map` callbacks; errors never include the URL (it holds a password).
 *
 * A hand-written parser rather than WHATWG `URL`: MongoDB URLs list several hosts
 * (`h1:27017,h2:27017`), which `URL` rejects.
 */
export interface ConnectionUrl {
  scheme: string;
  /** Percent-encoded user, or null. */
  user: string | null;
  /** Percent-encoded password, or null when the URL has none (`""` when present but empty). */
  password: string | null;
  /** Host list as written (`host:port` or `h1:p1,h2:p2`). */
  hosts: string;
  /** Path including its leading `/`, or `""`. */
  path: string;
  /** Query including its leading `?`, or `""`. */
  query: string;
}

const PATTERN = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(?:([^/?#]*)@)?([^/?#@]*)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/;

/** Parses `value`, or returns null when it is not a `scheme://…` URL. */
export function parseConnectionUrl(value: string): ConnectionUrl | null {
  const m = PATTERN.exec(value.trim());
  if (!m) return null;
  const userinfo = m[2];
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(":");
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    password = colon < 0 ? null : userinfo.slice(colon + 1);
  }
  return {
    scheme: m[1].toLowerCase(),
    user,
    password,
    hosts: m[3],
    path: m[4] ?? "",
    query: m[5] ?? "",
  };
}

/** Scheme of `value` (lower case), or null when it is not a URL. */
export function schemeOf(value: string): string | null {
  return parseConnectionUrl(value)?.scheme ?? null;
}

/** Decodes a percent-encoded URL component; a malformed escape is kept as written. */
export function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses or throws an error that names `what` (an app and config key), never the value. */
export function requireConnectionUrl(value: string, what: string): ConnectionUrl {
  const url = parseConnectionUrl(value);
  if (!url) throw new Error(`${what} is not a connection URL (scheme://user:password@host:port/…)`);
  return url;
}
