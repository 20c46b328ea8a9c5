/**
 * Who else is connected to a source database with the apps' credentials (`pg_stat_activity`), and
 * ending such sessions on request. The import's own sessions (application name
 * `heroku-to-hasura-…`) never count. Connections go through the copy engine's `connect` (TLS as
 * Heroku requires, errors without the password).
 */
import { connect } from "../data/engine/connection";
import type { LingeringSession } from "./freeze-record";

/** How the freeze looks at the source; a seam for tests. */
export interface SessionProbe {
  /** Client sessions of `users` on `url`'s database, other than ours. */
  list(url: string, users: string[], database: string): Promise<LingeringSession[]>;
  /** Ends those sessions (`pg_terminate_backend`); returns how many were ended. */
  terminate(url: string, pids: number[]): Promise<number>;
}

const SESSIONS_SQL = `
  SELECT pid, usename AS user, coalesce(application_name, '') AS application, client_addr::text AS client,
         state, backend_start::text AS since
    FROM pg_catalog.pg_stat_activity
   WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()
     AND backend_type = 'client backend' AND usename = ANY($1::text[])
     AND coalesce(application_name, '') NOT LIKE 'heroku-to-hasura%'
   ORDER BY pid`;

export const postgresSessionProbe: SessionProbe = {
  async list(url, users, database) {
    const c = await connect({ url }, "source");
    try {
      const r = await c.query(SESSIONS_SQL, [users]);
      return r.rows.map((row) => ({
        database,
        pid: row.pid as number,
        user: row.user as string,
        application: row.application as string,
        client: (row.client as string | null) ?? null,
        state: (row.state as string | null) ?? null,
        since: (row.since as string | null) ?? null,
      }));
    } finally {
      await c.end().catch(() => undefined);
    }
  },
  async terminate(url, pids) {
    if (pids.length === 0) return 0;
    const c = await connect({ url }, "source");
    try {
      const r = await c.query(
        "SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid))::int AS n FROM unnest($1::int[]) AS pid",
        [pids],
      );
      return r.rows[0].n as number;
    } finally {
      await c.end().catch(() => undefined);
    }
  },
};

/** `pid 4242 u_acme "psql" from 10.1.2.3, idle since …` */
export function describeSession(s: LingeringSession): string {
  return (
    `pid ${s.pid} user ${s.user}` +
    (s.application ? ` application "${s.application}"` : "") +
    (s.client ? ` from ${s.client}` : "") +
    (s.state ? `, ${s.state}` : "") +
    (s.since ? `, connected since ${s.since}` : "")
  );
}
