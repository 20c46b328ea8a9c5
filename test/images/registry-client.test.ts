import { strict as assert } from "assert";
import * as http from "http";
import * as net from "net";
import { SecretString } from "../../components/heroku/secret-string";
import { MANIFEST_ACCEPT, resolveImageRef } from "../../components/images/registry-client";

const D = "sha256:" + "ef".repeat(32);

// The token flow of public registries (401 + `WWW-Authenticate: Bearer realm=…`), served locally; the
// plain-registry path is covered against the real docker-registry in real-build.test.ts.
describe("registry client: bearer-token challenge", () => {
  let server: http.Server;
  let host: string;
  const seen: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? "-"}`);
      if (req.url?.startsWith("/token")) {
        const ok = req.headers.authorization === "Basic " + Buffer.from("robot:s3cret").toString("base64");
        res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
        return res.end(JSON.stringify(ok ? { token: "tok-1" } : {}));
      }
      if (req.headers.authorization !== "Bearer tok-1") {
        res.writeHead(401, {
          "WWW-Authenticate": `Bearer realm="http://${host}/token",service="test",scope="repository:acme/api:pull"`,
        });
        return res.end();
      }
      assert.equal(req.headers.accept, MANIFEST_ACCEPT);
      res.writeHead(req.url === "/v2/acme/api/manifests/v1" ? 200 : 404, { "Docker-Content-Digest": D });
      return res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("gets a token with the registry credentials and returns repo@digest", async () => {
    const credentials = { username: "robot", password: SecretString.of("s3cret") };
    assert.equal(await resolveImageRef(`${host}/acme/api:v1`, { credentials }), `${host}/acme/api@${D}`);
    assert.match(
      seen.join("\n"),
      /GET \/token\?service=test&scope=repository%3Aacme%2Fapi%3Apull auth=Basic /,
    );
  });

  it("fails with a clear message when the token is refused", async () => {
    const credentials = { username: "robot", password: SecretString.of("wrong") };
    await assert.rejects(resolveImageRef(`${host}/acme/api:v1`, { credentials }), (e: Error) => {
      assert.match(
        e.message,
        /cannot resolve image .*acme\/api:v1 to a digest: token request to .* failed: HTTP 401/,
      );
      assert.ok(!e.message.includes("wrong"));
      return true;
    });
  });

  it("uses a digest reference as is, without contacting the registry", async () => {
    const n = seen.length;
    assert.equal(
      await resolveImageRef(`unreachable.invalid/acme/api:v1@${D}`),
      `unreachable.invalid/acme/api@${D}`,
    );
    assert.equal(seen.length, n);
  });
});
