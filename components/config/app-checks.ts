import { AppSnapshot } from "../heroku/snapshot";
import { isPinnedRef } from "../formats/image-ref";
import type { ImagesConfig } from "../images/config";
import { processTypes, RELEASE_TYPE } from "../plan/workloads";
import { Fields } from "./fields";
import { parseImagesConfig } from "./images";
import { closest, IssueList } from "./issues";
import { StackConfig } from "./stack-config";

/**
 * The apps `heroku.apps` / `heroku.pipeline` select out of a snapshot file (it holds every app
 * snapshotted; the API reader is asked for the selected ones only, so its apps are returned as
 * they are). A named app missing from the file is a config error naming the key.
 */
export function selectSnapshots(
  config: StackConfig,
  all: readonly AppSnapshot[],
  source: string,
): AppSnapshot[] {
  if (config.heroku.kind !== "file") return [...all];
  const issues = new IssueList(config.project);
  const { apps, pipeline } = config.heroku;
  const names = all.map((s) => s.app.name);
  let selected: AppSnapshot[] = [...all];
  if (apps) {
    apps.forEach((app, i) => {
      if (!names.includes(app)) {
        const hint = closest(app, names);
        issues.add(
          `heroku.apps[${i}]`,
          `app "${app}" is not in ${source}${hint ? ` (did you mean "${hint}"?)` : ""}; it has: ${names.join(", ") || "no apps"}`,
        );
      }
    });
    selected = all.filter((s) => apps.includes(s.app.name));
  } else if (pipeline) {
    selected = all.filter(
      (s) => s.pipeline?.pipelineName === pipeline.name && s.pipeline.stage === pipeline.stage,
    );
    if (selected.length === 0) {
      issues.add(
        "heroku.pipeline",
        `no app of ${source} is coupled to pipeline "${pipeline.name}" at stage ${pipeline.stage}`,
      );
    }
  } else if (selected.length === 0) {
    issues.add("heroku.snapshotFile", `${source} holds no app`);
  }
  issues.throwIfAny();
  return selected;
}

export interface AppCheckOptions {
  /**
   * Every app must be pinned by digest (`images.apps.<app>: { strategy: image, image: repo@sha256:… }`),
   * for callers that can neither build nor resolve images. The program passes false: the images
   * component builds, resolves or promotes them.
   */
  requireImages: boolean;
}

/** What the checks against the selected apps produce. */
export interface AppCheckResult {
  /** `images` parsed for exactly the selected apps (every app has a spec; default `slug`). */
  images: ImagesConfig;
}

/**
 * Config keys that name apps, process types or add-ons must match the selected snapshots: a typo in
 * `replicas.acme-apii` would otherwise be silently ignored. Throws a StackConfigError listing all.
 */
export function checkConfigAgainstApps(
  config: StackConfig,
  snapshots: readonly AppSnapshot[],
  opts: AppCheckOptions,
): AppCheckResult {
  const issues = new IssueList(config.project);
  const apps = snapshots.map((s) => s.app.name);
  const unknownApp = (path: string, app: string) => {
    const hint = closest(app, apps);
    issues.add(
      path,
      `no selected app is named "${app}"${hint ? ` (did you mean "${hint}"?)` : ""}; apps: ${apps.join(", ")}`,
    );
  };

  // Per app, per process type overrides: an app or a type it lacks is named with the closest match.
  const perTypeKeys: [string, Record<string, Record<string, unknown>>][] = [
    ["replicas", config.plan.replicas],
    ["singletons", config.plan.singletons],
  ];
  for (const [key, byApp] of perTypeKeys) {
    for (const [app, perType] of Object.entries(byApp)) {
      const snapshot = snapshots.find((s) => s.app.name === app);
      if (!snapshot) {
        unknownApp(`${key}.${app}`, app);
        continue;
      }
      const types = scalableTypes(snapshot);
      for (const type of Object.keys(perType)) {
        if (type === RELEASE_TYPE) {
          issues.add(
            `${key}.${app}.${type}`,
            `the release phase runs as a Job once per release, not as a process type: remove this key`,
          );
        } else if (!types.includes(type)) {
          const hint = closest(type, types);
          issues.add(
            `${key}.${app}.${type}`,
            `app ${app} has no process type "${type}"${hint ? ` (did you mean "${hint}"?)` : ""}; it has: ${types.join(", ")}`,
          );
        }
      }
    }
  }
  for (const app of Object.keys(config.plan.schedules)) {
    if (!apps.includes(app)) unknownApp(`schedules.${app}`, app);
  }
  const beforeImages = issues.issues.length;
  const images = parseImagesConfig(new Fields(issues), config.images, apps, {
    promoteFrom: config.promoteFrom,
  });
  const imagesValid = issues.issues.length === beforeImages;
  const addonNames = [...new Set(snapshots.flatMap((s) => s.addons.map((a) => a.name)))];
  for (const addon of Object.keys(config.plan.addons)) {
    if (!addonNames.includes(addon)) {
      const hint = closest(addon, addonNames);
      issues.add(
        `addons.${addon}`,
        `no selected app uses an add-on named "${addon}"${hint ? ` (did you mean "${hint}"?)` : ""}; add-ons: ${addonNames.join(", ") || "none"}`,
      );
    }
  }
  if (opts.requireImages && imagesValid) {
    for (const app of apps) {
      const spec = images.apps[app];
      if (spec.strategy !== "image" || !isPinnedRef(spec.image)) {
        issues.add(
          `images.apps.${app}.image`,
          "is required: the app's image by digest (repo@sha256:<64 hex digits>)",
        );
      }
    }
  }
  issues.throwIfAny();
  return { images };
}

/** Process types `replicas` may scale: the planner's workloads (formation and Procfile, not release). */
function scalableTypes(s: AppSnapshot): string[] {
  return processTypes(s)
    .map((t) => t.type)
    .filter((t) => t !== RELEASE_TYPE);
}
