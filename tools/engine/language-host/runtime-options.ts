/**
 * The `runtime.options` of a `runtime: nodejs` Pulumi.yaml, parsed the way Pulumi's own Node.js
 * language host parses them, so a project behaves the same under this host and under the official one.
 */

/** Package managers the official host accepts in `runtime.options.packagemanager`. */
export type PackageManager = "auto" | "npm" | "yarn" | "pnpm" | "bun";

export interface NodeRuntimeOptions {
  /** Run the program through ts-node (`PULUMI_NODEJS_TYPESCRIPT=true`). Default: true. */
  readonly typescript: boolean;
  /** tsconfig the program is compiled with (`PULUMI_NODEJS_TSCONFIG_PATH`). Default: "" (tsconfig.json). */
  readonly tsconfig: string;
  /** Extra node arguments, shell-quoted (e.g. `--max-old-space-size=4096`). Default: "". */
  readonly nodeargs: string;
  /** Which package manager installs dependencies. Default: "auto" (by lock file). */
  readonly packagemanager: PackageManager;
}

const PACKAGE_MANAGERS: readonly PackageManager[] = ["auto", "npm", "yarn", "pnpm", "bun"];

/**
 * Validates the options map (`ProgramInfo.options` as a plain object). Errors carry the same wording as
 * the official host, since users search for those messages.
 */
export function parseRuntimeOptions(options: Record<string, unknown>): NodeRuntimeOptions {
  const { typescript = true, tsconfig = "", nodeargs = "", packagemanager = "auto" } = options;
  if (typeof typescript !== "boolean") throw new Error("typescript option must be a boolean");
  if (typeof tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
  if (typeof nodeargs !== "string") throw new Error("nodeargs option must be a string");
  if (typeof packagemanager !== "string") throw new Error("packagemanager option must be a string");
  if (!(PACKAGE_MANAGERS as readonly string[]).includes(packagemanager)) {
    throw new Error(
      `packagemanager option must be one of auto, npm, yarn, pnpm or bun, got ${JSON.stringify(packagemanager)}`,
    );
  }
  return { typescript, tsconfig, nodeargs, packagemanager: packagemanager as PackageManager };
}

/**
 * Splits `nodeargs` into words like a POSIX shell without expansion (quotes, backslash escapes and
 * `#` comments), which is what the official host's shlex does.
 */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const append = (s: string): void => {
    word = (word ?? "") + s;
  };
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "#" && word === undefined) {
      const eol = input.indexOf("\n", i);
      i = eol < 0 ? input.length : eol;
    } else if (c === "\\") {
      if (i + 1 >= input.length) throw new Error("EOF found after escape character");
      append(input[i + 1]);
      i += 2;
    } else if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new Error("EOF found when expecting closing quote");
      append(input.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      for (; j < input.length && input[j] !== '"'; j++) {
        if (input[j] === "\\" && j + 1 < input.length && '"\\$`\n'.includes(input[j + 1])) j++;
        text += input[j];
      }
      if (j >= input.length) throw new Error("EOF found when expecting closing quote");
      append(text);
      i = j + 1;
    } else {
      append(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
