/**
 * The Postgres copy engine: pre-flight, copy and verify, resumable from a marker kept in the
 * target. Plain TypeScript, no Pulumi: used by the PostgresImport dynamic resource and by
 * `npm run import`. `pg` is loaded lazily by the functions that connect.
 */
export * from "./types";
export { importDatabase, readImportMarker } from "./import";
export { dropImport, type DropOutcome } from "./drop";
export { preflight } from "./preflight";
export { verifyDatabases } from "./verify";
export { connect } from "./connection";
export { MARKER_SCHEMA } from "./marker";
