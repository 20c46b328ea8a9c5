/**
 * Runs one of this checkout's npm scripts (`npm run <script> -- …`) as a user does, in a real
 * process started asynchronously, so a double serving from the test's own process can answer it.
 */
import { spawn } from "child_process";

import { REPO_ROOT } from "./engine";

/** How a command ended and what it printed. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run --silent <script> -- <args>` with `env` (default this process's) and `input` on stdin. */
export function npmRun(
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: REPO_ROOT,
      env: opts.env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
