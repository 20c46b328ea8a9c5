import type { ReadNeeds } from "../heroku/reader";
import { defaultDisposition } from "./addon-catalog";
import { DISPOSITION_BEHAVIOUR } from "./dispositions";
import { publishedSize } from "./dyno-sizes";
import { AddonOverride } from "./settings";

/**
 * What this plan needs the Heroku reader to read beyond each app's own endpoints: the attachment
 * list of every add-on it moves (migrated or run in-cluster: apps outside the stack that use it must
 * be named), and the API's dyno sizes only for a size the planner does not know.
 */
export function readNeeds(addons: Record<string, AddonOverride>): ReadNeeds {
  return {
    addonAttachments: (a) =>
      DISPOSITION_BEHAVIOUR[addons[a.name]?.disposition ?? defaultDisposition(a.service)].moves,
    dynoSizes: (sizes) => sizes.some((s) => publishedSize(s) === null),
  };
}
