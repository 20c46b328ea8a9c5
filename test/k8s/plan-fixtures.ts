/**
 * Typed builders of MigrationPlan pieces for component tests: the components render whatever plan
 * they get, so their tests build plans directly instead of running the planner.
 */
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import {
  AppPlan,
  CronJobPlan,
  IngressPlan,
  MigrationPlan,
  ObjectLabels,
  ReleaseJobPlan,
  ResourcesPlan,
  SecretEntry,
  ServicePlan,
  StatefulAddonPlan,
  WorkloadPlan,
} from "../../components/plan/types";

export const DIGEST_A = "sha256:" + "a".repeat(64);
export const DIGEST_B = "sha256:" + "b".repeat(64);
export const image = (app: string, digest = DIGEST_A) => `images.acme.example/${app}@${digest}`;

export function labels(app: string, component: string): ObjectLabels {
  return {
    labels: {
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/instance": app,
      "app.kubernetes.io/component": component,
      "app.kubernetes.io/part-of": app,
      "app.kubernetes.io/managed-by": "heroku-to-hasura",
    },
    selector: { "app.kubernetes.io/name": app, "app.kubernetes.io/component": component },
  };
}

const STANDARD_1X: ResourcesPlan = {
  requests: { cpu: "100m", memory: "512Mi" },
  limits: { memory: "512Mi" },
};
const STANDARD_2X: ResourcesPlan = { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "1Gi" } };

export function workload(
  app: string,
  processType: string,
  overrides: Partial<WorkloadPlan> = {},
): WorkloadPlan {
  const web = processType === "web";
  const command = web ? "bundle exec puma -p $PORT" : `bundle exec ${processType}`;
  return {
    processType,
    name: `${app}-${processType}`,
    labels: labels(app, processType),
    command,
    args: ["/bin/sh", "-c", command],
    replicas: web ? 2 : 1,
    dynoSize: web ? "Standard-2X" : "Standard-1X",
    resources: web ? STANDARD_2X : STANDARD_1X,
    port: web ? 5000 : null,
    env: [...(web ? [{ name: "PORT", value: "5000" }] : []), { name: "DYNO", fieldPath: "metadata.name" }],
    terminationGracePeriodSeconds: 30,
    startupProbe: web ? { tcpPort: 5000, periodSeconds: 5, failureThreshold: 12 } : null,
    readinessProbe: web ? { tcpPort: 5000, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 } : null,
    strategy: { type: "RollingUpdate", maxUnavailable: "25%", maxSurge: "25%" },
    singleton: null,
    ...overrides,
  };
}

export function webService(app: string): ServicePlan {
  return { name: `${app}-web`, labels: labels(app, "web"), port: 80, targetPort: 5000 };
}

export function ingress(app: string, hosts: string[], addressTimeoutSeconds = 120): IngressPlan {
  return {
    name: `${app}-web`,
    labels: labels(app, "web"),
    className: "nginx",
    annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" },
    rules: hosts.map((host) => ({ host, serviceName: `${app}-web`, servicePort: 80 })),
    tls: hosts.map((host) => ({ hosts: [host], secretName: `${app}-tls-${host.replace(/\./g, "-")}` })),
    addressTimeoutSeconds,
  };
}

export function releaseJob(app: string, command = "bundle exec rake db:migrate"): ReleaseJobPlan {
  return {
    name: `${app}-release`,
    labels: labels(app, "release"),
    command,
    args: ["/bin/sh", "-c", command],
    resources: STANDARD_1X,
    env: [{ name: "DYNO", fieldPath: "metadata.name" }],
    activeDeadlineSeconds: 3600,
    backoffLimit: 0,
    dynoSize: "Standard-1X",
  };
}

export function cronJob(app: string, job: string, schedule: string, command: string): CronJobPlan {
  return {
    name: `${app}-${job}`,
    labels: labels(app, `cron-${job}`),
    job,
    schedule,
    command,
    args: ["/bin/sh", "-c", command],
    dynoSize: "Standard-1X",
    resources: STANDARD_1X,
    env: [{ name: "DYNO", fieldPath: "metadata.name" }],
  };
}

export function userVars(vars: Record<string, string>): SecretEntry[] {
  return Object.keys(vars)
    .sort()
    .map((key) => ({
      key,
      origin: { kind: "user" },
      value: SecretTemplate.of(SecretString.of(vars[key])),
      rewritten: false,
    }));
}

export function appPlan(app: string, parts: Partial<AppPlan> = {}): AppPlan {
  return {
    app,
    baseName: app,
    secretEntries: userVars({ RAILS_ENV: "production" }),
    workloads: [],
    releaseJob: null,
    service: null,
    ingress: null,
    cronJobs: [],
    addons: [],
    warnings: [],
    ...parts,
  };
}

/** An in-cluster Redis as the planner plans it: its password is the credential `<addon>-password`. */
export function redisAddon(addon: string, name: string, usedBy: string[]): StatefulAddonPlan {
  return {
    addon,
    service: "heroku-redis",
    kind: "redis",
    name,
    labels: labels(name, "redis"),
    image: `mirror.acme.example/redis@${DIGEST_B}`,
    imageIsPlaceholder: false,
    port: 6379,
    storage: "5Gi",
    storageClass: "fast",
    dataPath: "/data",
    credential: `${addon}-password`,
    username: null,
    passwordEnvVar: "REDIS_PASSWORD",
    env: [],
    readinessProbe: { tcpPort: 6379, periodSeconds: 10, failureThreshold: 3 },
    host: `${name}.default.svc`,
    args: ["--appendonly", "yes", "--requirepass", "$(REDIS_PASSWORD)"],
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    usedBy,
    plan: "heroku-redis:premium-0",
    data: { mode: "empty" },
  };
}

/** A Redis URL var pointing at an in-cluster add-on, as the planner rewrites it. */
export function redisAttachment(addon: StatefulAddonPlan, attachment = "REDIS"): Pick<AppPlan, "addons"> {
  return {
    addons: [
      {
        addon: addon.addon,
        attachment,
        namespace: null,
        service: addon.service,
        plan: addon.plan,
        disposition: "in-cluster",
        configVars: [`${attachment}_URL`],
        target: addon.name,
      },
    ],
  };
}

export function migrationPlan(apps: AppPlan[], statefulAddons: StatefulAddonPlan[] = []): MigrationPlan {
  return {
    stack: "test",
    namespace: "default",
    apps,
    statefulAddons,
    databases: [],
    warnings: [],
    ledger: [],
    credentials: statefulAddons.map((a) => ({
      name: a.credential,
      purpose: `password of ${a.name}`,
      rotation: "",
    })),
  };
}
