import type {
  AddOn,
  AddOnAttachment,
  ConfigVarsSetting,
  DynoSize,
  Pipeline,
  PipelineCoupling,
} from "./api-types";
import { HerokuClient } from "./client";
import { HerokuApiError } from "./errors";
import { HerokuPlatformApi } from "./platform-api";
import { AddonSnapshot, AppSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotSet } from "./snapshot";
import * as map from "./snapshot-mapping";

/**
 * What a read may leave out. A snapshot file for any later use reads everything (the default); the
 * program asks only for what its plan uses (components/plan `readNeeds`), which keeps a run within
 * Heroku's rate limit on many apps.
 */
export interface ReadNeeds {
  /**
   * Whether to read an add-on's own attachment list (`GET /addons/{addon}/addon-attachments`), i.e.
   * learn which apps outside this read use it. Default: every add-on. Without it the add-on's
   * `attachments` are this app's (`attachmentsFrom: "app"`).
   */
  addonAttachments?(addon: { name: string; service: string }): boolean;
  /**
   * Whether the formation's sizes (their names) need the API's size list; the planner knows
   * Heroku's published sizes. Default: always.
   */
  dynoSizes?(sizes: string[]): boolean;
}

export interface ReadOptions {
  /** Clock for `readAt`/`createdAt`; injectable so generated files are reproducible. */
  now?: () => Date;
  /** What may be left out; default nothing. */
  needs?: ReadNeeds;
}

/**
 * What the apps of one read share: the dyno size list (account-wide), pipelines (by id) and shared
 * add-ons' attachment lists, each asked for once per run however many apps use it; pipeline couplings already known (a pipeline
 * stage read lists them) are not asked for again.
 */
class ReadSession {
  #dynoSizes: Promise<DynoSize[]> | undefined;
  readonly #addonLists = new Map<string, Promise<AddOnAttachment[] | "hidden">>();
  readonly #pipelines = new Map<string, Promise<Pipeline>>();
  readonly couplings = new Map<string, PipelineCoupling>();

  constructor(readonly api: HerokuPlatformApi) {}

  dynoSizes(): Promise<DynoSize[]> {
    this.#dynoSizes ??= this.api.dynoSizes();
    return this.#dynoSizes;
  }

  pipeline(id: string): Promise<Pipeline> {
    let p = this.#pipelines.get(id);
    if (!p) {
      p = this.api.pipelineByName(id);
      this.#pipelines.set(id, p);
    }
    return p;
  }

  /**
   * An add-on's list, read once for every app of the run that uses it, and counted (and named in
   * errors) as a request about the app it belongs to, whichever app asked first.
   */
  addonAttachments(addon: AddOn): Promise<AddOnAttachment[] | "hidden"> {
    let list = this.#addonLists.get(addon.id);
    if (!list) {
      list = addonAttachmentList(this.api, addon.app.name ?? "", addon);
      this.#addonLists.set(addon.id, list);
    }
    return list;
  }

  knownPipeline(p: Pipeline): void {
    if (p.id) this.#pipelines.set(p.id, Promise.resolve(p));
  }
}

/**
 * Reads one app from the Platform API into an {@link AppSnapshot}. Independent reads run at once;
 * the client bounds how many requests are in flight. Throws a {@link HerokuApiError} naming the
 * app and resource when a required read fails; optional reads (config-vars-settings, pipeline
 * coupling) yield `null` where the API does not offer them, and an add-on whose own attachment
 * list the token may not read keeps this app's attachments (`attachmentsFrom: "hidden"`).
 */
export async function readAppSnapshot(
  client: HerokuClient,
  appName: string,
  opts: ReadOptions = {},
): Promise<AppSnapshot> {
  return readApp(new ReadSession(new HerokuPlatformApi(client)), appName, opts);
}

