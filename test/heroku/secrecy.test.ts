import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { inspect } from "util";
import { readAppSnapshots } from "../../components/heroku/reader";
import { parseSnapshotSet, serializeSnapshotSet } from "../../components/heroku/snapshot-file";
import { FULL_TOKEN, READ_ONLY_TOKEN } from "../support/heroku-double";
import { rejection, testClient, withDouble } from "./support";

/**
 * Every config var value and drain URL is replaced by a unique canary; then everything the reader
 * lets a person see — log lines, error messages, printed snapshots, the redacted file — is searched
 * for any canary or token.
 */
describe("secrecy: no config var value, drain URL or token in logs, errors or redacted snapshots", () => {
  const h = withDouble();
  let canaries: string[];
  const seen: string[] = [];

  beforeEach(() => {
    canaries = [];
    seen.length = 0;
    for (const app of ["acme-api", "acme-admin"]) {
      const fixture = h.double.fixtures.apps.find((a) => a.app.name === app);
      for (const key of Object.keys(fixture?.configVars ?? {})) {
        const canary = `canary-${key.toLowerCase()}-${randomBytes(6).toString("hex")}`;
        canaries.push(canary);
        h.double.setConfigVar(app, key, canary);
      }
      for (const drain of fixture?.logDrains ?? []) {
        const pass = `canary-drainpass-${randomBytes(6).toString("hex")}`;
        canaries.push(pass);
        drain.url = `https://drain-user:${pass}@logs.acme.example.net/heroku/${app}`;
      }
    }
    assert.equal(canaries.length, 8 + 1 + 4 + 1);
  });

  afterEach(function () {
    // Applies to every test below: nothing collected may hold a secret.
    const leaks = [...canaries, FULL_TOKEN, READ_ONLY_TOKEN].filter((c) => seen.some((s) => s.includes(c)));
    assert.deepEqual(leaks, [], `secret(s) leaked in: ${this.currentTest?.title}`);
  });

  it("holds canaries in the snapshot itself (so the searches below can find a leak)", async () => {
    const { client } = testClient(h.double);
    const set = await readAppSnapshots(client, ["acme-api", "acme-admin"]);
    const values = set.apps.flatMap((a) => [
      ...Object.values(a.configVars),
      ...a.logDrains.map((d) => d.url),
    ]);
    const plaintexts = values.map((v) => v.reveal());
    assert.ok(canaries.every((c) => plaintexts.some((p) => p.includes(c))));
    // The unredacted file holds them: the search works on this kind of text.
    const full = serializeSnapshotSet(set, { includeSecrets: true });
    assert.ok(canaries.every((c) => full.includes(c)));
  });

  it("printing a snapshot set (JSON, inspect, template strings) shows no value", async () => {
    const { client, logs } = testClient(h.double);
    const set = await readAppSnapshots(client, ["acme-api", "acme-admin"]);
    const api = set.apps[0];
    seen.push(
      JSON.stringify(set),
      inspect(set, { depth: null }),
      `${api.configVars.DATABASE_URL} ${api.logDrains[0].url}`,
      String(Object.values(api.configVars)),
      ...logs,
    );
    assert.ok(logs.length >= client.requestCount(), "the client logged every request");
    assert.match(JSON.stringify(api.configVars), /^\{"DATABASE_URL":"\[secret\]"/);
  });

  it("the redacted snapshot file, and reading it back, show no value", async () => {
    const { client, logs } = testClient(h.double);
    const set = await readAppSnapshots(client, ["acme-api", "acme-admin"]);
    const text = serializeSnapshotSet(set);
    const back = parseSnapshotSet(text, "redacted.json");
    seen.push(text, inspect(back, { depth: null }), ...logs);
    assert.ok(back.apps[0].configVars.SESSION_SECRET.isRedacted);
  });

  it("retry and slow-down log lines show no value", async () => {
    h.double.setRateLimitRemaining(100);
    h.double.injectFault({
      path: "/apps/acme-api/config-vars-settings",
      kind: "status",
      status: 503,
      times: 2,
    });
    h.double.injectFault({ path: "/apps/acme-admin/config-vars", kind: "drop-mid-body", times: 1 });
    h.double.injectFault({ path: "/apps/acme-api/log-drains", kind: "drop", times: 1 });
    const { client, logs } = testClient(h.double);
    await readAppSnapshots(client, ["acme-api", "acme-admin"]);
    seen.push(...logs);
    assert.ok(logs.some((l) => l.startsWith("warn") && l.includes("/config-vars")));
    assert.ok(logs.some((l) => l.includes("RateLimit-Remaining")));
  });

  it("error messages show no value or token, even when Heroku's message echoes the token", async () => {
    const errors: Error[] = [];
    const ro = testClient(h.double, { token: READ_ONLY_TOKEN });
    errors.push(await rejection(readAppSnapshots(ro.client, ["acme-api"])));
    h.double.injectFault({
      path: "/apps/acme-api/config-vars-settings",
      kind: "status",
      status: 422,
      message: `Token ${FULL_TOKEN} cannot page this resource.`,
    });
    const full = testClient(h.double);
    errors.push(await rejection(readAppSnapshots(full.client, ["acme-api"])));
    h.double.injectFault({ path: "/apps/acme-admin/log-drains", kind: "status", status: 500, times: 100 });
    const third = testClient(h.double, { retry: { maxAttempts: 2 } });
    errors.push(await rejection(readAppSnapshots(third.client, ["acme-admin"])));
    // A snapshot file with a value where the format wants a secret object.
    const set = await readAppSnapshots(testClient(h.double).client, ["acme-api"]);
    const bad = JSON.parse(serializeSnapshotSet(set, { includeSecrets: true }));
    bad.apps[0].configVars.SESSION_SECRET = bad.apps[0].configVars.SESSION_SECRET.$secret;
    errors.push(
      await rejection(Promise.resolve().then(() => parseSnapshotSet(JSON.stringify(bad), "bad.json"))),
    );

    assert.match(errors[0].message, /token lacks read-protected scope/);
    assert.match(errors[1].message, /Token \[token\] cannot page this resource/);
    assert.match(errors[2].message, /log drains of app "acme-admin"/);
    assert.match(errors[3].message, /configVars\.SESSION_SECRET: expected a secret/);
    seen.push(
      ...errors.flatMap((e) => [e.message, String(e.stack), inspect(e)]),
      ...ro.logs,
      ...full.logs,
      ...third.logs,
    );
  });
});
