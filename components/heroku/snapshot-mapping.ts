/** Pure mappings from Platform API objects to the AppSnapshot contract (no I/O). */
import type {
  AddOn,
  AddOnAttachment,
  AppFeature,
  BuildpackInstallation,
  ConfigVarsSetting,
  Domain,
  DynoSize,
  Formation,
  HerokuApp,
  LogDrain,
  Pipeline,
  PipelineCoupling,
  Release,
  SNIEndpoint,
  Slug,
} from "./api-types";
import { SecretString } from "./secret-string";
import type {
  AddonSnapshot,
  AppInfo,
  AttachmentSnapshot,
  BuildpackSnapshot,
  ConfigVarOwner,
  DomainSnapshot,
  DynoSizeInfo,
  FeatureSnapshot,
  FormationEntry,
  LogDrainSnapshot,
  PipelineCouplingSnapshot,
  ReleaseSnapshot,
  SlugSnapshot,
  SniEndpointSnapshot,
} from "./snapshot";

export function toAppInfo(a: HerokuApp): AppInfo {
  const gen = a.generation;
  return {
    id: a.id ?? "",
    name: a.name ?? "",
    region: a.region?.name ?? "",
    stack: a.stack?.name ?? "",
    buildStack: a.build_stack?.name ?? null,
    generation: (typeof gen === "string" ? gen : gen?.name) ?? "cedar",
    space: a.space ? { name: a.space.name ?? "", shield: a.space.shield === true } : null,
    team: a.team?.name ?? null,
    internalRouting: a.internal_routing === true,
    maintenance: a.maintenance === true,
    acm: a.acm === true,
    webUrl: a.web_url ?? null,
  };
}

export function toConfigVars(vars: Record<string, string | null>): Record<string, SecretString> {
  const out: Record<string, SecretString> = {};
  for (const key of Object.keys(vars).sort()) {
    const v = vars[key];
    if (typeof v === "string") out[key] = SecretString.of(v);
  }
  return out;
}

/** Owner per config var from `config-vars-settings`; the values it also carries are dropped. */
export function toConfigVarOwners(
  settings: ConfigVarsSetting[] | null,
  attachments: AddOnAttachment[],
): Record<string, ConfigVarOwner> | null {
  if (settings === null) return null;
  const names = new Map(attachments.map((a) => [a.id, a.name ?? null]));
  const out: Record<string, ConfigVarOwner> = {};
  for (const s of [...settings].sort((x, y) => x.key.localeCompare(y.key))) {
    if (s.attachment?.id) {
      out[s.key] = { attachmentId: s.attachment.id, attachmentName: names.get(s.attachment.id) ?? null };
    }
  }
  return out;
}

export function toFormation(f: Formation): FormationEntry {
  const sized = f as Formation & { dyno_size?: { name?: string } };
  return {
    type: f.type ?? "",
    command: f.command ?? "",
    quantity: f.quantity ?? 0,
    size: sized.dyno_size?.name ?? f.size ?? "",
  };
}

export function toDynoSize(d: DynoSize): DynoSizeInfo {
  return {
    name: d.name ?? "",
    memoryGb: d.memory ?? 0,
    compute: d.compute ?? 0,
    dedicated: d.dedicated === true,
    privateSpaceOnly: d.private_space_only === true,
  };
}

export function toAttachment(a: AddOnAttachment, servicesByAddonId: Map<string, string>): AttachmentSnapshot {
  return {
    id: a.id ?? "",
    name: a.name ?? "",
    namespace: a.namespace ?? null,
    addon: {
      id: a.addon?.id ?? "",
      name: a.addon?.name ?? "",
      service: servicesByAddonId.get(a.addon?.id ?? "") ?? "",
    },
    app: { id: a.app?.id ?? "", name: a.app?.name ?? "" },
  };
}

export function toAddon(
  a: AddOn,
  attachmentsOfAddon: AddOnAttachment[],
  servicesByAddonId: Map<string, string>,
  attachmentsFrom: AddonSnapshot["attachmentsFrom"] = "addon",
): AddonSnapshot {
  return {
    id: a.id,
    name: a.name,
    service: a.addon_service.name ?? "",
    plan: a.plan.name ?? "",
    billingApp: { id: a.app.id ?? "", name: a.app.name ?? "" },
    configVarNames: [...a.config_vars],
    state: a.state,
    attachments: attachmentsOfAddon.map((x) => toAttachment(x, servicesByAddonId)),
    attachmentsFrom,
  };
}

