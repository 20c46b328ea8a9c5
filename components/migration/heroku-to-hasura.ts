import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { declareFreeze } from "../cutover/program";
import {
  adminConnection,
  databaseReadiness,
  migrateDatabases,
  usesDatabase,
} from "../data/migrate-databases";
import { copyAddonData } from "../data/redis/addon-copy";
import { deployHasura } from "../hasura/deploy";
import type { HasuraPlan } from "../hasura/plan";
import type { AppSnapshot } from "../heroku/snapshot";
import type { ImagesConfig } from "../images/config";
import { IMAGE_DIGESTS_OUTPUT, resolveAppImages } from "../images/promotion";
import { createKubernetesProvider, HerokuAppMigration, StatefulAddon } from "../k8s";
import type { MigrationPlan } from "../plan";
import { createCredentials } from "../secrets/credentials";
import { appOutputs, databaseOutputs, finalReport, hasuraOutputs, inClusterAddonOutputs } from "./outputs";

/** The component's type token. */
export const HEROKU_TO_HASURA_TYPE = "heroku-to-hasura:index:HerokuToHasura";

/**
 * What the migration renders, as {@link prepareMigration} computes it from the stack config (its
 * I/O, done before any resource exists). A program with its own config builds `config` with
 * `parseStackConfig` and calls `prepareMigration` the same way.
 */
export interface HerokuToHasuraArgs {
  /**
   * The validated stack config (`readStackConfig`/`parseStackConfig`). What each key does, and
   * which changes replace what, is in the JSDoc of `StackConfig` (components/config/stack-config.ts)
   * and README's key table; the resources below follow it.
   */
  config: StackConfig;
  /**
   * The Heroku apps to migrate, as read (snapshot file or Platform API) and selected by the config.
   * Each becomes a HerokuAppMigration and gets an image; a new app adds its resources, a removed
   * one deletes them.
   */
  apps: AppSnapshot[];
  /** `images` checked against `apps` (`checkConfigAgainstApps`): where each app's image comes from. */
  images: ImagesConfig;
  /**
   * The migration plan (`planMigration` of `apps` and `config.plan`): rendered as it is, deciding
   * nothing. Each resource's replacement rules are its component's (components/k8s, data).
   */
  plan: MigrationPlan;
  /** The Hasura plan (`planHasura`) when `config.hasura.enabled`; undefined: no GraphQL Engine. */
  hasura?: HasuraPlan;
  /**
   * The report as written before the resources (`text`, in `file`), and its cutover section: once
   * Hasura's metadata is generated during `up`, the report is rewritten with it.
   */
  report: { text: string; cutoverSection: string; file: string };
  /**
   * The stack was created by heroku-to-hasura before this component existed, when the program
   * declared every resource at the stack's root: each child gets an alias to its root URN, so the
   * first `up` with the component re-parents them and replaces nothing. Default false (a new
   * stack, or another program, has nothing to adopt: a root resource of the same type and name
   * would otherwise be taken over). Changing it changes no resource.
   */
  adoptRootResources?: boolean;
}

/**
 * A whole Heroku-to-Hasura migration, one per stack: each app's images, the migration's generated
 * credentials, the target databases and their one-time imports (under the cutover freeze when
 * configured), the stack's Kubernetes provider, GraphQL Engine and its metadata, the in-cluster
 * add-ons and their data, and one HerokuAppMigration per app. Its {@link outputs} are the stack's.
 */
export class HerokuToHasura extends pulumi.ComponentResource {
  /** The stack outputs, by name (`apps`, `imageDigests`, `inClusterAddons`, `databases`, `report`, …). */
  readonly outputs: ReturnType<typeof migrationOutputs>;

