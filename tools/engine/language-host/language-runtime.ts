/**
 * The LanguageRuntime gRPC service for `runtime: nodejs` programs: the RPCs `pulumi preview/up/destroy`,
 * `pulumi about`, `pulumi install` and the Automation API use. Code generation (GenerateProgram,
 * GenerateProject, GeneratePackage, Pack, Link) and RunPlugin answer UNIMPLEMENTED: they need Pulumi's
 * Go code generators, which this host does not have.
 */
import { execFile, spawn } from "child_process";

import * as grpc from "@grpc/grpc-js";
import * as emptyProto from "google-protobuf/google/protobuf/empty_pb";
import * as languageGrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as languageProto from "@pulumi/pulumi/proto/language_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";

import { watchEngine } from "./engine-healthcheck";
import { listNpmDependencies, resolvePackageManager } from "./package-manager";
import { ProgramControl, buildRunInvocation, findOnPath, locateRunner, runProgram } from "./run-program";
import { NodeRuntimeOptions, parseRuntimeOptions } from "./runtime-options";
import { RequiredPackage, scanRequiredPackages, sdkVersionClash } from "./required-packages";

/** How the host was started. */
export interface LanguageRuntimeSettings {
  /** Engine address given on the command line; "" until Handshake supplies one. */
  readonly engineAddress: string;
  /** `-tracing` endpoint to pass on to programs; "" for none. */
  readonly tracing: string;
  /** Version reported by GetPluginInfo (the @pulumi/pulumi SDK version this host ships with). */
  readonly version: string;
  /** Verbosity from `-v=N`; diagnostics at or below it go to stderr. */
  readonly verbosity: number;
  /** Called when the engine given by Handshake stops answering health checks. */
  readonly onEngineGone: () => void;
}

type ProgramInfo = languageProto.ProgramInfo;

