/**
 * Structural check of a decoded snapshot file against the AppSnapshot contract, with errors that
 * name the field path. Unknown extra fields are kept (a newer writer may add optional ones).
 */
import { isSecretString } from "./secret-string";

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

type Check = (v: unknown, path: string) => void;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (isSecretString(v)) return "a secret";
  // Never the value itself: a plain string where a secret belongs may be a password.
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

const fail = (path: string, expected: string, v: unknown): never => {
  throw new ShapeError(path, `expected ${expected}, got ${describe(v)}`);
};

const str: Check = (v, p) => void (typeof v === "string" || fail(p, "a string", v));
const num: Check = (v, p) => void ((typeof v === "number" && Number.isFinite(v)) || fail(p, "a number", v));
const int: Check = (v, p) => void (Number.isInteger(v) || fail(p, "an integer", v));
const bool: Check = (v, p) => void (typeof v === "boolean" || fail(p, "true or false", v));
const secret: Check = (v, p) =>
  void (isSecretString(v) || fail(p, 'a secret ({"$secret": "…"} or {"$redacted": true})', v));
const nullable =
  (c: Check): Check =>
  (v, p) =>
    v === null ? undefined : c(v, p);
const oneOf =
  (...allowed: string[]): Check =>
  (v, p) =>
    void (allowed.includes(v as string) || fail(p, `one of ${allowed.join(", ")}`, v));
const arrayOf =
  (c: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, "an array", v);
    (v as unknown[]).forEach((x, i) => c(x, `${p}[${i}]`));
  };
const record =
  (c: Check): Check =>
  (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v) || isSecretString(v)) fail(p, "an object", v);
    for (const [k, x] of Object.entries(v as object)) c(x, `${p}.${k}`);
  };
const obj =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v) || isSecretString(v)) fail(p, "an object", v);
    const o = v as Record<string, unknown>;
    for (const [k, c] of Object.entries(fields)) {
      if (!(k in o)) throw new ShapeError(`${p}.${k}`, "missing");
      c(o[k], `${p}.${k}`);
    }
  };

const idName = obj({ id: str, name: str });
const attachment = obj({
  id: str,
  name: str,
  namespace: nullable(str),
  addon: obj({ id: str, name: str, service: str }),
  app: idName,
});

const appSnapshot = obj({
  formatVersion: int,
  readAt: str,
  app: obj({
    id: str,
    name: str,
    region: str,
    stack: str,
    buildStack: nullable(str),
    generation: str,
    space: nullable(obj({ name: str, shield: bool })),
    team: nullable(str),
    internalRouting: bool,
    maintenance: bool,
    acm: bool,
    webUrl: nullable(str),
  }),
  configVars: record(secret),
  configVarOwners: nullable(record(obj({ attachmentId: str, attachmentName: nullable(str) }))),
  formation: arrayOf(obj({ type: str, command: str, quantity: int, size: str })),
  dynoSizes: arrayOf(
    obj({ name: str, memoryGb: num, compute: num, dedicated: bool, privateSpaceOnly: bool }),
  ),
  addons: arrayOf(
    obj({
      id: str,
      name: str,
      service: str,
      plan: str,
      billingApp: idName,
      configVarNames: arrayOf(str),
      state: oneOf("provisioning", "provisioned", "deprovisioned"),
      attachments: arrayOf(attachment),
      attachmentsFrom: oneOf("addon", "app", "hidden"),
    }),
  ),
  attachments: arrayOf(attachment),
  domains: arrayOf(
    obj({
      hostname: str,
      kind: oneOf("heroku", "custom"),
      cname: nullable(str),
      acmStatus: nullable(str),
      sniEndpoint: nullable(str),
    }),
  ),
  sniEndpoints: arrayOf(
    obj({ id: str, name: str, certificateDomains: arrayOf(str), expiresAt: nullable(str), acm: bool }),
  ),
  buildpacks: arrayOf(obj({ ordinal: int, url: str, name: nullable(str) })),
  release: nullable(
    obj({
      id: str,
      version: int,
      description: str,
      createdAt: str,
      status: oneOf("succeeded", "failed", "pending"),
      slugId: nullable(str),
    }),
  ),
  slug: nullable(
    obj({
      id: str,
      processTypes: record(str),
      stack: str,
      commit: nullable(str),
      commitDescription: nullable(str),
      buildpackProvidedDescription: nullable(str),
      size: nullable(num),
      checksum: nullable(str),
    }),
  ),
  pipeline: nullable(obj({ pipelineId: str, pipelineName: str, stage: str })),
  logDrains: arrayOf(obj({ id: str, url: secret, host: nullable(str), addon: nullable(idName) })),
  features: arrayOf(obj({ name: str, enabled: bool, description: nullable(str) })),
});

/** Throws a {@link ShapeError} naming the first field of `v` that does not fit AppSnapshot. */
export function checkAppSnapshotShape(v: unknown, path: string): void {
  appSnapshot(v, path);
}
