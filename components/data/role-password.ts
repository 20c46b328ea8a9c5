import * as pulumi from "@pulumi/pulumi";
import { buildPostgresUrl } from "./connection-identity";
import { rolePasswordProvider } from "./role-password-provider";
import type { TargetAdminConnection } from "./target-database";

export interface RolePasswordArgs {
  /** Admin connection to the server (secret: it holds the admin password). Another server updates in place. */
  admin: pulumi.Input<TargetAdminConnection>;
  /** The existing role whose password is set (e.g. the migrated database's owner). Changing it updates in place. */
  role: string;
  /** The new password (a generated credential). Changing it sets the role's password again. */
  password: pulumi.Input<string>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/data:RolePassword`. */
export const ROLE_PASSWORD_MODULE = "heroku-to-hasura/data";
export const ROLE_PASSWORD_TYPE = "RolePassword";

/**
 * Sets an existing role's password (for `postgres.manageDatabase: false`, where the stack does not
 * declare the role): the migrated database's owner gets the stack's generated password, not the one
 * Heroku gave its source. Deleting it leaves the role as it is.
 */
export class RolePassword extends pulumi.dynamic.Resource {
  declare readonly role: pulumi.Output<string>;

  constructor(name: string, args: RolePasswordArgs, opts?: pulumi.CustomResourceOptions) {
    const adminUrl = pulumi.secret(
      pulumi.output(args.admin).apply((a) =>
        buildPostgresUrl({
          host: a.host,
          port: a.port,
          database: a.database ?? "postgres",
          user: a.username,
          password: a.password,
          ...(a.sslMode ? { sslMode: a.sslMode } : {}),
        }),
      ),
    );
    super(
      rolePasswordProvider,
      name,
      { adminUrl, role: args.role, password: pulumi.secret(args.password) },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "adminUrl", "password"],
      },
      ROLE_PASSWORD_MODULE,
      ROLE_PASSWORD_TYPE,
    );
  }
}
