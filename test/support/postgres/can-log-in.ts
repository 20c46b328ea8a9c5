import { Client } from "pg";

/**
 * Whether `url`'s credentials log in: false only when the server refuses the password (SQLSTATE
 * 28P01) or the role (28000); any other failure (server down, TLS, network) is thrown, so a
 * "does not log in" assertion cannot pass for the wrong reason.
 */
export async function canLogIn(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "28P01" || code === "28000") return false;
    throw e;
  } finally {
    await c.end().catch(() => undefined);
  }
}
