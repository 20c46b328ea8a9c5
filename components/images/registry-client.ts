import { SecretString } from "../heroku/secret-string";
import { digestRef, isDigest, parseImageRef, repositoryOf } from "../formats/image-ref";

/**
 * Resolves an image tag to its manifest digest through the registry HTTP API v2
 * (`HEAD /v2/<repo>/manifests/<tag>`, `Docker-Content-Digest`), with basic auth or the bearer-token
 * challenge public registries use. This is the digest a runtime pulls, for single- and multi-arch images.
 */

export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface RegistryCredentials {
  username: string;
  password: SecretString;
}

export interface ResolveOptions {
  /** Credentials for the reference's registry, or null for anonymous access. */
  credentials?: RegistryCredentials | null;
  /** Use plain HTTP (a loopback test registry); default: HTTPS, except for 127.0.0.1 and localhost. */
  insecure?: boolean;
}

function registryBase(host: string | null, insecure: boolean | undefined): string {
  const h = host ?? "registry-1.docker.io";
  const loopback = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(h);
  return `${(insecure ?? loopback) ? "http" : "https"}://${h}`;
}

function basic(c: RegistryCredentials): string {
  return "Basic " + Buffer.from(`${c.username}:${c.password.reveal("registry password")}`).toString("base64");
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function parseChallenge(header: string): Record<string, string> | null {
  if (!/^Bearer\s/i.test(header)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out.realm ? out : null;
}

async function bearerToken(
  challenge: Record<string, string>,
  repo: string,
  creds: RegistryCredentials | null,
) {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  url.searchParams.set("scope", challenge.scope ?? `repository:${repo}:pull`);
  const res = await fetch(url, { headers: creds ? { Authorization: basic(creds) } : {} });
  if (!res.ok) throw new Error(`token request to ${url.host} failed: HTTP ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`token response from ${url.host} has no token`);
  return token;
}

/**
 * Returns `repo@sha256:…` for `ref`. A reference that already carries a digest is returned in digest
 * form without contacting the registry. Errors name the reference (which holds no secret).
 */
export async function resolveImageRef(ref: string, opts: ResolveOptions = {}): Promise<string> {
  const parsed = parseImageRef(ref);
  const repo = repositoryOf(parsed);
  if (parsed.digest !== null) return digestRef(repo, parsed.digest);
  const tag = parsed.tag ?? "latest";
  const url = `${registryBase(parsed.registry, opts.insecure)}/v2/${parsed.repository}/manifests/${tag}`;
  const creds = opts.credentials ?? null;
  const head = (authorization: string | null) =>
    fetch(url, {
      method: "HEAD",
      headers: { Accept: MANIFEST_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) },
    });
  let res: Response;
  try {
    res = await head(creds ? basic(creds) : null);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get("www-authenticate") ?? "");
      if (challenge) res = await head(`Bearer ${await bearerToken(challenge, parsed.repository, creds)}`);
    }
  } catch (e) {
    throw new Error(`cannot resolve image ${ref} to a digest: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 404) throw new Error(`cannot resolve image ${ref}: the registry has no such tag`);
  if (!res.ok)
    throw new Error(`cannot resolve image ${ref} to a digest: registry answered HTTP ${res.status}`);
  const digest = res.headers.get("docker-content-digest");
  if (digest === null || !isDigest(digest)) {
    throw new Error(`cannot resolve image ${ref}: the registry sent no sha256 Docker-Content-Digest header`);
  }
  return digestRef(repo, digest);
}