export function toDomain(d: Domain): DomainSnapshot {
  return {
    hostname: d.hostname ?? "",
    kind: d.kind ?? "custom",
    cname: d.cname ?? null,
    acmStatus: d.acm_status ?? null,
    sniEndpoint: d.sni_endpoint?.name ?? null,
  };
}

/**
 * Whether Heroku ACM issued the certificate: the API's `ssl_cert.acm` (what the Heroku CLI shows as
 * type ACM; absent from the published schema) when it is there. Without it, a certificate counts as
 * ACM only on an app with ACM on, issued by Let's Encrypt (what ACM uses) and serving only domains
 * ACM manages (an `acm_status`): an uploaded certbot certificate is Let's Encrypt's too, and its key
 * is the user's to carry over.
 */
export function toSniEndpoint(
  s: SNIEndpoint,
  appAcm: boolean,
  domains: readonly Domain[] = [],
): SniEndpointSnapshot {
  const cert = s.ssl_cert as (SNIEndpoint["ssl_cert"] & { acm?: unknown }) | undefined;
  const issuer = cert?.issuer ?? "";
  const served = domains.filter(
    (d) => d.sni_endpoint?.id === s.id || (d.sni_endpoint?.name ?? null) === s.name,
  );
  const acm =
    typeof cert?.acm === "boolean"
      ? cert.acm
      : appAcm && /let'?s encrypt/i.test(issuer) && served.length > 0 && served.every((d) => !!d.acm_status);
  return {
    id: s.id ?? "",
    name: s.name ?? "",
    certificateDomains: (cert?.cert_domains ?? []).map(String),
    expiresAt: cert?.expires_at ?? null,
    acm,
  };
}

export function toBuildpack(b: BuildpackInstallation): BuildpackSnapshot {
  const name = b.buildpack?.name;
  return {
    ordinal: b.ordinal ?? 0,
    url: b.buildpack?.url ?? "",
    // `name` is a registry name (`heroku/nodejs`) or, for an unregistered buildpack, its URL again.
    name: name !== undefined && /^[\w.-]+\/[\w.-]+$/.test(name) ? name : null,
  };
}

export function toRelease(r: Release): ReleaseSnapshot {
  // The contract has no `expired`: an expired release cannot run again, like a failed one.
  const status = r.status === "succeeded" || r.status === "pending" ? r.status : "failed";
  return {
    id: r.id ?? "",
    version: r.version ?? 0,
    description: r.description ?? "",
    createdAt: r.created_at ?? "",
    status,
    slugId: r.slug?.id ?? null,
  };
}

export function toSlug(s: Slug): SlugSnapshot {
  return {
    id: s.id ?? "",
    processTypes: { ...(s.process_types ?? {}) },
    stack: s.stack?.name ?? "",
    commit: s.commit ?? null,
    commitDescription: s.commit_description ?? null,
    buildpackProvidedDescription: s.buildpack_provided_description ?? null,
    size: s.size ?? null,
    checksum: s.checksum ?? null,
  };
}

export function toPipeline(c: PipelineCoupling, p: Pipeline): PipelineCouplingSnapshot {
  return { pipelineId: p.id ?? c.pipeline?.id ?? "", pipelineName: p.name ?? "", stage: c.stage ?? "" };
}

export function toLogDrain(d: LogDrain): LogDrainSnapshot {
  const url = d.url ?? "";
  const addon = d.addon as { id?: string; name?: string } | null | undefined;
  return {
    id: d.id ?? "",
    url: SecretString.of(url),
    host: drainHost(url),
    addon: addon ? { id: addon.id ?? "", name: addon.name ?? "" } : null,
  };
}

/** Host of a drain URL (`syslog+tls://h:1`, `https://u:p@h/x`), without credentials; null if none. */
export function drainHost(url: string): string | null {
  try {
    const h = new URL(url).hostname;
    return h === "" ? null : h;
  } catch {
    return null;
  }
}

export function toFeature(f: AppFeature): FeatureSnapshot {
  return { name: f.name ?? "", enabled: f.enabled === true, description: f.description ?? null };
}
