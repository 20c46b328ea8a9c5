import { execFile } from "child_process";
import { createHash } from "crypto";
import { promises as fs } from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { herokuSchema } from "../support/heroku-double/schema-validator";

/**
 * A local double of the two Heroku endpoints a slug build uses: `GET /apps/{app}/slugs/{id}` and the
 * signed blob URL (here `/blob/<secret>`; its path is the "signature" tests look for in leaks). Kept
 * apart from the full API double (test/support/heroku-double) because it also serves the archive
 * bytes and lets a test expire the signature; it validates its slug bodies with the same schema
 * loader (the `slug → Info` link's targetSchema), and `close()` rejects after any violation.
 */

export const TOKEN = "HRKU-test-token-0123456789";
export interface TestSlug {
  app: string;
  id: string;
  stack: string;
  processTypes: Record<string, string>;
  /** `SHA256:<hex>` of the archive. */
  checksum: string;
  archive: Buffer;
}

/** Builds a slug archive (`./app/…`) from files (path under app/ → content, mode 0755 for `bin/`). */
export async function makeSlug(
  app: string,
  id: string,
  files: Record<string, string>,
  processTypes: Record<string, string>,
) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-slug-"));
  try {
    for (const [rel, content] of Object.entries(files)) {
      const f = path.join(dir, "app", rel);
      await fs.mkdir(path.dirname(f), { recursive: true });
      await fs.writeFile(f, content, { mode: rel.startsWith("bin/") ? 0o755 : 0o644 });
    }
    const out = path.join(dir, "slug.tgz");
    await promisify(execFile)("tar", ["-czf", out, "-C", dir, "./app"]);
    const archive = await fs.readFile(out);
    const checksum = "SHA256:" + createHash("sha256").update(archive).digest("hex");
    return { app, id, stack: "heroku-22", processTypes, checksum, archive } satisfies TestSlug;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface SlugApiDouble {
  apiUrl: string;
  /** The path part of the signed blob URL (must never show up in files, logs or errors). */
  blobSecret: string;
  requests: string[];
  /** Schema violations of served slug bodies (each also answered 500; `close()` then rejects). */
  violations: string[];
  /** Serve this status instead of the archive (e.g. 403 for an expired signature). */
  blobStatus: number;
  close(): Promise<void>;
}

export async function startSlugApi(slugs: TestSlug[]): Promise<SlugApiDouble> {
  const schema = herokuSchema();
  const slugInfo = schema.link("slug", "Info");
  const violations: string[] = [];
  const blobSecret = "X-Amz-Signature=" + createHash("sha256").update(String(Math.random())).digest("hex");
  const state = { requests: [] as string[], blobStatus: 200 };
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const m = /^\/apps\/([^/]+)\/slugs\/([^/]+)$/.exec(req.url ?? "");
    if (m) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(401, { id: "unauthorized", message: "Invalid credentials provided." });
      if (!/version=3/.test(req.headers.accept ?? ""))
        return send(406, { id: "not_acceptable", message: "bad Accept" });
      const slug = slugs.find((s) => s.app === decodeURIComponent(m[1]) && s.id === decodeURIComponent(m[2]));
      if (!slug) return send(404, { id: "not_found", message: "Couldn't find that slug." });
      const port = (server.address() as net.AddressInfo).port;
      const body = {
        blob: { method: "get", url: `http://127.0.0.1:${port}/blob/${slug.id}?${blobSecret}` },
        buildpack_provided_description: "Node.js",
        checksum: slug.checksum,
        commit: null,
        commit_description: null,
        created_at: "2026-01-01T00:00:00Z",
        id: slug.id,
        process_types: slug.processTypes,
        size: slug.archive.length,
        stack: { id: "01234567-89ab-4def-8123-456789abcdef", name: slug.stack },
        updated_at: "2026-01-01T00:00:00Z",
        deleted_at: null,
      };
      const errors = schema.validateResponse(slugInfo, body);
      if (errors.length > 0) {
        violations.push(`${req.url}: ${errors.join("; ")}`);
        return send(500, { id: "double_schema_violation", message: errors.join("; ") });
      }
      return send(200, body);
    }
    const b = /^\/blob\/([^/?]+)\?(.*)$/.exec(req.url ?? "");
    if (b && b[2] === blobSecret) {
      const slug = slugs.find((s) => s.id === b[1]);
      if (slug && state.blobStatus === 200) {
        res.writeHead(200, { "Content-Type": "application/octet-stream" });
        return res.end(slug.archive);
      }
      res.writeHead(slug ? state.blobStatus : 404);
      return res.end("<Error><Code>AccessDenied</Code></Error>");
    }
    send(404, { id: "not_found", message: "no route" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    blobSecret,
    get requests() {
      return state.requests;
    },
    get blobStatus() {
      return state.blobStatus;
    },
    set blobStatus(v: number) {
      state.blobStatus = v;
    },
    violations,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      if (violations.length > 0)
        throw new Error(`the slug API double served bodies the schema refuses:\n${violations.join("\n")}`);
    },
  };
}
