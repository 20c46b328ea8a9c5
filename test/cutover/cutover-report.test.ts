import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackConfig } from "../../components/config";
import {
  BENCHMARK_BYTES_PER_SECOND,
  estimateWindow,
  renderCutoverSection,
} from "../../components/cutover/cutover-report";
import { freezeSummary, FreezeRecord, restoreCommands } from "../../components/cutover/freeze-record";
import {
  latestRehearsal,
  readRehearsals,
  recordRehearsal,
  RehearsalRecord,
} from "../../components/cutover/rehearsals";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import type { DatabasePlan } from "../../components/plan/types";
import { validConfig } from "../config/config-cases";

const GiB = 1024 ** 3;

function dbPlan(over: Partial<DatabasePlan> = {}): DatabasePlan {
  return {
    addon: "postgresql-concave-52656",
    ownerApp: "acme-api",
    plan: "heroku-postgresql:standard-0",
    database: "postgresql_concave_52656",
    ownerRole: "postgresql_concave_52656_owner",
    ownerCredential: "postgresql-concave-52656-owner",
    sourceUrl: SecretString.of("postgres://u:x@db.example.com:5432/d"),
    sourceAttachment: { app: "acme-api", configVar: "DATABASE_URL" },
    attachedApps: ["acme-api", "acme-reports"],
    attachments: [],
    targetUrl: SecretTemplate.of(SecretString.of("postgres://o:x@pg:5432/t")),
    targetHost: "pg",
    targetPort: 5432,
    ...over,
  };
}

const rehearsal = (over: Partial<RehearsalRecord> = {}): RehearsalRecord => ({
  at: "2026-12-04T21:00:00.000Z",
  source: { host: "db.example.com", port: 5432, database: "d" },
  databaseBytes: 2 * GiB,
  copiedBytes: 1.5 * GiB,
  rows: 1000,
  tables: 10,
  durationMs: 400_000,
  jobs: 2,
  outcome: "verified",
  ...over,
});

