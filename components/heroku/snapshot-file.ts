/**
 * Snapshot files: a {@link SnapshotSet} as JSON, read back as program input instead of the API.
 *
 * On disk every secret (config var values, log drain URLs) is an object of one of two forms:
 *   {"$secret": "<plaintext>"}   written only with `includeSecrets` (`npm run snapshot -- --include-secrets`)
 *   {"$redacted": true}          the value exists but was left out; read back as SecretString.redacted()
 * so a plain string where a secret belongs, or a secret where a plain field belongs, is an error.
 */
import { promises as fs } from "fs";
import * as path from "path";
import { isSecretString, SecretString } from "./secret-string";
import { AppSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotSet } from "./snapshot";
import { checkAppSnapshotShape, ShapeError } from "./snapshot-shape";

export interface WriteSnapshotOptions {
  /** Write plaintext secret values. Default false: every secret becomes `{"$redacted": true}`. */
  includeSecrets?: boolean;
}

/** A snapshot file (or text) that cannot be used; the message names the file, app and field. */
export class SnapshotFileError extends Error {
  override readonly name = "SnapshotFileError";
}

/** The file text for `set`. `redacted` in the output says whether plaintext was left out. */
export function serializeSnapshotSet(set: SnapshotSet, opts: WriteSnapshotOptions = {}): string {
  const includeSecrets = opts.includeSecrets === true;
  const encode = (v: unknown): unknown => {
    if (isSecretString(v))
      return includeSecrets && !v.isRedacted ? { $secret: v.reveal() } : { $redacted: true };
    if (Array.isArray(v)) return v.map(encode);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    }
    return v;
  };
  const out = { ...set, redacted: !includeSecrets, apps: set.apps.map(encode) };
  return JSON.stringify(out, null, 2) + "\n";
}

/** Writes `set` to `file` atomically (temp file + rename); mode 0600 when it holds plaintext. */
export async function writeSnapshotFile(
  file: string,
  set: SnapshotSet,
  opts: WriteSnapshotOptions = {},
): Promise<void> {
  const text = serializeSnapshotSet(set, opts);
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: opts.includeSecrets ? 0o600 : 0o644 });
  await fs.rename(tmp, file);
}

/** Reads and checks a snapshot file; redacted values come back as `SecretString.redacted()`. */
export async function readSnapshotFile(file: string): Promise<SnapshotSet> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw new SnapshotFileError(`Snapshot file ${file} cannot be read: ${(e as Error).message}`);
  }
  return parseSnapshotSet(text, file);
}

/** Parses snapshot file text; `source` names the file in errors. */
export function parseSnapshotSet(text: string, source: string): SnapshotSet {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnapshotFileError(`Snapshot file ${source} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SnapshotFileError(
      `Snapshot file ${source} must hold a JSON object with formatVersion and apps`,
    );
  }
  const top = raw as Record<string, unknown>;
  checkVersion(top.formatVersion, source, "");
  if (typeof top.redacted !== "boolean") {
    throw new SnapshotFileError(`Snapshot file ${source}: "redacted" must be true or false`);
  }
  if (typeof top.createdAt !== "string") {
    throw new SnapshotFileError(`Snapshot file ${source}: "createdAt" must be an ISO 8601 string`);
  }
  if (!Array.isArray(top.apps) || top.apps.length === 0) {
    throw new SnapshotFileError(`Snapshot file ${source}: "apps" must be a non-empty array of app snapshots`);
  }
  const redacted = top.redacted;
  const seen = new Set<string>();
  const apps = top.apps.map((a: unknown, i: number) => {
    const appName = appNameOf(a) ?? `#${i}`;
    const where = `Snapshot file ${source}, app ${JSON.stringify(appName)}`;
    checkVersion(
      (a as { formatVersion?: unknown } | null)?.formatVersion,
      source,
      `, app ${JSON.stringify(appName)}`,
    );
    const decoded = withDefaults(decodeSecrets(a, "", where, redacted));
    try {
      checkAppSnapshotShape(decoded, "");
    } catch (e) {
      if (e instanceof ShapeError)
        throw new SnapshotFileError(`${where}: field ${e.path.slice(1)}: ${e.problem}`);
      throw e;
    }
    if (seen.has(appName)) throw new SnapshotFileError(`${where}: the app appears twice in the file`);
    seen.add(appName);
    return decoded as AppSnapshot;
  });
  return { formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt: top.createdAt, redacted, apps };
}

/** Fields added to the format after files were written get the value those files' readers meant. */
function withDefaults(app: unknown): unknown {
  const addons = (app as { addons?: unknown } | null)?.addons;
  if (Array.isArray(addons)) {
    for (const a of addons) {
      // Files without it were written by a reader that always read each add-on's own list.
      if (typeof a === "object" && a !== null && !("attachmentsFrom" in a)) {
        (a as Record<string, unknown>).attachmentsFrom = "addon";
      }
    }
  }
  return app;
}

function checkVersion(v: unknown, source: string, where: string): void {
  if (v !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFileError(
      `Snapshot file ${source}${where} has formatVersion ${JSON.stringify(v)}; this program reads version ` +
        `${SNAPSHOT_FORMAT_VERSION}. Re-create it with \`npm run snapshot\` from this version.`,
    );
  }
}

function appNameOf(a: unknown): string | undefined {
  const name = (a as { app?: { name?: unknown } } | null)?.app?.name;
  return typeof name === "string" ? name : undefined;
}

/** Replaces the two secret encodings with SecretStrings; plaintext in a redacted file is refused. */
function decodeSecrets(v: unknown, at: string, where: string, redactedFile: boolean): unknown {
  if (Array.isArray(v)) return v.map((x, i) => decodeSecrets(x, `${at}[${i}]`, where, redactedFile));
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if ("$secret" in o || "$redacted" in o) {
    const field = at.slice(1);
    if (Object.keys(o).length === 1 && o.$redacted === true) return SecretString.redacted();
    if (Object.keys(o).length === 1 && typeof o.$secret === "string") {
      if (redactedFile) {
        throw new SnapshotFileError(
          `${where}: field ${field} holds a plaintext value but the file says "redacted": true; ` +
            `remove the value (use {"$redacted": true}) or mark the file "redacted": false`,
        );
      }
      return SecretString.of(o.$secret);
    }
    throw new SnapshotFileError(
      `${where}: field ${field} must be {"$secret": "<string>"} or {"$redacted": true}, nothing else`,
    );
  }
  return Object.fromEntries(
    Object.entries(o).map(([k, x]) => [k, decodeSecrets(x, `${at}.${k}`, where, redactedFile)]),
  );
}
