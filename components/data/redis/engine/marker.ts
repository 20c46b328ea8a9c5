/**
 * The copy's marker: a hash in db 0 of the target (`heroku-to-hasura:redis-import`) recording which
 * copy this server holds, from which source, and how far it got. It makes a copy resumable (the
 * next attempt continues from the last finished batch) and run once (a completed copy is adopted,
 * never repeated), and it refuses a second, different copy into the same server. It stays after
 * the copy: delete it by hand once the cutover is behind you, if a key of ours bothers the apps.
 */
import type { RedisClient } from "./connection";
import { MARKER_KEY } from "./copy";
import type { RedisImportMarker } from "./types";

/** The marker of the target (whose db 0 `c` must have selected), or null. */
export async function readMarker(c: RedisClient): Promise<RedisImportMarker | null> {
  const type = String(await c.call("TYPE", MARKER_KEY));
  if (type === "none") return null;
  if (type !== "hash")
    throw new Error(`the target holds a key ${MARKER_KEY} that is not a copy marker (type ${type})`);
  const raw = (await c.call("HGET", MARKER_KEY, "json")) as string | null;
  if (raw === null) throw new Error(`the target's ${MARKER_KEY} has no copy record`);
  return JSON.parse(raw) as RedisImportMarker;
}

/** Writes the marker (one field holding JSON, so it is written atomically). */
export async function writeMarker(c: RedisClient, m: RedisImportMarker): Promise<void> {
  await c.call("HSET", MARKER_KEY, "json", JSON.stringify(m), "importId", m.importId, "phase", m.phase);
}
