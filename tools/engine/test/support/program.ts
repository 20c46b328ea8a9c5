/**
 * The small TypeScript Pulumi project the language-host tests run: stack config (one value secret,
 * one from another namespace), a dynamic-provider resource, outputs, and a switch that makes the
 * program throw.
 */

/** What the program prints with console.log; the CLI must show it. */
export const STDOUT_MARKER = "program-stdout-4b2d";

/** Marker in the deliberate failure's message, to count how often the CLI shows it. */
export const FAILURE_MARKER = "deliberate-failure-7c1e";

export function programFiles(projectName: string): Record<string, string> {
  return {
    "Pulumi.yaml": [
      `name: ${projectName}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      "",
    ].join("\n"),
    "package.json": JSON.stringify({ name: projectName, version: "0.0.0", main: "index.ts" }, null, 2),
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["index.ts"],
      },
      null,
      2,
    ),
    "index.ts": PROGRAM,
  };
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
if (config.getBoolean("fail")) {
  throw new Error("${FAILURE_MARKER}: the program was told to fail");
}
const greeting = config.require("greeting");
const token = config.requireSecret("token");

interface EchoInputs {
  message: string;
}

// Dynamic provider: serialised into the state and run by pulumi-resource-pulumi-nodejs.
const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: EchoInputs) {
    return { id: "echo-" + inputs.message.length, outs: { message: inputs.message, shout: inputs.message.toUpperCase() } };
  },
  async update(_id: string, _olds: EchoInputs, news: EchoInputs) {
    return { outs: { message: news.message, shout: news.message.toUpperCase() } };
  },
};

class Echo extends pulumi.dynamic.Resource {
  declare public readonly shout: pulumi.Output<string>;
  constructor(name: string, args: { message: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(echoProvider, name, { ...args, shout: undefined }, opts);
  }
}

const echo = new Echo("echo", { message: greeting });
console.log("${STDOUT_MARKER}");

export const shout = echo.shout;
export const region = new pulumi.Config("shared").get("region") ?? "unset";
export const secretToken = token;
export const tokenLength = token.apply((t) => t.length);
export const stack = pulumi.getStack();
export const project = pulumi.getProject();
`;
