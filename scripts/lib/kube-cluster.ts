/**
 * A real Kubernetes control plane on loopback, with no container runtime: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler (the real ones, built from Go modules by
 * scripts/cluster/ensure.sh), and KWOK playing the kubelet of one fake node, so pods are scheduled
 * and become Ready, Job pods complete and Deployments become Available.
 *
 * - TLS everywhere, client-certificate auth, RBAC on (`--authorization-mode=Node,RBAC`).
 * - A default StorageClass served by the controller-manager's host-path provisioner (PVCs bind).
 * - One KWOK node sized well above the largest dyno (Performance-L: 8 vCPU, 14 GiB).
 * - A KWOK stage that plays an ingress controller: it fills an Ingress's `status.loadBalancer`,
 *   except for the class `no-controller`, which models a cluster whose controller never reports an
 *   address.
 * - A second StorageClass, `wait-for-consumer` (`WaitForFirstConsumer` binding), to test that a PVC
 *   bound only once its pod is scheduled does not deadlock `up`.
 *
 * Everything lives in one directory (certificates, etcd data, logs, pid files), on ten consecutive
 * loopback ports from `basePort`. Processes are detached: the dev cluster outlives the command that
 * started it; tests stop theirs on exit.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeApi } from "./kube-api";

/** Ports within a cluster's block of ten, from its base port. */
export const PORT_OFFSETS = {
  etcdClient: 0,
  etcdPeer: 1,
  apiserver: 2,
  controllerManager: 3,
  scheduler: 4,
  kwok: 5,
} as const;
export const PORT_BLOCK = 10;
/**
 * Where clusters listen: the dev job on one block, tests (and benchmarks) on the first free block of
 * their range. Both lie below the kernel's ephemeral ports (32768–60999), which client sockets and
 * servers asking for "any free port" (the tests' Postgres and Redis) take at random.
 */
export const DEV_BASE_PORT = 31440;
export const TEST_PORT_RANGE = { first: 31450, last: 31499 } as const;

/** The one KWOK node: enough for many apps' pods and for the largest dyno's requests. */
export const NODE_NAME = "kwok-node-0";
export const NODE_ALLOCATABLE = { cpu: "64", memory: "256Gi", pods: "1000", "ephemeral-storage": "1Ti" };

/** The ingress class no controller serves: its Ingresses never get an address. */
export const NO_CONTROLLER_INGRESS_CLASS = "no-controller";
/** A StorageClass that binds a PVC only once a pod using it is scheduled. */
export const WAIT_FOR_CONSUMER_STORAGE_CLASS = "wait-for-consumer";
/** What the ingress stage reports as the load balancer's address. */
export const INGRESS_ADDRESS = "127.0.0.1";

export interface KubeClusterBinaries {
  /** Directory with etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, kubectl. */
  bin: string;
  /** KWOK's own node and pod stages (scripts/cluster/ensure.sh extracts them from its module). */
  stages: string;
}

export interface KubeClusterOptions extends KubeClusterBinaries {
  /** Directory of the cluster's state; reused (certificates, etcd data) when it exists. */
  dir: string;
  /** First of the ten loopback ports the cluster uses. */
  basePort: number;
  /** Seconds to wait for the API server to be ready. Default 90. */
  readyTimeoutSeconds?: number;
  /**
   * Start the processes in their own process group, so they outlive the caller (the dev job's
   * cluster). Default true. Tests pass false: a signal to their process group stops the cluster too.
   */
  detached?: boolean;
}

export interface KubeCluster {
  readonly dir: string;
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** An admin kubeconfig (system:masters) with embedded certificates. */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  readonly api: KubeApi;
  /** Processes this call started (empty when the cluster was already running). */
  readonly started: string[];
}

const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;
type Component = (typeof COMPONENTS)[number];

const pidFile = (dir: string, c: Component) => path.join(dir, "run", `${c}.pid`);
const logFile = (dir: string, c: Component) => path.join(dir, "logs", `${c}.log`);

