import type {
  AddOn,
  AddOnAttachment,
  AppFeature,
  BuildpackInstallation,
  ConfigVars,
  ConfigVarsSetting,
  Domain,
  Dyno,
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
import { HerokuClient } from "./client";
import { HerokuApiError } from "./errors";

const seg = encodeURIComponent;

/**
 * The typed GET endpoints the reader uses (docs/heroku-reader.md lists them), one method per link of
 * the Platform API hyperschema. Each names its app and resource so errors can say what failed.
 */
export class HerokuPlatformApi {
  constructor(readonly client: HerokuClient) {}

  /** `app` → "Info". */
  app(app: string): Promise<HerokuApp> {
    return this.client.get(`/apps/${seg(app)}`, { app, resource: "app", what: "app info" });
  }

  /** `config-var` → "Info for App" (needs the read-protected scope). */
  configVars(app: string): Promise<ConfigVars> {
    return this.client.get(`/apps/${seg(app)}/config-vars`, {
      app,
      resource: "config-vars",
      what: "config vars",
    });
  }

  /** `config-vars-settings` → "List" (prototype): null where the endpoint is not offered. */
  configVarsSettings(app: string): Promise<ConfigVarsSetting[] | null> {
    const ctx = { app, resource: "config-vars-settings", what: "config var settings" };
    return this.client
      .list<ConfigVarsSetting>(`/apps/${seg(app)}/config-vars-settings`, ctx)
      .catch(optional<ConfigVarsSetting[]>([404, 406, 410, 501]));
  }

  /** `formation` → "List". */
  formation(app: string): Promise<Formation[]> {
    return this.client.list(`/apps/${seg(app)}/formation`, { app, resource: "formation", what: "formation" });
  }

  /**
   * `dyno-size` → "List": every size (memory, compute). Account-level and the same for every app, so
   * a read asks once per run, not once per app through "List App Dyno Sizes".
   */
  dynoSizes(): Promise<DynoSize[]> {
    return this.client.list(`/dyno-sizes`, { resource: "dyno-sizes", what: "dyno sizes" });
  }

  /** `add-on` → "List By App": includes add-ons owned by another app and attached here. */
  addons(app: string): Promise<AddOn[]> {
    return this.client.list(`/apps/${seg(app)}/addons`, { app, resource: "addons", what: "add-ons" });
  }

  /** `add-on-attachment` → "List by App". */
  attachments(app: string): Promise<AddOnAttachment[]> {
    return this.client.list(`/apps/${seg(app)}/addon-attachments`, {
      app,
      resource: "addon-attachments",
      what: "add-on attachments",
    });
  }

  /**
   * `add-on-attachment` → "List by Add-on": every attachment of one add-on, on any app. `addon` is
   * its id or its name (the API takes either); `name` names it in errors.
   */
  addonAttachments(app: string, addon: string, name: string): Promise<AddOnAttachment[]> {
    return this.client.list(`/addons/${seg(addon)}/addon-attachments`, {
      app,
      resource: "addon-attachments-of-addon",
      what: `attachments of add-on ${name}`,
    });
  }

  /** `domain` → "List". */
  domains(app: string): Promise<Domain[]> {
    return this.client.list(`/apps/${seg(app)}/domains`, { app, resource: "domains", what: "domains" });
  }

  /** `sni-endpoint` → "List". */
  sniEndpoints(app: string): Promise<SNIEndpoint[]> {
    return this.client.list(`/apps/${seg(app)}/sni-endpoints`, {
      app,
      resource: "sni-endpoints",
      what: "SNI endpoints",
    });
  }

  /** `buildpack-installation` → "List". */
  buildpacks(app: string): Promise<BuildpackInstallation[]> {
    return this.client.list(`/apps/${seg(app)}/buildpack-installations`, {
      app,
      resource: "buildpack-installations",
      what: "buildpack installations",
    });
  }

  /** `release` → "List", newest first, reading pages only until a succeeded release shows up. */
  async currentRelease(app: string): Promise<Release | null> {
    const isCurrent = (r: Release) => r.status === "succeeded";
    const releases = await this.client.list<Release>(
      `/apps/${seg(app)}/releases`,
      { app, resource: "releases", what: "releases" },
      { sortBy: "version", order: "desc", stopWhen: (items) => items.some(isCurrent) },
    );
    return (
      releases
        .filter(isCurrent)
        .reduce<Release | null>((a, r) => (a && (a.version ?? 0) >= (r.version ?? 0) ? a : r), null) ?? null
    );
  }

  /** `release` → "List", all of them (oldest first). */
  releases(app: string): Promise<Release[]> {
    return this.client.list(
      `/apps/${seg(app)}/releases`,
      { app, resource: "releases", what: "releases" },
      { sortBy: "version" },
    );
  }

  /** `slug` → "Info". */
  slug(app: string, slugId: string): Promise<Slug> {
    return this.client.get(`/apps/${seg(app)}/slugs/${seg(slugId)}`, {
      app,
      resource: "slug",
      what: `slug ${slugId}`,
    });
  }

  /** `pipeline-coupling` → "Info By App": null when the app is in no pipeline (404). */
  pipelineCoupling(app: string): Promise<PipelineCoupling | null> {
    return this.client.getOptional(`/apps/${seg(app)}/pipeline-couplings`, {
      app,
      resource: "pipeline-coupling",
      what: "pipeline coupling",
    });
  }

  /** `pipeline-coupling` → "List By Pipeline": the apps of one pipeline, in every stage. */
  pipelineCouplings(pipelineId: string): Promise<PipelineCoupling[]> {
    return this.client.list(`/pipelines/${seg(pipelineId)}/pipeline-couplings`, {
      resource: "pipeline-couplings",
      what: `apps of pipeline ${pipelineId}`,
    });
  }

  /** `pipeline` → "Info", by id or name, outside any app (404 names the pipeline). */
  pipelineByName(pipeline: string): Promise<Pipeline> {
    return this.client.get(`/pipelines/${seg(pipeline)}`, {
      resource: "pipeline",
      what: `pipeline "${pipeline}"`,
    });
  }

  /** `log-drain` → "List". */
  logDrains(app: string): Promise<LogDrain[]> {
    return this.client.list(`/apps/${seg(app)}/log-drains`, {
      app,
      resource: "log-drains",
      what: "log drains",
    });
  }

  /** `app-feature` → "List". */
  features(app: string): Promise<AppFeature[]> {
    return this.client.list(`/apps/${seg(app)}/features`, {
      app,
      resource: "features",
      what: "app features",
    });
  }

  // The cutover's reads and writes (components/cutover): freeze, status and rollback.

  /** `add-on-attachment` → "List by Add-on", by the add-on's id or global name. */
  attachmentsOfAddon(addon: string): Promise<AddOnAttachment[]> {
    return this.client.list(`/addons/${seg(addon)}/addon-attachments`, {
      resource: "addon-attachments",
      what: `attachments of add-on ${addon}`,
    });
  }

  /** `dyno` → "List": the app's running dynos, one-off ones (`run.N`, `scheduler.N`) included. */
  dynos(app: string): Promise<Dyno[]> {
    return this.client.list(`/apps/${seg(app)}/dynos`, { app, resource: "dynos", what: "dynos" });
  }

  /** `app` → "Update" with `{maintenance}`: maintenance mode on or off (routing only; dynos keep running). */
  setMaintenance(app: string, maintenance: boolean): Promise<HerokuApp> {
    return this.client.patch(
      `/apps/${seg(app)}`,
      { maintenance },
      { app, resource: "maintenance", what: "maintenance mode" },
    );
  }

  /**
   * `formation` → "Batch Update": sets each listed process type's quantity (and size, when given).
   * Returns the updated process types.
   */
  updateFormation(app: string, updates: FormationUpdate[]): Promise<Formation[]> {
    return this.client.patch(
      `/apps/${seg(app)}/formation`,
      {
        updates: updates.map((u) => ({
          type: u.type,
          quantity: u.quantity,
          ...(u.size !== undefined ? { dyno_size: { name: u.size } } : {}),
        })),
      },
      { app, resource: "formation", what: "formation" },
    );
  }
}

/** One process type's new scale: `quantity` dynos, of dyno size `size` when given (e.g. `Standard-2X`). */
export interface FormationUpdate {
  type: string;
  quantity: number;
  size?: string;
}

/** A `.catch` handler turning the listed HTTP statuses into `null` and rethrowing the rest. */
function optional<T>(statuses: number[]): (e: unknown) => T | null {
  return (e) => {
    if (e instanceof HerokuApiError && e.status !== undefined && statuses.includes(e.status)) return null;
    throw e;
  };
}
