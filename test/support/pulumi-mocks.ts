/**
 * Pulumi unit-test mocks (`pulumi.runtime.setMocks`): no engine, no cluster, no Docker daemon. The one
 * mock installer of every suite. Every resource registration is recorded (type, name, inputs,
 * provider) so tests can assert exact children.
 *
 * Kubernetes auto-naming is emulated: an object without `metadata.name` gets `<name>-<hash of its
 * inputs>`. The real provider appends a random suffix and, since a Secret's data cannot change in
 * place, a changed Secret is a new object with a new suffix; deriving the suffix from the inputs
 * gives the same "new content → new name" behaviour deterministically.
 *
 * Image builders (`docker:index/image:Image`, the BuildahImage dynamic resource) answer with a
 * `repoDigest` derived from their inputs, as the real ones report it (`<repository>@sha256:…`); a
 * StackReference answers with the outputs given for its stack name in `upstream`; a GeneratedSecret
 * answers with {@link fakeGeneratedSecret} of its name and rotation, as the real one draws a value.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export interface Registration {
  type: string;
  name: string;
  /** Inputs as the engine received them (with mock-filled `metadata.name` for auto-named objects). */
  inputs: Record<string, unknown>;
  /** Paths of inputs that were secrets (e.g. `stringData`); `inputs` holds their plain values. */
  secretPaths: string[];
  /** Provider reference (`urn::id`) for custom resources. */
  provider?: string;
  custom: boolean;
}

/** Options seen by component transformations (parent, dependsOn, protect…), recorded by `recordOptions`. */
export interface RecordedOptions {
  type: string;
  name: string;
  opts: pulumi.ResourceOptions;
  /** The resource's inputs as its constructor passed them (Outputs unresolved, secrets still marked). */
  props: Record<string, unknown>;
}

export class MockRecorder {
  registrations: Registration[] = [];
  options: RecordedOptions[] = [];

  reset(): void {
    this.registrations = [];
    this.options = [];
  }

  /** `[type, name]` of every registration, in order. */
  children(): [string, string][] {
    return this.registrations.map((r) => [r.type, r.name]);
  }

  ofType(type: string): Registration[] {
    return this.registrations.filter((r) => r.type === type);
  }

  get(type: string, name: string): Registration {
    const r = this.registrations.find((x) => x.type === type && x.name === name);
    if (!r)
      throw new Error(
        `no ${type} named ${name}; registered: ${this.children()
          .map((c) => c.join(" "))
          .join(", ")}`,
      );
    return r;
  }

  /** Kubernetes objects (inputs of `kubernetes:*` custom resources other than the provider). */
  kubernetesObjects(): Record<string, unknown>[] {
    return this.registrations
      .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
      .map((r) => r.inputs);
  }

  optionsOf(type: string, name: string): pulumi.ResourceOptions {
    return this.recordedOptions(type, name).opts;
  }

