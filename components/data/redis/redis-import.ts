import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSummary } from "./engine/types";
import { redisImportProvider, type RedisImportInputs } from "./redis-import-provider";

export interface RedisImportArgs {
  /**
   * The Heroku Redis URL (`rediss://:password@host:port`), stored as a secret. Changing its host or
   * port REPLACES the copy (a new copy, into an empty server); a new password updates state only.
   */
  sourceUrl: pulumi.Input<string>;
  /**
   * Where the machine running `pulumi up` reaches the target now, with the target's password (the
   * one the in-cluster server is given, whichever credential the plan chose): e.g.
   * `redis://:password@127.0.0.1:16379` through `kubectl port-forward`. Stored as a secret. Changing
   * it updates state only (another local port, a rotated password): the target's identity is
   * `targetName`.
   */
  targetUrl: pulumi.Input<string>;
  /**
   * The target's identity, e.g. the in-cluster Service `cache.default.svc:6379`. Default: the host and
   * port of `targetUrl`. Changing it REPLACES the copy.
   */
  targetName?: pulumi.Input<string>;
  /**
   * Check the source's TLS certificate. Default false: Heroku's Key-Value Store certificates are
   * self-signed and Heroku documents connecting without verification. Used at copy time only.
   */
  verifySourceCertificate?: pulumi.Input<boolean>;
  /** PEM of the CA to trust when `verifySourceCertificate` is true. Used at copy time only. */
  sourceCaPem?: pulumi.Input<string>;
  /**
   * Names the copy. Default: chosen at the first copy. A value different from the current copy's id
   * REPLACES (a new copy; it needs an empty target).
   */
  importId?: pulumi.Input<string>;
  /** Largest TTL difference the verification accepts, in ms. Default 5000. Used at copy time only. */
  ttlToleranceMs?: pulumi.Input<number>;
  /**
   * How long the copy waits for the target to answer (time to start the port-forward once the
   * in-cluster server is up). Default 0. Used at copy time only.
   */
  waitSeconds?: pulumi.Input<number>;
  /** Printed while waiting for the target, e.g. the `kubectl port-forward` command to run. */
  targetHint?: pulumi.Input<string>;
  /** File the copy appends its progress lines to (also written to stderr). Used at copy time only. */
  progressFile?: pulumi.Input<string>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/data:RedisImport`. */
export const REDIS_IMPORT_MODULE = "heroku-to-hasura/data";
export const REDIS_IMPORT_TYPE = "RedisImport";

/** Outputs that hold credentials. */
export const REDIS_IMPORT_SECRET_OUTPUTS = ["sourceUrl", "targetUrl", "sourceCaPem"];

/**
 * The one-time copy of a Heroku Redis into the in-cluster Redis: every key of every logical
 * database with its type, value and TTL, verified, resumable and run once. See
 * ./redis-import-provider for the semantics. Protected by default (`protect: false` in opts to
 * allow `pulumi destroy`); deleting it forgets the copy and keeps the data.
 */
export class RedisImport extends pulumi.dynamic.Resource {
  declare readonly sourceUrl: pulumi.Output<string>;
  declare readonly targetUrl: pulumi.Output<string>;
  declare readonly importId: pulumi.Output<string>;
  declare readonly sourceIdentity: pulumi.Output<string>;
  declare readonly targetIdentity: pulumi.Output<string>;
  declare readonly keys: pulumi.Output<number>;
  declare readonly databases: pulumi.Output<DatabaseSummary[]>;
  declare readonly types: pulumi.Output<Record<string, number>>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly typedKeys: pulumi.Output<number>;
  declare readonly pendingEntriesNotCopied: pulumi.Output<number>;
  declare readonly durationMs: pulumi.Output<number>;
  declare readonly resumed: pulumi.Output<boolean>;
  declare readonly sourceVersion: pulumi.Output<string>;
  declare readonly targetVersion: pulumi.Output<string>;
  declare readonly completedAt: pulumi.Output<string>;
  declare readonly markerStatus: pulumi.Output<string>;

  constructor(name: string, args: RedisImportArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<keyof RedisImportInputs, unknown> & Record<string, unknown> = {
      sourceUrl: pulumi.secret(args.sourceUrl),
      targetUrl: pulumi.secret(args.targetUrl),
      targetName: args.targetName,
      verifySourceCertificate: args.verifySourceCertificate,
      sourceCaPem: args.sourceCaPem === undefined ? undefined : pulumi.secret(args.sourceCaPem),
      importId: args.importId,
      ttlToleranceMs: args.ttlToleranceMs,
      waitSeconds: args.waitSeconds,
      targetHint: args.targetHint,
      progressFile: args.progressFile,
      // Outputs, seeded so they are registered (pulumi/pulumi#12160).
      requestedImportId: undefined,
      sourceIdentity: undefined,
      targetIdentity: undefined,
      keys: undefined,
      databases: undefined,
      types: undefined,
      bytes: undefined,
      typedKeys: undefined,
      pendingEntriesNotCopied: undefined,
      durationMs: undefined,
      resumed: undefined,
      sourceVersion: undefined,
      targetVersion: undefined,
      completedAt: undefined,
      markerStatus: undefined,
    };
    super(
      redisImportProvider,
      name,
      props,
      {
        ...opts,
        protect: opts?.protect ?? true,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...REDIS_IMPORT_SECRET_OUTPUTS],
      },
      REDIS_IMPORT_MODULE,
      REDIS_IMPORT_TYPE,
    );
  }
}
