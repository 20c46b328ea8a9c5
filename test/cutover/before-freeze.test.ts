import * as assert from "assert";
import { asBeforeFreeze, renderAppsBeforeFreeze } from "../../components/cutover/before-freeze";
import { AppFreeze, FreezeRecord } from "../../components/cutover/freeze-record";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { app } from "../fixtures/snapshots/builder";

/** An app as Heroku shows it once frozen: maintenance on, every process type at 0. */
function frozenSnapshot(name: string): AppSnapshot {
  const s = app(name)
    .process("web", "bin/web", 0, "Standard-2X")
    .process("worker", "bin/worker", 0, "Standard-1X")
    .build();
  return { ...s, app: { ...s.app, maintenance: true } };
}

function appFreeze(name: string, over: Partial<AppFreeze> = {}): AppFreeze {
  return {
    app: name,
    databases: ["pg"],
    previous: {
      maintenance: false,
      formation: [
        { type: "web", quantity: 2, size: "Performance-M" },
        { type: "worker", quantity: 1, size: "Standard-2X" },
      ],
    },
    recordedAt: "2026-12-05T10:00:00.000Z",
    maintenanceOn: true,
    scaledDown: true,
    frozenAt: "2026-12-05T10:00:04.000Z",
    error: null,
    restoredAt: null,
    restoreProblems: [],
    ...over,
  };
}

function record(freezeId: string, createdAt: string, apps: AppFreeze[]): FreezeRecord {
  return {
    version: 1,
    stack: "prod",
    freezeId,
    apiUrl: null,
    createdAt,
    updatedAt: createdAt,
    status: "frozen",
    databases: [{ addon: "pg", apps: apps.map((a) => a.app) }],
    apps,
    drain: null,
    warnings: [],
    rolledBackAt: null,
    resourceDeletedAt: null,
  };
}

const scale = (s: AppSnapshot) => s.formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" ");

/** The function under test, for stack `prod` (the records' stack). */
const beforeFreeze = (apps: AppSnapshot[], records: FreezeRecord[]) => asBeforeFreeze(apps, records, "prod");

describe("cutover: the apps planned as they were before this stack's freeze (pure)", () => {
  it("plans a frozen app from its recorded formation and maintenance flag, and says so", () => {
    const { apps, notes } = beforeFreeze(
      [frozenSnapshot("acme-api")],
      [record("f-1", "2026-12-05T10:00:00.000Z", [appFreeze("acme-api")])],
    );
    assert.equal(scale(apps[0]), "web=2:Performance-M worker=1:Standard-2X");
    assert.equal(apps[0].app.maintenance, false);
    assert.deepEqual(notes, [
      "acme-api: frozen by this stack's cutover freeze f-1 since 2026-12-05T10:00:04.000Z; planned as it was " +
        "before the freeze (maintenance off, web=2:Performance-M worker=1:Standard-2X), not as Heroku shows it now.",
    ]);
    assert.match(renderAppsBeforeFreeze({ notes, warnings: [] }), /^### Frozen apps\n\n- acme-api: frozen/);
  });

  it("leaves apps alone that no record names, that a rollback restored, or that the freeze did not change, warning that they get 0 replicas", () => {
    const snaps = [frozenSnapshot("restored"), frozenSnapshot("untouched"), frozenSnapshot("unknown")];
    const running = app("running").process("web", "bin/web", 2, "Basic").build();
    const { apps, notes, warnings } = beforeFreeze(
      [...snaps, running],
      [
        record("f-1", "2026-12-05T10:00:00.000Z", [
          appFreeze("restored", { restoredAt: "2026-12-05T11:00:00.000Z" }),
          // Already in maintenance and at 0 before the freeze: the freeze changed nothing.
          appFreeze("untouched", {
            previous: { maintenance: true, formation: [{ type: "web", quantity: 0, size: "Basic" }] },
          }),
        ]),
      ],
    );
    assert.deepEqual(apps, [...snaps, running]);
    assert.deepEqual(notes, []);
    assert.deepEqual(
      warnings.map((w) => w.split(":")[0]),
      ["restored", "untouched", "unknown"],
    );
    assert.match(
      warnings[2],
      /every process type at 0, .* planned with 0 replicas\. If this stack's freeze stopped it from another machine, first run `npm run cutover -- journal --stack prod` here/,
    );
    assert.match(
      renderAppsBeforeFreeze({ notes, warnings }),
      /\n- \*\*Warning\*\*: unknown: Heroku shows it in maintenance mode/,
    );
    assert.equal(renderAppsBeforeFreeze({ notes: [], warnings: [] }), "");
  });

  it("takes the newest record naming the app, and keeps a process type scaled up by hand since", () => {
    const snap = frozenSnapshot("acme-api");
    snap.formation[1] = { ...snap.formation[1], quantity: 3 };
    const older = appFreeze("acme-api", {
      previous: { maintenance: false, formation: [{ type: "web", quantity: 9, size: "Basic" }] },
    });
    const { apps } = beforeFreeze(
      [snap],
      [
        record("f-2", "2026-12-05T12:00:00.000Z", [appFreeze("acme-api")]),
        record("f-1", "2026-12-05T10:00:00.000Z", [older]),
      ],
    );
    assert.equal(scale(apps[0]), "web=2:Performance-M worker=3:Standard-1X");
  });

  it("keeps maintenance on when the app was already in maintenance before the freeze", () => {
    const { apps } = beforeFreeze(
      [frozenSnapshot("acme-api")],
      [
        record("f-1", "2026-12-05T10:00:00.000Z", [
          appFreeze("acme-api", {
            previous: { maintenance: true, formation: [{ type: "web", quantity: 1, size: "Basic" }] },
          }),
        ]),
      ],
    );
    assert.equal(apps[0].app.maintenance, true);
    assert.equal(scale(apps[0]), "web=1:Basic worker=0:Standard-1X");
  });
});