/** Builds the service implementation to register on a grpc.Server. */
export function createLanguageRuntime(
  settings: LanguageRuntimeSettings,
): languageGrpc.ILanguageRuntimeServer {
  let engineAddress = settings.engineAddress;
  let cancelled = false;
  const running = new Set<ProgramControl>();
  const log = (level: number, message: string): void => {
    if (settings.verbosity >= level) process.stderr.write(`pulumi-language-nodejs: ${message}\n`);
  };

  const requiredPackages = (info: ProgramInfo | undefined): RequiredPackage[] => {
    const scan = scanRequiredPackages(programDirectory(info));
    for (const problem of scan.problems) log(3, `while discovering plugins: ${problem}`);
    const [first, ...rest] = [...scan.sdkVersions];
    for (const other of first ? rest : []) {
      const clash = sdkVersionClash(other[1], first[1]);
      if (clash) {
        process.stderr.write(
          `Found incompatible versions of @pulumi/pulumi. ${clash}\n` +
            `  Version ${first[1]} referenced at ${first[0]}\n  Version ${other[1]} referenced at ${other[0]}\n`,
        );
        break;
      }
    }
    return scan.packages;
  };

  return {
    handshake: unary(async (call) => {
      engineAddress = call.request.getEngineAddress();
      watchEngine(engineAddress, settings.onEngineGone);
      return new languageProto.LanguageHandshakeResponse();
    }),

    getRequiredPackages: unary(async (call) => {
      const res = new languageProto.GetRequiredPackagesResponse();
      res.setPackagesList(
        requiredPackages(call.request.getInfo()).map((p) => {
          const dep = new pluginProto.PackageDependency();
          dep.setName(p.name);
          dep.setKind("resource");
          dep.setVersion(p.version);
          dep.setServer(p.server);
          if (p.parameterization) {
            const param = new pluginProto.PackageParameterization();
            param.setName(p.parameterization.name);
            param.setVersion(p.parameterization.version);
            param.setValue(p.parameterization.value);
            dep.setParameterization(param);
          }
          return dep;
        }),
      );
      return res;
    }),

    // Older CLIs ask for plugins rather than packages; the same scan answers both.
    getRequiredPlugins: unary(async (call) => {
      const res = new languageProto.GetRequiredPluginsResponse();
      res.setPluginsList(
        requiredPackages(call.request.getInfo()).map((p) => {
          const dep = new pluginProto.PluginDependency();
          dep.setName(p.name);
          dep.setKind("resource");
          dep.setVersion(p.version);
          dep.setServer(p.server);
          return dep;
        }),
      );
      return res;
    }),

    run: unary(async (call) => {
      const req = call.request;
      const res = new languageProto.RunResponse();
      if (!engineAddress) {
        throw new Error("when debugging or running explicitly, must call Handshake before Run");
      }
      const info = req.getInfo();
      const dir = programDirectory(info) || req.getPwd();
      const failed = (message: string): languageProto.RunResponse => res.setError(message);
      if (req.getAttachDebugger())
        return failed("attaching a debugger is not supported by this language host");
      const nodeBin = findOnPath("node") ?? process.execPath;
      let runPath: string;
      try {
        runPath = locateRunner(dir);
      } catch (err) {
        return failed((err as Error).message);
      }
      let options: NodeRuntimeOptions;
      try {
        options = runtimeOptions(info);
      } catch (err) {
        return failed((err as Error).message);
      }
      const config: Record<string, string> = {};
      req.getConfigMap().forEach((value, key) => (config[key] = value));
      let invocation;
      try {
        invocation = buildRunInvocation({
          runPath,
          monitorAddress: req.getMonitorAddress(),
          engineAddress,
          organization: req.getOrganization(),
          project: req.getProject(),
          stack: req.getStack(),
          rootDirectory: info?.getRootDirectory() ?? "",
          programDirectory: dir,
          entryPoint: info?.getEntryPoint() || req.getProgram() || ".",
          args: req.getArgsList(),
          dryRun: req.getDryrun(),
          parallel: req.getParallel(),
          tracing: settings.tracing,
          config,
          configSecretKeys: req.getConfigsecretkeysList(),
          options,
        });
      } catch (err) {
        return failed(`failed to serialize configuration: ${(err as Error).message}`);
      }
      log(5, `launching ${nodeBin} ${invocation.args.join(" ")}`);
      let control: ProgramControl | undefined;
      const onCancelled = (): void => control?.interrupt();
      call.on("cancelled", onCancelled);
      const outcome = await runProgram(nodeBin, invocation, (c) => {
        control = c;
        running.add(c);
        if (cancelled) c.interrupt();
      });
      if (control) running.delete(control);
      call.off("cancelled", onCancelled);
      res.setError(outcome.error);
      res.setBail(outcome.bail);
      return res;
    }),

    getPluginInfo: unary(async () => {
      const res = new pluginProto.PluginInfo();
      res.setVersion(settings.version);
      return res;
    }),

    installDependencies: (call) => {
      void installDependencies(call).then(
        () => call.end(),
        // grpc-js sends a server stream's error status when "error" is emitted on it.
        (err: Error) => call.emit("error", serviceError(grpc.status.UNKNOWN, err.message)),
      );
    },

    runtimeOptionsPrompts: unary(async (call) => {
      const res = new languageProto.RuntimeOptionsResponse();
      const raw = call.request.getInfo()?.getOptions()?.toJavaScript() ?? {};
      if (!("packagemanager" in raw)) {
        const STRING = languageProto.RuntimeOptionPrompt.RuntimeOptionType.STRING;
        const value = (name: string): languageProto.RuntimeOptionPrompt.RuntimeOptionValue => {
          const v = new languageProto.RuntimeOptionPrompt.RuntimeOptionValue();
          v.setPrompttype(STRING);
          v.setStringvalue(name);
          v.setDisplayname(name);
          return v;
        };
        const prompt = new languageProto.RuntimeOptionPrompt();
        prompt.setKey("packagemanager");
        prompt.setDescription("The package manager to use for installing dependencies");
        prompt.setPrompttype(STRING);
        prompt.setChoicesList(["npm", "pnpm", "yarn", "bun"].filter((pm) => findOnPath(pm)).map(value));
        prompt.setDefault(value("npm"));
        res.setPromptsList([prompt]);
      }
      return res;
    }),

    template: unary(async () => new languageProto.TemplateResponse()),

    about: unary(async (call) => {
      const info = call.request.getInfo();
      const pm = resolvePackageManager(runtimeOptions(info).packagemanager, programDirectory(info));
      const node = findOnPath("node");
      if (!node) throw new Error('could not find executable "node" on the $PATH');
      const [nodeVersion, pmVersion] = await Promise.all([commandVersion(node), commandVersion(pm)]);
      const res = new languageProto.AboutResponse();
      res.setExecutable(node);
      res.setVersion(nodeVersion);
      res.getMetadataMap().set("packagemanager", pm);
      res.getMetadataMap().set("packagemanagerVersion", pmVersion);
      return res;
    }),

    getProgramDependencies: unary(async (call) => {
      const info = call.request.getInfo();
      const dir = programDirectory(info) || call.request.getPwd();
      const pm = resolvePackageManager(runtimeOptions(info).packagemanager, dir);
      if (pm !== "npm") throw new Error(`listing ${pm} dependencies is not supported by this language host`);
      const res = new languageProto.GetProgramDependenciesResponse();
      res.setDependenciesList(
        listNpmDependencies(dir, call.request.getTransitivedependencies()).map((d) => {
          const dep = new languageProto.DependencyInfo();
          dep.setName(d.name);
          dep.setVersion(d.version);
          return dep;
        }),
      );
      return res;
    }),

    runPlugin: (call) =>
      call.emit("error", serviceError(grpc.status.UNIMPLEMENTED, unsupported("RunPlugin"))),
    generateProgram: (_call, callback) =>
      callback(serviceError(grpc.status.UNIMPLEMENTED, unsupported("GenerateProgram"))),
    generateProject: (_call, callback) =>
      callback(serviceError(grpc.status.UNIMPLEMENTED, unsupported("GenerateProject"))),
    generatePackage: (_call, callback) =>
      callback(serviceError(grpc.status.UNIMPLEMENTED, unsupported("GeneratePackage"))),
    pack: (_call, callback) => callback(serviceError(grpc.status.UNIMPLEMENTED, unsupported("Pack"))),
    link: (_call, callback) => callback(serviceError(grpc.status.UNIMPLEMENTED, unsupported("Link"))),

    cancel: unary(async () => {
      cancelled = true;
      for (const control of running) control.interrupt();
      return new emptyProto.Empty();
    }),
  };
}

