/**
 * Entry point of our `pulumi-language-nodejs`: the Pulumi CLI starts it as
 * `pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL] <engine-address>`, reads one line with
 * the gRPC port from its stdout, then calls the LanguageRuntime service on 127.0.0.1:<port>.
 */
import * as fs from "fs";

import * as grpc from "@grpc/grpc-js";
import * as languageGrpc from "@pulumi/pulumi/proto/language_grpc_pb";

import { watchEngine } from "./engine-healthcheck";
import { createLanguageRuntime } from "./language-runtime";

/** The engine allows messages up to 400 MiB (large stacks); the default 4 MiB would break them. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

/** Parsed command line. */
export interface HostFlags {
  /** The positional argument: the engine's gRPC address; "" when started without one (Handshake sets it). */
  readonly engineAddress: string;
  /** `-tracing`: Zipkin endpoint passed on to programs; "" for none. */
  readonly tracing: string;
  /** `-runtime`: only "nodejs" is supported (the official host also knows "bun"). */
  readonly runtime: string;
  /** `-v=N`: diagnostics at or below N go to stderr. Default 0. */
  readonly verbosity: number;
  /** `-version`: print the version and exit. */
  readonly showVersion: boolean;
}

/** Flags that take a value; Go's flag package accepts `-f v`, `-f=v`, `--f v` and `--f=v`. */
const VALUE_FLAGS = new Set([
  "tracing",
  "runtime",
  "v",
  "log_dir",
  "vmodule",
  "stderrthreshold",
  "log_backtrace_at",
]);
const BOOL_FLAGS = new Set(["version", "logtostderr", "alsologtostderr", "logflow"]);

/** Parses argv the way the official (Go) host does; throws on an unknown flag or missing value. */
export function parseFlags(argv: readonly string[]): HostFlags {
  const values = new Map<string, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    if (BOOL_FLAGS.has(name)) {
      values.set(name, eq < 0 ? "true" : body.slice(eq + 1));
    } else if (VALUE_FLAGS.has(name)) {
      if (eq >= 0) values.set(name, body.slice(eq + 1));
      else if (i + 1 < argv.length) values.set(name, argv[++i]);
      else throw new Error(`flag needs an argument: -${name}`);
    } else {
      throw new Error(`flag provided but not defined: -${name}`);
    }
  }
  const runtime = values.get("runtime") ?? "nodejs";
  if (runtime !== "nodejs") throw new Error(`unsupported runtime: ${runtime}`);
  return {
    engineAddress: argv[i] ?? "",
    tracing: values.get("tracing") ?? "",
    runtime,
    verbosity: Number(values.get("v") ?? "0") || 0,
    showVersion: values.get("version") === "true",
  };
}

/** The @pulumi/pulumi version this host is installed with; reported as the plugin's version. */
function sdkVersion(): string {
  const manifest = fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Starts the host; resolves with the port once it is listening (already printed on stdout). */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  let flags: HostFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`pulumi-language-nodejs: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  if (flags.showVersion) {
    process.stdout.write(`${sdkVersion()}\n`);
    return undefined;
  }

  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  const shutdown = (code: number): void => {
    server.tryShutdown(() => process.exit(code));
    // Open calls (a running program) must not keep a host whose engine is gone alive.
    setTimeout(() => process.exit(code), 5000).unref();
  };
  server.addService(
    languageGrpc.LanguageRuntimeService,
    createLanguageRuntime({
      engineAddress: flags.engineAddress,
      tracing: flags.tracing,
      version: sdkVersion(),
      verbosity: flags.verbosity,
      onEngineGone: () => shutdown(1),
    }),
  );
  if (flags.engineAddress) watchEngine(flags.engineAddress, () => shutdown(1));
  process.once("SIGINT", () => shutdown(0));
  // Without a handler node dies at once on SIGTERM, skipping the exit hooks that stop programs.
  process.once("SIGTERM", () => shutdown(143));

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);
  return port;
}
