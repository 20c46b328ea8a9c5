/** The host's command line (as the Pulumi CLI passes it) and its process-level behaviour. */
import * as assert from "assert";
import { spawnSync } from "child_process";

import { parseFlags } from "../../language-host/main";
import { startHost } from "../support/host-process";
import { HOST_SHIM } from "../support/sandbox";
import { hostPin } from "../support/pins";

describe("main: parseFlags", () => {
  it("takes the engine address after the CLI's logging and tracing flags", () => {
    assert.deepStrictEqual(parseFlags(["--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:5000"]), {
      engineAddress: "127.0.0.1:5000",
      tracing: "http://t",
      runtime: "nodejs",
      verbosity: 9,
      showVersion: false,
    });
    assert.strictEqual(parseFlags([]).engineAddress, "");
    assert.strictEqual(parseFlags(["-tracing=http://x", "--", "-addr"]).engineAddress, "-addr");
    assert.strictEqual(parseFlags(["-version"]).showVersion, true);
  });

  it("rejects unknown flags, missing values and other runtimes", () => {
    assert.throws(() => parseFlags(["--root", "/x"]), /flag provided but not defined: -root/);
    assert.throws(() => parseFlags(["-tracing"]), /flag needs an argument: -tracing/);
    assert.throws(() => parseFlags(["-runtime=bun"]), /unsupported runtime: bun/);
  });
});

describe("main: the host process", function () {
  this.timeout(30_000);

  it("-version prints the SDK version and exits", () => {
    const r = spawnSync(HOST_SHIM, ["-version"], { encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, `${hostPin("@pulumi/pulumi")}\n`);
  });

  it("a bad flag exits 2 with the reason on stderr and nothing on stdout", () => {
    const r = spawnSync(HOST_SHIM, ["--bogus"], { encoding: "utf8" });
    assert.strictEqual(r.status, 2);
    assert.strictEqual(r.stdout, "");
    assert.match(r.stderr, /flag provided but not defined: -bogus/);
  });

  it("prints only its port on stdout, and exits on SIGINT", async () => {
    const host = await startHost();
    try {
      assert.ok(host.port > 0 && host.port < 65536);
      let more = "";
      host.child.stdout.on("data", (c: Buffer) => (more += c.toString()));
      const exited = new Promise<number | null>((resolve) =>
        host.child.once("exit", (code) => resolve(code)),
      );
      host.child.kill("SIGINT");
      assert.strictEqual(await exited, 0);
      assert.strictEqual(more, "");
    } finally {
      await host.stop();
    }
  });
});