function programDirectory(info: ProgramInfo | undefined): string {
  return info?.getProgramDirectory() ?? "";
}

function runtimeOptions(info: ProgramInfo | undefined): NodeRuntimeOptions {
  return parseRuntimeOptions(info?.getOptions()?.toJavaScript() ?? {});
}

function unsupported(method: string): string {
  return `${method} is not supported by this Node.js language host (tools/engine/language-host)`;
}

function serviceError(code: grpc.status, details: string): grpc.ServerErrorResponse {
  return Object.assign(new Error(details), { code, details });
}

/** Adapts an async handler to grpc-js: a thrown error becomes an UNKNOWN status carrying its message. */
function unary<Req, Res>(
  handler: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handler(call).then(
      (res) => callback(null, res),
      (err: unknown) =>
        callback(serviceError(grpc.status.UNKNOWN, err instanceof Error ? err.message : String(err))),
    );
  };
}

/** `<command> --version`, trimmed; "" when it cannot be run (About must not fail for that). */
function commandVersion(command: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, ["--version"], { timeout: 30_000 }, (err, stdout) => resolve(err ? "" : stdout.trim()));
  });
}

type InstallCall = grpc.ServerWritableStream<
  languageProto.InstallDependenciesRequest,
  languageProto.InstallDependenciesResponse
>;

/** `<package manager> install` in the program directory, its output streamed back to the CLI. */
async function installDependencies(call: InstallCall): Promise<void> {
  const info = call.request.getInfo();
  const dir = programDirectory(info) || call.request.getDirectory();
  const send = (stream: "stdout" | "stderr", data: Buffer | string): void => {
    const msg = new languageProto.InstallDependenciesResponse();
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (stream === "stdout") msg.setStdout(bytes);
    else msg.setStderr(bytes);
    call.write(msg);
  };
  const pm = resolvePackageManager(runtimeOptions(info).packagemanager, dir);
  send("stdout", "Installing dependencies...\n\n");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(pm, ["install"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => send("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => send("stderr", chunk));
    child.on("error", (err) => reject(new Error(`${pm} install failed: ${err.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${pm} install failed: exit code ${code ?? "by signal"}`)),
    );
  });
  send("stdout", "Finished installing dependencies\n\n");
}
