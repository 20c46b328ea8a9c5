/**
 * The LanguageRuntime RPCs of our host, called over gRPC on a host started through the shim, the
 * way the Pulumi CLI starts it. (`Run` against a real engine is in pulumi-cli.test.ts.)
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as languageProto from "@pulumi/pulumi/proto/language_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";

import { HostProcess, rpc, startHost } from "../support/host-process";
import { REPO_ROOT } from "../support/sandbox";
import { hostPin, programPin } from "../support/pins";

function programInfo(dir: string, options: Record<string, unknown> = {}): languageProto.ProgramInfo {
  const info = new languageProto.ProgramInfo();
  info.setRootDirectory(dir);
  info.setProgramDirectory(dir);
  info.setEntryPoint(".");
  info.setOptions(Struct.fromJavaScript(options as Record<string, never>));
  return info;
}

describe("language-runtime over gRPC", function () {
  this.timeout(60_000);
  let host: HostProcess;
  let tmp: string;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lh-rpc-"));
    // npm must not reach the network from InstallDependencies.
    host = await startHost([], {
      ...process.env,
      npm_config_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    });
  });
  after(async () => {
    await host?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("GetPluginInfo reports the @pulumi/pulumi version it runs programs with", async () => {
    const info = await rpc<pluginProto.PluginInfo>((cb) => host.client.getPluginInfo(new Empty(), cb));
    assert.strictEqual(info.getVersion(), hostPin("@pulumi/pulumi"));
  });

  it("GetRequiredPackages and GetRequiredPlugins name the repo's resource plugins", async () => {
    const req = new languageProto.GetRequiredPackagesRequest();
    req.setInfo(programInfo(REPO_ROOT));
    const res = await rpc<languageProto.GetRequiredPackagesResponse>((cb) =>
      host.client.getRequiredPackages(req, cb),
    );
    const packages = res
      .getPackagesList()
      .map((p) => `${p.getKind()}:${p.getName()}@${p.getVersion()}`)
      .sort();
    assert.deepStrictEqual(packages, [
      `resource:docker@v${programPin("@pulumi/docker")}`,
      `resource:kubernetes@v${programPin("@pulumi/kubernetes")}`,
      `resource:postgresql@v${programPin("@pulumi/postgresql")}`,
    ]);

    const legacy = new languageProto.GetRequiredPluginsRequest();
    legacy.setInfo(programInfo(REPO_ROOT));
    const plugins = await rpc<languageProto.GetRequiredPluginsResponse>((cb) =>
      host.client.getRequiredPlugins(legacy, cb),
    );
    assert.deepStrictEqual(
      plugins
        .getPluginsList()
        .map((p) => p.getName())
        .sort(),
      ["docker", "kubernetes", "postgresql"],
    );
  });

  it("Run before Handshake (no engine address) is refused with the official message", async () => {
    const req = new languageProto.RunRequest();
    req.setInfo(programInfo(tmp));
    await assert.rejects(
      rpc<languageProto.RunResponse>((cb) => host.client.run(req, cb)),
      /must call Handshake before Run/,
    );
  });

  it("About describes node and the package manager", async () => {
    const req = new languageProto.AboutRequest();
    req.setInfo(programInfo(REPO_ROOT));
    const res = await rpc<languageProto.AboutResponse>((cb) => host.client.about(req, cb));
    assert.match(res.getExecutable(), /\/node$/);
    assert.strictEqual(res.getVersion(), process.version);
    assert.strictEqual(res.getMetadataMap().get("packagemanager"), "npm");
    assert.match(res.getMetadataMap().get("packagemanagerVersion") ?? "", /^\d+\.\d+\.\d+/);
  });

  it("GetProgramDependencies lists direct dependencies from package-lock.json", async () => {
    const req = new languageProto.GetProgramDependenciesRequest();
    req.setInfo(programInfo(REPO_ROOT));
    const res = await rpc<languageProto.GetProgramDependenciesResponse>((cb) =>
      host.client.getProgramDependencies(req, cb),
    );
    const deps = new Map(res.getDependenciesList().map((d) => [d.getName(), d.getVersion()]));
    assert.strictEqual(deps.get("@pulumi/pulumi"), programPin("@pulumi/pulumi"));
    assert.ok(
      !deps.has("require-from-string"),
      "a transitive dependency (of @pulumi/pulumi) is listed as direct",
    );
  });

  it("RuntimeOptionsPrompts asks for a package manager only when none is set", async () => {
    const ask = async (options: Record<string, unknown>) => {
      const req = new languageProto.RuntimeOptionsRequest();
      req.setInfo(programInfo(tmp, options));
      return (
        await rpc<languageProto.RuntimeOptionsResponse>((cb) => host.client.runtimeOptionsPrompts(req, cb))
      ).getPromptsList();
    };
    const [prompt, ...more] = await ask({});
    assert.strictEqual(more.length, 0);
    assert.strictEqual(prompt.getKey(), "packagemanager");
    assert.ok(prompt.getChoicesList().some((c) => c.getStringvalue() === "npm"));
    assert.strictEqual(prompt.getDefault()?.getStringvalue(), "npm");
    assert.deepStrictEqual(await ask({ packagemanager: "npm" }), []);
  });

  it("InstallDependencies streams the package manager's run, and fails when it fails", async () => {
    const install = (dir: string): Promise<{ stdout: string; error?: grpc.ServiceError }> =>
      new Promise((resolve) => {
        const req = new languageProto.InstallDependenciesRequest();
        req.setInfo(programInfo(dir));
        let stdout = "";
        const stream = host.client.installDependencies(req);
        stream.on("data", (m: languageProto.InstallDependenciesResponse) => {
          stdout += Buffer.from(m.getStdout_asU8()).toString();
        });
        stream.on("error", (error: grpc.ServiceError) => resolve({ stdout, error }));
        stream.on("end", () => resolve({ stdout }));
      });
    const good = path.join(tmp, "good");
    fs.mkdirSync(good);
    fs.writeFileSync(path.join(good, "package.json"), JSON.stringify({ name: "good", version: "1.0.0" }));
    const ok = await install(good);
    assert.strictEqual(ok.error, undefined, ok.error?.details);
    assert.match(ok.stdout, /^Installing dependencies\.\.\.\n\n[\s\S]*Finished installing dependencies\n\n$/);
    assert.ok(fs.existsSync(path.join(good, "package-lock.json")), "npm install did not run");

    const bad = path.join(tmp, "bad");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "package.json"), "{ not json");
    const failed = await install(bad);
    assert.match(failed.error?.details ?? "", /^npm install failed: exit code \d+/);
  });

  it("code generation RPCs answer UNIMPLEMENTED with the reason", async () => {
    const err = await rpc<languageProto.GenerateProgramResponse>((cb) =>
      host.client.generateProgram(new languageProto.GenerateProgramRequest(), cb),
    ).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    assert.strictEqual(err?.code, grpc.status.UNIMPLEMENTED);
    assert.match(err?.details ?? "", /GenerateProgram is not supported by this Node.js language host/);
  });
});

describe("language-runtime Run request validation (after Handshake)", function () {
  this.timeout(60_000);
  let host: HostProcess;
  let engine: grpc.Server;
  let tmp: string;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lh-run-"));
    // Stands in for the engine's address only; it serves nothing (health checks get UNIMPLEMENTED).
    engine = new grpc.Server();
    const enginePort = await new Promise<number>((resolve, reject) =>
      engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    host = await startHost();
    const hs = new languageProto.LanguageHandshakeRequest();
    hs.setEngineAddress(`127.0.0.1:${enginePort}`);
    await rpc<languageProto.LanguageHandshakeResponse>((cb) => host.client.handshake(hs, cb));
  });
  after(async () => {
    await host?.stop();
    engine?.forceShutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const run = async (dir: string, options: Record<string, unknown>, config: Record<string, string> = {}) => {
    const req = new languageProto.RunRequest();
    req.setInfo(programInfo(dir, options));
    req.setMonitorAddress("127.0.0.1:1");
    for (const [k, v] of Object.entries(config)) req.getConfigMap().set(k, v);
    const res = await rpc<languageProto.RunResponse>((cb) => host.client.run(req, cb));
    return { error: res.getError(), bail: res.getBail() };
  };

  it("reports a program directory without the Pulumi SDK", async () => {
    assert.deepStrictEqual(await run(tmp, {}), {
      error: "It looks like the Pulumi SDK has not been installed. Have you run pulumi install?",
      bail: false,
    });
  });

  it("reports bad runtime options and config keys without starting the program", async () => {
    assert.strictEqual(
      (await run(REPO_ROOT, { typescript: "yes" })).error,
      "typescript option must be a boolean",
    );
    assert.match(
      (await run(REPO_ROOT, {}, { badkey: "v" })).error,
      /^failed to serialize configuration: could not parse badkey/,
    );
  });
});
