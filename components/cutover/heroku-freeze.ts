import * as pulumi from "@pulumi/pulumi";
import type { FreezeRecord, FreezeStatus } from "./freeze-record";
import { herokuFreezeProvider, type HerokuFreezeInputs } from "./heroku-freeze-provider";
import { DEFAULT_RECORD_DIR } from "./journal";

export interface HerokuFreezeArgs {
  /** The stack's name: names the journal file and every message. Updates in place. */
  stack: pulumi.Input<string>;
  /**
   * Heroku Platform API token with the write and read-protected scopes. Stored as a secret input,
   * never as an output. Changing it updates in place and calls nothing.
   */
  herokuToken: pulumi.Input<string>;
  /** Platform API base URL (proxies, tests). Default Heroku's. Updates in place. */
  apiUrl?: pulumi.Input<string>;
  /**
   * The migrated databases' Heroku add-on names: every app attached to one of them (read when the
   * freeze runs) is frozen. Adding one freezes its apps on the next `up`; removing one unfreezes
   * nothing.
   */
  addons: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Seconds to wait, after scaling to 0, until no other session of the apps' database
   * credentials is connected to the source. Default 120. Updates in place.
   */
  drainTimeoutSeconds?: pulumi.Input<number>;
  /** End the sessions still connected after that wait instead of failing. Default false. Updates in place. */
  terminateSessions?: pulumi.Input<boolean>;
  /**
   * Folder of the freeze journal (`<stack>.json`), relative to the project root. Default
   * `.heroku-to-hasura/cutover`. Updates in place (the next records go there).
   */
  recordDir?: pulumi.Input<string>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/cutover:HerokuFreeze`. */
export const HEROKU_FREEZE_MODULE = "heroku-to-hasura/cutover";
export const HEROKU_FREEZE_TYPE = "HerokuFreeze";

/**
 * The cutover freeze of the Heroku apps attached to the migrated databases: maintenance mode on,
 * every process type scaled to 0, previous state recorded (outputs and journal), then a bounded
 * wait for the databases' other sessions to end. Make the final import depend on it. Deleting it
 * never unfreezes the apps (`npm run cutover -- rollback` does). See ./heroku-freeze-provider.
 */
export class HerokuFreeze extends pulumi.dynamic.Resource {
  declare readonly freezeId: pulumi.Output<string>;
  declare readonly status: pulumi.Output<FreezeStatus>;
  declare readonly apps: pulumi.Output<string[]>;
  declare readonly record: pulumi.Output<FreezeRecord>;
  declare readonly journal: pulumi.Output<string>;

  constructor(name: string, args: HerokuFreezeArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<keyof HerokuFreezeInputs, unknown> & Record<string, unknown> = {
      stack: args.stack,
      token: pulumi.secret(args.herokuToken),
      apiUrl: args.apiUrl,
      addons: args.addons,
      drainTimeoutSeconds: args.drainTimeoutSeconds ?? 120,
      terminateSessions: args.terminateSessions ?? false,
      recordDir: args.recordDir ?? DEFAULT_RECORD_DIR,
      // Outputs, seeded so they are registered (pulumi/pulumi#12160).
      freezeId: undefined,
      status: undefined,
      apps: undefined,
      record: undefined,
      journal: undefined,
    };
    super(
      herokuFreezeProvider,
      name,
      props,
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "token"] },
      HEROKU_FREEZE_MODULE,
      HEROKU_FREEZE_TYPE,
    );
  }
}
