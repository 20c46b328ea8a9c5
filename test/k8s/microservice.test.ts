import * as assert from "assert";
import { Microservice } from "../../components/k8s/microservice";
import { unwrap } from "../support/pulumi-mocks";
import * as fx from "./plan-fixtures";
import { Obj, podSpec, renderedChildren, sorted, T, useMockHarness } from "./harness";

describe("Microservice (mock-based component test)", () => {
  const h = useMockHarness();
  const secretName = "acme-api-env-0123abcd";

  for (const [wait, annotations, timeouts] of [
    [120, {}, { create: "120s", update: "120s" }],
    [0, { "pulumi.com/skipAwait": "true" }, undefined],
  ] as const) {
    it(`mock: an Ingress address timeout of ${wait} s ${wait ? "bounds the wait" : "skips the wait"}`, async () => {
      new Microservice(
        "acme-api-web",
        {
          workload: fx.workload("acme-api", "web"),
          namespace: "apps",
          image: fx.image("acme-api"),
          secretName,
          service: fx.webService("acme-api"),
          ingress: fx.ingress("acme-api", ["api.acme.test"], wait),
        },
        { providers: [h.provider()], transformations: [h.rec.recordOptions] },
      );
      await renderedChildren(h.rec);
      const ing: Obj = h.rec.get(T.ingress, "acme-api-web").inputs;
      assert.deepStrictEqual(ing.metadata.annotations, {
        "cert-manager.io/cluster-issuer": "letsencrypt-prod",
        "pulumi.com/patchForce": "true",
        ...annotations,
      });
      const opts = h.rec.options.find((o) => o.type === T.ingress)!.opts as { customTimeouts?: unknown };
      assert.deepStrictEqual(opts.customTimeouts, timeouts);
    });
  }

  it("mock: web with custom domains → Deployment, Service and Ingress with TLS", async () => {
    const m = new Microservice(
      "acme-api-web",
      {
        workload: fx.workload("acme-api", "web"),
        namespace: "apps",
        image: fx.image("acme-api"),
        secretName,
        service: fx.webService("acme-api"),
        ingress: fx.ingress("acme-api", ["api.acme.test", "www.acme.test"]),
      },
      { providers: [h.provider()] },
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.micro} acme-api-web`,
        `${T.deployment} acme-api-web`,
        `${T.service} acme-api-web`,
        `${T.ingress} acme-api-web`,
      ]),
    );
    const d: Obj = h.rec.get(T.deployment, "acme-api-web").inputs;
    assert.deepStrictEqual(d.metadata, {
      name: "acme-api-web",
      namespace: "apps",
      labels: fx.labels("acme-api", "web").labels,
      // Fields the program declares are taken back from whoever changed them by hand.
      annotations: { "pulumi.com/patchForce": "true" },
    });
    assert.strictEqual(d.spec.replicas, 2);
    assert.deepStrictEqual(d.spec.selector, {
      matchLabels: { "app.kubernetes.io/name": "acme-api", "app.kubernetes.io/component": "web" },
    });
    assert.deepStrictEqual(d.spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
    });
    const pod = podSpec(d);
    assert.strictEqual(pod.terminationGracePeriodSeconds, 30);
    assert.strictEqual(pod.enableServiceLinks, false);
    assert.strictEqual(pod.automountServiceAccountToken, false);
    assert.deepStrictEqual(pod.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    assert.deepStrictEqual(pod.containers, [
      {
        name: "app",
        image: fx.image("acme-api"),
        args: ["/bin/sh", "-c", "bundle exec puma -p $PORT"],
        envFrom: [{ secretRef: { name: secretName } }],
        env: [
          { name: "PORT", value: "5000" },
          { name: "DYNO", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "1Gi" } },
        // No privilege gain, no capability but the two root needs to write an /app it does not own.
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
        },
        ports: [{ name: "http", containerPort: 5000, protocol: "TCP" }],
        startupProbe: { tcpSocket: { port: 5000 }, periodSeconds: 5, failureThreshold: 12 },
        readinessProbe: {
          tcpSocket: { port: 5000 },
          periodSeconds: 10,
          failureThreshold: 3,
          timeoutSeconds: 5,
        },
      },
    ]);

    const svc: Obj = h.rec.get(T.service, "acme-api-web").inputs;
    assert.strictEqual(svc.metadata.name, "acme-api-web");
    // Not awaited: its endpoints are the Deployment's pods, whose readiness up waits for already.
    assert.deepStrictEqual(svc.metadata.annotations, {
      "pulumi.com/patchForce": "true",
      "pulumi.com/skipAwait": "true",
    });
    assert.deepStrictEqual(svc.spec, {
      type: "ClusterIP",
      selector: d.spec.selector.matchLabels,
      ports: [{ name: "http", port: 80, targetPort: 5000, protocol: "TCP" }],
    });

    const ing: Obj = h.rec.get(T.ingress, "acme-api-web").inputs;
    assert.deepStrictEqual(ing.metadata.annotations, {
      "cert-manager.io/cluster-issuer": "letsencrypt-prod",
      "pulumi.com/patchForce": "true",
    });
    assert.strictEqual(ing.spec.ingressClassName, "nginx");
    assert.deepStrictEqual(
      ing.spec.rules.map((r: Obj) => [
        r.host,
        r.http.paths[0].backend.service.name,
        r.http.paths[0].backend.service.port.number,
      ]),
      [
        ["api.acme.test", "acme-api-web", 80],
        ["www.acme.test", "acme-api-web", 80],
      ],
    );
    assert.deepStrictEqual(ing.spec.tls, [
      { hosts: ["api.acme.test"], secretName: "acme-api-tls-api-acme-test" },
      { hosts: ["www.acme.test"], secretName: "acme-api-tls-www-acme-test" },
    ]);

    assert.strictEqual(await unwrap(m.deploymentName), "acme-api-web");
    assert.strictEqual(await unwrap(m.serviceName), "acme-api-web");
    assert.deepStrictEqual(await unwrap(m.hosts), ["api.acme.test", "www.acme.test"]);
  });

  it("mock: worker only → a Deployment and nothing else, no port or probes", async () => {
    const m = new Microservice(
      "acme-api-worker",
      {
        workload: fx.workload("acme-api", "worker", { replicas: 0 }),
        namespace: "default",
        image: fx.image("acme-api"),
        secretName,
      },
      { providers: [h.provider()] },
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([`${T.provider} k8s`, `${T.micro} acme-api-worker`, `${T.deployment} acme-api-worker`]),
    );
    const d: Obj = h.rec.get(T.deployment, "acme-api-worker").inputs;
    assert.strictEqual(d.spec.replicas, 0, "a process type scaled to 0 stays at 0");
    const [c] = podSpec(d).containers;
    assert.deepStrictEqual(Object.keys(c).sort(), [
      "args",
      "env",
      "envFrom",
      "image",
      "name",
      "resources",
      "securityContext",
    ]);
    assert.strictEqual(await unwrap(m.serviceName), undefined);
    assert.deepStrictEqual(await unwrap(m.hosts), []);
    assert.strictEqual(await unwrap(m.replicas), 0);
  });

  it("mock: preboot → rolling update that never drops below the desired replicas", async () => {
    new Microservice(
      "acme-api-web",
      {
        workload: fx.workload("acme-api", "web", {
          strategy: { type: "RollingUpdate", maxUnavailable: 0, maxSurge: "100%" },
        }),
        namespace: "default",
        image: fx.image("acme-api"),
        secretName,
        service: fx.webService("acme-api"),
      },
      { providers: [h.provider()] },
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.micro} acme-api-web`,
        `${T.deployment} acme-api-web`,
        `${T.service} acme-api-web`,
      ]),
    );
    const d: Obj = h.rec.get(T.deployment, "acme-api-web").inputs;
    assert.deepStrictEqual(d.spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: "100%" },
    });
  });

  it("mock: the Deployment waits for what it is given (e.g. the release Job)", async () => {
    const dependency = new Microservice(
      "other",
      {
        workload: fx.workload("other", "worker"),
        namespace: "default",
        image: fx.image("other"),
        secretName,
      },
      { providers: [h.provider()] },
    );
    new Microservice(
      "acme-api-worker",
      {
        workload: fx.workload("acme-api", "worker"),
        namespace: "default",
        image: fx.image("acme-api"),
        secretName,
        waitFor: [dependency],
      },
      { providers: [h.provider()], transformations: [h.rec.recordOptions] },
    );
    await renderedChildren(h.rec);
    assert.deepStrictEqual(h.rec.optionsOf(T.deployment, "acme-api-worker").dependsOn, [dependency]);
  });
});
