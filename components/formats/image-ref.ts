/**
 * Image references (`[registry/]repository[:tag][@sha256:<hex>]`): the one parser every layer uses
 * (config validation, the planner's add-on images, the images component, promotion), and the digest
 * form every workload is given. Pure: no I/O.
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
/** The distribution reference grammar's domain: dot-separated labels (or a bracketed IPv6 address) and an optional port. */
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** True for `sha256:<64 lowercase hex>`. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

type Parsed = { ok: true; ref: ImageRef } | { ok: false; problem: string };

function parse(ref: string): Parsed {
  const bad = (why: string): Parsed => ({
    ok: false,
    problem: `"${ref}" is not a valid image reference (${why})`,
  });
  if (ref.trim() !== ref || ref === "") return bad("empty or surrounded by spaces");
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) return bad("the digest must be sha256: and 64 lowercase hex digits");
  }
  let registry: string | null = null;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      if (!REGISTRY.test(first)) return bad(`bad registry host "${first}"`);
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return bad(`bad tag "${tag}"`);
  }
  if (rest === "" || !rest.split("/").every((c) => COMPONENT.test(c))) {
    return bad("the repository must be lowercase path components");
  }
  const repository = registry === null && !rest.includes("/") ? `library/${rest}` : rest;
  return { ok: true, ref: { registry, repository, tag, digest } };
}

/**
 * Why `ref` is not a valid image reference (`"<ref>" is not a valid image reference (<why>)`), or
 * null when it is: for validators that report under their own key.
 */
export function imageRefProblem(ref: string): string | null {
  const r = parse(ref);
  return r.ok ? null : r.problem;
}

/** Parses an image reference; throws an Error naming `what` (e.g. `images.apps.acme-api.image`). */
export function parseImageRef(ref: string, what = "image reference"): ImageRef {
  const r = parse(ref);
  if (!r.ok) throw new Error(`${what}: ${r.problem}`);
  return r.ref;
}

/** True for a valid reference pinned by digest, `[registry/]repo[:tag]@sha256:<64 hex>`. */
export function isPinnedRef(ref: string): boolean {
  const r = parse(ref);
  return r.ok && r.ref.digest !== null;
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
