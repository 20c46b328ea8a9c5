import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { inspect } from "util";

import { StackConfigError } from "../../components/config/issues";
import { HerokuApiError } from "../../components/heroku/errors";
import { toRunError, userFacingText, withPlainErrors } from "../../components/program-errors";

const ESC = String.fromCharCode(27);

describe("program errors: what reaches the user", () => {
  const configError = new StackConfigError([{ key: "heroku-to-hasura:cluster.namespace", message: "bad" }]);

  it("an input error becomes a RunError whose message, stack and inspection are the message alone", () => {
    const e = toRunError(configError);
    assert.ok(pulumi.RunError.isInstance(e));
    assert.equal(e.message, configError.message);
    assert.equal(e.stack, configError.message);
    assert.equal(inspect(e, { colors: true }), configError.message);
    const deep = inspect(e, { colors: true, depth: 5 });
    assert.ok(!deep.includes(ESC) && !/\n\s+at /.test(deep), deep);
  });

  it("Heroku API errors and plain Errors thrown for the user are messages alone too", () => {
    const heroku = new HerokuApiError(
      'Heroku app "x" not found (404 not_found)',
      404,
      "not_found",
      "x",
      "app",
      "/apps/x",
    );
    assert.equal(userFacingText(heroku), heroku.message);
    assert.equal(userFacingText(new Error("addons.redis-1: no app has it")), "addons.redis-1: no app has it");
  });

  it("a programming error keeps its (plain) stack and says it is a bug", () => {
    const read = (o: { x: number } | undefined) => (o as { x: number }).x;
    let bug: unknown;
    try {
      read(undefined);
    } catch (e) {
      bug = e;
    }
    const text = userFacingText(bug);
    assert.match(text, /^TypeError: /);
    assert.match(text, /\n\s+at /);
    assert.match(text, /a bug in heroku-to-hasura/);
    assert.ok(!inspect(toRunError(bug), { colors: true }).includes(ESC));
  });

  it("a thrown non-Error is named", () => {
    assert.equal(userFacingText("boom"), "The program failed: boom");
  });

  it("withPlainErrors passes results through and turns rejections into plain RunErrors, once", async () => {
    assert.equal(await withPlainErrors(async () => 42)(), 42);
    await assert.rejects(
      withPlainErrors(async () => {
        throw configError;
      }),
      (e: Error) => pulumi.RunError.isInstance(e) && e.message === configError.message,
    );
    const once = toRunError(configError);
    assert.strictEqual(toRunError(once), once);
  });
});