  constructor(name: string, args: HerokuToHasuraArgs, opts?: pulumi.ComponentResourceOptions) {
    super(HEROKU_TO_HASURA_TYPE, name, {}, opts);
    const { config, plan } = args;
    const child: pulumi.ResourceOptions = {
      parent: this,
      ...(args.adoptRootResources ? { aliases: [{ parent: pulumi.rootStackResource }] } : {}),
    };
    const heroku = config.heroku.token
      ? { token: pulumi.secret(config.heroku.token.reveal("herokuApiKey")), apiUrl: config.heroku.apiUrl }
      : undefined;
    const registryPassword = config.registryPassword;
    // Each app's image by digest: built, resolved, pinned or promoted by components/images.
    const images = resolveAppImages({
      stack: config.stack,
      imagesConfig: args.images,
      promoteFrom: config.promoteFrom,
      snapshots: args.apps,
      herokuToken: heroku?.token,
      herokuApiUrl: config.heroku.apiUrl,
      registryPassword: registryPassword
        ? pulumi.secret(registryPassword.reveal("registryPassword"))
        : undefined,
      opts: child,
    });
    // The migration's new passwords: never Heroku's (see MigrationPlan.credentials).
    const credentials = createCredentials(plan.credentials, child);
    const { postgres } = config;
    const admin = adminConnection({
      ...postgres,
      password: postgres.password ? pulumi.secret(postgres.password.reveal("postgresPassword")) : undefined,
    });
    const databases = migrateDatabases(
      {
        databases: plan.databases,
        admin,
        manageDatabase: postgres.manageDatabase,
        credentials,
        import: config.import.enabled ? config.import : undefined,
        heroku,
        // The cutover freeze stops the Heroku apps once the targets exist, before any import.
        freeze: (targets) =>
          declareFreeze(
            { ...config.cutover, stack: config.stack },
            heroku,
            plan.databases.map((d) => d.addon),
            targets,
            child,
          ),
      },
      child,
    );
    const provider = createKubernetesProvider("kubernetes", config.cluster, child);
    const k8sOpts = { ...child, providers: [provider] };
    const hasura = args.hasura
      ? deployHasura(
          {
            config: config.hasura,
            plan: args.hasura,
            namespace: plan.namespace,
            admin,
            manageDatabase: postgres.manageDatabase,
            databases,
            kubernetes: provider,
            credentials,
          },
          child,
        )
      : undefined;
    const addons = Object.fromEntries(
      plan.statefulAddons.map((a) => [
        a.name,
        new StatefulAddon(
          a.name,
          { plan: a, namespace: plan.namespace, password: credentials[a.credential] },
          k8sOpts,
        ),
      ]),
    );
    // Never an empty in-cluster server under rewritten URLs: the plan copies each add-on's data or the
    // stack acknowledged an empty start (components/plan/addon-data.ts).
    const copies = plan.statefulAddons.map((a) =>
      copyAddonData(a, plan.namespace, addons[a.name], credentials[a.credential], child),
    );
    const apps = plan.apps.map(
      (app) =>
        new HerokuAppMigration(
          app.app,
          {
            plan: app,
            namespace: plan.namespace,
            image: images[app.app],
            statefulAddons: addons,
            waitFor: [
              ...databases.filter((d) => usesDatabase(d.plan, app.app)).flatMap(databaseReadiness),
              // An app must not start on its in-cluster add-on while the data is still being copied.
              ...plan.statefulAddons.flatMap((a, i) => {
                const copy = copies[i];
                return copy && a.usedBy.includes(app.app) ? [copy] : [];
              }),
            ],
            credentials,
          },
          k8sOpts,
        ),
    );
    this.outputs = migrationOutputs({ ...args, images, databases, hasura, copies, apps });
    this.registerOutputs(this.outputs);
  }
}

/** The stack outputs, named and shaped as the stacks, `npm run promote` and the tests read them. */
function migrationOutputs(m: {
  plan: MigrationPlan;
  report: HerokuToHasuraArgs["report"];
  images: Record<string, pulumi.Output<string>>;
  databases: ReturnType<typeof migrateDatabases>;
  hasura: ReturnType<typeof deployHasura> | undefined;
  copies: ReturnType<typeof copyAddonData>[];
  apps: HerokuAppMigration[];
}) {
  const { plan } = m;
  return {
    apps: Object.fromEntries(m.apps.map((a, i) => [plan.apps[i].app, appOutputs(a, plan.apps[i])])),
    [IMAGE_DIGESTS_OUTPUT]: pulumi.all(m.images),
    inClusterAddons: Object.fromEntries(
      plan.statefulAddons.map((a, i) => [a.addon, inClusterAddonOutputs(a, m.copies[i])]),
    ),
    databases: m.databases.map(databaseOutputs),
    warnings: plan.warnings.length,
    report: finalReport(plan, m.hasura, m.report),
    ...(m.hasura ? hasuraOutputs(m.hasura) : {}),
  };
}
