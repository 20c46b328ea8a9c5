/**
 * Drives a dynamic provider the way `pulumi up` does, without the CLI: the provider object is
 * serialized with the SDK's own `serializeFunction(() => provider, { allowSecrets: true })` (as
 * `pulumi.dynamic.Resource` does), and every call goes over gRPC to a separate, plain `node`
 * process running `@pulumi/pulumi/cmd/dynamic-provider` (what `pulumi-resource-pulumi-nodejs`
 * starts), which loads the text with `require-from-string` and answers Check/Diff/Create/Read/
 * Update/Delete. Values cross the wire as protobuf Structs, as they do under the engine.
 */
import * as assert from "assert";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { spawn, type ChildProcess } from "child_process";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";

export type Props = Record<string, unknown>;

export interface DiffAnswer {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

const PROVIDER_KEY = "__provider";
/** The provider server ignores the URN's type; any dynamic resource's will do. */
const URN =
  "urn:pulumi:test::heroku-to-hasura::pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport::db";

/** Serializes a provider exactly as `pulumi.dynamic.Resource` does (dynamic/index.js). */
export async function serializeProvider(provider: object): Promise<string> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

function toStruct(o: Props): structproto.Struct {
  return structproto.Struct.fromJavaScript(o as Record<string, structproto.JavaScriptValue>);
}

function call<Res>(fn: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

export class DynamicProviderHost {
  /** Everything the provider process wrote to stderr (progress lines go there). */
  stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
    readonly providerText: string,
  ) {
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  /**
   * Starts the provider server in `cwd` (the project root, as Pulumi runs plugins there) with a
   * plain `node`: no ts-node, no test code loaded.
   */
  static async start(
    providerText: string,
    cwd: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<DynamicProviderHost> {
    const script = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const child = spawn(process.execPath, [script, "127.0.0.1:1"], {
      cwd,
      env: { ...env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`dynamic provider exited (${code}): ${err}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new DynamicProviderHost(child, client, providerText);
    const cfg = new provproto.ConfigureRequest();
    cfg.setArgs(toStruct({}));
    await call<provproto.ConfigureResponse>((cb) => client.configure(cfg, cb));
    return host;
  }

  /** Serializes `provider` as `pulumi.dynamic.Resource` does and serves it from this checkout. */
  static async serve(provider: object): Promise<DynamicProviderHost> {
    return DynamicProviderHost.start(await serializeProvider(provider), PROJECT_ROOT);
  }

  /** Another provider process serving the same text (one to kill mid-operation, say). */
  startAnother(): Promise<DynamicProviderHost> {
    return DynamicProviderHost.start(this.providerText, PROJECT_ROOT);
  }

  stop(): void {
    this.client.close();
    this.child.kill("SIGTERM");
  }

  /** Kills the provider process abruptly (as a crashed `pulumi up` would leave it). */
  kill(): void {
    this.client.close();
    this.child.kill("SIGKILL");
  }

  /** Resolves once the provider's stderr matches `re`. */
  async waitForStderr(re: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.stderr)) {
      if (Date.now() > deadline) throw new Error(`provider stderr never matched ${re}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private withProvider(p: Props): Props {
    return { ...p, [PROVIDER_KEY]: this.providerText };
  }

  private static strip(p: Props): Props {
    const { [PROVIDER_KEY]: _ignored, ...rest } = p;
    return rest;
  }

  async check(
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(URN);
    req.setOlds(toStruct(Object.keys(olds).length ? this.withProvider(olds) : {}));
    req.setNews(toStruct(this.withProvider(news)));
    const res = await call<provproto.CheckResponse>((cb) => this.client.check(req, cb));
    return {
      inputs: DynamicProviderHost.strip(res.getInputs()!.toJavaScript() as Props),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, olds: Props, news: Props): Promise<DiffAnswer> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setOlds(toStruct(this.withProvider(olds)));
    req.setNews(toStruct(this.withProvider(news)));
    const res = await call<provproto.DiffResponse>((cb) => this.client.diff(req, cb));
    const C = provproto.DiffResponse.DiffChanges;
    const changes = res.getChanges();
    return {
      changes: changes === C.DIFF_SOME ? "some" : changes === C.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(props: Props, timeoutMs = 600_000): Promise<{ id: string; outs: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(toStruct(this.withProvider(props)));
    req.setTimeout(timeoutMs / 1000);
    const res = await call<provproto.CreateResponse>((cb) => this.client.create(req, cb));
    return { id: res.getId(), outs: DynamicProviderHost.strip(res.getProperties()!.toJavaScript() as Props) };
  }

  async read(id: string, props: Props): Promise<{ id: string; props: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setProperties(toStruct(this.withProvider(props)));
    const res = await call<provproto.ReadResponse>((cb) => this.client.read(req, cb));
    return {
      id: res.getId(),
      props: DynamicProviderHost.strip(res.getProperties()!.toJavaScript() as Props),
    };
  }

  async update(id: string, olds: Props, news: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setOlds(toStruct(this.withProvider(olds)));
    req.setNews(toStruct(this.withProvider(news)));
    const res = await call<provproto.UpdateResponse>((cb) => this.client.update(req, cb));
    return DynamicProviderHost.strip(res.getProperties()!.toJavaScript() as Props);
  }

  /**
   * An in-place `update` from `prev` to `news`, whose inputs `changed` differ (new credentials,
   * another port): asserts that the new state takes those, keeps every other output, and leaves
   * nothing to diff. Returns the new state.
   */
  async updateInPlace(
    prev: { id: string; outs: Props },
    news: Props,
    changed: string[],
  ): Promise<{ id: string; outs: Props }> {
    const outs = await this.update(prev.id, prev.outs, news);
    const rest = (p: Props) => Object.fromEntries(Object.entries(p).filter(([k]) => !changed.includes(k)));
    for (const k of changed) assert.strictEqual(outs[k], news[k], `${k} takes the new value`);
    assert.deepStrictEqual(rest(outs), rest(prev.outs));
    assert.strictEqual((await this.diff(prev.id, outs, news)).changes, "none");
    return { id: prev.id, outs };
  }

  async delete(id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setProperties(toStruct(this.withProvider(props)));
    await call((cb) => this.client.delete(req, cb));
  }
}

/** The project root (where Pulumi.yaml is): Pulumi runs plugins there. */
export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/**
 * What would make `host`'s serialized text (kept in state for every resource) wrong, one line
 * each: a value of `secrets` it carries (named by its position, never printed), this checkout's
 * path (the provider must find its engine at run time), no handler, or text that differs from a
 * new serialization of `provider` (an unchanged program would then look like a provider change).
 */
export async function providerTextProblems(
  host: DynamicProviderHost,
  provider: object,
  secrets: string[],
): Promise<string[]> {
  const text = host.providerText;
  const problems = secrets.flatMap((v, i) => (text.includes(v) ? [`secret #${i} in the provider text`] : []));
  if (!/exports\.handler/.test(text)) problems.push("no exports.handler");
  if (text.includes(PROJECT_ROOT)) problems.push("the checkout's path");
  if ((await serializeProvider(provider)) !== text) problems.push("differs from a new serialization");
  return problems;
}
