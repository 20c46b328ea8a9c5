/**
 * Builders of Platform API objects in the exact shape the hyperschema describes (every property of
 * a `strictProperties` object present), for the double's fixtures. Ids are deterministic UUIDs.
 */
import { createHash } from "crypto";

export type ApiObject = Record<string, unknown>;

/** A stable UUID derived from `seed`, so fixtures (and the example snapshot) are reproducible. */
export function fakeUuid(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const T0 = "2025-03-04T09:10:11Z";
export const T1 = "2026-10-20T16:45:00Z";

export const ref = (kind: string, name: string) => ({ id: fakeUuid(`${kind}:${name}`), name });

export interface AppSpec {
  name: string;
  team?: string | null;
  region?: string;
  stack?: string;
  generation?: "cedar" | "fir";
  space?: { name: string; shield: boolean } | null;
  acm?: boolean;
  maintenance?: boolean;
  ownerEmail?: string;
}

export function appObject(s: AppSpec): ApiObject {
  const stack = ref("stack", s.stack ?? "heroku-24");
  const team = s.team === undefined ? ref("team", "acme") : s.team === null ? null : ref("team", s.team);
  return {
    acm: s.acm ?? false,
    archived_at: null,
    base_image_name: null,
    build_stack: stack,
    buildpack_provided_description: "Node.js",
    buildpacks: null,
    created_at: T0,
    current_build_architecture: [],
    generation: ref("generation", s.generation ?? "cedar"),
    git_url: `https://git.heroku.com/${s.name}.git`,
    id: fakeUuid(`app:${s.name}`),
    internal_routing: s.space ? false : null,
    maintenance: s.maintenance ?? false,
    name: s.name,
    owner: { email: s.ownerEmail ?? "ops@acme.example.com", id: fakeUuid("account:ops") },
    organization: team,
    team,
    region: ref("region", s.region ?? "us"),
    released_at: T1,
    repo_size: null,
    slug_size: 48_123_456,
    space: s.space ? { ...ref("space", s.space.name), shield: s.space.shield } : null,
    stack,
    updated_at: T1,
    web_url: `https://${s.name}-${fakeUuid(s.name).replace(/-/g, "").slice(0, 12)}.herokuapp.com/`,
  };
}

const appRef = (app: string) => ({ id: fakeUuid(`app:${app}`), name: app });

export function formationObject(
  app: string,
  type: string,
  command: string,
  quantity: number,
  size: string,
): ApiObject {
  return {
    app: appRef(app),
    command,
    created_at: T0,
    dyno_size: ref("dyno-size", size),
    id: fakeUuid(`formation:${app}:${type}`),
    quantity,
    size,
    type,
    updated_at: T1,
  };
}

export function dynoSizeObject(
  name: string,
  memory: number,
  compute: number,
  dedicated: boolean,
  psOnly: boolean,
): ApiObject {
  return {
    architecture: "amd64",
    compute,
    can_autoscale: dedicated,
    cost: null,
    dedicated,
    precise_dyno_units: 1,
    id: fakeUuid(`dyno-size:${name}`),
    memory,
    name,
    private_space_only: psOnly,
    generation: ref("generation", "cedar"),
    infrastructure_tier: psOnly ? "private" : "common",
    product_dyno_tier: name.split("-")[0].toLowerCase(),
  };
}

export interface AddonSpec {
  name: string;
  service: string;
  plan: string;
  /** Billing (owning) app. */
  app: string;
  configVars: string[];
  state?: "provisioning" | "provisioned" | "deprovisioned";
  cents?: number;
}

export function addonObject(s: AddonSpec): ApiObject {
  return {
    actions: [],
    addon_service: ref("addon-service", s.service),
    billing_entity: { ...ref("billing", s.app), type: "app" },
    app: appRef(s.app),
    billed_price: { cents: s.cents ?? 0, contract: false, metered: false, unit: "month" },
    config_vars: s.configVars,
    created_at: T0,
    id: fakeUuid(`addon:${s.name}`),
    name: s.name,
    plan: ref("plan", s.plan),
    provider_id: `resource-${fakeUuid(`provider:${s.name}`).slice(0, 8)}`,
    state: s.state ?? "provisioned",
    updated_at: T1,
    web_url: `https://addons-sso.heroku.com/apps/${fakeUuid(`app:${s.app}`)}/addons/${fakeUuid(`addon:${s.name}`)}`,
  };
}

export function attachmentObject(
  addon: AddonSpec,
  app: string,
  name: string,
  namespace: string | null = null,
): ApiObject {
  return {
    addon: { id: fakeUuid(`addon:${addon.name}`), name: addon.name, app: appRef(addon.app) },
    app: appRef(app),
    created_at: T0,
    id: fakeUuid(`attachment:${app}:${name}:${namespace ?? ""}`),
    name,
    namespace,
    updated_at: T1,
    web_url: `https://addons-sso.heroku.com/apps/${fakeUuid(`app:${app}`)}/addons/${fakeUuid(`addon:${addon.name}`)}`,
    log_input_url: null,
  };
}

export function domainObject(
  app: string,
  hostname: string,
  kind: "heroku" | "custom",
  sni: { id: string; name: string } | null = null,
  /** Whether ACM manages the domain's certificate (custom domains; default true). */
  acm = true,
): ApiObject {
  return {
    acm_status: kind === "custom" && acm ? "cert issued" : null,
    acm_status_reason: null,
    app: appRef(app),
    cname:
      kind === "custom" ? `${hostname.split(".")[0]}-${fakeUuid(hostname).slice(0, 8)}.herokudns.com` : null,
    created_at: T0,
    hostname,
    id: fakeUuid(`domain:${app}:${hostname}`),
    kind,
    updated_at: T1,
    status: "succeeded",
    sni_endpoint: sni,
  };
}

/**
 * An SNI endpoint. `acm` is the API's `ssl_cert.acm` (served by Heroku, read by its CLI, absent from
 * the published schema): true for a certificate ACM issued, false for an uploaded one, undefined to
 * leave the field out as older responses do.
 */
export function sniEndpointObject(
  app: string,
  name: string,
  domains: string[],
  issuer: string,
  acm?: boolean,
): ApiObject {
  return {
    certificate_chain:
      "-----BEGIN CERTIFICATE-----\nMIIFakeCertificateForTestsOnly\n-----END CERTIFICATE-----\n",
    created_at: T0,
    id: fakeUuid(`sni:${app}:${name}`),
    name,
    updated_at: T1,
    display_name: null,
    domains: domains.map((d) => fakeUuid(`domain:${app}:${d}`)),
    app: appRef(app),
    ssl_cert: {
      "ca_signed?": true,
      cert_domains: domains,
      expires_at: "2027-01-18T16:45:00Z",
      issuer,
      "self_signed?": false,
      starts_at: "2026-10-20T16:45:00Z",
      subject: `/CN=${domains[0]}`,
      id: fakeUuid(`cert:${app}:${name}`),
      ...(acm === undefined ? {} : { acm }),
    },
  };
}

export function buildpackObject(ordinal: number, name: string, url = name): ApiObject {
  return { ordinal, buildpack: { url, name } };
}

export function releaseObject(
  app: string,
  version: number,
  status: "succeeded" | "failed" | "pending" | "expired",
  description: string,
  slugId: string | null,
  current = false,
): ApiObject {
  return {
    addon_plan_names: [],
    artifacts: slugId ? [{ type: "slug", id: slugId }] : [],
    app: appRef(app),
    created_at: new Date(Date.parse(T0) + version * 3_600_000).toISOString().replace(".000Z", "Z"),
    description,
    id: fakeUuid(`release:${app}:${version}`),
    updated_at: T1,
    oci_image: null,
    slug: slugId ? { id: slugId } : null,
    status,
    user: { id: fakeUuid("account:ops"), email: "ops@acme.example.com" },
    version,
    current,
    output_stream_url: null,
    eligible_for_rollback: status === "succeeded" && !current,
  };
}

export function slugObject(
  app: string,
  seed: string,
  processTypes: Record<string, string>,
  commit: string,
): ApiObject {
  const id = fakeUuid(`slug:${app}:${seed}`);
  return {
    blob: { method: "get", url: `https://slug-blobs.example.invalid/${id}.tgz?signature=fake` },
    buildpack_provided_description: "Node.js",
    checksum: `SHA256:${createHash("sha256").update(seed).digest("hex")}`,
    commit,
    commit_description: "Merge pull request #412 from acme/faster-checkout",
    created_at: T1,
    id,
    process_types: processTypes,
    size: 48_123_456,
    stack: ref("stack", "heroku-24"),
    updated_at: T1,
    deleted_at: null,
  };
}

export function pipelineObject(name: string, team: string): ApiObject {
  return {
    created_at: T0,
    id: fakeUuid(`pipeline:${name}`),
    name,
    owner: { id: fakeUuid(`team:${team}`), type: "team" },
    updated_at: T1,
    generation: ref("generation", "cedar"),
  };
}

export function couplingObject(app: string, pipeline: string, stage: string): ApiObject {
  return {
    app: { id: fakeUuid(`app:${app}`) },
    created_at: T0,
    id: fakeUuid(`coupling:${app}:${pipeline}`),
    pipeline: { id: fakeUuid(`pipeline:${pipeline}`) },
    stage,
    updated_at: T1,
  };
}

export function logDrainObject(app: string, url: string, addon: AddonSpec | null): ApiObject {
  return {
    addon: addon ? { id: fakeUuid(`addon:${addon.name}`), name: addon.name, app: appRef(addon.app) } : null,
    app: appRef(app),
    created_at: T0,
    id: fakeUuid(`drain:${app}:${url}`),
    token: `d.${fakeUuid(`drain-token:${app}:${url}`)}`,
    updated_at: T1,
    url,
  };
}

export function featureObject(name: string, enabled: boolean, description: string): ApiObject {
  return {
    created_at: T0,
    description,
    doc_url: `https://devcenter.heroku.com/articles/${name}`,
    enabled,
    id: fakeUuid(`feature:${name}`),
    name,
    state: "general",
    updated_at: T1,
    display_name: name,
    feedback_email: "feedback@heroku.com",
  };
}

/** A running dyno (`dyno` → "List"): formation dynos `web.1`…, one-off ones `run.1234`, `scheduler.42`. */
export function dynoObject(
  app: string,
  name: string,
  command: string,
  size: string,
  release: { id: string; version: number },
): ApiObject {
  return {
    attach_url: null,
    command,
    created_at: T1,
    id: fakeUuid(`dyno:${app}:${name}`),
    name,
    release,
    app: appRef(app),
    size,
    state: "up",
    type: name.split(".")[0],
    updated_at: T1,
  };
}
