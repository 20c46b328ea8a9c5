/**
 * A small Kubernetes REST client for the local cluster's set-up, the dev job's summary and the
 * tests: JSON over HTTPS with a client certificate or a bearer token from a kubeconfig. Nothing of
 * the program uses it (the program talks to Kubernetes through the Pulumi provider only).
 */
import * as https from "https";
import { parse as parseYaml } from "yaml";

/** How to reach and authenticate to an API server. */
export interface KubeCredentials {
  /** `https://host:port`. */
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key (certificate auth), or… */
  cert?: string;
  key?: string;
  /** …a bearer token (a ServiceAccount's). */
  token?: string;
}

/** An API error with the server's `Status` reason (e.g. `Forbidden`, `NotFound`, `AlreadyExists`). */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = "KubeApiError";
  }
}

type Json = Record<string, unknown>;

export class KubeApi {
  constructor(readonly creds: KubeCredentials) {}

  /** Credentials of the kubeconfig's current (or the named) context; certificates must be embedded. */
  static fromKubeconfig(text: string, context?: string): KubeApi {
    const kc = parseYaml(text) as {
      "current-context"?: string;
      contexts?: { name: string; context: { cluster: string; user: string } }[];
      clusters?: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
      users?: {
        name: string;
        user: { "client-certificate-data"?: string; "client-key-data"?: string; token?: string };
      }[];
    };
    const ctxName = context ?? kc["current-context"];
    const ctx = kc.contexts?.find((c) => c.name === ctxName)?.context;
    if (!ctx) throw new Error(`kubeconfig has no context ${ctxName ?? "(none current)"}`);
    const cluster = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
    const user = kc.users?.find((u) => u.name === ctx.user)?.user;
    if (!cluster || !user) throw new Error(`kubeconfig context ${ctxName} names a missing cluster or user`);
    const b64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : undefined);
    return new KubeApi({
      server: cluster.server,
      ca: b64(cluster["certificate-authority-data"]) ?? "",
      cert: b64(user["client-certificate-data"]),
      key: b64(user["client-key-data"]),
      token: user.token,
    });
  }

  /** One request; resolves with the status and the parsed body (or text when it is not JSON). */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, this.creds.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: this.creds.ca,
          cert: this.creds.cert,
          key: this.creds.key,
          headers: {
            Accept: "application/json",
            ...(this.creds.token ? { Authorization: `Bearer ${this.creds.token}` } : {}),
            ...(payload ? { "Content-Type": contentType, "Content-Length": payload.length } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (e.g. /readyz answers text)
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  private async call(method: string, path: string, body?: unknown, contentType?: string): Promise<Json> {
    const r = await this.request(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return (r.body ?? {}) as Json;
    const s = (typeof r.body === "object" && r.body ? r.body : {}) as { reason?: string; message?: string };
    throw new KubeApiError(method, path, r.status, s.reason ?? "", s.message ?? String(r.body));
  }

  get(path: string): Promise<Json> {
    return this.call("GET", path);
  }

  /** GET, or undefined on 404. */
  async find(path: string): Promise<Json | undefined> {
    try {
      return await this.get(path);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** The `items` of a list. */
  async list(path: string): Promise<Json[]> {
    return ((await this.get(path)).items ?? []) as Json[];
  }

  create(collectionPath: string, obj: unknown): Promise<Json> {
    return this.call("POST", collectionPath, obj);
  }

  /** POST, treating 409 AlreadyExists as done. */
  async ensure(collectionPath: string, obj: unknown): Promise<void> {
    try {
      await this.create(collectionPath, obj);
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 409)) throw e;
    }
  }

  /** A JSON merge patch (`application/merge-patch+json`). */
  patch(path: string, patch: unknown): Promise<Json> {
    return this.call("PATCH", path, patch, "application/merge-patch+json");
  }

  delete(path: string): Promise<Json> {
    return this.call("DELETE", path);
  }
}
