/**
 * Image references (`[registry/]repository[:tag][@sha256:<hex>]`): parsing and the digest form every
 * workload uses. Pure: no I/O.
 */

/** A parsed image reference. `registry` is null for a Docker Hub short name (e.g. `busybox`). */
export interface ImageRef {
  /** Registry host[:port], e.g. `registry.example.com` or `127.0.0.1:5000`; null for Docker Hub. */
  registry: string | null;
  /** Repository path inside the registry, e.g. `acme/api` (`library/busybox` for Docker Hub short names). */
  repository: string;
  tag: string | null;
  /** `sha256:<64 hex>`, or null. */
  digest: string | null;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** True for `sha256:<64 lowercase hex>`. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** Parses an image reference; throws an Error naming `what` (e.g. `images.apps.acme-api.image`). */
export function parseImageRef(ref: string, what = "image reference"): ImageRef {
  const bad = (why: string): Error => new Error(`${what}: "${ref}" is not a valid image reference (${why})`);
  if (ref.trim() !== ref || ref === "") throw bad("empty or surrounded by spaces");
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad("the digest must be sha256: and 64 lowercase hex digits");
  }
  let registry: string | null = null;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`bad tag "${tag}"`);
  }
  if (rest === "" || !rest.split("/").every((c) => COMPONENT.test(c))) {
    throw bad("the repository must be lowercase path components");
  }
  const repository = registry === null && !rest.includes("/") ? `library/${rest}` : rest;
  return { registry, repository, tag, digest };
}

/** The repository part of a reference as written (registry host included, no tag, no digest). */
export function repositoryOf(ref: ImageRef): string {
  const repo =
    ref.registry === null && ref.repository.startsWith("library/") ? ref.repository.slice(8) : ref.repository;
  return ref.registry === null ? repo : `${ref.registry}/${repo}`;
}

/** `repo@sha256:…`: the only form a workload is given. */
export function digestRef(repository: string, digest: string): string {
  if (!isDigest(digest)) throw new Error(`"${digest}" is not a sha256 digest`);
  return `${repository}@${digest}`;
}

/**
 * Checks that `ref` is `repo@sha256:…` (e.g. the docker provider's `repoDigest`) and returns it
 * without any tag (`repo:tag@sha256:…` → `repo@sha256:…`), so two references to one image compare equal.
 */
export function toDigestRef(ref: string, what = "image reference"): string {
  const parsed = parseImageRef(ref, what);
  if (parsed.digest === null) throw new Error(`${what}: "${ref}" is not pinned to a digest (repo@sha256:…)`);
  return digestRef(repositoryOf(parsed), parsed.digest);
}

/** Host of a registry prefix such as `registry.example.com/acme` (the part before the first `/`). */
export function registryHost(registryPrefix: string): string {
  return registryPrefix.split("/")[0];
}
