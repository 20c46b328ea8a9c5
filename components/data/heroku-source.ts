/**
 * What the import asks Heroku at copy time: the source database's URL as the attachment's config
 * var holds it now (Heroku rotates credentials; the program's snapshot may be older), and, under a
 * freeze (components/cutover HerokuFreeze), whether every frozen app is still frozen. Loaded by the
 * PostgresImport provider at call time (./engine-loader).
 */
import { HerokuClient } from "../heroku/client";
import { HerokuPlatformApi } from "../heroku/platform-api";
import { SecretString } from "../heroku/secret-string";

/** Where the source URL lives on Heroku, and how to ask. */
export interface HerokuSourceRef {
  /** App holding the attachment (e.g. the add-on's owner). */
  app: string;
  /** The attachment's URL config var, e.g. `DATABASE_URL`. */
  configVar: string;
  /** Platform API token (needs read-protected). */
  token: string;
  /** Platform API base URL; default Heroku's. */
  apiUrl?: string;
}

function api(token: string, apiUrl: string | undefined): HerokuPlatformApi {
  return new HerokuPlatformApi(
    new HerokuClient({ token: SecretString.of(token), ...(apiUrl ? { baseUrl: apiUrl } : {}) }),
  );
}

/** The config var's current value (plaintext: the caller keeps it out of logs). */
export async function readSourceUrl(ref: HerokuSourceRef): Promise<string> {
  const vars = await api(ref.token, ref.apiUrl).configVars(ref.app);
  const v = vars[ref.configVar];
  if (typeof v !== "string" || v === "") {
    throw new Error(
      `config var ${ref.configVar} of Heroku app "${ref.app}" is gone (the attachment was removed or renamed ` +
        "since the program read it): re-run `pulumi up` so the plan reads the apps again",
    );
  }
  return v;
}

/** The freeze the import runs under. */
export interface FreezeRef {
  freezeId: string;
  apps: string[];
  /** The HerokuFreeze resource's URN, for the re-freeze advice. */
  urn?: string;
}

/**
 * Throws, naming each app, when a frozen app is no longer frozen (maintenance off or a process
 * type above 0): after a rollback, or a change by hand, the import must not run as if frozen.
 */
export async function assertStillFrozen(
  ref: Omit<HerokuSourceRef, "app" | "configVar">,
  freeze: FreezeRef,
): Promise<void> {
  const a = api(ref.token, ref.apiUrl);
  const thawed: string[] = [];
  for (const app of freeze.apps) {
    const [info, formation] = await Promise.all([a.app(app), a.formation(app)]);
    const running = formation.filter((f) => (f.quantity ?? 0) > 0).map((f) => `${f.type}=${f.quantity}`);
    if (info.maintenance !== true || running.length > 0) {
      thawed.push(
        `${app} (maintenance ${info.maintenance ? "on" : "off"}${running.length ? `, running ${running.join(" ")}` : ""})`,
      );
    }
  }
  if (thawed.length > 0) {
    throw new Error(
      `the Heroku freeze ${freeze.freezeId} no longer holds: ${thawed.join("; ")}. It was rolled back or changed by ` +
        "hand, so the source may be written to during the copy. To freeze again, run " +
        (freeze.urn
          ? `\`pulumi up --replace '${freeze.urn}'\``
          : "`pulumi up --replace <the HerokuFreeze resource's URN>`") +
        " (the new freeze records the apps as they are now).",
    );
  }
}
