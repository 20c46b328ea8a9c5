/** Shared set-up for the Heroku reader tests: a double per test and a client that never really sleeps. */
import { HerokuClient, HerokuClientOptions } from "../../components/heroku/client";
import { HerokuLogger } from "../../components/heroku/logger";
import { buildAccountFixtures, FULL_TOKEN, startHerokuDouble } from "../support/heroku-double";
import type { DoubleFixtures, HerokuDouble } from "../support/heroku-double";

export interface TestClient {
  client: HerokuClient;
  /** Every delay the client asked to sleep (backoff and rate-limit pacing), in order. */
  sleeps: number[];
  /** Every log line, prefixed with its level. */
  logs: string[];
  logger: HerokuLogger;
}

/** A client on `double` whose sleeps return at once (recorded) and whose log lines are captured. */
export function testClient(double: HerokuDouble, opts: Partial<HerokuClientOptions> = {}): TestClient {
  const sleeps: number[] = [];
  const logs: string[] = [];
  const logger: HerokuLogger = {
    debug: (m) => logs.push(`debug ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
  };
  const client = new HerokuClient({
    token: FULL_TOKEN,
    baseUrl: double.url,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setImmediate(r));
    },
    random: () => 0.5,
    logger,
    ...opts,
  });
  return { client, sleeps, logs, logger };
}

/**
 * Starts a double before each test and closes it after; closing rejects (failing the test) when
 * any response the double served violated the Platform API schema.
 */
export function withDouble(fixtures: () => DoubleFixtures = buildAccountFixtures): { double: HerokuDouble } {
  const ctx = {} as { double: HerokuDouble };
  beforeEach(async () => {
    ctx.double = await startHerokuDouble(fixtures());
  });
  afterEach(async () => {
    await ctx.double.close();
  });
  return ctx;
}

/** Awaits `p` and returns its rejection; fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