function readPid(dir: string, c: Component): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(dir, c), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    // A zombie or a reused pid of another program is not ours.
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return COMPONENTS.some((c) => cmd.includes(c));
  } catch {
    return false;
  }
}

/** Which components of the cluster in `dir` are running. */
export function clusterProcesses(dir: string): Record<Component, number | undefined> {
  return Object.fromEntries(
    COMPONENTS.map((c) => {
      const pid = readPid(dir, c);
      return [c, alive(pid) ? pid : undefined];
    }),
  ) as Record<Component, number | undefined>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** True when all ten ports of the block are free on loopback. */
export async function portBlockFree(basePort: number): Promise<boolean> {
  for (let p = basePort; p < basePort + PORT_BLOCK; p++) if (!(await portFree(p))) return false;
  return true;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** CA, API server certificate, admin client certificate and the service-account key pair. */
function writePki(pki: string): void {
  if (fs.existsSync(path.join(pki, "admin.crt"))) return;
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  const days = "3650";
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      days,
      "-subj",
      "/CN=heroku-to-hasura-local-ca",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
    ],
    pki,
  );
  const sign = (name: string, subj: string, ext: string) => {
    fs.writeFileSync(path.join(pki, `${name}.ext`), ext);
    openssl(
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        subj,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      ],
      pki,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        days,
        "-extfile",
        `${name}.ext`,
        "-out",
        `${name}.crt`,
      ],
      pki,
    );
  };
  sign(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default," +
      "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n" +
      "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  sign(
    "admin",
    "/O=system:masters/CN=admin",
    "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  openssl(["genrsa", "-out", "sa.key", "2048"], pki);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], pki);
  for (const f of fs.readdirSync(pki)) fs.chmodSync(path.join(pki, f), 0o600);
}

/** A kubeconfig with embedded certificates (or a token), one context named `name`. */
export function kubeconfigYaml(
  name: string,
  server: string,
  ca: string,
  user: { cert: string; key: string } | { token: string },
  namespace?: string,
): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const userLines =
    "token" in user
      ? [`    token: ${user.token}`]
      : [`    client-certificate-data: ${b64(user.cert)}`, `    client-key-data: ${b64(user.key)}`];
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(ca)}`,
    "users:",
    `- name: ${name}`,
    "  user:",
    ...userLines,
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: ${name}`,
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    `current-context: ${name}`,
    "",
  ].join("\n");
}

/** The stage that plays an ingress controller: every Ingress gets an address unless told not to. */
function ingressStageYaml(): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ingress-address
spec:
  resourceRef:
    apiGroup: networking.k8s.io/v1
    kind: Ingress
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.loadBalancer.ingress'
      operator: 'DoesNotExist'
    - key: '.spec.ingressClassName'
      operator: 'NotIn'
      values:
      - '${NO_CONTROLLER_INGRESS_CLASS}'
  next:
    statusTemplate: |
      loadBalancer:
        ingress:
        - ip: ${INGRESS_ADDRESS}
