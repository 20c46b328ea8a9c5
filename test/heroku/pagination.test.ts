import { strict as assert } from "assert";
import { firstRange } from "../../components/heroku/pagination";

describe("firstRange", () => {
  it("asks for max=1000 on id by default", () => {
    assert.equal(firstRange(), "id ..; max=1000");
  });

  it("sorts on another attribute, descending, and caps max at 1000", () => {
    assert.equal(
      firstRange({ sortBy: "version", order: "desc", max: 5000 }),
      "version ..; max=1000, order=desc",
    );
    assert.equal(firstRange({ max: 200 }), "id ..; max=200");
  });
});
