import { Resource } from "@pulumi/pulumi";
import * as assert from "assert";
import { HerokuAppMigration } from "../../components/k8s/heroku-app-migration";
import { SecretString } from "../../components/heroku/secret-string";
import { DYNO_SECURITY_CONTEXT } from "../../components/k8s/pod-spec";
import { releaseHash } from "../../components/k8s/release-job";
import { StatefulAddon } from "../../components/k8s/stateful-addon";
import { SecretTemplate } from "../../components/heroku/secret-template";
import { AppPlan } from "../../components/plan/types";
import { unwrap } from "../support/pulumi-mocks";
import * as fx from "./plan-fixtures";
import { Obj, podSpec, renderedChildren, sorted, T, useMockHarness } from "./harness";

function webAndWorker(parts: Partial<AppPlan> = {}): AppPlan {
  return fx.appPlan("acme-api", {
    secretEntries: fx.userVars({ RAILS_ENV: "production", SECRET_KEY_BASE: "s3cr3t" }),
    workloads: [fx.workload("acme-api", "web"), fx.workload("acme-api", "worker")],
    service: fx.webService("acme-api"),
    ingress: fx.ingress("acme-api", ["api.acme.test"]),
    ...parts,
  });
}

describe("HerokuAppMigration (mock-based component test)", () => {
  const h = useMockHarness();
  const render = (
    plan: AppPlan,
    image = fx.image("acme-api"),
    statefulAddons = {},
    waitFor: Resource[] = [],
    credentials: Record<string, string> = {},
  ) =>
    new HerokuAppMigration(
      plan.app,
      { plan, namespace: "default", image, statefulAddons, waitFor, credentials },
      { providers: [h.provider()], transformations: [h.rec.recordOptions] },
    );

  it("mock: web with domains + worker + release phase → exact children; workloads wait for the release Job", async () => {
    const m = render(webAndWorker({ releaseJob: fx.releaseJob("acme-api") }));
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.app} acme-api`,
        `${T.secret} acme-api-env`,
        `${T.job} acme-api-release`,
        `${T.micro} acme-api-web`,
        `${T.deployment} acme-api-web`,
        `${T.service} acme-api-web`,
        `${T.ingress} acme-api-web`,
        `${T.micro} acme-api-worker`,
        `${T.deployment} acme-api-worker`,
      ]),
    );
    const secret = h.rec.get(T.secret, "acme-api-env");
    const secretName = (secret.inputs as Obj).metadata.name;
    assert.match(secretName, /^acme-api-env-[0-9a-f]{8}$/, "the Secret is auto-named");
    assert.deepStrictEqual(secret.inputs.stringData, { RAILS_ENV: "production", SECRET_KEY_BASE: "s3cr3t" });
    assert.deepStrictEqual(secret.secretPaths, ["stringData"], "config var values travel as secrets");
    assert.strictEqual(secret.inputs.immutable, true, "replaced on change, never edited in place");
    assert.deepStrictEqual((secret.inputs as Obj).metadata.labels, {
      "app.kubernetes.io/name": "acme-api",
      "app.kubernetes.io/instance": "acme-api",
      "app.kubernetes.io/part-of": "acme-api",
      "app.kubernetes.io/managed-by": "heroku-to-hasura",
    });
    assert.deepStrictEqual(
      h.rec.get(T.app, "acme-api").inputs,
      {},
      "no config var reaches the component's state",
    );

    const job: Obj = h.rec.get(T.job, "acme-api-release").inputs;
    assert.strictEqual(
      job.metadata.name,
      `acme-api-release-${releaseHash(fx.image("acme-api"), secretName)}`,
    );
    assert.strictEqual(job.spec.backoffLimit, 0);
    assert.strictEqual(job.spec.activeDeadlineSeconds, 3600);
    assert.deepStrictEqual(
      h.rec.optionsOf(T.job, "acme-api-release").customTimeouts,
      { create: "3900s", update: "3900s" },
      "Pulumi waits out Heroku's one-hour release window (its default is 10 minutes)",
    );
    assert.deepStrictEqual(
      job.metadata.annotations,
      { "pulumi.com/replaceUnready": "true", "pulumi.com/patchForce": "true" },
      "a failed release runs again on the next up; drift by hand is taken back",
    );
    assert.strictEqual(job.spec.template.spec.restartPolicy, "Never");
    assert.deepStrictEqual(job.spec.template.spec.containers[0].args, [
      "/bin/sh",
      "-c",
      "bundle exec rake db:migrate",
    ]);
    assert.deepStrictEqual(job.spec.template.spec.containers[0].envFrom, [
      { secretRef: { name: secretName } },
    ]);

    // The release Job's dyno is as unprivileged as the others.
    assert.deepStrictEqual(
      [job.spec.template.spec.securityContext, job.spec.template.spec.containers[0].securityContext],
      [{ seccompProfile: { type: "RuntimeDefault" } }, DYNO_SECURITY_CONTEXT],
    );
    for (const w of ["web", "worker"]) {
      const d: Obj = h.rec.get(T.deployment, `acme-api-${w}`).inputs;
      assert.deepStrictEqual(podSpec(d).containers[0].securityContext, DYNO_SECURITY_CONTEXT);
      assert.deepStrictEqual(podSpec(d).containers[0].envFrom, [{ secretRef: { name: secretName } }]);
      assert.strictEqual(podSpec(d).containers[0].image, fx.image("acme-api"));
      const dependsOn = h.rec.optionsOf(T.deployment, `acme-api-${w}`).dependsOn as unknown[];
      assert.strictEqual(dependsOn.length, 1);
      const urn = await unwrap((dependsOn[0] as Resource).urn);
      assert.match(urn, /kubernetes:batch\/v1:Job::acme-api-release$/);
    }

    assert.deepStrictEqual(await unwrap(m.workloads), {
      web: { deployment: "acme-api-web", replicas: 2 },
      worker: { deployment: "acme-api-worker", replicas: 1 },
    });
    assert.strictEqual(await unwrap(m.secretName), secretName);
    assert.strictEqual(await unwrap(m.serviceName), "acme-api-web");
    assert.deepStrictEqual(await unwrap(m.hosts), ["api.acme.test"]);
    assert.strictEqual(await unwrap(m.releaseJobName), job.metadata.name);
  });

  it("mock: a new image gives a new release Job name; the same release keeps it", async () => {
    const plan = webAndWorker({ releaseJob: fx.releaseJob("acme-api") });
    const jobName = async (image: string) => {
      h.reset();
      render(plan, image);
      await renderedChildren(h.rec);
      return (h.rec.get(T.job, "acme-api-release").inputs as Obj).metadata.name as string;
    };
    const first = await jobName(fx.image("acme-api", fx.DIGEST_A));
    const again = await jobName(fx.image("acme-api", fx.DIGEST_A));
    const next = await jobName(fx.image("acme-api", fx.DIGEST_B));
    assert.strictEqual(again, first);
    assert.notStrictEqual(next, first);
    assert.match(next, /^acme-api-release-[0-9a-f]{8}$/);
  });

  it("mock: a config change → a different Secret name → the Deployments' pod templates change", async () => {
    const renderWith = async (vars: Record<string, string>) => {
      h.reset();
      render(webAndWorker({ secretEntries: fx.userVars(vars), releaseJob: fx.releaseJob("acme-api") }));
      await renderedChildren(h.rec);
      const secretName = (h.rec.get(T.secret, "acme-api-env").inputs as Obj).metadata.name as string;
      const web = (h.rec.get(T.deployment, "acme-api-web").inputs as Obj).spec.template;
      const job = (h.rec.get(T.job, "acme-api-release").inputs as Obj).metadata.name as string;
      return { secretName, web, job };
    };
    const before = await renderWith({ RAILS_ENV: "production", FEATURE_X: "off" });
    const same = await renderWith({ RAILS_ENV: "production", FEATURE_X: "off" });
    const after = await renderWith({ RAILS_ENV: "production", FEATURE_X: "on" });

    assert.strictEqual(same.secretName, before.secretName, "unchanged config → same Secret");
    assert.deepStrictEqual(same.web, before.web, "unchanged config → same pod template");
    assert.notStrictEqual(after.secretName, before.secretName);
    assert.notDeepStrictEqual(after.web, before.web);
    assert.deepStrictEqual(after.web.spec.containers[0].envFrom, [{ secretRef: { name: after.secretName } }]);
    assert.notStrictEqual(
      after.job,
      before.job,
      "a config change runs the release phase again, as on Heroku",
    );
  });

  it("mock: one in-cluster Redis shared by two apps: created once, both apps wait for it and get its generated password", async () => {
    const redis = fx.redisAddon("redis-curved-11111", "acme-redis", ["acme-admin", "acme-api"]);
    const password = "generated/p4ss+0123456789";
    const addon = new StatefulAddon(
      "acme-redis",
      { plan: redis, namespace: "default", password },
      { providers: [h.provider()] },
    );
    const apps = ["acme-api", "acme-admin"].map((app) =>
      fx.appPlan(app, {
        secretEntries: [
          {
            key: "REDIS_URL",
            origin: {
              kind: "addon",
              addon: redis.addon,
              attachment: "REDIS",
              service: "heroku-redis",
              disposition: "in-cluster",
            },
            value: SecretTemplate.join(
              "redis://:",
              SecretTemplate.credential(redis.credential, { uriEncoded: true }),
              "@acme-redis.default.svc:6379",
            ),
            rewritten: true,
          },
        ],
        workloads: [fx.workload(app, "worker")],
        ...(app === "acme-api" ? { releaseJob: fx.releaseJob(app) } : {}),
        ...fx.redisAttachment(redis),
      }),
    );
    const migrations = apps.map((plan) =>
      render(plan, fx.image(plan.app), { "acme-redis": addon }, [], { [redis.credential]: password }),
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
        `${T.app} acme-api`,
        `${T.secret} acme-api-env`,
        `${T.job} acme-api-release`,
        `${T.micro} acme-api-worker`,
        `${T.deployment} acme-api-worker`,
        `${T.app} acme-admin`,
        `${T.secret} acme-admin-env`,
        `${T.micro} acme-admin-worker`,
        `${T.deployment} acme-admin-worker`,
      ]),
    );
    // The release phase may already use Redis (cache busting, queues): it runs once Redis is there.
    assert.deepStrictEqual(h.rec.optionsOf(T.job, "acme-api-release").dependsOn, [addon]);
    const apiWorkerDeps = h.rec.optionsOf(T.deployment, "acme-api-worker").dependsOn as Resource[];
    assert.strictEqual(apiWorkerDeps.length, 2);
    assert.match(await unwrap(apiWorkerDeps[0].urn), /batch\/v1:Job::acme-api-release$/);
    assert.strictEqual(apiWorkerDeps[1], addon);
    assert.deepStrictEqual(h.rec.optionsOf(T.deployment, "acme-admin-worker").dependsOn, [addon]);
    for (const app of ["acme-api", "acme-admin"]) {
      // The credential lands in the URL's user-info percent-encoded.
      assert.deepStrictEqual(h.rec.get(T.secret, `${app}-env`).inputs.stringData, {
        REDIS_URL: "redis://:generated%2Fp4ss%2B0123456789@acme-redis.default.svc:6379",
      });
    }
    assert.deepStrictEqual(await unwrap(migrations[0].addons), [
      { addon: "redis-curved-11111", attachment: "REDIS", disposition: "in-cluster", target: "acme-redis" },
    ]);
  });

  it("mock: declared Scheduler jobs → CronJobs in UTC, no retry, loading the app's Secret", async () => {
    const m = render(
      fx.appPlan("acme-api", {
        workloads: [fx.workload("acme-api", "web")],
        service: fx.webService("acme-api"),
        cronJobs: [
          fx.cronJob("acme-api", "nightly-cleanup", "0 3 * * *", "bundle exec rake cleanup"),
          fx.cronJob("acme-api", "hourly-digest", "@hourly", "bundle exec rake digest"),
        ],
      }),
    );
    assert.deepStrictEqual(
      await renderedChildren(h.rec),
      sorted([
        `${T.provider} k8s`,
        `${T.app} acme-api`,
        `${T.secret} acme-api-env`,
        `${T.micro} acme-api-web`,
        `${T.deployment} acme-api-web`,
        `${T.service} acme-api-web`,
        `${T.cronJob} acme-api-nightly-cleanup`,
        `${T.cronJob} acme-api-hourly-digest`,
      ]),
    );
    const secretName = (h.rec.get(T.secret, "acme-api-env").inputs as Obj).metadata.name;
    const cj: Obj = h.rec.get(T.cronJob, "acme-api-nightly-cleanup").inputs;
    assert.strictEqual(cj.metadata.name, "acme-api-nightly-cleanup");
    assert.strictEqual(cj.spec.schedule, "0 3 * * *");
    assert.strictEqual(cj.spec.timeZone, "Etc/UTC");
    assert.strictEqual(cj.spec.jobTemplate.spec.backoffLimit, 0);
    assert.strictEqual(podSpec(cj).restartPolicy, "Never");
    assert.deepStrictEqual(podSpec(cj).containers[0].args, ["/bin/sh", "-c", "bundle exec rake cleanup"]);
    assert.deepStrictEqual(podSpec(cj).containers[0].envFrom, [{ secretRef: { name: secretName } }]);
    assert.deepStrictEqual(podSpec(cj).securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    assert.deepStrictEqual(podSpec(cj).containers[0].securityContext, DYNO_SECURITY_CONTEXT);
    assert.deepStrictEqual(await unwrap(m.cronJobs), ["acme-api-nightly-cleanup", "acme-api-hourly-digest"]);
    assert.strictEqual(await unwrap(m.releaseJobName), undefined);
  });

  it("mock: workloads, the release Job and CronJobs wait for the app's in-cluster add-ons and what the caller adds (e.g. the database import)", async () => {
    const redis = fx.redisAddon("redis-curved-11111", "acme-redis", ["acme-api"]);
    const addon = new StatefulAddon(
      "acme-redis",
      { plan: redis, namespace: "default", password: "generated-0123456789abcdef" },
      { providers: [h.provider()] },
    );
    const other = new StatefulAddon(
      "import-stand-in",
      {
        plan: fx.redisAddon("redis-x-1", "import-stand-in", []),
        namespace: "default",
        password: "generated-fedcba9876543210",
      },
      { providers: [h.provider()] },
    );
    render(
      fx.appPlan("acme-api", {
        workloads: [fx.workload("acme-api", "worker")],
        releaseJob: fx.releaseJob("acme-api"),
        cronJobs: [fx.cronJob("acme-api", "nightly-cleanup", "0 3 * * *", "bundle exec rake cleanup")],
        ...fx.redisAttachment(redis),
      }),
      fx.image("acme-api"),
      { "acme-redis": addon },
      [other],
    );
    await renderedChildren(h.rec);
    // The release phase runs the app's migrations: never into a database still being imported, nor
    // before the add-ons it may use exist (as on Heroku); the same holds for Scheduler jobs.
    assert.deepStrictEqual(h.rec.optionsOf(T.job, "acme-api-release").dependsOn, [addon, other]);
    assert.deepStrictEqual(h.rec.optionsOf(T.cronJob, "acme-api-nightly-cleanup").dependsOn, [addon, other]);
    const dependsOn = h.rec.optionsOf(T.deployment, "acme-api-worker").dependsOn as Resource[];
    const urns = await Promise.all(dependsOn.map((r) => unwrap(r.urn)));
    assert.deepStrictEqual(
      urns.map((u) => u.split("::").slice(-2).join("::")),
      [
        "heroku-to-hasura:app:HerokuAppMigration$kubernetes:batch/v1:Job::acme-api-release",
        "heroku-to-hasura:k8s:StatefulAddon::acme-redis",
        "heroku-to-hasura:k8s:StatefulAddon::import-stand-in",
      ],
    );
  });

  it("mock: a redacted config var is refused, naming the app and key but no value", () => {
    const plan = fx.appPlan("acme-api", {
      secretEntries: [
        {
          key: "DATABASE_URL",
          origin: { kind: "user" },
          value: SecretTemplate.of(SecretString.redacted()),
          rewritten: false,
        },
      ],
      workloads: [fx.workload("acme-api", "worker")],
    });
    assert.throws(
      () => render(plan),
      /config var DATABASE_URL of app acme-api is redacted in its snapshot file/,
    );
  });

  it("mock: a config var naming a credential that was not created is a wiring error, naming app and credential", () => {
    const plan = fx.appPlan("acme-api", {
      secretEntries: [
        {
          key: "DATABASE_URL",
          origin: {
            kind: "addon",
            addon: "pg-1",
            attachment: "DATABASE",
            service: "heroku-postgresql",
            disposition: "migrate",
          },
          value: SecretTemplate.join("postgres://o:", SecretTemplate.credential("pg-1-owner"), "@db:5432/d"),
          rewritten: true,
        },
      ],
      workloads: [fx.workload("acme-api", "worker")],
    });
    assert.throws(
      () => render(plan),
      /app acme-api: its Secret needs credential pg-1-owner, which was not created/,
    );
  });

  it("mock: an app pointing at an in-cluster add-on that was not created is a wiring error", () => {
    const redis = fx.redisAddon("redis-curved-11111", "acme-redis", ["acme-api"]);
    const plan = fx.appPlan("acme-api", {
      workloads: [fx.workload("acme-api", "worker")],
      ...fx.redisAttachment(redis),
    });
    assert.throws(() => render(plan), /app acme-api: in-cluster add-on acme-redis was not created/);
  });
});
