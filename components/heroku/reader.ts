import { HerokuClient } from "./client";
import { HerokuPlatformApi } from "./platform-api";
import { AppSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotSet } from "./snapshot";
import * as map from "./snapshot-mapping";

export interface ReadOptions {
  /** Clock for `readAt`/`createdAt`; injectable so generated files are reproducible. */
  now?: () => Date;
}

/**
 * Reads one app from the Platform API into an {@link AppSnapshot}. Independent reads run at once;
 * the client bounds how many requests are in flight. Throws a {@link HerokuApiError} naming the
 * app and resource when a required read fails; optional reads (config-vars-settings, pipeline
 * coupling) yield `null` where the API does not offer them.
 */
export async function readAppSnapshot(
  client: HerokuClient,
  appName: string,
  opts: ReadOptions = {},
): Promise<AppSnapshot> {
  const api = new HerokuPlatformApi(client);
  const now = opts.now ?? (() => new Date());
  // App info first: a wrong name or token fails once, clearly, instead of on every endpoint.
  const app = await api.app(appName);
  const [
    configVars,
    settings,
    formation,
    dynoSizes,
    addons,
    attachments,
    domains,
    sniEndpoints,
    buildpacks,
    release,
    coupling,
    logDrains,
    features,
  ] = await settled([
    api.configVars(appName),
    api.configVarsSettings(appName),
    api.formation(appName),
    api.dynoSizes(appName),
    api.addons(appName),
    api.attachments(appName),
    api.domains(appName),
    api.sniEndpoints(appName),
    api.buildpacks(appName),
    api.currentRelease(appName),
    api.pipelineCoupling(appName),
    api.logDrains(appName),
    api.features(appName),
  ]);
  const [attachmentsByAddon, slug, pipeline] = await settled([
    settled(addons.map((a) => api.addonAttachments(appName, a))),
    release?.slug?.id ? api.slug(appName, release.slug.id) : Promise.resolve(null),
    coupling?.pipeline?.id ? api.pipeline(appName, coupling.pipeline.id) : Promise.resolve(null),
  ]);

  const services = new Map(addons.map((a) => [a.id, a.addon_service.name ?? ""]));
  const byName =
    <T>(key: (t: T) => string) =>
    (x: T, y: T) =>
      key(x).localeCompare(key(y));
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    readAt: now().toISOString(),
    app: map.toAppInfo(app),
    configVars: map.toConfigVars(configVars),
    configVarOwners: map.toConfigVarOwners(settings, attachments),
    formation: formation.map(map.toFormation).sort(byName((f) => f.type)),
    dynoSizes: dynoSizes
      .map(map.toDynoSize)
      .sort((x, y) => x.memoryGb - y.memoryGb || x.name.localeCompare(y.name)),
    addons: addons.map((a, i) => map.toAddon(a, attachmentsByAddon[i], services)).sort(byName((a) => a.name)),
    attachments: attachments.map((a) => map.toAttachment(a, services)).sort(byName((a) => a.name)),
    domains: domains.map(map.toDomain).sort(byName((d) => d.hostname)),
    sniEndpoints: sniEndpoints.map((s) => map.toSniEndpoint(s, app.acm === true)).sort(byName((s) => s.name)),
    buildpacks: buildpacks.map(map.toBuildpack).sort((x, y) => x.ordinal - y.ordinal),
    release: release ? map.toRelease(release) : null,
    slug: slug ? map.toSlug(slug) : null,
    pipeline: coupling && pipeline ? map.toPipeline(coupling, pipeline) : null,
    logDrains: logDrains.map(map.toLogDrain).sort(byName((d) => d.id)),
    features: features.map(map.toFeature).sort(byName((f) => f.name)),
  };
}

/**
 * Reads several apps concurrently (requests bounded by the client) into a {@link SnapshotSet}.
 * Duplicate names are read once. Fails on the first app that cannot be read, naming it.
 */
export async function readAppSnapshots(
  client: HerokuClient,
  appNames: string[],
  opts: ReadOptions = {},
): Promise<SnapshotSet> {
  if (appNames.length === 0) throw new Error("No Heroku apps to read: name at least one app");
  const unique = [...new Set(appNames)];
  const apps = await settled(unique.map((name) => readAppSnapshot(client, name, opts)));
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    createdAt: (opts.now ?? (() => new Date()))().toISOString(),
    redacted: false,
    apps,
  };
}

/**
 * Names of the apps coupled to `pipeline` (id or name) at `stage`, e.g. the staging stack's source.
 * Throws when the pipeline has no app at that stage, listing the stages it does have.
 */
export async function appsInPipelineStage(
  client: HerokuClient,
  pipeline: string,
  stage: string,
): Promise<string[]> {
  const api = new HerokuPlatformApi(client);
  const p = await api.pipelineByName(pipeline);
  const couplings = await api.pipelineCouplings(p.id ?? pipeline);
  const ids = couplings.filter((c) => c.stage === stage).map((c) => c.app?.id ?? "");
  if (ids.length === 0) {
    const stages = [...new Set(couplings.map((c) => c.stage))].sort().join(", ") || "none";
    throw new Error(`Heroku pipeline "${pipeline}" has no app at stage "${stage}" (its stages: ${stages})`);
  }
  const apps = await settled(ids.map((id) => api.app(id)));
  return apps.map((a) => a.name ?? "").sort();
}

/**
 * Like `Promise.all`, but waits for every promise before throwing the first failure (in argument
 * order), so no request of a failed read is still running, or retrying, after the call returns.
 */
async function settled<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
