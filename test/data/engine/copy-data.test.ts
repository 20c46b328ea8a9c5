import { strict as assert } from "assert";
import { TableInfo } from "../../../components/data/engine/catalog";
import { planTasks } from "../../../components/data/engine/copy-data";

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
});