`;
}

function startProcess(dir: string, c: Component, bin: string, detached: boolean, args: string[]): number {
  const out = fs.openSync(logFile(dir, c), "a");
  const child = spawn(path.join(bin, c), args, { detached, stdio: ["ignore", out, out], cwd: dir });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`${c} did not start`);
  child.unref();
  fs.writeFileSync(pidFile(dir, c), String(child.pid));
  return child.pid;
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitUntil(what: string, ms: number, probe: () => Promise<boolean>, onTimeout: () => string) {
  const until = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > until)
      throw new Error(`${what} not ready after ${Math.round(ms / 1000)} s:\n${onTimeout()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts the cluster in `opts.dir` (or finds it running) and waits until the API server is ready,
 * the default StorageClass and the KWOK node exist and the node is Ready.
 */
export async function startKubeCluster(opts: KubeClusterOptions): Promise<KubeCluster> {
  const dir = path.resolve(opts.dir);
  for (const d of ["run", "logs", "etcd", "pki"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const pki = path.join(dir, "pki");
  writePki(pki);
  const port = (k: keyof typeof PORT_OFFSETS) => opts.basePort + PORT_OFFSETS[k];
  const server = `https://127.0.0.1:${port("apiserver")}`;
  const read = (f: string) => fs.readFileSync(path.join(pki, f), "utf8");
  const kubeconfig = kubeconfigYaml("heroku-to-hasura-local", server, read("ca.crt"), {
    cert: read("admin.crt"),
    key: read("admin.key"),
  });
  const kubeconfigPath = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const stagesPath = path.join(dir, "ingress-stage.yaml");
  fs.writeFileSync(stagesPath, ingressStageYaml());

  const running = clusterProcesses(dir);
  const missing = COMPONENTS.filter((c) => running[c] === undefined);
  if (missing.length > 0 && missing.length < COMPONENTS.length) {
    // A half-running cluster (one process died): start again from a clean set of processes.
    stopKubeCluster(dir);
  }
  const started: string[] = [];
  const detached = opts.detached ?? true;
  if (missing.length > 0) {
    if (!(await portBlockFree(opts.basePort)))
      throw new Error(
        `loopback ports ${opts.basePort}-${opts.basePort + PORT_BLOCK - 1} are taken by another process ` +
          "(another checkout's cluster?): stop it first",
      );
    const p = (f: string) => path.join(pki, f);
    const kcArgs = [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
    ];
    startProcess(dir, "etcd", opts.bin, detached, [
      "--name=local",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${port("etcdClient")}`,
      `--advertise-client-urls=http://127.0.0.1:${port("etcdClient")}`,
      `--listen-peer-urls=http://127.0.0.1:${port("etcdPeer")}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${port("etcdPeer")}`,
      `--initial-cluster=local=http://127.0.0.1:${port("etcdPeer")}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    startProcess(dir, "kube-apiserver", opts.bin, detached, [
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port("apiserver")}`,
      `--etcd-servers=http://127.0.0.1:${port("etcdClient")}`,
      "--endpoint-reconciler-type=none",
      "--service-cluster-ip-range=10.96.0.0/16",
      `--client-ca-file=${p("ca.crt")}`,
      `--tls-cert-file=${p("apiserver.crt")}`,
      `--tls-private-key-file=${p("apiserver.key")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${p("sa.pub")}`,
      `--service-account-signing-key-file=${p("sa.key")}`,
      "--authorization-mode=Node,RBAC",
      "--profiling=false",
    ]);
    startProcess(dir, "kube-controller-manager", opts.bin, detached, [
      ...kcArgs,
      "--bind-address=127.0.0.1",
      `--secure-port=${port("controllerManager")}`,
      "--leader-elect=false",
      `--service-account-private-key-file=${p("sa.key")}`,
      `--root-ca-file=${p("ca.crt")}`,
      `--cluster-signing-cert-file=${p("ca.crt")}`,
      `--cluster-signing-key-file=${p("ca.key")}`,
      "--enable-hostpath-provisioner=true",
      "--profiling=false",
    ]);
    startProcess(dir, "kube-scheduler", opts.bin, detached, [
      ...kcArgs,
      "--bind-address=127.0.0.1",
      `--secure-port=${port("scheduler")}`,
      "--leader-elect=false",
      "--profiling=false",
    ]);
    startProcess(dir, "kwok", opts.bin, detached, [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${opts.stages}`,
      `--config=${stagesPath}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--cidr=10.244.0.0/16",
      "--node-ip=127.0.0.1",
      // A Lease renewed every 10 s is the node's heartbeat; without it (KWOK's flag default) the
      // node's status is refreshed only every 10 minutes and the node controller keeps marking the
      // node, and so every pod, not ready.
      "--node-lease-duration-seconds=40",
      `--server-address=127.0.0.1:${port("kwok")}`,
      "--v=WARN", // INFO logs every status patch
    ]);
    started.push(...COMPONENTS);
  }

  const api = KubeApi.fromKubeconfig(kubeconfig);
  const timeout = (opts.readyTimeoutSeconds ?? 90) * 1000;
  const diagnose = () =>
    COMPONENTS.map(
      (c) => `--- ${c} (${alive(readPid(dir, c)) ? "running" : "NOT running"}):\n${tail(logFile(dir, c), 6)}`,
    ).join("\n");
  await waitUntil(
    "kube-apiserver",
    timeout,
    async () => (await api.request("GET", "/readyz")).status === 200,
    diagnose,
  );
  await bootstrap(api);
  await waitUntil(
    "the KWOK node",
    timeout,
    async () => nodeReady(await api.get(`/api/v1/nodes/${NODE_NAME}`)),
    diagnose,
  );
  await waitUntil(
    "the default ServiceAccount",
    timeout,
    async () => (await api.find("/api/v1/namespaces/default/serviceaccounts/default")) !== undefined,
    diagnose,
  );
  return { dir, server, kubeconfigPath, kubeconfig, api, started };
}

function nodeReady(node: Record<string, unknown>): boolean {
  const conds = (node.status as { conditions?: { type: string; status: string }[] })?.conditions ?? [];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

/** The default StorageClass and the KWOK node; idempotent. */
async function bootstrap(api: KubeApi): Promise<void> {
  await api.ensure("/apis/storage.k8s.io/v1/storageclasses", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: "standard",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "kubernetes.io/host-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  });
  await api.ensure("/apis/storage.k8s.io/v1/storageclasses", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: WAIT_FOR_CONSUMER_STORAGE_CLASS },
    provisioner: "kubernetes.io/host-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  });
  await api.ensure("/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": NODE_NAME,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
      },
    },
    status: { allocatable: NODE_ALLOCATABLE, capacity: NODE_ALLOCATABLE },
  });
}

/** Stops every process of the cluster in `dir` (SIGTERM, then SIGKILL after a grace period). */
export function stopKubeCluster(dir: string, graceMs = 10_000): string[] {
  const stopped: string[] = [];
  // Reverse order: the node and controllers first, etcd last.
  for (const c of [...COMPONENTS].reverse()) {
    const pid = readPid(dir, c);
    if (!alive(pid)) continue;
    try {
      process.kill(pid!, "SIGTERM");
    } catch {
      continue;
    }
    const until = Date.now() + graceMs;
    while (alive(pid) && Date.now() < until) execFileSync("sleep", ["0.1"]);
    if (alive(pid)) process.kill(pid!, "SIGKILL");
    stopped.push(c);
  }
  for (const c of COMPONENTS) fs.rmSync(pidFile(dir, c), { force: true });
  return stopped;
}

/** Resident memory of the cluster's processes, in MiB (from /proc). */
export function clusterRssMiB(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, pid] of Object.entries(clusterProcesses(dir))) {
    if (pid === undefined) continue;
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) out[c] = Math.round(Number(m[1]) / 1024);
  }
  return out;
}

/** The binaries from scripts/cluster/ensure.sh (built from Go modules on first use). */
export function ensureClusterBinaries(repoRoot: string): KubeClusterBinaries {
  const out = execFileSync("bash", [path.join(repoRoot, "scripts", "cluster", "ensure.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1024 * 1024,
  });
  const vars = Object.fromEntries(
    out
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (!vars.KUBE_CLUSTER_BIN || !vars.KUBE_CLUSTER_STAGES)
    throw new Error("scripts/cluster/ensure.sh printed no binaries");
  return { bin: vars.KUBE_CLUSTER_BIN, stages: vars.KUBE_CLUSTER_STAGES };
}
