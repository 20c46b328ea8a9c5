/**
 * Builds examples/snapshot.json — the dev stack's embedded default — by reading `acme-api` from the
 * double with the real client, reader and snapshot writer, so the example is exactly what the
 * reader produces from schema-valid API data. Regenerate with:
 *   npx ts-node --transpile-only test/support/heroku-double/example-snapshot.ts
 */
import * as path from "path";
import { HerokuClient } from "../../../components/heroku/client";
import { readAppSnapshots } from "../../../components/heroku/reader";
import { serializeSnapshotSet, writeSnapshotFile } from "../../../components/heroku/snapshot-file";
import { SnapshotSet } from "../../../components/heroku/snapshot";
import { buildAccountFixtures, FULL_TOKEN } from "./account";
import { startHerokuDouble } from "./server";

export const EXAMPLE_SNAPSHOT_PATH = path.resolve(__dirname, "../../../examples/snapshot.json");
export const EXAMPLE_APPS = ["acme-api"];
/** Fixed clock so the file is reproducible byte for byte. */
export const EXAMPLE_CLOCK = () => new Date("2026-11-01T12:00:00.000Z");

/** Reads the example apps from a fresh double; returns the set and the API calls made per app. */
export async function buildExampleSnapshotSet(): Promise<{
  set: SnapshotSet;
  calls: Record<string, number>;
}> {
  const double = await startHerokuDouble(buildAccountFixtures());
  try {
    const client = new HerokuClient({ token: FULL_TOKEN, baseUrl: double.url });
    const set = await readAppSnapshots(client, EXAMPLE_APPS, { now: EXAMPLE_CLOCK });
    return { set, calls: Object.fromEntries(EXAMPLE_APPS.map((a) => [a, client.requestCount(a)])) };
  } finally {
    await double.close();
  }
}

/** The example file's exact text (secrets included: all values are fake). */
export async function exampleSnapshotText(): Promise<string> {
  return serializeSnapshotSet((await buildExampleSnapshotSet()).set, { includeSecrets: true });
}

if (require.main === module) {
  buildExampleSnapshotSet()
    .then(async ({ set, calls }) => {
      await writeSnapshotFile(EXAMPLE_SNAPSHOT_PATH, set, { includeSecrets: true });
      console.log(`wrote ${EXAMPLE_SNAPSHOT_PATH} (API calls: ${JSON.stringify(calls)})`);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
