/**
 * Shared set-up of the mock-based component tests: recording mocks, one Kubernetes provider per
 * test (as the program creates one per stack), and schema validation of every object produced.
 */
import * as k8s from "@pulumi/kubernetes";
import * as assert from "assert";
import { validateK8sObject } from "../support/k8s-schema";
import { installMocks, MockRecorder, recorder, settle } from "../support/pulumi-mocks";

export const PROVIDER_TYPE = "pulumi:providers:kubernetes";

export interface Harness {
  rec: MockRecorder;
  /** The test's Kubernetes provider (created on first use). */
  provider: () => k8s.Provider;
  /** Forgets recordings and the provider, for a test that renders several times. */
  reset: () => void;
}

/** Call inside a `describe`: resets the recordings before each test. */
export function useMockHarness(): Harness {
  const rec = recorder;
  before(() => installMocks());
  let provider: k8s.Provider | undefined;
  const reset = () => {
    rec.reset();
    provider = undefined;
  };
  beforeEach(reset);
  return {
    rec,
    reset,
    provider: () => (provider ??= new k8s.Provider("k8s", { renderYamlToDirectory: "out/mock-unused" })),
  };
}

/**
 * Waits for every registration, validates every Kubernetes object against the OpenAPI schema and
 * checks each was created with the test's provider; returns the recorded `[type, name]` pairs, sorted.
 */
export async function renderedChildren(rec: MockRecorder): Promise<string[]> {
  await settle();
  // A provider reference is `<urn>::<id>`; the URN's type is qualified by its parents' (`A$B$type`).
  const providerNames = new Set(rec.ofType(PROVIDER_TYPE).map((p) => p.name));
  const reference =
    /^urn:pulumi:test::heroku-to-hasura::(?:[^$]+\$)?pulumi:providers:kubernetes::([^:]+)::\1-id$/;
  for (const r of rec.registrations.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) {
    validateK8sObject(r.inputs);
    const name = reference.exec(r.provider ?? "")?.[1];
    assert.ok(name && providerNames.has(name), `${r.type} ${r.name} uses provider ${r.provider}`);
  }
  return rec
    .children()
    .map(([t, n]) => `${t} ${n}`)
    .sort();
}

/** `[type, name]` list → the sorted form {@link renderedChildren} returns. */
export function sorted(children: string[]): string[] {
  return [...children].sort();
}

// Type tokens, spelled once.
export const T = {
  app: "heroku-to-hasura:app:HerokuAppMigration",
  micro: "heroku-to-hasura:k8s:Microservice",
  addon: "heroku-to-hasura:k8s:StatefulAddon",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  secret: "kubernetes:core/v1:Secret",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  provider: PROVIDER_TYPE,
} as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** The Pod spec of a Deployment/Job, or a CronJob's job template. */
export function podSpec(o: Obj): Obj {
  return o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}
