/**
 * The local Kubernetes control plane (scripts/lib/kube-cluster.ts) as a command:
 *
 *   npm run cluster -- start  [--dir .dev/kube] [--base-port 31440]   # build once, start or reuse
 *   npm run cluster -- status [--dir …]                                # processes, memory, server
 *   npm run cluster -- stop   [--dir …]
 *   npm run cluster -- summary [--dir …] [--namespace default]        # what is running, and how to look
 *
 * The dev job (`npm run dev`) uses the defaults; the tests use their own directory and ports.
 */
import * as fs from "fs";
import * as path from "path";
import { KubeApi } from "./lib/kube-api";
import {
  clusterProcesses,
  clusterRssMiB,
  DEV_BASE_PORT,
  ensureClusterBinaries,
  startKubeCluster,
  stopKubeCluster,
} from "./lib/kube-cluster";

const REPO = path.resolve(__dirname, "..");

function usage(): never {
  console.error("usage: npm run cluster -- start|stop|status [--dir DIR] [--base-port PORT]");
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let dir = path.join(REPO, ".dev", "kube");
  let basePort = DEV_BASE_PORT;
  let namespace = "default";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--dir" && rest[i + 1]) dir = path.resolve(rest[++i]);
    else if (rest[i] === "--base-port" && rest[i + 1]) basePort = Number(rest[++i]);
    else if (rest[i] === "--namespace" && rest[i + 1]) namespace = rest[++i];
    else usage();
  }
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65525) usage();
  switch (cmd) {
    case "start": {
      const t0 = Date.now();
      const bins = ensureClusterBinaries(REPO);
      const c = await startKubeCluster({ ...bins, dir, basePort });
      const verb = c.started.length > 0 ? "started" : "already running";
      console.error(`[cluster] ${verb}: ${c.server} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
      console.error(`[cluster] kubeconfig: ${c.kubeconfigPath}`);
      return;
    }
    case "stop": {
      const stopped = stopKubeCluster(dir);
      console.error(
        `[cluster] ${stopped.length > 0 ? `stopped ${stopped.join(", ")}` : "not running"} (${dir})`,
      );
      return;
    }
    case "status": {
      const procs = clusterProcesses(dir);
      const rss = clusterRssMiB(dir);
      for (const [c, pid] of Object.entries(procs))
        console.log(`${c.padEnd(24)} ${pid === undefined ? "stopped" : `pid ${pid}, ${rss[c]} MiB`}`);
      const total = Object.values(rss).reduce((a, b) => a + b, 0);
      console.log(`total RSS ${total} MiB`);
      return;
    }
    case "summary": {
      const bins = ensureClusterBinaries(REPO);
      const kubeconfig = path.join(dir, "kubeconfig");
      console.log(await summary(KubeApi.fromKubeconfig(fs.readFileSync(kubeconfig, "utf8")), namespace));
      console.log(
        `\nLook for yourself:\n  export KUBECONFIG=${kubeconfig}\n  ${path.join(bins.bin, "kubectl")} get all,secrets,pvc,ingress,cronjobs -n ${namespace}`,
      );
      return;
    }
    default:
      usage();
  }
}

type Obj = {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

/** Our objects in `namespace` (label app.kubernetes.io/managed-by), as a short table per kind. */
export async function summary(api: KubeApi, namespace: string): Promise<string> {
  const sel = `?labelSelector=${encodeURIComponent("app.kubernetes.io/managed-by=heroku-to-hasura")}`;
  const ns = `/namespaces/${encodeURIComponent(namespace)}`;
  const get = async (p: string) => (await api.list(p + sel)) as unknown as Obj[];
  const [deps, jobs, crons, pvcs, ings, secrets] = await Promise.all([
    get(`/apis/apps/v1${ns}/deployments`),
    get(`/apis/batch/v1${ns}/jobs`),
    get(`/apis/batch/v1${ns}/cronjobs`),
    get(`/api/v1${ns}/persistentvolumeclaims`),
    get(`/apis/networking.k8s.io/v1${ns}/ingresses`),
    get(`/api/v1${ns}/secrets`),
  ]);
  const lines = [`Kubernetes, namespace ${namespace}:`];
  const section = (title: string, rows: string[]) => {
    lines.push(`  ${title}:`);
    lines.push(...(rows.length ? rows.map((r) => `    ${r}`) : ["    (none)"]));
  };
  section(
    "Deployments (ready/desired)",
    deps.map((d) => {
      const st = (d.status ?? {}) as {
        readyReplicas?: number;
        conditions?: { type: string; status: string }[];
      };
      const available = st.conditions?.some((c) => c.type === "Available" && c.status === "True");
      return `${d.metadata.name.padEnd(40)} ${st.readyReplicas ?? 0}/${(d.spec as { replicas?: number }).replicas ?? 1}${available ? "  Available" : ""}`;
    }),
  );
  section(
    "Jobs",
    jobs.map((j) => {
      const st = (j.status ?? {}) as {
        succeeded?: number;
        completionTime?: string;
        conditions?: { type: string; status: string }[];
      };
      const done = st.conditions?.find(
        (c) => c.status === "True" && (c.type === "Complete" || c.type === "Failed"),
      );
      return `${j.metadata.name.padEnd(40)} ${done ? done.type : "running"}${st.completionTime ? ` at ${st.completionTime}` : ""}`;
    }),
  );
  section(
    "CronJobs",
    crons.map((c) => `${c.metadata.name.padEnd(40)} ${(c.spec as { schedule: string }).schedule}`),
  );
  section(
    "PersistentVolumeClaims",
    pvcs.map((p) => `${p.metadata.name.padEnd(40)} ${(p.status as { phase?: string })?.phase ?? "?"}`),
  );
  section(
    "Ingresses (hosts → address)",
    ings.map((i) => {
      const hosts = ((i.spec as { rules?: { host?: string }[] }).rules ?? [])
        .map((r) => r.host)
        .filter(Boolean);
      const lb = (i.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } })
        ?.loadBalancer;
      const addr = (lb?.ingress ?? []).map((a) => a.ip ?? a.hostname).join(", ") || "no address yet";
      return `${i.metadata.name.padEnd(40)} ${hosts.join(", ")} → ${addr}`;
    }),
  );
  section(
    "Secrets (values not shown)",
    secrets.map((s) => s.metadata.name),
  );
  return lines.join("\n");
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`[cluster] ERROR: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