/**
 * Each response is used for everything it carries: config-vars-settings holds the values too, so
 * config-vars is read only where it is absent or masks a value; dyno sizes and pipelines come from
 * the session. `idOrName` may be the app's id (a pipeline stage read knows only ids): every request
 * after the app's info uses its name, so errors name the app.
 */
async function readApp(session: ReadSession, idOrName: string, opts: ReadOptions): Promise<AppSnapshot> {
  const { api } = session;
  const now = opts.now ?? (() => new Date());
  // App info first: a wrong name or token fails once, clearly, instead of on every endpoint.
  const app = await api.app(idOrName);
  const appName = app.name ?? idOrName;
  const knownCoupling = app.id ? session.couplings.get(app.id) : undefined;
  const [
    settings,
    formation,
    addons,
    attachments,
    domains,
    buildpacks,
    release,
    coupling,
    logDrains,
    features,
  ] = await settled([
    api.configVarsSettings(appName),
    api.formation(appName),
    api.addons(appName),
    api.attachments(appName),
    api.domains(appName),
    api.buildpacks(appName),
    api.currentRelease(appName),
    knownCoupling ? Promise.resolve(knownCoupling) : api.pipelineCoupling(appName),
    api.logDrains(appName),
    api.features(appName),
  ]);
  const sizes = [...new Set(formation.map((f) => map.toFormation(f).size))];
  const needs = opts.needs ?? {};
  const wantsList = (a: AddOn) =>
    needs.addonAttachments?.({ name: a.name, service: a.addon_service.name ?? "" }) ?? true;
  // Without config-vars-settings, an add-on billed elsewhere names its vars after its owning
  // attachment there: the planner needs that attachment's name from the add-on's own list.
  const mustList = (a: AddOn) => wantsList(a) || (settings === null && a.app.id !== app.id);
  const [configVars, lists, sniEndpoints, dynoSizes, pipeline, slug] = await settled([
    settingsValues(settings) ?? api.configVars(appName),
    settled(addons.map((a) => (mustList(a) ? session.addonAttachments(a) : Promise.resolve(null)))),
    // Only an SNI endpoint serving one of its domains is of use; without one the list is not read.
    domains.some((d) => d.sni_endpoint) ? api.sniEndpoints(appName) : Promise.resolve([]),
    (needs.dynoSizes?.(sizes) ?? true) ? session.dynoSizes() : Promise.resolve([]),
    coupling?.pipeline?.id ? session.pipeline(coupling.pipeline.id) : Promise.resolve(null),
    release?.slug?.id ? api.slug(appName, release.slug.id) : Promise.resolve(null),
  ]);

  const services = new Map(addons.map((a) => [a.id, a.addon_service.name ?? ""]));
  const byName =
    <T>(key: (t: T) => string) =>
    (x: T, y: T) =>
      key(x).localeCompare(key(y));
  const addonSnapshots: AddonSnapshot[] = addons.map((a, i) => {
    const list = lists[i];
    const own = attachments.filter((x) => x.addon?.id === a.id);
    return map.toAddon(a, list === null || list === "hidden" ? own : list, services, listSource(list));
  });
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
    addons: addonSnapshots.sort(byName((a) => a.name)),
    attachments: attachments.map((a) => map.toAttachment(a, services)).sort(byName((a) => a.name)),
    domains: domains.map(map.toDomain).sort(byName((d) => d.hostname)),
    sniEndpoints: sniEndpoints
      .map((s) => map.toSniEndpoint(s, app.acm === true, domains))
      .sort(byName((s) => s.name)),
    buildpacks: buildpacks.map(map.toBuildpack).sort((x, y) => x.ordinal - y.ordinal),
    release: release ? map.toRelease(release) : null,
    slug: slug ? map.toSlug(slug) : null,
    pipeline: coupling && pipeline ? map.toPipeline(coupling, pipeline) : null,
    logDrains: logDrains.map(map.toLogDrain).sort(byName((d) => d.id)),
    features: features.map(map.toFeature).sort(byName((f) => f.name)),
  };
}

