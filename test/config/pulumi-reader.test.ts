import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { readStackConfig, StackConfigError } from "../../components/config";
import { installMocks } from "../support/pulumi-mocks";

describe("stack config: readStackConfig from pulumi.Config (mock runtime)", () => {
  before(() => installMocks());
  after(() => pulumi.runtime.setAllConfig({}, []));

  const base = {
    "heroku-to-hasura:heroku": JSON.stringify({ snapshotFile: "s.json" }),
    "heroku-to-hasura:postgres": JSON.stringify({ host: "127.0.0.1", port: 5432 }),
    "kubernetes:namespace": "ignored: another provider's namespace",
  };

  it("mock: decodes structured values, keeps secret strings as strings, ignores other namespaces", () => {
    pulumi.runtime.setAllConfig(
      {
        ...base,
        "heroku-to-hasura:kubeconfig": "12345",
        "heroku-to-hasura:cluster": JSON.stringify({ namespace: "apps" }),
      },
      ["heroku-to-hasura:kubeconfig"],
    );
    const c = readStackConfig({});
    assert.strictEqual(c.stack, "test");
    assert.strictEqual(c.cluster.namespace, "apps");
    assert.ok(c.cluster.target.kind === "kubeconfig" && c.cluster.target.kubeconfig.reveal() === "12345");
    assert.strictEqual(c.plan.postgres.port, 5432);
  });

  it("mock: refuses a secret key stored in plaintext without echoing it", () => {
    pulumi.runtime.setAllConfig({ ...base, "heroku-to-hasura:kubeconfig": "plain-kubeconfig-text" }, []);
    assert.throws(
      () => readStackConfig({}),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.issues.length === 1 &&
        e.issues[0].key === "heroku-to-hasura:kubeconfig" &&
        /must be stored as a secret/.test(e.message) &&
        !e.message.includes("plain-kubeconfig-text"),
    );
  });

  it("mock: reports a typo in a top-level key once, with its full name (not also the section as missing)", () => {
    pulumi.runtime.setAllConfig(
      { ...base, "heroku-to-hasura:clustr": JSON.stringify({ renderTo: "out" }) },
      [],
    );
    assert.throws(
      () => readStackConfig({}),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.issues.length === 1 &&
        e.issues[0].key === "heroku-to-hasura:clustr" &&
        /did you mean "cluster"/.test(e.issues[0].message),
    );
  });
});
