/**
 * Promotion between stacks.
 *
 *   npm run promote -- <from> <to> [--outputs <file.json>] [--dir <project dir>]
 *       Pins <from>'s image digests (its `imageDigests` stack output, read with
 *       `pulumi stack output --json -s <from>`, or from <file.json> holding that command's output) into
 *       Pulumi.<to>.yaml as `images.apps.<app>: { strategy: image, image: repo@sha256:… }`. The file
 *       keeps its comments and other keys; commit it for review.
 *   npm run promote -- --diff <from> <to> [--dir <project dir>]
 *       Prints the config differences between Pulumi.<from>.yaml and Pulumi.<to>.yaml (secrets as [secret]).
 */
import { execFile } from "child_process";
import { promises as fs } from "fs";
import * as path from "path";
import { promisify } from "util";
import { parse } from "yaml";
import { IMAGE_DIGESTS_OUTPUT } from "../components/images/promotion";
import { diffStackConfigs, digestsFromOutputs, pinDigests } from "./lib/stack-files";

const USAGE = [
  "usage: npm run promote -- <from> <to> [--outputs <file.json>] [--dir <project dir>]",
  "       npm run promote -- --diff <from> <to> [--dir <project dir>]",
].join("\n");

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

interface Args {
  diff: boolean;
  from: string;
  to: string;
  outputs: string | null;
  dir: string;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let diff = false;
  let outputs: string | null = null;
  let dir = process.cwd();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--diff") diff = true;
    else if (a === "--outputs" || a === "--dir") {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      if (a === "--outputs") outputs = v;
      else dir = path.resolve(v);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${USAGE}`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new Error(USAGE);
  if (diff && outputs !== null) throw new Error(`--outputs is not used with --diff\n${USAGE}`);
  return { diff, from: positional[0], to: positional[1], outputs, dir };
}

async function projectName(dir: string): Promise<string> {
  const file = path.join(dir, "Pulumi.yaml");
  const doc = parse(await fs.readFile(file, "utf8")) as { name?: unknown };
  if (typeof doc?.name !== "string") throw new Error(`${file} has no project name`);
  return doc.name;
}

/** The stack file for a stack name; `org/project/stack` names use their last part. */
function stackFile(dir: string, stack: string): string {
  return path.join(dir, `Pulumi.${stack.split("/").pop()}.yaml`);
}

async function readStackFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch {
    throw new Error(`${file} not found: create the stack with \`pulumi stack init\` first`);
  }
}

async function upstreamOutputs(args: Args): Promise<unknown> {
  if (args.outputs !== null) {
    try {
      return JSON.parse(await fs.readFile(args.outputs, "utf8"));
    } catch (e) {
      throw new Error(`cannot read stack outputs from ${args.outputs}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  try {
    const { stdout } = await promisify(execFile)("pulumi", ["stack", "output", "--json", "-s", args.from], {
      cwd: args.dir,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `\`pulumi stack output --json -s ${args.from}\` failed: ${(err.stderr || err.message).trim()}`,
      { cause: e },
    );
  }
}

export async function main(argv: string[], io: Io): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  try {
    if (args.diff) {
      const [a, b] = [stackFile(args.dir, args.from), stackFile(args.dir, args.to)];
      const lines = diffStackConfigs(
        await readStackFile(a),
        path.basename(a),
        await readStackFile(b),
        path.basename(b),
      );
      io.out(`config differences ${path.basename(a)} → ${path.basename(b)}:`);
      for (const l of lines.length > 0 ? lines : ["(none)"]) io.out(`  ${l}`);
      return 0;
    }
    const project = await projectName(args.dir);
    const digests = digestsFromOutputs(await upstreamOutputs(args), args.from, IMAGE_DIGESTS_OUTPUT);
    const file = stackFile(args.dir, args.to);
    const pinned = pinDigests(await readStackFile(file), digests, project, path.basename(file));
    if (pinned.changes.length === 0) {
      io.out(`${path.basename(file)} already pins ${args.from}'s digests: nothing to change`);
      return 0;
    }
    await fs.writeFile(file, pinned.text);
    io.out(`pinned ${args.from}'s images in ${path.basename(file)}:`);
    for (const c of pinned.changes) io.out(`  ${c}`);
    io.out(`review and commit ${path.basename(file)}, then run \`pulumi up -s ${args.to}\``);
    return 0;
  } catch (e) {
    io.err(`promote: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      // main reports its own errors; reaching here is a bug, so say where and fail.
      console.error(`promote: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
