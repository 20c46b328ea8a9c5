/**
 * findPlaintext, the scan the end-to-end suites run over state files and engine logs: it must find
 * a secret however the engine or the Kubernetes provider encoded it, and name where, never the value.
 */
import * as assert from "assert";

import { encodedForms, findPlaintext } from "../support/engine";

const PASSWORD = "s3cr3t-pa55word-77";

describe("findPlaintext (secret scan of state and engine logs)", function () {
  it("finds the value as is, JSON-escaped and URL-encoded", function () {
    const quoted = 'pa"ss\\word-123';
    const needles = [{ label: "pw", value: quoted }];
    assert.deepStrictEqual(findPlaintext(needles, [{ where: "json", text: JSON.stringify({ v: quoted }) }]), [
      "pw in json",
    ]);
    const url = `postgres://u:${encodeURIComponent("p@ss/w0rd:x")}@h/db`;
    assert.deepStrictEqual(
      findPlaintext([{ label: "pw", value: "p@ss/w0rd:x" }], [{ where: "url", text: url }]),
      ["pw in url"],
    );
  });

  it("finds the value inside base64 of a longer text, at every byte alignment", function () {
    for (const prefix of ["postgres://u:", "postgres://us:", "postgres://use:"]) {
      const b64 = Buffer.from(`${prefix}${PASSWORD}@127.0.0.1:5432/db`).toString("base64");
      assert.deepStrictEqual(
        findPlaintext([{ label: "pw", value: PASSWORD }], [{ where: "secret data", text: `data: ${b64}` }]),
        ["pw in secret data"],
        `prefix of ${prefix.length} bytes`,
      );
    }
  });

  it("reports nothing for texts without the value, and names the place, not the value", function () {
    const hits = findPlaintext(
      [{ label: "config var SESSION_SECRET", value: PASSWORD }],
      [
        { where: "state", text: JSON.stringify({ ciphertext: "v1:abc", plain: "s3cr3t-pa55" }) },
        { where: "log", text: `password=${PASSWORD}` },
      ],
    );
    assert.deepStrictEqual(hits, ["config var SESSION_SECRET in log"]);
  });

  it("refuses values too short to scan for without false alarms", function () {
    assert.throws(() => findPlaintext([{ label: "short", value: "info" }], []), /too short/);
    assert.ok(encodedForms("abcdef").every((f) => f.length >= 6));
  });
});
