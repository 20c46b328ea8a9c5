/**
 * HasuraEngine under Pulumi mocks: exact children, the Secret (every credential in it, auto-named,
 * immutable, sent as a secret), the Deployment (image, probes, env from the Secret), Service and
 * Ingress, all validated against the Kubernetes OpenAPI schema by the harness.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { NO_FILTER } from "../../components/hasura/metadata";
import { HasuraEngine } from "../../components/hasura/hasura-engine";
import { HASURA_RESOURCES, type HasuraPlan } from "../../components/hasura/plan";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import { Obj, renderedChildren, sorted, T, useMockHarness } from "../k8s/harness";
import { unwrap } from "../support/pulumi-mocks";

const GENERATED = "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret";
const ENGINE = "heroku-to-hasura:hasura:HasuraEngine";
const IMAGE = "hasura/graphql-engine@sha256:" + "c".repeat(64);
const SOURCE_URL = "postgres://owner:s3cret-owner@postgres.hasura.svc:5432/acme_db";

function plan(parts: Partial<HasuraPlan> = {}): HasuraPlan {
  return {
    name: "hasura",
    labels: {
      labels: { "app.kubernetes.io/name": "hasura", "app.kubernetes.io/component": "graphql-engine" },
      selector: { "app.kubernetes.io/name": "hasura", "app.kubernetes.io/component": "graphql-engine" },
    },
    image: IMAGE,
    imagePinned: true,
    replicas: 1,
    port: 8080,
    servicePort: 80,
    resources: HASURA_RESOURCES,
    console: false,
    devMode: false,
    ingress: null,
    sources: [
      {
        name: "acme_db",
        addon: "postgresql-acme",
        database: "acme_db",
        envVar: "HASURA_SOURCE_ACME_DB_URL",
        clusterUrl: SecretTemplate.of(SecretString.of(SOURCE_URL)),
      },
    ],
    metadataDatabase: {
      name: "hasura_metadata",
      ownerRole: "hasura_metadata_owner",
      clusterHost: "pg",
      clusterPort: 5432,
      sslMode: null,
    },
    filter: NO_FILTER,
    directory: "out/test/hasura",
    endpoint: null,
    ...parts,
  };
}

describe("HasuraEngine (mock-based component test)", () => {
  const h = useMockHarness();

  function render(p: HasuraPlan, extra: Partial<ConstructorParameters<typeof HasuraEngine>[1]> = {}) {
    return new HasuraEngine(
      "hasura",
      {
        plan: p,
        namespace: "default",
        metadataDatabaseUrl: "postgres://meta:m3ta-pass@pg:5432/hasura_metadata",
        ...extra,
      },
      { providers: [h.provider()], transformations: [h.rec.recordOptions] },
    );
  }

  it("mock: GeneratedSecret, Secret, Deployment, Service; no Ingress without a host", async () => {
    const e = render(plan());
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${ENGINE} hasura`,
        `${GENERATED} hasura-admin-secret`,
        `${T.secret} hasura`,
        `${T.deployment} hasura`,
        `${T.service} hasura`,
      ]),
    );
    const generated = h.rec.get(GENERATED, "hasura-admin-secret").inputs;
    assert.strictEqual(generated.length, 48);
    assert.strictEqual(generated.rotation, "");
    const admin = await unwrap(e.adminSecret);
    assert.match(admin, /^generated-[0-9a-f]{8}$/);
    assert.strictEqual(await (e.adminSecret as unknown as { isSecret: Promise<boolean> }).isSecret, true);

    const secret = h.rec.get(T.secret, "hasura");
    assert.deepStrictEqual(secret.inputs.stringData, {
      HASURA_GRAPHQL_ADMIN_SECRET: admin,
      HASURA_GRAPHQL_METADATA_DATABASE_URL: "postgres://meta:m3ta-pass@pg:5432/hasura_metadata",
      HASURA_SOURCE_ACME_DB_URL: SOURCE_URL,
    });
    assert.ok(secret.secretPaths.includes("stringData"), "stringData is sent as a secret");
    assert.strictEqual(secret.inputs.immutable, true);
    const secretName = (secret.inputs as Obj).metadata.name;
    assert.match(secretName, /^hasura-[0-9a-f]{8}$/, "auto-named");

    const d: Obj = h.rec.get(T.deployment, "hasura").inputs;
    assert.strictEqual(d.metadata.name, "hasura");
    assert.deepStrictEqual(d.spec.selector, { matchLabels: plan().labels.selector });
    const pod = d.spec.template.spec;
    assert.strictEqual(pod.automountServiceAccountToken, false);
    const c = pod.containers[0];
    assert.strictEqual(c.image, IMAGE);
    assert.deepStrictEqual(c.envFrom, [{ secretRef: { name: secretName } }]);
    assert.deepStrictEqual(c.env, [
      { name: "HASURA_GRAPHQL_SERVER_PORT", value: "8080" },
      { name: "HASURA_GRAPHQL_ENABLE_CONSOLE", value: "false" },
      { name: "HASURA_GRAPHQL_DEV_MODE", value: "false" },
    ]);
    assert.deepStrictEqual(c.readinessProbe.httpGet, { path: "/healthz", port: "http" });
    assert.deepStrictEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "http" });
    assert.deepStrictEqual(c.resources, {
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { memory: "1Gi" },
    });
    assert.ok(
      !JSON.stringify(d).includes("s3cret-owner") && !JSON.stringify(d).includes(admin),
      "no credential in the Deployment",
    );

    for (const t of [T.secret, T.deployment, T.service])
      assert.deepStrictEqual(
        (h.rec.get(t, "hasura").inputs as Obj).metadata.annotations,
        {
          "pulumi.com/patchForce": "true",
          // A Service's endpoints are its Deployment's pods, whose readiness up waits for already.
          ...(t === T.service ? { "pulumi.com/skipAwait": "true" } : {}),
        },
        `${t}: taken back from hand edits like every object the program declares`,
      );
    const svc: Obj = h.rec.get(T.service, "hasura").inputs;
    assert.deepStrictEqual(svc.spec, {
      type: "ClusterIP",
      selector: plan().labels.selector,
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    });
    assert.strictEqual(await unwrap(e.clusterUrl), "http://hasura.default.svc");
  });

  it("mock: an Ingress with TLS for the host; console and dev mode when the stack turns them on; auth secrets", async () => {
    render(
      plan({
        console: true,
        devMode: true,
        ingress: {
          host: "api.acme.example",
          className: "nginx",
          annotations: { "cert-manager.io/cluster-issuer": "le" },
          tlsSecretName: "api.acme.example-tls",
        },
      }),
      { jwtSecret: pulumi.secret('{"type":"HS256","key":"k"}'), adminSecretRotation: "2026-12" },
    );
    await renderedChildren(h.rec);
    const ing: Obj = h.rec.get(T.ingress, "hasura").inputs;
    assert.deepStrictEqual(ing.spec, {
      ingressClassName: "nginx",
      rules: [
        {
          host: "api.acme.example",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "hasura", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
      tls: [{ hosts: ["api.acme.example"], secretName: "api.acme.example-tls" }],
    });
    assert.deepStrictEqual(ing.metadata.annotations, {
      "cert-manager.io/cluster-issuer": "le",
      "pulumi.com/patchForce": "true",
    });
    const env = (h.rec.get(T.deployment, "hasura").inputs as Obj).spec.template.spec.containers[0].env;
    assert.deepStrictEqual(env.slice(1), [
      { name: "HASURA_GRAPHQL_ENABLE_CONSOLE", value: "true" },
      { name: "HASURA_GRAPHQL_DEV_MODE", value: "true" },
    ]);
    assert.deepStrictEqual(Object.keys(h.rec.get(T.secret, "hasura").inputs.stringData as Obj).sort(), [
      "HASURA_GRAPHQL_ADMIN_SECRET",
      "HASURA_GRAPHQL_JWT_SECRET",
      "HASURA_GRAPHQL_METADATA_DATABASE_URL",
      "HASURA_SOURCE_ACME_DB_URL",
    ]);
    assert.strictEqual(h.rec.get(GENERATED, "hasura-admin-secret").inputs.rotation, "2026-12");
  });

  it("mock: a changed source URL is a new Secret name, so the pods roll", async () => {
    render(plan());
    await renderedChildren(h.rec);
    const before = (h.rec.get(T.secret, "hasura").inputs as Obj).metadata.name;
    h.reset();
    const p = plan();
    p.sources[0].clusterUrl = SecretTemplate.of(
      SecretString.of(SOURCE_URL.replace("s3cret-owner", "rotated-owner")),
    );
    render(p);
    await renderedChildren(h.rec);
    const after = (h.rec.get(T.secret, "hasura").inputs as Obj).metadata.name;
    assert.notStrictEqual(after, before);
    const d: Obj = h.rec.get(T.deployment, "hasura").inputs;
    assert.deepStrictEqual(d.spec.template.spec.containers[0].envFrom, [{ secretRef: { name: after } }]);
  });
});
