import { strict as assert } from "assert";
import { createLimiter } from "../../components/heroku/limiter";

describe("createLimiter", () => {
  it("runs at most `limit` tasks at once, in arrival order", async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it("frees the slot of a failed task", async () => {
    const limit = createLimiter(1);
    await assert.rejects(
      limit(() => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await limit(async () => 42), 42);
  });

  it("refuses a limit below 1", () => {
    assert.throws(() => createLimiter(0), /positive integer/);
  });
});
