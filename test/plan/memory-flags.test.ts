import assert from "assert";
import { heapLimitMi } from "../../components/plan/memory-flags";
import { planMigration } from "../../components/plan/plan";
import { app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";

describe("heap limits against memory limits", () => {
  it("reads V8's --max-old-space-size (MB) and the JVM's -Xmx (the last one wins)", () => {
    assert.strictEqual(heapLimitMi("node --max-old-space-size=2048 server.js"), 2048);
    assert.strictEqual(heapLimitMi("--max_old_space_size=512"), 512);
    assert.strictEqual(heapLimitMi("-Xms256m -Xmx1g -XX:+UseG1GC"), 1024);
    assert.strictEqual(heapLimitMi("-Xmx2048m"), 2048);
    assert.strictEqual(heapLimitMi("-Xmx512m -Xmx768m"), 768);
    assert.strictEqual(heapLimitMi("--max-old-space-size=300 -Xmx1g"), 1024);
    assert.strictEqual(heapLimitMi("node server.js"), null);
    assert.strictEqual(heapLimitMi("-Xmx"), null);
  });

  it("a Procfile command's heap at or above 90% of its container's limit is warned about, with the figures", () => {
    // Standard-1X: 512Mi requested, 1Gi limit (Heroku's R15 point).
    const s = app("a")
      .process("web", "node --max-old-space-size=1024 server.js", 1, "Standard-1X")
      .process("worker", "node --max-old-space-size=930 worker.js", 1, "Standard-1X")
      .process("small", "node --max-old-space-size=900 small.js", 1, "Standard-1X") // 88%: room left
      .build();
    const plan = planMigration([s], settings());
    const w = plan.warnings.filter((x) => x.code === "heap-above-memory-limit");
    assert.deepStrictEqual(
      w.map((x) => x.subject),
      ["web", "worker"],
    );
    assert.match(
      w[0].message,
      /web's command sets a 1024 MiB heap, at or above 90% of its memory limit \(1Gi\)/,
    );
  });

  it("NODE_OPTIONS or JAVA_OPTS over a limit is warned about once, naming the process types, never the value", () => {
    const s = app("a")
      .process("web", "npm start", 1, "Standard-2X")
      .process("worker", "npm run work", 1, "Standard-1X")
      .vars({ NODE_OPTIONS: "--max-old-space-size=1536 --enable-source-maps", JAVA_OPTS: "-Xmx256m" })
      .build();
    const plan = planMigration([s], settings());
    const w = plan.warnings.filter((x) => x.code === "heap-above-memory-limit");
    assert.deepStrictEqual(
      w.map((x) => [x.subject, x.app]),
      [["NODE_OPTIONS", "a"]],
    );
    assert.match(
      w[0].message,
      /NODE_OPTIONS sets a heap limit at or above 90% of the memory limit of worker \(1Gi\)/,
    );
    assert.ok(
      !w[0].message.includes("1536") && !w[0].message.includes("source-maps"),
      "the value is not shown",
    );
    assert.strictEqual(
      plan.ledger.find((e) => e.kind === "config-var" && e.subject === "NODE_OPTIONS")?.outcome,
      "warned",
    );
  });

  it("a redacted NODE_OPTIONS cannot be checked and is not warned about", () => {
    const s = app("a")
      .process("web", "npm start", 1, "Standard-1X")
      .vars({ NODE_OPTIONS: "--max-old-space-size=4096" })
      .redacted()
      .build();
    const plan = planMigration([s], settings());
    assert.ok(!plan.warnings.some((x) => x.code === "heap-above-memory-limit"));
  });
});
