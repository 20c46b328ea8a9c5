/** Pulumi.yaml `runtime.options` for nodejs, validated with the official host's rules and wording. */
import * as assert from "assert";

import { parseRuntimeOptions, splitShellWords } from "../../language-host/runtime-options";

describe("runtime-options: parseRuntimeOptions", () => {
  it("defaults to TypeScript on, no tsconfig, no node args, package manager auto", () => {
    assert.deepStrictEqual(parseRuntimeOptions({}), {
      typescript: true,
      tsconfig: "",
      nodeargs: "",
      packagemanager: "auto",
    });
  });

  it("takes every option as given", () => {
    assert.deepStrictEqual(
      parseRuntimeOptions({
        typescript: false,
        tsconfig: "tsconfig.pulumi.json",
        nodeargs: "--inspect",
        packagemanager: "pnpm",
      }),
      { typescript: false, tsconfig: "tsconfig.pulumi.json", nodeargs: "--inspect", packagemanager: "pnpm" },
    );
  });

  it("rejects wrongly typed options with the official messages", () => {
    assert.throws(
      () => parseRuntimeOptions({ typescript: "yes" }),
      /^Error: typescript option must be a boolean$/,
    );
    assert.throws(
      () => parseRuntimeOptions({ tsconfig: 1 }),
      /^Error: tsconfigpath option must be a string$/,
    );
    assert.throws(
      () => parseRuntimeOptions({ nodeargs: ["--a"] }),
      /^Error: nodeargs option must be a string$/,
    );
    assert.throws(
      () => parseRuntimeOptions({ packagemanager: "npx" }),
      /packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "npx"/,
    );
  });
});

describe("runtime-options: splitShellWords", () => {
  it("splits on blanks and honours quotes, escapes and comments", () => {
    assert.deepStrictEqual(splitShellWords(""), []);
    assert.deepStrictEqual(splitShellWords("  --a   --b=1 "), ["--a", "--b=1"]);
    assert.deepStrictEqual(splitShellWords(`--x='a b' "c \\"d\\"" e\\ f`), ["--x=a b", 'c "d"', "e f"]);
    assert.deepStrictEqual(splitShellWords("--a # comment\n--b"), ["--a", "--b"]);
    assert.deepStrictEqual(splitShellWords("''"), [""]);
  });

  it("rejects an unterminated quote or a trailing escape", () => {
    assert.throws(() => splitShellWords("'open"), /closing quote/);
    assert.throws(() => splitShellWords('"open'), /closing quote/);
    assert.throws(() => splitShellWords("a\\"), /escape/);
  });
});