function listSource(list: AddOnAttachment[] | "hidden" | null): AddonSnapshot["attachmentsFrom"] {
  return list === null ? "app" : list === "hidden" ? "hidden" : "addon";
}

/**
 * The config var values config-vars-settings already carries, or null when it is unavailable or
 * masks any value (then config-vars, which never masks for a read-protected token, is read).
 */
function settingsValues(settings: ConfigVarsSetting[] | null): Promise<Record<string, string>> | null {
  if (settings === null) return null;
  if (settings.some((s) => s.masked === true || typeof s.value !== "string")) return null;
  return Promise.resolve(Object.fromEntries(settings.map((s) => [s.key, s.value as string])));
}

/** The statuses with which the API hides an add-on from a token (owned by a team it cannot see). */
const HIDDEN = [403, 404];

/**
 * An add-on's own attachment list, by id and, when the id is refused, by its name (the API takes
 * either); `"hidden"` when both are refused. Other failures (token, rate limit, outage) throw.
 */
async function addonAttachmentList(
  api: HerokuPlatformApi,
  app: string,
  addon: AddOn,
): Promise<AddOnAttachment[] | "hidden"> {
  const hidden = (e: unknown) =>
    e instanceof HerokuApiError && e.status !== undefined && HIDDEN.includes(e.status);
  try {
    return await api.addonAttachments(app, addon.id, addon.name);
  } catch (e) {
    if (!hidden(e)) throw e;
  }
  try {
    return await api.addonAttachments(app, addon.name, addon.name);
  } catch (e) {
    if (!hidden(e)) throw e;
    return "hidden";
  }
}

/**
 * Reads several apps concurrently (requests bounded by the client) into a {@link SnapshotSet}.
 * Duplicate names are read once; what the apps share (dyno sizes, pipelines) is read once. Fails on
 * the first app that cannot be read, naming it.
 */
export async function readAppSnapshots(
  client: HerokuClient,
  appNames: string[],
  opts: ReadOptions = {},
): Promise<SnapshotSet> {
  if (appNames.length === 0) throw new Error("No Heroku apps to read: name at least one app");
  return readSet(new ReadSession(new HerokuPlatformApi(client)), [...new Set(appNames)], opts);
}

async function readSet(session: ReadSession, apps: string[], opts: ReadOptions): Promise<SnapshotSet> {
  const snapshots = await settled(apps.map((app) => readApp(session, app, opts)));
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    createdAt: (opts.now ?? (() => new Date()))().toISOString(),
    redacted: false,
    apps: snapshots,
  };
}

/**
 * The apps coupled to `pipeline` (id or name) at `stage`, read into a {@link SnapshotSet}: the
 * pipeline and its couplings are read once, so neither is asked for again per app, and each app is
 * read by id (its info is the first request of its read anyway). Throws when the pipeline has no
 * app at that stage, listing the stages it does have.
 */
export async function readPipelineStage(
  client: HerokuClient,
  pipeline: string,
  stage: string,
  opts: ReadOptions = {},
): Promise<SnapshotSet> {
  const session = new ReadSession(new HerokuPlatformApi(client));
  const p = await session.api.pipelineByName(pipeline);
  session.knownPipeline(p);
  const couplings = await session.api.pipelineCouplings(p.id ?? pipeline);
  const atStage = couplings.filter((c) => c.stage === stage && c.app?.id);
  if (atStage.length === 0) {
    const stages = [...new Set(couplings.map((c) => c.stage))].sort().join(", ") || "none";
    throw new Error(`Heroku pipeline "${pipeline}" has no app at stage "${stage}" (its stages: ${stages})`);
  }
  for (const c of atStage) session.couplings.set(c.app?.id as string, c);
  const set = await readSet(session, [...new Set(atStage.map((c) => c.app?.id as string))], opts);
  set.apps.sort((a, b) => a.app.name.localeCompare(b.app.name));
  return set;
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
