import assert from "assert";
import { quantityBytes } from "../../components/formats/quantity";
import { STORAGE_QUANTITY } from "../../components/formats/formats";

describe("Kubernetes quantities", () => {
  it("quantityBytes parses Kubernetes quantities and rejects others", () => {
    assert.strictEqual(quantityBytes("5Gi"), 5 * 2 ** 30);
    assert.strictEqual(quantityBytes("500M"), 5e8);
    assert.strictEqual(quantityBytes("1.5Gi"), 1.5 * 2 ** 30);
    assert.strictEqual(quantityBytes("1024"), 1024);
    for (const bad of ["5 Gi", "5GB", "-1Gi", "Gi", ""]) assert.strictEqual(quantityBytes(bad), null, bad);
  });

  it("reads the exa suffixes too, so a size the config accepts is one the planner can read", () => {
    assert.strictEqual(quantityBytes("1Ei"), 2 ** 60);
    assert.strictEqual(quantityBytes("2E"), 2e18);
    for (const q of ["5Gi", "500M", "1.5Gi", "1024", "1Ei", "2E", "0", "0Gi", "5 Gi", "5GB", "Gi", ""]) {
      const bytes = quantityBytes(q);
      assert.strictEqual(STORAGE_QUANTITY.test(q), bytes !== null && bytes > 0, q);
    }
  });
});
