/** The host's engine watch, against real gRPC servers standing in for the engine. */
import * as assert from "assert";

import * as grpc from "@grpc/grpc-js";

import { watchEngine } from "../../language-host/engine-healthcheck";

/** A server answering grpc.health.v1.Health/Check with `answer` (null = SERVING-like empty reply). */
async function healthServer(
  answer: grpc.status | null,
): Promise<{ address: string; checks: () => number; server: grpc.Server }> {
  let checks = 0;
  const server = new grpc.Server();
  const raw = (b: Buffer): Buffer => b;
  server.addService(
    {
      check: {
        path: "/grpc.health.v1.Health/Check",
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        checks++;
        if (answer === null) cb(null, Buffer.alloc(0));
        else cb({ code: answer, details: "engine says no" });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, checks: () => checks, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("engine-healthcheck: watchEngine", function () {
  this.timeout(20_000);

  it("keeps checking a healthy engine, and reports it once it goes away", async () => {
    const engine = await healthServer(null);
    let dead = 0;
    const stop = watchEngine(engine.address, () => dead++, 50);
    try {
      await sleep(600);
      assert.ok(engine.checks() >= 3, `only ${engine.checks()} health checks`);
      assert.strictEqual(dead, 0);
      engine.server.forceShutdown();
      for (let i = 0; i < 50 && dead === 0; i++) await sleep(100);
      assert.strictEqual(dead, 1);
    } finally {
      stop();
      engine.server.forceShutdown();
    }
  });

  it("treats UNIMPLEMENTED as alive (engines without the health service)", async () => {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    let dead = 0;
    const stop = watchEngine(`127.0.0.1:${port}`, () => dead++, 50);
    try {
      await sleep(600);
      assert.strictEqual(dead, 0);
    } finally {
      stop();
      server.forceShutdown();
    }
  });

  it("reports an engine answering with an error status", async () => {
    const engine = await healthServer(grpc.status.INTERNAL);
    let dead = 0;
    const stop = watchEngine(engine.address, () => dead++, 50);
    try {
      for (let i = 0; i < 50 && dead === 0; i++) await sleep(100);
      assert.strictEqual(dead, 1);
      assert.strictEqual(engine.checks(), 1);
    } finally {
      stop();
      engine.server.forceShutdown();
    }
  });
});