  /** The options and inputs `recordOptions` saw for the resource. */
  recordedOptions(type: string, name: string): RecordedOptions {
    const r = this.options.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no options recorded for ${type} ${name}`);
    return r;
  }

  /** The plain value of the top-level input `key` of `r`; throws unless it was sent as a secret. */
  secretInput(r: Registration, key: string): unknown {
    if (!r.secretPaths.includes(key)) throw new Error(`${r.type} ${r.name}: input ${key} is not a secret`);
    return r.inputs[key];
  }

  /** A component transformation recording each child's options; pass it in `transformations`. */
  readonly recordOptions: pulumi.ResourceTransformation = (args) => {
    this.options.push({ type: args.type, name: args.name, opts: args.opts, props: args.props });
    return undefined;
  };
}

/** The one recorder the mocks write to (they are process-global too). */
export const recorder = new MockRecorder();

const SIG_KEY = "4dabf18193072939515e22adb298388d"; // pulumi.runtime.specialSigKey
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"; // pulumi.runtime.specialSecretSig

/** Replaces the engine's secret envelopes by their values, noting where they were. */
function unsecret(value: unknown, path: string, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unsecret(v, `${path}[${i}]`, found));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) {
    found.push(path);
    return unsecret(obj.value, path, found);
  }
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k, unsecret(v, path === "" ? k : `${path}.${k}`, found)]),
  );
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8);
}

/** Resource types that build and push an image: the mocks give them a `repoDigest`. */
const IMAGE_BUILDERS = ["docker:index/image:Image", "pulumi-nodejs:dynamic/images:BuildahImage"];

/** The digest the mocks report for an image built from `inputs` (without `__provider`). */
export function fakeDigest(inputs: unknown): string {
  return "sha256:" + createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** Type token of the GeneratedSecret dynamic resource (components/secrets). */
export const GENERATED_SECRET_TYPE = "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret";

/** The value the mocks give GeneratedSecret `name` at `rotation`: new per name and per rotation. */
export function fakeGeneratedSecret(name: string, rotation = ""): string {
  return "generated-" + createHash("sha256").update(`${name}\u0000${rotation}`).digest("hex").slice(0, 8);
}

export interface MockOptions {
  /** Stack name the program sees. Default `test`. */
  stack?: string;
  /** Outputs each StackReference answers with, keyed by the referenced stack's full name. Default none. */
  upstream?: Record<string, Record<string, unknown>>;
}

/**
 * Installs the recording mocks and clears the recorder. Call it in a `before`/`beforeEach` hook: mocha
 * runs every test file in one process and other suites install their own mocks (stack, upstream).
 */
export function installMocks(options: MockOptions = {}): MockRecorder {
  const upstream = options.upstream ?? {};
  recorder.reset();
  void pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string | undefined;
        state: Record<string, unknown>;
      } {
        const secretPaths: string[] = [];
        const inputs = unsecret(args.inputs, "", secretPaths) as Record<string, unknown>;
        if (
          args.custom &&
          args.type.startsWith("kubernetes:") &&
          args.type !== "pulumi:providers:kubernetes"
        ) {
          const metadata = { ...((inputs.metadata as Record<string, unknown>) ?? {}) };
          if (metadata.name === undefined) metadata.name = `${args.name}-${hash(inputs)}`;
          inputs.metadata = metadata;
        }
        recorder.registrations.push({
          type: args.type,
          name: args.name,
          inputs,
          secretPaths,
          provider: args.provider,
          custom: args.custom ?? false,
        });
        const state: Record<string, unknown> = { ...inputs };
        if (IMAGE_BUILDERS.includes(args.type)) {
          const { __provider: _serialized, ...built } = inputs;
          state.repoDigest = `${String(inputs.imageName).replace(/:[^:/]+$/, "")}@${fakeDigest(built)}`;
        }
        if (args.type === GENERATED_SECRET_TYPE) {
          state.value = fakeGeneratedSecret(args.name, String(inputs.rotation ?? ""));
        }
        if (args.type === "pulumi:pulumi:StackReference") {
          state.outputs = upstream[String(inputs.name)] ?? {};
          state.secretOutputNames = [];
        }
        return { id: args.custom ? `${args.name}-id` : undefined, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        throw new Error(`unexpected invoke ${args.token} in a mock test`);
      },
    },
    "heroku-to-hasura",
    options.stack ?? "test",
    false,
  );
  return recorder;
}

/**
 * Resolves an Output, rejecting when its apply threw (Output#promise is internal but stable); use it
 * where a test expects a failure, `unwrap` never settles then.
 */
export function resolveOutput<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

/** Resolves an Output's value (mocks run with preview=false, so every value is known). */
export function unwrap<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

// The SDK's own "all outstanding RPCs are done" promise (used by `pulumi.runtime.disconnect`); not in
// its typings. Waiting on it means every registration a component started has reached the mocks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** Waits until every resource registration started so far has been recorded. */
export async function settle(): Promise<void> {
  await settings.waitForRPCs();
}
