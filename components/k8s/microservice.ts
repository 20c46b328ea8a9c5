import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IngressPlan, ServicePlan, WorkloadPlan } from "../plan/types";
import { dynoPodSpec, processContainer, tcpProbe } from "./pod-spec";
import { ownedAnnotations, serviceAnnotations, SKIP_AWAIT } from "./ownership";

export interface MicroserviceArgs {
  /**
   * One Heroku process type: Deployment name, labels, args, replicas, resources, probes, rollout.
   * Changing `name` or `labels.selector` replaces the Deployment; everything else updates it in place.
   */
  workload: WorkloadPlan;
  /** Namespace of every child. Changing it replaces them all. */
  namespace: string;
  /** The app's image by digest (`repo@sha256:…`); a new digest rolls the pods. */
  image: pulumi.Input<string>;
  /**
   * Auto-generated name of the app's Secret, loaded whole with `envFrom`: a config change gives a new
   * Secret name, so the pod template changes and the pods roll.
   */
  secretName: pulumi.Input<string>;
  /** ClusterIP Service in front of this workload (web only). Default: none. */
  service?: ServicePlan | null;
  /** Ingress for the app's custom domains, routed to `service` (web only). Default: none. */
  ingress?: IngressPlan | null;
  /**
   * What the Deployment waits for before it rolls: the release Job (Heroku starts new dynos only after
   * the release phase succeeded) and in-cluster add-ons. Default: nothing.
   */
  waitFor?: pulumi.Input<pulumi.Resource>[];
}

/**
 * One Heroku process type on Kubernetes: a Deployment, and for `web` a Service and an Ingress.
 * Everything comes from the plan; the component only renders it.
 */
export class Microservice extends pulumi.ComponentResource {
  /** The Deployment's name. */
  public readonly deploymentName: pulumi.Output<string>;
  /** Desired replicas (the formation quantity or its override). */
  public readonly replicas: pulumi.Output<number>;
  /** The Service's name, or undefined for a workload without one. */
  public readonly serviceName: pulumi.Output<string | undefined>;
  /** Hostnames the Ingress routes here (empty without an Ingress). */
  public readonly hosts: pulumi.Output<string[]>;

  constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("heroku-to-hasura:k8s:Microservice", name, {}, opts);
    const deployment = createDeployment(name, args, { parent: this, dependsOn: args.waitFor });
    const service = args.service ? createService(name, args.service, args, { parent: this }) : undefined;
    if (args.ingress && !service) throw new Error(`Microservice ${name}: an ingress needs a service`);
    if (args.ingress) createIngress(name, args.ingress, args.namespace, { parent: this, dependsOn: service });

    this.deploymentName = deployment.metadata.name;
    this.replicas = pulumi.output(args.workload.replicas);
    this.serviceName = service ? service.metadata.name : pulumi.output(undefined);
    this.hosts = pulumi.output(args.ingress ? args.ingress.rules.map((r) => r.host) : []);
    this.registerOutputs({
      deploymentName: this.deploymentName,
      replicas: this.replicas,
      serviceName: this.serviceName,
      hosts: this.hosts,
    });
  }
}

function createDeployment(name: string, args: MicroserviceArgs, opts: pulumi.CustomResourceOptions) {
  const w = args.workload;
  const container = processContainer(
    { image: args.image, secretName: args.secretName, args: w.args, env: w.env, resources: w.resources },
    {
      ...(w.port !== null ? { ports: [{ name: "http", containerPort: w.port, protocol: "TCP" }] } : {}),
      ...(w.startupProbe ? { startupProbe: tcpProbe(w.startupProbe) } : {}),
      ...(w.readinessProbe ? { readinessProbe: tcpProbe(w.readinessProbe) } : {}),
    },
  );
  return new k8s.apps.v1.Deployment(
    name,
    {
      metadata: {
        name: w.name,
        namespace: args.namespace,
        labels: w.labels.labels,
        annotations: ownedAnnotations(),
      },
      spec: {
        replicas: w.replicas,
        selector: { matchLabels: w.labels.selector },
        strategy:
          w.strategy.type === "Recreate"
            ? { type: "Recreate" }
            : {
                type: "RollingUpdate",
                rollingUpdate: { maxUnavailable: w.strategy.maxUnavailable, maxSurge: w.strategy.maxSurge },
              },
        template: {
          metadata: { labels: w.labels.labels },
          spec: dynoPodSpec([container], { terminationGracePeriodSeconds: w.terminationGracePeriodSeconds }),
        },
      },
    },
    opts,
  );
}

function createService(
  name: string,
  plan: ServicePlan,
  args: MicroserviceArgs,
  opts: pulumi.CustomResourceOptions,
) {
  return new k8s.core.v1.Service(
    name,
    {
      metadata: {
        name: plan.name,
        namespace: args.namespace,
        labels: plan.labels.labels,
        annotations: serviceAnnotations(),
      },
      spec: {
        type: "ClusterIP",
        // The workload's own selector: the Service reaches exactly this process type's pods.
        selector: args.workload.labels.selector,
        ports: [{ name: "http", port: plan.port, targetPort: plan.targetPort, protocol: "TCP" }],
      },
    },
    opts,
  );
}

function createIngress(
  name: string,
  plan: IngressPlan,
  namespace: string,
  opts: pulumi.CustomResourceOptions,
) {
  // `up` waits for the controller to report an address only as long as the stack says, and not at
  // all with 0 (a controller that never reports one would otherwise fail every `up` at the timeout).
  const wait = plan.addressTimeoutSeconds;
  const annotations = wait === 0 ? { ...plan.annotations, [SKIP_AWAIT]: "true" } : plan.annotations;
  const timeouts = wait === 0 ? {} : { customTimeouts: { create: `${wait}s`, update: `${wait}s` } };
  return new k8s.networking.v1.Ingress(
    name,
    {
      metadata: {
        name: plan.name,
        namespace,
        labels: plan.labels.labels,
        annotations: ownedAnnotations(annotations),
      },
      spec: {
        ...(plan.className !== null ? { ingressClassName: plan.className } : {}),
        rules: plan.rules.map((r) => ({
          host: r.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: r.serviceName, port: { number: r.servicePort } } },
              },
            ],
          },
        })),
        ...(plan.tls.length > 0
          ? { tls: plan.tls.map((t) => ({ hosts: t.hosts, secretName: t.secretName })) }
          : {}),
      },
    },
    { ...opts, ...timeouts },
  );
}
