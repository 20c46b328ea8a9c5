import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { freePort, startPgCluster } from "../../../scripts/lib/pg-cluster";

describe("pg-cluster harness (real PostgreSQL)", function () {
  this.timeout(60000);

  it("a persistent cluster on a fixed port keeps its data and password across restarts, and TLS refuses plaintext", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgc-persist-"));
    const port = await freePort();
    try {
      const a = await startPgCluster({ dataDir: dir, port, tls: true });
      assert.equal(a.port, port);
      a.createDatabase("keep");
      a.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')", "keep");
      const plain = new Client({
        connectionString: a.url("keep").replace("sslmode=require", "sslmode=disable"),
      });
      await assert.rejects(plain.connect(), /no encryption/);
      const tls = new Client({
        connectionString: a.url("keep").replace("sslmode=require", "sslmode=no-verify"),
      });
      await tls.connect();
      const [{ ssl }] = (await tls.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows;
      await tls.end();
      assert.equal(ssl, true);
      const password = a.password;
      a.stop();

      const b = await startPgCluster({ dataDir: dir, port, tls: true });
      assert.equal(b.password, password);
      assert.equal(b.psql("SELECT v FROM kept", "keep").trim(), "survives");
      // A server left running (its process crashed) is restarted, not a start failure.
      const c = await startPgCluster({ dataDir: dir, port, tls: true });
      assert.equal(c.psql("SELECT v FROM kept", "keep").trim(), "survives");
      c.stop();
      b.stop();
      assert.ok(fs.existsSync(path.join(dir, "data", "PG_VERSION")), "stop() keeps a persistent data dir");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a throwaway cluster listens on loopback only and removes its directory on stop", async () => {
    const c = await startPgCluster();
    const root = path.dirname(c.dataDir);
    assert.equal(c.psql("SHOW listen_addresses").trim(), "127.0.0.1");
    c.stop();
    assert.equal(fs.existsSync(root), false);
  });
});
