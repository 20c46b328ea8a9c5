/**
 * Starts our language host the way the Pulumi CLI does (the shim, args, one port line on stdout)
 * and gives a gRPC client for it, with promise wrappers for unary calls.
 */
import { ChildProcessWithoutNullStreams, spawn } from "child_process";

import * as grpc from "@grpc/grpc-js";
import * as languageGrpc from "@pulumi/pulumi/proto/language_grpc_pb";

import { HOST_SHIM } from "./sandbox";

export interface HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly client: languageGrpc.LanguageRuntimeClient;
  /** Everything the host wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startHost(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostProcess> {
  const child = spawn(HOST_SHIM, [...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout.off("data", onData);
        const port = Number(out.slice(0, nl));
        if (Number.isInteger(port) && port > 0) resolve(port);
        else reject(new Error(`host printed ${JSON.stringify(out)} instead of a port`));
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`host exited ${code} before printing its port: ${err}`)));
  });
  const client = new languageGrpc.LanguageRuntimeClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return {
    child,
    port,
    client,
    stderr: () => err,
    stop: async () => {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Promise form of a unary call: `rpc<Res>((cb) => client.method(req, cb))`. */
export function rpc<Res>(
  invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res)));
  });
}
