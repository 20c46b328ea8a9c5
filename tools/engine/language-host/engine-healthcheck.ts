/**
 * Watches the engine that started this host: when the engine stops answering, the host must go away
 * too instead of lingering as an orphan. Mirrors the official host (a gRPC health check every five
 * minutes; "unimplemented" still proves the engine is alive).
 */
import * as grpc from "@grpc/grpc-js";

const HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check";
/** An empty HealthCheckRequest (service "") encodes to zero bytes. */
const EMPTY_REQUEST = Buffer.alloc(0);

/** Starts the periodic check; `onDead` runs once the engine is unreachable. Returns a stop function. */
export function watchEngine(address: string, onDead: () => void, everyMs = 5 * 60 * 1000): () => void {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = (): void => {
    client.makeUnaryRequest(
      HEALTH_CHECK_METHOD,
      (req: Buffer) => req,
      (res: Buffer) => res,
      EMPTY_REQUEST,
      { deadline: Date.now() + 60_000 },
      (err) => {
        if (stopped) return;
        if (err && err.code !== grpc.status.UNIMPLEMENTED) {
          stop();
          onDead();
          return;
        }
        schedule();
      },
    );
  };
  const schedule = (): void => {
    timer = setTimeout(check, everyMs);
    timer.unref();
  };
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    client.close();
  };
  schedule();
  return stop;
}
