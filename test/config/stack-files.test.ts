/**
 * Every committed `Pulumi.<stack>.yaml` passes the config layer, so a stack file edited by hand (or
 * by `npm run promote`) is checked by CI before anyone runs `pulumi up` with it. Secrets are never
 * committed: the ones a stack needs are given here as the engine would (stored as secrets).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import { promises as fs } from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { parseStackConfig, SECRET_KEYS } from "../../components/config";

const PROJECT = "heroku-to-hasura";
const REPO = path.resolve(__dirname, "../..");

/** Secret values `pulumi config set --secret` would supply for a stack that applies to a cluster. */
const FAKE_SECRETS: Record<string, string> = {
  herokuApiKey: "fake-token-not-a-secret",
  kubeconfig: "apiVersion: v1\nkind: Config",
  postgresPassword: "fake-pw-not-a-secret",
};

/** Stack files under version control (a test run may leave its own, uncommitted, next to them). */
function stackFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--", "Pulumi.*.yaml"], { cwd: REPO, encoding: "utf8" });
  return out
    .split("\n")
    .filter((f) => /^Pulumi\.[^./]+\.yaml$/.test(f))
    .sort();
}

async function rawConfig(file: string): Promise<Record<string, unknown>> {
  const doc = yaml.load(await fs.readFile(path.join(REPO, file), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config ?? {})) {
    assert.ok(k.startsWith(`${PROJECT}:`), `${file}: key ${k} is outside the project namespace`);
    raw[k.slice(PROJECT.length + 1)] = v;
  }
  return raw;
}

describe("committed Pulumi.<stack>.yaml files pass parseStackConfig", () => {
  it("finds the dev, staging and prod stack files", () => {
    assert.deepStrictEqual(stackFiles(), ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
  });

  it("no stack file commits a secret key in plaintext", async () => {
    for (const file of stackFiles()) {
      const raw = await rawConfig(file);
      for (const k of SECRET_KEYS) assert.strictEqual(raw[k], undefined, `${file} holds ${k}`);
    }
  });

  it("dev parses with only the kubeconfig the dev job sets: local cluster, pinned image, import without @pulumi/postgresql", async () => {
    const raw = await rawConfig("Pulumi.dev.yaml");
    assert.ok(
      !("kubeconfig" in raw),
      "nothing machine-specific is committed: the dev job sets the kubeconfig",
    );
    // Without it the stack says what is missing, naming the key.
    assert.throws(
      () => parseStackConfig(raw, { project: PROJECT, stack: "dev", env: {} }),
      /heroku-to-hasura:kubeconfig/,
    );
    const c = parseStackConfig(
      { ...raw, kubeconfig: FAKE_SECRETS.kubeconfig },
      { project: PROJECT, stack: "dev", env: {}, secretKeysStored: new Set(["kubeconfig"]) },
    );
    assert.strictEqual(c.cluster.target.kind, "kubeconfig");
    assert.strictEqual(c.postgres.manageDatabase, false);
    assert.strictEqual(c.import.enabled, true);
    assert.strictEqual(c.promoteFrom, null);
    assert.match(
      (c.images as { apps: Record<string, { image: string }> }).apps["acme-api"].image,
      /@sha256:[0-9a-f]{64}$/,
    );
  });

  for (const stack of ["staging", "prod"]) {
    it(`${stack} parses once its secrets are set (pipeline apps, kubeconfig)`, async () => {
      const raw = { ...(await rawConfig(`Pulumi.${stack}.yaml`)), ...FAKE_SECRETS };
      const c = parseStackConfig(raw, {
        project: PROJECT,
        stack,
        env: {},
        secretKeysStored: new Set(Object.keys(FAKE_SECRETS)),
      });
      assert.strictEqual(c.heroku.kind, "pipeline");
      assert.strictEqual(c.heroku.kind === "pipeline" && c.heroku.pipeline.name, "acme");
      assert.strictEqual(c.cluster.target.kind, "kubeconfig");
      assert.strictEqual(c.postgres.manageDatabase, true);
      if (stack === "staging") {
        assert.strictEqual(c.promoteFrom, "organization/heroku-to-hasura/dev");
        assert.strictEqual(c.import.enabled, false);
      } else {
        assert.strictEqual(c.promoteFrom, null);
        assert.strictEqual(c.import.enabled, true);
      }
    });
  }
});
