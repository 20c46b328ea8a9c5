/**
 * `npm run snapshot -- <app>… [--out file] [--include-secrets] [--api-url URL] [--verbose]`: reads
 * Heroku apps through the Platform API and writes them to a snapshot file a stack can use instead
 * of the API (`heroku.snapshotFile`). Config var values and log drain URLs are redacted unless
 * `--include-secrets`. The token comes from HEROKU_API_KEY (needs the read-protected scope).
 *
 * Exit codes: 0 written, 1 reading or writing failed, 2 usage error.
 */
import { HerokuClient } from "../components/heroku/client";
import { HerokuLogger } from "../components/heroku/logger";
import { readAppSnapshots } from "../components/heroku/reader";
import { writeSnapshotFile } from "../components/heroku/snapshot-file";
import { resolveHerokuToken } from "../components/heroku/token";

const USAGE = `usage: npm run snapshot -- <app>… [--out FILE] [--include-secrets] [--api-url URL] [--verbose]
  --out FILE          where to write (default: snapshot.json)
  --include-secrets   write config var values and drain URLs in plaintext (keep the file private)
  --api-url URL       Heroku API base URL (default: HEROKU_API_URL, else https://api.heroku.com)
The token is read from HEROKU_API_KEY.`;

export interface SnapshotCliArgs {
  apps: string[];
  out: string;
  includeSecrets: boolean;
  apiUrl: string | undefined;
  verbose: boolean;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): SnapshotCliArgs {
  const args: SnapshotCliArgs = {
    apps: [],
    out: "snapshot.json",
    includeSecrets: false,
    apiUrl: env.HEROKU_API_URL,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--out" || a === "-o") args.out = value();
    else if (a === "--api-url") args.apiUrl = value();
    else if (a === "--include-secrets") args.includeSecrets = true;
    else if (a === "--verbose" || a === "-v") args.verbose = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (!/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(a))
      throw new UsageError(`"${a}" is not a Heroku app name`);
    else args.apps.push(a);
  }
  if (args.apps.length === 0) throw new UsageError("name at least one app");
  return args;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let args: SnapshotCliArgs;
  try {
    args = parseArgs(argv, env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`snapshot: ${e.message}\n${USAGE}`);
    return 2;
  }
  try {
    const logger: HerokuLogger = { debug: (m) => args.verbose && io.err(m), warn: (m) => io.err(m) };
    const client = new HerokuClient({
      token: resolveHerokuToken(undefined, env),
      baseUrl: args.apiUrl,
      logger,
    });
    const set = await readAppSnapshots(client, args.apps);
    await writeSnapshotFile(args.out, set, { includeSecrets: args.includeSecrets });
    const perApp = set.apps.map((a) => client.requestCount(a.app.name));
    const shared = client.requestCount() - perApp.reduce((a, b) => a + b, 0);
    const calls = [...set.apps.map((a, i) => `${a.app.name} ${perApp[i]}`), `shared ${shared}`].join(", ");
    io.out(
      `Wrote ${set.apps.length} app(s) to ${args.out} ` +
        (args.includeSecrets
          ? "WITH plaintext config var values: keep this file private."
          : "(values redacted)."),
    );
    io.out(`API calls: ${calls}; RateLimit-Remaining ${client.rateLimitRemaining ?? "unknown"}.`);
    return 0;
  } catch (e) {
    io.err(`snapshot: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // main reports its own errors; reaching here is a bug, so say where and fail.
      console.error(`snapshot: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
