import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ownedAnnotations, serviceAnnotations } from "../k8s/ownership";
import { containerResources } from "../k8s/pod-spec";
import { GeneratedSecret } from "../secrets/generated-secret";
import type { HasuraPlan } from "./plan";

export interface HasuraEngineArgs {
  /**
   * Names, labels, image, replicas, resources, console/dev mode, Ingress, sources. Changing `name` or
   * the selector replaces the Deployment; everything else updates it (a new image rolls the pods).
   */
  plan: HasuraPlan;
  /** Namespace of every child. Changing it replaces them all. */
  namespace: string;
  /** GraphQL Engine's metadata database URL as reachable in the cluster (secret). A change rolls the pods. */
  metadataDatabaseUrl: pulumi.Input<string>;
  /** `hasura.adminSecretRotation`: changing it generates a new admin secret. Default "". */
  adminSecretRotation?: string;
  /** HASURA_GRAPHQL_JWT_SECRET (secret). Default none. */
  jwtSecret?: pulumi.Input<string>;
  /** HASURA_GRAPHQL_AUTH_HOOK (secret). Default none. */
  authWebhook?: pulumi.Input<string>;
  /** What the Deployment waits for (the metadata database). Default nothing. */
  waitFor?: pulumi.Input<pulumi.Resource>[];
  /**
   * Values of the generated credentials the sources' URLs name (each migrated database's owner
   * password), by credential name (`MigrationPlan.credentials`). Default none. A rotated one changes
   * the Secret and rolls the pods.
   */
  credentials?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Key of the admin secret in the Secret (and the env var GraphQL Engine reads). */
export const ADMIN_SECRET_ENV = "HASURA_GRAPHQL_ADMIN_SECRET";
export const METADATA_DATABASE_ENV = "HASURA_GRAPHQL_METADATA_DATABASE_URL";
export const CONTAINER = "graphql-engine";

/**
 * Hasura GraphQL Engine v2 on the cluster: a Deployment (`hasura.image`, by digest unless the stack
 * runs the warned unpinned default; `/healthz` readiness and liveness, sized resources), a ClusterIP Service, optionally an Ingress, and one auto-named,
 * immutable Secret holding the admin secret, the metadata database URL and every source's URL (each
 * `from_env` in the metadata), so any change of them is a new Secret and rolls the pods. The admin
 * secret is a GeneratedSecret: generated once, kept only in state (as a secret) and in that Secret,
 * rotated by `adminSecretRotation`.
 */
export class HasuraEngine extends pulumi.ComponentResource {
  readonly deploymentName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly secretName: pulumi.Output<string>;
  /** The admin secret (a Pulumi secret). */
  readonly adminSecret: pulumi.Output<string>;
  /** `http://<service>.<namespace>.svc` (port 80). */
  readonly clusterUrl: pulumi.Output<string>;
  /** `https://<ingressHost>`, or undefined without an Ingress. */
  readonly publicUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: HasuraEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("heroku-to-hasura:hasura:HasuraEngine", name, {}, opts);
    const { plan, namespace } = args;
    const admin = new GeneratedSecret(
      `${name}-admin-secret`,
      { length: 48, rotation: args.adminSecretRotation ?? "" },
      { parent: this },
    );
    const data: Record<string, pulumi.Input<string>> = {
      [ADMIN_SECRET_ENV]: admin.value,
      [METADATA_DATABASE_ENV]: args.metadataDatabaseUrl,
    };
    const credentials = args.credentials ?? {};
    for (const s of plan.sources) {
      const what = `database URL of ${s.addon}`;
      s.clusterUrl.requireAvailable(what);
      const needed = s.clusterUrl.credentials;
      for (const n of needed) {
        if (credentials[n] === undefined)
          throw new Error(`Hasura: ${what} needs credential ${n}, which was not created`);
      }
      data[s.envVar] = pulumi
        .all(
          Object.fromEntries(needed.map((n) => [n, credentials[n]])) as Record<string, pulumi.Input<string>>,
        )
        .apply((values) => s.clusterUrl.render(values, what));
    }
    if (args.jwtSecret !== undefined) data.HASURA_GRAPHQL_JWT_SECRET = args.jwtSecret;
    if (args.authWebhook !== undefined) data.HASURA_GRAPHQL_AUTH_HOOK = args.authWebhook;
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: { namespace, labels: plan.labels.labels, annotations: ownedAnnotations() },
        type: "Opaque",
        immutable: true,
        stringData: pulumi.secret(data),
      },
      { parent: this },
    );
    const deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: plan.name, namespace, labels: plan.labels.labels, annotations: ownedAnnotations() },
        spec: {
          replicas: plan.replicas,
          selector: { matchLabels: plan.labels.selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: plan.labels.labels },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: { seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: CONTAINER,
                  image: plan.image,
                  ports: [{ name: "http", containerPort: plan.port, protocol: "TCP" }],
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  env: [
                    { name: "HASURA_GRAPHQL_SERVER_PORT", value: String(plan.port) },
                    { name: "HASURA_GRAPHQL_ENABLE_CONSOLE", value: String(plan.console) },
                    { name: "HASURA_GRAPHQL_DEV_MODE", value: String(plan.devMode) },
                  ],
                  readinessProbe: {
                    httpGet: { path: "/healthz", port: "http" },
                    periodSeconds: 5,
                    failureThreshold: 3,
                  },
                  livenessProbe: {
                    httpGet: { path: "/healthz", port: "http" },
                    initialDelaySeconds: 30,
                    periodSeconds: 15,
                    timeoutSeconds: 5,
                    failureThreshold: 4,
                  },
                  resources: containerResources(plan.resources),
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: args.waitFor },
    );
    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: {
          name: plan.name,
          namespace,
          labels: plan.labels.labels,
          annotations: serviceAnnotations(),
        },
        spec: {
          type: "ClusterIP",
          selector: plan.labels.selector,
          ports: [{ name: "http", port: plan.servicePort, targetPort: "http", protocol: "TCP" }],
        },
      },
      { parent: this },
    );
    if (plan.ingress) {
      const ing = plan.ingress;
      new k8s.networking.v1.Ingress(
        name,
        {
          metadata: {
            name: plan.name,
            namespace,
            labels: plan.labels.labels,
            annotations: ownedAnnotations(ing.annotations),
          },
          spec: {
            ...(ing.className !== null ? { ingressClassName: ing.className } : {}),
            rules: [
              {
                host: ing.host,
                http: {
                  paths: [
                    {
                      path: "/",
                      pathType: "Prefix",
                      backend: { service: { name: plan.name, port: { number: plan.servicePort } } },
                    },
                  ],
                },
              },
            ],
            tls: [{ hosts: [ing.host], secretName: ing.tlsSecretName }],
          },
        },
        { parent: this, dependsOn: [service] },
      );
    }
    this.deploymentName = deployment.metadata.name;
    this.serviceName = service.metadata.name;
    this.secretName = secret.metadata.name;
    this.adminSecret = pulumi.secret(admin.value);
    this.clusterUrl = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc`;
    this.publicUrl = pulumi.output(plan.ingress ? `https://${plan.ingress.host}` : undefined);
    this.registerOutputs({
      deploymentName: this.deploymentName,
      serviceName: this.serviceName,
      secretName: this.secretName,
      clusterUrl: this.clusterUrl,
      publicUrl: this.publicUrl,
    });
  }
}