describe("cutover report: the freeze window estimate and the steps (pure)", () => {
  it("uses the newest rehearsal of the source: its throughput, and the size measured now", () => {
    const e = estimateWindow(
      {
        plan: dbPlan(),
        size: { bytes: 4 * GiB, from: "measured at this preview/up" },
        rehearsal: rehearsal(),
      },
      120,
    );
    // 2 GiB in 400 s = 5.12 MiB/s; 4 GiB takes 800 s; + 2 apps × 6 s + 30 s for dynos + 2 s.
    assert.equal(Math.round(e.bytesPerSecond), Math.round((2 * GiB) / 400));
    assert.equal(Math.round(e.importSeconds!), 800);
    assert.equal(Math.round(e.expectedSeconds!), 800 + 12 + 30 + 2);
    assert.equal(Math.round(e.boundSeconds!), 800 + 12 + 120 + 2);
    assert.match(e.rateFrom, /rehearsal of 2026-12-04T21:00:00.000Z \(2\.1 GB in 6m40s, 2 job\(s\)\)/);
  });

  it("without a rehearsal: the benchmark's figure, said to be optimistic; without any size: unknown", () => {
    const e = estimateWindow(
      { plan: dbPlan(), size: { bytes: 61.4 * 1024 * 1024 * 60, from: "m" }, rehearsal: null },
      120,
    );
    assert.equal(e.bytesPerSecond, BENCHMARK_BYTES_PER_SECOND);
    assert.equal(Math.round(e.importSeconds!), 60);
    assert.match(e.rateFrom, /benchmark's figure of record.*a Heroku source across the internet is slower/);
    const none = estimateWindow({ plan: dbPlan(), size: null, rehearsal: null }, 120);
    assert.equal(none.expectedSeconds, null);
    // A rehearsal alone gives the size too.
    const fromRehearsal = estimateWindow({ plan: dbPlan(), size: null, rehearsal: rehearsal() }, 120);
    assert.equal(fromRehearsal.sizeBytes, 2 * GiB);
    assert.match(fromRehearsal.sizeFrom, /the rehearsal of/);
  });

  it("renders the window per database and the cutover steps in order", () => {
    const text = renderCutoverSection({
      stack: "prod",
      freeze: true,
      drainTimeoutSeconds: 180,
      databases: [
        {
          plan: dbPlan(),
          size: { bytes: 4 * GiB, from: "measured at this preview/up" },
          rehearsal: rehearsal(),
        },
      ],
      hosts: ["api.acme.example.com", "www.acme.example.com"],
    });
    assert.match(text, /^## Cutover\n\nThe freeze is on \(`cutover\.freeze`\)/);
    assert.match(
      text,
      /\| postgresql-concave-52656 \| acme-api, acme-reports \| 4\.3 GB \(measured at this preview\/up\) \| 5\.4 MB\/s \(`npm run import` rehearsal of .*\) \| 13m20s \| ≈ 14m04s, at most ≈ 16m34s if sessions linger \|/,
    );
    const steps = [...text.matchAll(/^\d\. \*\*([^*]+)\*\*/gm)].map((m) => m[1]);
    assert.deepEqual(steps, [
      "Lower the DNS TTL",
      "Rehearse",
      "Freeze",
      "Import",
      "Verify",
      "Switch DNS",
      "Watch",
      "Rollback path",
    ]);
    assert.match(text, /`api\.acme\.example\.com`, `www\.acme\.example\.com`/);
    assert.match(text, /npm run cutover -- rollback --stack prod/);
  });

  it("says the freeze is off and what an import then is", () => {
    const text = renderCutoverSection({
      stack: "staging",
      freeze: false,
      drainTimeoutSeconds: 120,
      databases: [{ plan: dbPlan(), size: null, rehearsal: null }],
      hosts: [],
    });
    assert.match(text, /The freeze is off \(`cutover\.freeze: false`\): an import now is a rehearsal/);
    assert.match(text, /unknown: the size is not known \(rehearse with `npm run import`\)/);
  });

  it("rehearsal records: appended, the newest of the same source found, others ignored", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-rehearsals-"));
    try {
      const file = path.join(dir, "r.json");
      assert.deepEqual(readRehearsals(file), []);
      recordRehearsal(file, rehearsal({ at: "2026-12-01T00:00:00.000Z" }));
      recordRehearsal(
        file,
        rehearsal({ at: "2026-12-02T00:00:00.000Z", source: { host: "other", port: 5432, database: "d" } }),
      );
      recordRehearsal(file, rehearsal({ at: "2026-12-03T00:00:00.000Z", durationMs: 1000 }));
      const found = latestRehearsal(readRehearsals(file), {
        host: "DB.example.com",
        port: 5432,
        database: "d",
      });
      assert.equal(found?.at, "2026-12-03T00:00:00.000Z");
      assert.equal(
        latestRehearsal(readRehearsals(file), { host: "db.example.com", port: 5433, database: "d" }),
        null,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("freeze record: words and restore commands (pure)", () => {
  const record = (): FreezeRecord => ({
    version: 1,
    stack: "prod",
    freezeId: "f-1",
    apiUrl: null,
    createdAt: "2026-12-05T10:00:00.000Z",
    updatedAt: "2026-12-05T10:00:05.000Z",
    status: "partial",
    databases: [{ addon: "pg", apps: ["a", "b", "c"] }],
    apps: [
      {
        app: "a",
        databases: ["pg"],
        previous: {
          maintenance: false,
          formation: [
            { type: "web", quantity: 2, size: "Standard-2X" },
            { type: "worker", quantity: 0, size: "Basic" },
          ],
        },
        recordedAt: "t",
        maintenanceOn: true,
        scaledDown: true,
        frozenAt: "t",
        error: null,
        restoredAt: null,
        restoreProblems: [],
      },
      {
        app: "b",
        databases: ["pg"],
        previous: { maintenance: false, formation: [{ type: "web", quantity: 1, size: "Basic" }] },
        recordedAt: "t",
        maintenanceOn: true,
        scaledDown: false,
        frozenAt: null,
        error: "HTTP 503",
        restoredAt: null,
        restoreProblems: [],
      },
      {
        app: "c",
        databases: ["pg"],
        previous: { maintenance: true, formation: [] },
        recordedAt: "t",
        maintenanceOn: false,
        scaledDown: false,
        frozenAt: null,
        error: null,
        restoredAt: null,
        restoreProblems: [],
      },
    ],
    drain: null,
    warnings: [],
    rolledBackAt: null,
    resourceDeletedAt: null,
  });

  it("names frozen, partly frozen and not frozen apps", () => {
    assert.equal(
      freezeSummary(record()),
      "frozen (maintenance on, every process type at 0): a\n" +
        "partly frozen: b (maintenance on, NOT scaled to 0): HTTP 503\n" +
        "NOT frozen: c (not attempted)",
    );
  });

  it("gives the Heroku CLI commands that undo exactly what the freeze changed", () => {
    assert.deepEqual(restoreCommands(record()), [
      "heroku ps:scale web=2:Standard-2X -a a",
      "heroku maintenance:off -a a",
      "heroku maintenance:off -a b",
    ]);
  });
});

describe("stack config: cutover", () => {
  const parse = (cutover: unknown, over: Record<string, unknown> = {}) =>
    parseStackConfig(
      { ...validConfig(), herokuApiKey: "k", import: { enabled: true }, cutover, ...over },
      { project: "heroku-to-hasura", stack: "prod" },
    );

  it("is off by default, with a 120 s bound", () => {
    const c = parseStackConfig(validConfig(), { project: "heroku-to-hasura", stack: "dev" });
    assert.deepEqual(c.cutover, {
      freeze: false,
      drainTimeoutSeconds: 120,
      terminateSessions: false,
    });
  });

  it("reads freeze, the bound, terminateSessions and recordDir", () => {
    assert.deepEqual(
      parse({ freeze: true, drainTimeoutSeconds: 300, terminateSessions: true, recordDir: "ops/freeze" })
        .cutover,
      {
        freeze: true,
        drainTimeoutSeconds: 300,
        terminateSessions: true,
        recordDir: "ops/freeze",
      },
    );
  });

  it("refuses a freeze without the import or without a token, and unknown keys, naming each key", () => {
    assert.throws(
      () => parse({ freeze: true }, { import: { enabled: false } }),
      /heroku-to-hasura:cutover\.freeze: only applies with import\.enabled: true/,
    );
    assert.throws(
      () => parse({ freeze: true }, { herokuApiKey: undefined }),
      /heroku-to-hasura:cutover\.freeze: needs herokuApiKey/,
    );
    assert.throws(
      () => parse({ freze: true }),
      /cutover\.freze: unknown key "freze" \(did you mean "freeze"\?\)/,
    );
    assert.throws(
      () => parse({ drainTimeoutSeconds: 7200 }),
      /cutover\.drainTimeoutSeconds: must be an integer from 0 to 3600/,
    );
  });
});
