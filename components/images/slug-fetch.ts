import { createHash } from "crypto";
import { createReadStream, createWriteStream, promises as fs } from "fs";
import * as path from "path";
import { Readable } from "stream";
import { pipeline } from "stream/promises";
import { SecretString } from "../heroku/secret-string";
import { SLUG_ARCHIVE, SlugContextInput, slugContextFiles } from "./slug-context";

/**
 * Writes a slug build context to disk and, during `up` only, downloads the slug archive into it.
 *
 * The slug's blob URL is a short-lived signed URL: it is read here, from `GET /apps/{app}/slugs/{id}`,
 * held as a SecretString, used once and never returned, logged or put in an error message.
 */

export const DEFAULT_HEROKU_API_URL = "https://api.heroku.com";

export interface SlugSource {
  /** The Heroku API token (`read-protected` or `global` scope is not needed: slugs need `read`). */
  token: SecretString;
  /** Platform API base URL (tests use a local double). */
  apiUrl: string;
  /** `SHA256:<hex>` from the snapshot; the download is verified against it when present. */
  checksum: string | null;
}

export interface PreparedContext {
  dir: string;
  /** True when the slug archive is in the context (always true after a download). */
  hasSlug: boolean;
}

function herokuHeaders(token: SecretString): Record<string, string> {
  return {
    Accept: "application/vnd.heroku+json; version=3",
    Authorization: `Bearer ${token.reveal("Heroku API token")}`,
    "User-Agent": "heroku-to-hasura",
  };
}

/** Reads the slug's signed blob URL. Errors name the app and slug, never the URL or token. */
export async function fetchSlugBlobUrl(app: string, slugId: string, src: SlugSource): Promise<SecretString> {
  const url = `${src.apiUrl.replace(/\/+$/, "")}/apps/${encodeURIComponent(app)}/slugs/${encodeURIComponent(slugId)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: herokuHeaders(src.token) });
  } catch (e) {
    throw new Error(
      `app ${app}: cannot reach the Heroku API to read slug ${slugId}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!res.ok) {
    let id = "";
    try {
      const body = (await res.json()) as { id?: unknown };
      if (typeof body.id === "string") id = ` (${body.id})`;
    } catch {
      // The status alone is enough to act on.
    }
    throw new Error(
      `app ${app}: Heroku API refused GET /apps/${app}/slugs/${slugId}: HTTP ${res.status}${id}`,
    );
  }
  const body = (await res.json()) as { blob?: { url?: unknown } };
  if (typeof body.blob?.url !== "string" || body.blob.url === "") {
    throw new Error(`app ${app}: slug ${slugId} has no blob URL in the Heroku API response`);
  }
  return SecretString.of(body.blob.url);
}

/** Downloads the archive to `dest` (via `dest.partial`), verifying `checksum` when given. */
export async function downloadSlug(
  app: string,
  blobUrl: SecretString,
  dest: string,
  checksum: string | null,
) {
  const partial = `${dest}.partial`;
  let res: Response;
  try {
    res = await fetch(blobUrl.reveal("slug blob URL"));
  } catch (e) {
    // The fetch error may quote the URL: keep only its class of failure, and not the error itself.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`app ${app}: slug download failed (${(e as Error).name}); the signed URL is not shown`);
  }
  if (!res.ok || res.body === null) {
    throw new Error(`app ${app}: slug download failed: HTTP ${res.status}`);
  }
  const hash = createHash("sha256");
  const body = Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]);
  body.on("data", (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(partial));
  const actual = hash.digest("hex");
  const expected = checksum === null ? null : checksum.replace(/^SHA256:/i, "").toLowerCase();
  if (expected !== null && expected !== actual) {
    await fs.rm(partial, { force: true });
    throw new Error(
      `app ${app}: slug archive checksum mismatch (expected SHA256:${expected}, got SHA256:${actual})`,
    );
  }
  await fs.rename(partial, dest);
}

/** SHA-256 of `file`, streamed (a slug can be 500 MB), or null when it cannot be read. */
async function fileSha256(file: string): Promise<string | null> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest("hex");
}

async function writeIfChanged(file: string, content: string, mode: number): Promise<void> {
  const current = await fs.readFile(file, "utf8").catch(() => null);
  if (current !== content) await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode);
}

/**
 * Writes the generated files into `dir` and makes sure the slug archive is there: an archive already
 * present is kept when its checksum matches (or, with no checksum known, when it belongs to this slug
 * id, recorded in `slug.id`). When `download` is false (preview) nothing is fetched.
 */
export async function prepareSlugContext(
  dir: string,
  input: SlugContextInput,
  src: SlugSource,
  download: boolean,
): Promise<PreparedContext> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, f] of Object.entries(slugContextFiles(input))) {
    await writeIfChanged(path.join(dir, name), f.content, f.mode);
  }
  const archive = path.join(dir, SLUG_ARCHIVE);
  const idFile = path.join(dir, "slug.id");
  const expected = src.checksum === null ? null : src.checksum.replace(/^SHA256:/i, "").toLowerCase();
  const have = await fileSha256(archive);
  const recordedId = (await fs.readFile(idFile, "utf8").catch(() => "")).trim();
  const current = have !== null && (expected !== null ? have === expected : recordedId === input.slugId);
  if (current) {
    await writeIfChanged(idFile, `${input.slugId}\n`, 0o644);
    return { dir, hasSlug: true };
  }
  if (!download) return { dir, hasSlug: false };
  await fs.rm(archive, { force: true });
  const blobUrl = await fetchSlugBlobUrl(input.app, input.slugId, src);
  await downloadSlug(input.app, blobUrl, archive, src.checksum);
  await writeIfChanged(idFile, `${input.slugId}\n`, 0o644);
  return { dir, hasSlug: true };
}
