import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { StatefulAddon } from "../../components/k8s/stateful-addon";
import { unwrap } from "../support/pulumi-mocks";
import * as fx from "./plan-fixtures";
import { Obj, renderedChildren, sorted, T, useMockHarness } from "./harness";

describe("StatefulAddon (mock-based component test)", () => {
  const h = useMockHarness();

  it("mock: Redis → protected PVC, Secret with its generated password, Recreate Deployment, Service", async () => {
    const plan = fx.redisAddon("redis-curved-11111", "acme-redis", ["acme-api", "acme-admin"]);
    const a = new StatefulAddon(
      "acme-redis",
      { plan, namespace: "default", password: "generated-p4ss-0123456789" },
      {
        providers: [h.provider()],
        transformations: [h.rec.recordOptions],
      },
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.addon} acme-redis`,
        `${T.pvc} acme-redis`,
        `${T.secret} acme-redis`,
        `${T.deployment} acme-redis`,
        `${T.service} acme-redis`,
      ]),
    );
    assert.strictEqual(h.rec.optionsOf(T.pvc, "acme-redis").protect, true, "the PVC is protected");
    for (const t of [T.secret, T.deployment, T.service]) {
      assert.ok(!h.rec.optionsOf(t, "acme-redis").protect, `${t} is not protected`);
    }

    const pvc: Obj = h.rec.get(T.pvc, "acme-redis").inputs;
    assert.strictEqual(pvc.metadata.name, "acme-redis");
    assert.deepStrictEqual(pvc.spec, {
      accessModes: ["ReadWriteOnce"],
      storageClassName: "fast",
      resources: { requests: { storage: "5Gi" } },
    });

    const secret = h.rec.get(T.secret, "acme-redis");
    assert.deepStrictEqual(secret.inputs.stringData, { password: "generated-p4ss-0123456789" });
    assert.ok(secret.secretPaths.includes("stringData"), "stringData is sent as a secret");
    const secretName = (secret.inputs as Obj).metadata.name;
    assert.match(secretName, /^acme-redis-[0-9a-f]{8}$/, "auto-named");

    const d: Obj = h.rec.get(T.deployment, "acme-redis").inputs;
    assert.strictEqual(d.spec.replicas, 1);
    assert.deepStrictEqual(d.spec.strategy, { type: "Recreate" });
    const pod = d.spec.template.spec;
    assert.deepStrictEqual(pod.volumes, [
      { name: "data", persistentVolumeClaim: { claimName: "acme-redis" } },
    ]);
    assert.deepStrictEqual(pod.containers[0].volumeMounts, [{ name: "data", mountPath: "/data" }]);
    assert.strictEqual(pod.containers[0].image, plan.image);
    assert.deepStrictEqual(pod.containers[0].args, [
      "--appendonly",
      "yes",
      "--requirepass",
      "$(REDIS_PASSWORD)",
    ]);
    assert.deepStrictEqual(pod.containers[0].env, [
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: "password" } } },
    ]);
    assert.deepStrictEqual(pod.containers[0].readinessProbe, {
      tcpSocket: { port: 6379 },
      periodSeconds: 10,
      failureThreshold: 3,
    });

    const svc: Obj = h.rec.get(T.service, "acme-redis").inputs;
    assert.deepStrictEqual(svc.metadata.annotations, {
      "pulumi.com/patchForce": "true",
      "pulumi.com/skipAwait": "true",
    });
    assert.deepStrictEqual(svc.spec, {
      type: "ClusterIP",
      selector: plan.labels.selector,
      ports: [{ name: "redis", port: 6379, targetPort: 6379, protocol: "TCP" }],
    });
    assert.strictEqual(await unwrap(a.host), "acme-redis.default.svc");
    assert.strictEqual(await unwrap(a.serviceName), "acme-redis");
    assert.deepStrictEqual(await unwrap(a.usedBy), ["acme-api", "acme-admin"]);
    assert.strictEqual(await unwrap(a.password), "generated-p4ss-0123456789");
    assert.ok(await pulumi.isSecret(a.password), "the password stays a secret");
  });

  it("mock: a Redis that had no password on Heroku gets one too; a null storage class is the cluster default", async () => {
    const plan = { ...fx.redisAddon("redis-open-1", "open-redis", ["acme-api"]), storageClass: null };
    new StatefulAddon(
      "open-redis",
      { plan, namespace: "default", password: "generated-open-0123456789" },
      { providers: [h.provider()] },
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.addon} open-redis`,
        `${T.pvc} open-redis`,
        `${T.secret} open-redis`,
        `${T.deployment} open-redis`,
        `${T.service} open-redis`,
      ]),
    );
    const pvc: Obj = h.rec.get(T.pvc, "open-redis").inputs;
    assert.ok(!("storageClassName" in pvc.spec), "null storage class → the cluster default");
    assert.deepStrictEqual(h.rec.get(T.secret, "open-redis").inputs.stringData, {
      password: "generated-open-0123456789",
    });
    const d: Obj = h.rec.get(T.deployment, "open-redis").inputs;
    assert.deepStrictEqual(
      d.spec.template.spec.containers[0].env.map((e: Obj) => e.name),
      ["REDIS_PASSWORD"],
    );
  });

  it("mock: MongoDB gets its root user from the plan env and its password from the Secret", async () => {
    const plan = {
      ...fx.redisAddon("mongolab-1", "acme-mongo", ["acme-api"]),
      kind: "mongodb" as const,
      service: "mongolab",
      port: 27017,
      dataPath: "/data/db",
      args: [],
      username: "heroku",
      passwordEnvVar: "MONGO_INITDB_ROOT_PASSWORD",
      env: [{ name: "MONGO_INITDB_ROOT_USERNAME", value: "heroku" }],
      readinessProbe: { tcpPort: 27017, periodSeconds: 10, failureThreshold: 3 },
    };
    new StatefulAddon(
      "acme-mongo",
      { plan, namespace: "default", password: "generated-m0ngo-0123456789" },
      { providers: [h.provider()] },
    );
    await renderedChildren(h.rec);
    const c = (h.rec.get(T.deployment, "acme-mongo").inputs as Obj).spec.template.spec.containers[0];
    const secretName = (h.rec.get(T.secret, "acme-mongo").inputs as Obj).metadata.name;
    assert.strictEqual(c.name, "mongodb");
    assert.deepStrictEqual(c.env, [
      {
        name: "MONGO_INITDB_ROOT_PASSWORD",
        valueFrom: { secretKeyRef: { name: secretName, key: "password" } },
      },
      { name: "MONGO_INITDB_ROOT_USERNAME", value: "heroku" },
    ]);
    assert.deepStrictEqual(c.volumeMounts, [{ name: "data", mountPath: "/data/db" }]);
  });
});
