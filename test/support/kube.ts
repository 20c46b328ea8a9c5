/**
 * The local Kubernetes control plane for tests (scripts/lib/kube-cluster.ts): one cluster per mocha
 * process, started on first use in a temp directory on the first free block of ports in the tests'
 * range (TEST_PORT_RANGE: 31450–31499; the dev job uses 31440–31449), and stopped when the process exits.
 */
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";

import { KubeApi } from "../../scripts/lib/kube-api";
import {
  ensureClusterBinaries,
  KubeCluster,
  PORT_BLOCK,
  portBlockFree,
  startKubeCluster,
  stopKubeCluster,
  TEST_PORT_RANGE,
} from "../../scripts/lib/kube-cluster";
import { REPO_ROOT } from "./engine";

let cluster: Promise<KubeCluster> | undefined;

/** The tests' cluster (started on first call; every caller of this process shares it). */
export function testCluster(): Promise<KubeCluster> {
  cluster ??= (async () => {
    const bins = ensureClusterBinaries(REPO_ROOT);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-kube-"));
    for (
      let base = TEST_PORT_RANGE.first;
      base + PORT_BLOCK - 1 <= TEST_PORT_RANGE.last;
      base += PORT_BLOCK
    ) {
      if (!(await portBlockFree(base))) continue;
      const c = await startKubeCluster({ ...bins, dir, basePort: base, detached: false });
      const stop = () => {
        stopKubeCluster(dir, 3000);
        fs.rmSync(dir, { recursive: true, force: true });
      };
      process.once("exit", stop);
      for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(sig, () => {
          stop();
          // Keep the signal's default effect unless someone else handles it.
          if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
        });
      }
      return c;
    }
    throw new Error(
      `no free block of ${PORT_BLOCK} loopback ports in ${TEST_PORT_RANGE.first}-${TEST_PORT_RANGE.last} ` +
        "(other test runs' clusters?)",
    );
  })();
  return cluster;
}

/** Creates a namespace (idempotent) and returns its name. */
export async function createNamespace(api: KubeApi, name: string): Promise<string> {
  await api.ensure("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

/** One event of a watch, with the etcd revision the server stamped it with. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  kind: string;
  name: string;
  /** The object's resourceVersion: etcd's global revision, so events of all kinds are ordered. */
  revision: number;
  object: Record<string, unknown>;
}

/**
 * Watches several collections from now on and records every event. Kubernetes stamps each object
 * version with etcd's global revision, so events of different kinds can be ordered exactly (the
 * object timestamps have one-second resolution, too coarse to order a Job's completion against a
 * Deployment's creation).
 */
export class Watcher {
  readonly events: WatchEvent[] = [];
  private readonly requests: ReturnType<typeof https.request>[] = [];

  private constructor(private readonly api: KubeApi) {}

  static async start(api: KubeApi, collections: string[]): Promise<Watcher> {
    const w = new Watcher(api);
    for (const c of collections) {
      const list = await api.get(c);
      const rv = (list.metadata as { resourceVersion: string }).resourceVersion;
      w.watch(`${c}${c.includes("?") ? "&" : "?"}watch=1&allowWatchBookmarks=false&resourceVersion=${rv}`);
    }
    return w;
  }

  private watch(p: string): void {
    const { creds } = this.api;
    const req = https.request(new URL(p, creds.server), {
      method: "GET",
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      headers: creds.token ? { Authorization: `Bearer ${creds.token}` } : {},
    });
    req.on("response", (res) => {
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: WatchEvent["type"]; object: Record<string, unknown> };
          const meta = ev.object.metadata as { name: string; resourceVersion: string };
          this.events.push({
            type: ev.type,
            kind: String(ev.object.kind),
            name: meta?.name ?? "",
            revision: Number(meta?.resourceVersion ?? 0),
            object: ev.object,
          });
        }
      });
    });
    req.on("error", () => undefined); // closed by stop()
    req.end();
    this.requests.push(req);
  }

  stop(): void {
    for (const r of this.requests) r.destroy();
  }

  /** Events in etcd order. */
  ordered(): WatchEvent[] {
    return [...this.events].sort((a, b) => a.revision - b.revision);
  }
}
