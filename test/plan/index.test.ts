import assert from "assert";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import * as plan from "../../components/plan";

const PLAN_DIR = join(__dirname, "../../components/plan");

describe("components/plan as a whole", () => {
  const files = readdirSync(PLAN_DIR).filter((f) => f.endsWith(".ts"));

  it("is pure: no Pulumi, file, network or process imports", () => {
    for (const f of files) {
      const source = readFileSync(join(PLAN_DIR, f), "utf8");
      const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
      for (const i of imports) {
        assert.ok(i.startsWith(".") || i === "crypto", `${f} imports ${i}`);
      }
      assert.doesNotMatch(source, /process\.env|Date\.now|new Date\(|Math\.random/, f);
    }
  });

  it("never reveals a secret: plaintext is only touched inside SecretString.map", () => {
    for (const f of files) {
      assert.doesNotMatch(readFileSync(join(PLAN_DIR, f), "utf8"), /\.reveal\(/, f);
    }
  });

  it("exports the planner, the report and the ledger check", () => {
    assert.strictEqual(typeof plan.planMigration, "function");
    assert.strictEqual(typeof plan.renderReport, "function");
    assert.strictEqual(typeof plan.unaccountedFacts, "function");
    assert.strictEqual(plan.WEB_PORT, 5000);
    assert.deepStrictEqual(plan.DISPOSITIONS, ["migrate", "in-cluster", "keep"]);
  });
});
