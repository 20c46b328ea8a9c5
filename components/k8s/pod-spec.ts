import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvVar, ProbePlan, ResourcesPlan } from "../plan/types";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** The single container of every pod rendered from a Heroku process: one dyno = one container. */
export const CONTAINER_NAME = "app";

/** Plan env (literals and downward-API fields such as DYNO ← metadata.name) as container env. */
export function containerEnv(env: readonly EnvVar[]): k8s.types.input.core.v1.EnvVar[] {
  return env.map((e) =>
    e.fieldPath !== undefined
      ? { name: e.name, valueFrom: { fieldRef: { fieldPath: e.fieldPath } } }
      : { name: e.name, value: e.value ?? "" },
  );
}

export function containerResources(r: ResourcesPlan): k8s.types.input.core.v1.ResourceRequirements {
  const limits: Record<string, string> = { memory: r.limits.memory };
  if (r.limits.cpu !== undefined) limits.cpu = r.limits.cpu;
  return { requests: { cpu: r.requests.cpu, memory: r.requests.memory }, limits };
}

export function tcpProbe(p: ProbePlan | null): k8s.types.input.core.v1.Probe | undefined {
  if (p === null) return undefined;
  return {
    tcpSocket: { port: p.tcpPort },
    periodSeconds: p.periodSeconds,
    failureThreshold: p.failureThreshold,
    ...(p.initialDelaySeconds !== undefined ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
  };
}

/** What every Heroku-process container shares: image, args, the app's Secret as env, plan env. */
export interface ProcessContainer {
  image: pulumi.Input<string>;
  secretName: pulumi.Input<string>;
  args: string[];
  env: readonly EnvVar[];
  resources: ResourcesPlan;
}

/**
 * What a dyno may do, as a container securityContext. A dyno is an unprivileged user that owns /app:
 * it has no capabilities and cannot gain privileges, so an app that runs on Heroku needs neither.
 * Images may run as root, though (heroku/heroku:22, many Dockerfiles) with /app owned by whatever
 * uid the slug archive recorded: root's DAC_OVERRIDE and FOWNER are what stand in for "the process
 * owns /app" there (pid files in tmp/, chmod of its own files), so those two stay; every other
 * default capability (SETUID, NET_RAW, CHOWN, KILL of other users' processes, MKNOD…) goes. For a
 * non-root image user they are inert. `runAsNonRoot` is not set: the slug base for heroku-22 runs as
 * root and Dockerfile images are unknown, so it would refuse to start them; the image decides the user.
 */
export const DYNO_SECURITY_CONTEXT: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
};

export function processContainer(c: ProcessContainer, extra: Partial<Container> = {}): Container {
  return {
    name: CONTAINER_NAME,
    image: c.image,
    // `command` stays unset: the image's ENTRYPOINT (which sources .profile.d on slug images) runs `args`.
    args: c.args,
    envFrom: [{ secretRef: { name: c.secretName } }],
    env: containerEnv(c.env),
    resources: containerResources(c.resources),
    securityContext: DYNO_SECURITY_CONTEXT,
    ...extra,
  };
}

/**
 * Pod settings every Heroku process gets, because a dyno has neither: no Kubernetes API token, and
 * no `<SERVICE>_PORT`-style variables, which would otherwise shadow config vars such as `REDIS_PORT`.
 * The container runtime's default seccomp profile only blocks syscalls a dyno cannot make either
 * (kernel modules, clock setting, mount…).
 */
export function dynoPodSpec(containers: Container[], extra: Partial<PodSpec> = {}): PodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
    containers,
    ...extra,
  };
}
