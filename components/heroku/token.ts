import { SecretString } from "./secret-string";

/**
 * The Heroku API token: the stack's secret config `herokuApiKey` when set, else `HEROKU_API_KEY`.
 * Throws a message that says how to provide one (never echoing a value).
 */
export function resolveHerokuToken(
  configValue?: string | SecretString,
  env: NodeJS.ProcessEnv = process.env,
): SecretString {
  if (configValue !== undefined) {
    const v =
      typeof configValue === "string" ? configValue.trim() : configValue.reveal("herokuApiKey").trim();
    if (v !== "") return SecretString.of(v);
  }
  const fromEnv = env.HEROKU_API_KEY?.trim();
  if (fromEnv) return SecretString.of(fromEnv);
  throw new Error(
    "No Heroku API token: set it with `pulumi config set --secret herokuApiKey <token>` or export HEROKU_API_KEY " +
      "(create one with `heroku authorizations:create --scope read,read-protected`), or read apps from a snapshot " +
      "file instead (heroku.snapshotFile).",
  );
}
