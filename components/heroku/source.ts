import { HerokuClient } from "./client";
import { ReadNeeds, readAppSnapshots, readPipelineStage } from "./reader";
import type { SecretString } from "./secret-string";
import type { AppSnapshot } from "./snapshot";
import { readSnapshotFile } from "./snapshot-file";

export const PIPELINE_STAGES = ["review", "development", "staging", "production"] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** A Heroku pipeline and one of its stages: the apps coupled to it there. */
export interface PipelineStageRef {
  /** Pipeline name (or id). */
  name: string;
  stage: PipelineStage;
}

/** What every source carries besides the apps: where the Platform API is. */
interface ApiAccess {
  /** Platform API base URL; undefined = the reader's default (the public API). */
  apiUrl?: string;
}

/**
 * Which Heroku apps to migrate and where to read them from (`heroku` and `herokuApiKey` in the
 * stack config):
 * - `file`: the apps of a snapshot file (`heroku.snapshotFile`), optionally narrowed to `apps` or to
 *   a pipeline stage (selected by the config layer, which names the key at fault). The token, when
 *   given, is still used during `up` (slug downloads, the cutover).
 * - `apps`: these apps, read from the Platform API with `token`.
 * - `pipeline`: the apps coupled to a pipeline stage, read from the Platform API with `token`.
 */
export type HerokuSource =
  | (ApiAccess & {
      kind: "file";
      file: string;
      apps?: string[];
      pipeline?: PipelineStageRef;
      token?: SecretString;
    })
  | (ApiAccess & { kind: "apps"; apps: string[]; token: SecretString })
  | (ApiAccess & { kind: "pipeline"; pipeline: PipelineStageRef; token: SecretString });

/** The apps a source holds, and how to name that source in messages. */
export interface HerokuApps {
  /** For `file`, every app of the file; otherwise exactly the apps asked for. */
  apps: AppSnapshot[];
  /** The file's path, or "the Heroku API". */
  source: string;
}

export interface ReadHerokuAppsOptions {
  /** What the read may leave out (components/plan `readNeeds`). Default: nothing. */
  needs?: ReadNeeds;
  /** The config key of the source, for error messages (e.g. `heroku-to-hasura:heroku`). */
  configKey: string;
}

/** Reads the apps of `source`: the snapshot file, or the Platform API. */
export async function readHerokuApps(source: HerokuSource, opts: ReadHerokuAppsOptions): Promise<HerokuApps> {
  if (source.kind === "file") {
    return { apps: (await readSnapshotFile(source.file)).apps, source: source.file };
  }
  const client = new HerokuClient({ token: source.token, baseUrl: source.apiUrl });
  const readOptions = { needs: opts.needs };
  if (source.kind === "apps") {
    return { apps: (await readAppSnapshots(client, source.apps, readOptions)).apps, source: API };
  }
  const { name, stage } = source.pipeline;
  try {
    return { apps: (await readPipelineStage(client, name, stage, readOptions)).apps, source: API };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${opts.configKey}.pipeline: cannot read the apps of pipeline "${name}" at stage ${stage}: ${why}`,
      { cause: e },
    );
  }
}

const API = "the Heroku API";
