/**
 * The RolePassword dynamic provider: sets an existing role's password to a generated one, for a
 * stack whose target database and owner role exist already (`postgres.manageDatabase: false`), so
 * the apps' rewritten URLs carry a password that Heroku never knew.
 *
 * Pulumi serializes `rolePasswordProvider` into state and runs it in another process: `crypto` and
 * the copy engine's `connect` (which honours every sslmode as libpq does, `prefer`'s fallback
 * included; `pg`'s own reading of a URL takes `require` and `prefer` for `verify-full`) are loaded
 * inside the methods, the client is created and closed there.
 *
 * - `create`/`update` send `ALTER ROLE … LOGIN PASSWORD '<SCRAM-SHA-256 verifier>'`: the password is
 *   hashed here, so neither the statement nor a server log (`log_statement`) ever holds it.
 * - `diff`: another password, role or server is an update in place; nothing is replaced.
 * - `read` (refresh) returns state as it is: a password cannot be read back.
 * - `delete` leaves the role and its password: the stack never owned the role.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadEngine } from "./engine-loader";
import { identityOf } from "./postgres-url";

/** Inputs as the provider receives them (plaintext). */
export interface RolePasswordInputs {
  /** `postgres://admin:…@host:port/maintenance-db` (secret). */
  adminUrl: string;
  /** The role whose password is set; it must exist. */
  role: string;
  /** The new password (secret). */
  password: string;
}

/** SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, PostgreSQL's stored format). */
export function scramVerifier(password: string, salt?: Buffer, iterations = 4096): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the serialized provider
  const crypto = require("crypto") as typeof import("crypto");
  const s = salt ?? crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password.normalize("NFKC"), s, iterations, 32, "sha256");
  const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = crypto.createHash("sha256").update(clientKey).digest();
  const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${s.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

async function setPassword(inputs: RolePasswordInputs): Promise<void> {
  const where = () => serverOf(inputs.adminUrl);
  let client: Awaited<ReturnType<Awaited<ReturnType<typeof loadEngine>>["connect"]>>;
  try {
    client = await (await loadEngine()).connect({ url: inputs.adminUrl }, "target");
  } catch (e) {
    throw new Error(
      `cannot connect to ${where()} as the admin to set the password of role ${inputs.role}: ${(e as Error).message}`,
      // pg's connection errors name the host and user, never the password.
      { cause: e },
    );
  }
  try {
    const found = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [inputs.role]);
    if (found.rowCount === 0) {
      throw new Error(
        `role ${inputs.role} does not exist on ${where()}: with postgres.manageDatabase false the owner role ` +
          `and its database must exist before \`pulumi up\` (the dev job creates them with scripts/dev-databases.ts)`,
      );
    }
    const verifier = scramVerifier(inputs.password);
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(inputs.role)} WITH LOGIN PASSWORD ${client.escapeLiteral(verifier)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `host:port` of the admin URL (never its credentials). */
function serverOf(adminUrl: string): string {
  try {
    const { host, port } = identityOf(adminUrl);
    return `${host.includes(":") ? `[${host}]` : host}:${port}`;
  } catch {
    return "the target server";
  }
}

/** Whether the role must be set again: another password, role or server. */
const needsSetting = (olds: RolePasswordInputs, news: RolePasswordInputs): boolean =>
  olds.password !== news.password ||
  olds.role !== news.role ||
  serverOf(olds.adminUrl) !== serverOf(news.adminUrl);

export const rolePasswordProvider: pulumi.dynamic.ResourceProvider<RolePasswordInputs, RolePasswordInputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news.role !== "string" || news.role === "")
      failures.push({ property: "role", reason: "role must be a role name" });
    if (typeof news.password !== "string" || news.password.length < 16)
      failures.push({ property: "password", reason: "password must be at least 16 characters" });
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    return { changes: needsSetting(olds, news), replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    await setPassword(inputs);
    return { id: `${serverOf(inputs.adminUrl)}/${inputs.role}`, outs: { ...inputs } };
  },
  async update(_id, olds, news) {
    if (needsSetting(olds, news)) await setPassword(news);
    return { outs: { ...news } };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {
    // The role is not the stack's: it keeps its password.
  },
};
