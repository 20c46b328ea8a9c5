import { strict as assert } from "assert";
import { TableInfo } from "../../../components/data/engine/catalog";
import { autoSplitBytes, batchTasks, planTasks } from "../../../components/data/engine/copy-data";

const table = (name: string, bytes: number, blocks: number): TableInfo => ({
  oid: 1,
  schema: "public",
  name,
  qualified: `public.${name}`,
  columns: "id",
  bytes,
  estimatedRows: 0,
  blocks,
  binary: false,
});

describe("copy engine: planning the data phase", () => {
  it("copies small tables whole and splits large ones into ctid ranges ending open", () => {
    const tasks = planTasks([table("small", 10, 1), table("big", 1000, 100)], 300, new Set());
    assert.deepEqual(tasks.map((t) => t.key).sort(), [
      "data:public.big#0-25",
      "data:public.big#25-50",
      "data:public.big#50-75",
      "data:public.big#75-",
      "data:public.small",
    ]);
  });

  it("skips units recorded as done and fills only the gaps of a split table on resume", () => {
    const done = new Set(["data:public.small", "data:public.big#0-25", "data:public.big#50-75"]);
    // The table grew and the split size changed: the new ranges cover exactly the gaps
    // [25, 50) and [75, end), never a recorded range.
    const tasks = planTasks([table("small", 10, 1), table("big", 5000, 200)], 100000, done);
    assert.deepEqual(tasks.map((t) => t.key).sort(), [
      "data:public.big#175-",
      "data:public.big#25-50",
      "data:public.big#75-175",
    ]);
  });

  it("a split table whose open tail is done has nothing left", () => {
    const done = new Set(["data:public.big#0-10", "data:public.big#10-"]);
    assert.deepEqual(planTasks([table("big", 5000, 200)], 100, done), []);
  });

  it("splits by default only a table that would keep one job busy while the others idle", () => {
    const MiB = 1024 * 1024;
    // The benchmark's shape: the largest table (one key) against another with four indexes.
    const accounts = table("accounts", 510 * MiB, 62296);
    const documents = table("documents", 323 * MiB, 39385);
    const indexes = (t: string) => (t === "public.documents" ? 4 : 1);
    assert.equal(autoSplitBytes([accounts, documents], 2, indexes), Infinity);
    // One table holding nearly everything: split in an even share per job.
    const huge = table("huge", 4000 * MiB, 500000);
    assert.equal(autoSplitBytes([huge, documents], 2, indexes), Math.ceil((4323 * MiB) / 2));
    assert.equal(
      planTasks([huge, documents], autoSplitBytes([huge, documents], 2, indexes), new Set()).length,
      3,
    );
    // One job never splits; nor are tables under 64 MiB.
    assert.equal(autoSplitBytes([huge, documents], 1, indexes), Infinity);
    assert.equal(autoSplitBytes([table("a", 60 * MiB, 10), table("b", MiB, 1)], 2), Infinity);
  });

  it("batches small whole tables (largest batches first); large tables and ranges go alone", () => {
    const small = Array.from({ length: 150 }, (_, i) => table(`s${i}`, 8192, 1));
    const tasks = planTasks([table("big", 5_000_000, 700), ...small], 1e12, new Set());
    const batches = batchTasks(tasks);
    assert.deepEqual(
      batches.map((b) => b.length),
      [1, 100, 50],
    );
    assert.equal(batches[0][0].key, "data:public.big");
  });
});
