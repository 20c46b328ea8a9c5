import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StatefulAddonPlan } from "../plan/types";
import { containerEnv, containerResources, tcpProbe } from "./pod-spec";
import { ownedAnnotations, serviceAnnotations } from "./ownership";

export interface StatefulAddonArgs {
  /**
   * The in-cluster add-on (Redis, MongoDB): names, labels, image by digest, port, storage, password,
   * args. Changing `name`, `storage` downwards or `storageClass` would replace the PVC, which is
   * protected: such an update fails instead of losing data.
   */
  plan: StatefulAddonPlan;
  /** Namespace of every child. Changing it replaces them all (and fails on the protected PVC). */
  namespace: string;
  /**
   * The server's password: the value of the plan's generated credential (`plan.credential`, a
   * GeneratedSecret), never Heroku's. Changing it replaces the password Secret (a new name) and
   * restarts the server with it.
   */
  password: pulumi.Input<string>;
}

/** Key of the add-on Secret holding the password (the plan's `passwordEnvVar` reads it). */
export const PASSWORD_KEY = "password";

/**
 * A Heroku data add-on run in the cluster: a PersistentVolumeClaim (protected), a single-replica
 * Deployment with the `Recreate` strategy mounting it, a ClusterIP Service the apps' rewritten URLs
 * point at, and a Secret with its generated password (the apps' rewritten URLs carry the same one).
 *
 * Why a Deployment and not a StatefulSet: there is exactly one replica and one volume, and the volume
 * must be a resource of its own so that Pulumi can `protect` it and the plan can size it. A
 * StatefulSet's `volumeClaimTemplates` create PVCs outside Pulumi (not protectable, immutable in the
 * StatefulSet spec) and add nothing a single pod needs. `Recreate` stops the old pod before the new
 * one starts, so a ReadWriteOnce volume is never claimed by two pods during a rollout (a rolling
 * update would hang on the volume attachment, or run two Redis servers on one data directory).
 */
export class StatefulAddon extends pulumi.ComponentResource {
  /** In-cluster DNS name apps connect to. */
  public readonly host: pulumi.Output<string>;
  /** Port the Service (and the server) listens on. */
  public readonly port: pulumi.Output<number>;
  /** Name of the ClusterIP Service. */
  public readonly serviceName: pulumi.Output<string>;
  /** Name of the protected PersistentVolumeClaim holding the data. */
  public readonly claimName: pulumi.Output<string>;
  /** Heroku apps whose config points here. */
  public readonly usedBy: pulumi.Output<string[]>;
  /**
   * The server's password (secret): what a client outside the apps, e.g. a data copy into it, logs in
   * with. Not a registered output (it lives once in state, in its GeneratedSecret).
   */
  public readonly password: pulumi.Output<string>;

  constructor(name: string, args: StatefulAddonArgs, opts?: pulumi.ComponentResourceOptions) {
    super("heroku-to-hasura:k8s:StatefulAddon", name, {}, opts);
    const { plan } = args;
    const claim = createClaim(name, args, { parent: this, protect: true });
    const secret = createPasswordSecret(name, args, { parent: this });
    createAddonDeployment(name, args, claim, secret, { parent: this });
    const service = createAddonService(name, args, { parent: this });

    this.host = pulumi.output(plan.host);
    this.port = pulumi.output(plan.port);
    this.serviceName = service.metadata.name;
    this.claimName = claim.metadata.name;
    this.usedBy = pulumi.output(plan.usedBy);
    this.password = pulumi.secret(args.password);
    this.registerOutputs({
      host: this.host,
      port: this.port,
      serviceName: this.serviceName,
      claimName: this.claimName,
      usedBy: this.usedBy,
    });
  }
}

function metadataOf(args: StatefulAddonArgs) {
  return {
    name: args.plan.name,
    namespace: args.namespace,
    labels: args.plan.labels.labels,
    annotations: ownedAnnotations(),
  };
}

function createClaim(name: string, args: StatefulAddonArgs, opts: pulumi.CustomResourceOptions) {
  const { plan } = args;
  return new k8s.core.v1.PersistentVolumeClaim(
    name,
    {
      metadata: metadataOf(args),
      spec: {
        accessModes: ["ReadWriteOnce"],
        ...(plan.storageClass !== null ? { storageClassName: plan.storageClass } : {}),
        resources: { requests: { storage: plan.storage } },
      },
    },
    opts,
  );
}

/** Auto-named like the apps' Secrets: a new password gives a new name and restarts the server. */
function createPasswordSecret(name: string, args: StatefulAddonArgs, opts: pulumi.CustomResourceOptions) {
  const { plan } = args;
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: { namespace: args.namespace, labels: plan.labels.labels, annotations: ownedAnnotations() },
      type: "Opaque",
      immutable: true,
      stringData: pulumi.secret(
        pulumi.output(args.password).apply((password) => ({ [PASSWORD_KEY]: password })),
      ),
    },
    opts,
  );
}

function createAddonDeployment(
  name: string,
  args: StatefulAddonArgs,
  claim: k8s.core.v1.PersistentVolumeClaim,
  secret: k8s.core.v1.Secret,
  opts: pulumi.CustomResourceOptions,
) {
  const { plan } = args;
  const env: k8s.types.input.core.v1.EnvVar[] = [
    {
      name: plan.passwordEnvVar,
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: PASSWORD_KEY } },
    },
    ...containerEnv(plan.env),
  ];
  return new k8s.apps.v1.Deployment(
    name,
    {
      metadata: metadataOf(args),
      spec: {
        replicas: 1,
        selector: { matchLabels: plan.labels.selector },
        strategy: { type: "Recreate" },
        template: {
          metadata: { labels: plan.labels.labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            containers: [
              {
                name: plan.kind,
                image: plan.image,
                args: plan.args,
                env,
                ports: [{ name: plan.kind, containerPort: plan.port, protocol: "TCP" }],
                readinessProbe: tcpProbe(plan.readinessProbe),
                resources: containerResources(plan.resources),
                volumeMounts: [{ name: "data", mountPath: plan.dataPath }],
              },
            ],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim.metadata.name } }],
          },
        },
      },
    },
    opts,
  );
}

function createAddonService(name: string, args: StatefulAddonArgs, opts: pulumi.CustomResourceOptions) {
  const { plan } = args;
  return new k8s.core.v1.Service(
    name,
    {
      metadata: { ...metadataOf(args), annotations: serviceAnnotations() },
      spec: {
        type: "ClusterIP",
        selector: plan.labels.selector,
        ports: [{ name: plan.kind, port: plan.port, targetPort: plan.port, protocol: "TCP" }],
      },
    },
    opts,
  );
}
