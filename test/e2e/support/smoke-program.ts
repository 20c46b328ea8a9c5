/**
 * A small inline Pulumi program exercising what the real program relies on: a dynamic provider
 * (serialised closure, run by pulumi-resource-pulumi-nodejs) taking a secret, and Kubernetes objects
 * rendered to a directory with no cluster. One Deployment references the Secret, one does not.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

interface StampInputs {
  token: string;
  label: string;
}

/** Stores a digest of a secret token: the plaintext must never reach state or logs. */
const stampProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: StampInputs) {
    // Loaded in the method: the provider runs in a separate process after serialisation.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createHash } = require("crypto") as typeof import("crypto");
    const digest = createHash("sha256").update(inputs.token).digest("hex");
    return { id: `stamp-${inputs.label}`, outs: { ...inputs, digest } };
  },
  async diff(_id: string, olds: StampInputs & { digest: string }, news: StampInputs) {
    const changes = olds.token !== news.token || olds.label !== news.label;
    return { changes, replaces: olds.label !== news.label ? ["label"] : [] };
  },
  async update(_id: string, _olds: StampInputs, news: StampInputs) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createHash } = require("crypto") as typeof import("crypto");
    return { outs: { ...news, digest: createHash("sha256").update(news.token).digest("hex") } };
  },
};

class Stamp extends pulumi.dynamic.Resource {
  declare readonly digest: pulumi.Output<string>;
  constructor(name: string, args: { token: pulumi.Input<string>; label: pulumi.Input<string> }) {
    super(
      stampProvider,
      name,
      { ...args, digest: undefined },
      { additionalSecretOutputs: ["digest"] },
      "e2e",
      "Stamp",
    );
  }
}

/** Image pinned by digest, as the real program does. */
export const SMOKE_IMAGE =
  "registry.invalid/e2e/app@sha256:0000000000000000000000000000000000000000000000000000000000000001";

/** Config: `apiToken` (secret), `greeting`, `renderDir`. */
export async function smokeProgram(): Promise<Record<string, unknown>> {
  const cfg = new pulumi.Config();
  const token = cfg.requireSecret("apiToken");
  const greeting = cfg.require("greeting");
  const renderDir = cfg.require("renderDir");

  const stamp = new Stamp("stamp", { token, label: "smoke" });
  const provider = new k8s.Provider("render", { renderYamlToDirectory: renderDir });
  const secret = new k8s.core.v1.Secret("env", { stringData: { API_TOKEN: token } }, { provider });
  const deployment = (name: string, withSecret: boolean): k8s.apps.v1.Deployment =>
    new k8s.apps.v1.Deployment(
      name,
      {
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                {
                  name,
                  image: SMOKE_IMAGE,
                  env: [{ name: "GREETING", value: greeting }],
                  envFrom: withSecret ? [{ secretRef: { name: secret.metadata.name } }] : [],
                },
              ],
            },
          },
        },
      },
      { provider },
    );
  deployment("web", true);
  deployment("worker", false);
  return { stampId: stamp.id, digest: stamp.digest, secretName: secret.metadata.name };
}
