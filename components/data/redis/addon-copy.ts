import * as pulumi from "@pulumi/pulumi";
import type { StatefulAddonPlan } from "../../plan/types";
import { RedisImport } from "./redis-import";

/** Default time the copy waits for the in-cluster server to answer at the configured address. */
export const DEFAULT_WAIT_SECONDS = 600;

/** `redis(s)://[:password@]host:port`, the password percent-encoded. */
export function redisUrl(host: string, port: number, password: string | null, tls = false): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `${tls ? "rediss" : "redis"}://${password ? `:${encodeURIComponent(password)}@` : ""}${h}:${port}`;
}

/** True for the addresses a `kubectl port-forward` listens on. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/**
 * The RedisImport that copies an in-cluster add-on's Heroku data into it, when the plan says so
 * (`data.mode` `copy`), else undefined. It waits for `server` (the StatefulAddon: with a cluster, the
 * Deployment is ready before the copy starts), then for the configured address to answer — the
 * user starts `kubectl port-forward` once the server is up; the hint it prints says how.
 *
 * `password` is the in-cluster server's password, whichever credential the plan gave it (null for
 * none): the copy authenticates as the apps will.
 */
export function copyAddonData(
  plan: StatefulAddonPlan,
  namespace: string,
  server: pulumi.Resource,
  password: pulumi.Input<string> | null,
  opts: pulumi.CustomResourceOptions = {},
): RedisImport | undefined {
  const data = plan.data;
  if (data.mode !== "copy") return undefined;
  if (plan.kind !== "redis") {
    throw new Error(`add-on ${plan.addon}: the plan copies ${plan.kind} data, which only Redis supports`);
  }
  const targetUrl = pulumi
    .output(password)
    .apply((pw) => redisUrl(data.host, data.port, pw === null || pw === "" ? null : pw, data.tls));
  return new RedisImport(
    `${plan.addon}-data`,
    {
      sourceUrl: pulumi.secret(data.sourceUrl.reveal(`source URL of add-on ${plan.addon}`)),
      targetUrl: pulumi.secret(targetUrl),
      targetName: `${plan.host}:${plan.port}`,
      waitSeconds: data.waitSeconds ?? DEFAULT_WAIT_SECONDS,
      ...(isLoopback(data.host)
        ? { targetHint: `kubectl port-forward -n ${namespace} svc/${plan.name} ${data.port}:${plan.port}` }
        : {}),
      ...(data.ttlToleranceMs !== null ? { ttlToleranceMs: data.ttlToleranceMs } : {}),
      ...(data.importId !== null ? { importId: data.importId } : {}),
      ...(data.progressFile !== null ? { progressFile: data.progressFile } : {}),
    },
    { protect: true, ...opts, dependsOn: [server] },
  );
}
