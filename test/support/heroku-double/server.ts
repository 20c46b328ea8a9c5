/**
 * A local Heroku Platform API double: HTTP on 127.0.0.1 (random port), serving fixture data with
 * Heroku's auth, Accept, Range pagination, RateLimit-Remaining and `{id, message}` errors, plus
 * fault injection. Every body it serves is validated against the matching link's `targetSchema`
 * (or the error shape); a violation is recorded, answered 500, and makes `close()` reject, so a
 * test cannot pass on data the real API would not send.
 *
 * Writes: the two PATCH endpoints of the cutover (`app` → "Update" for maintenance mode,
 * `formation` → "Batch Update" for scaling) change the fixtures. Every request body is validated
 * against the link's `schema` (schema-validator: no property the schema does not list); an
 * invalid body is recorded in `requestViolations`, answered 422, and also makes `close()` reject.
 * Writes need the `write` or `global` scope, as on Heroku.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { ApiObject, dynoObject } from "./api-objects";
import { AppFixture, appName, DoubleFixtures } from "./fixtures";
import { paginate, parseRange } from "./range";
import { herokuSchema, SchemaLink } from "./schema-validator";

export interface FaultSpec {
  /** Request path (exact) or pattern the fault applies to. */
  path: string | RegExp;
  /** Only requests with this method (`GET`, `PATCH`). Default: any method. */
  method?: string;
  /** Let this many matching requests through before the fault starts (a fault mid-freeze). Default 0. */
  after?: number;
  /**
   * `status`: answer `status` with a Heroku error body; `slow`: answer after `delayMs`;
   * `drop`: close the connection without answering; `drop-mid-body`: send headers and half the body.
   */
  kind: "status" | "slow" | "drop" | "drop-mid-body";
  status?: number;
  id?: string;
  message?: string;
  delayMs?: number;
  /** Matching requests affected, after which the path behaves normally again. Default 1. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  range: string | undefined;
  status: number | "dropped";
  /** The schema link served, e.g. `release → List`. */
  link: string | undefined;
  /** The parsed JSON body of a write (PATCH), else undefined. */
  body?: unknown;
}

export interface DoubleOptions {
  /** Starting `RateLimit-Remaining`. Default 4500 (Heroku's bucket size). */
  rateLimit?: number;
}

export interface HerokuDouble {
  /** Base URL, e.g. `http://127.0.0.1:39117`. */
  url: string;
  fixtures: DoubleFixtures;
  requests: RecordedRequest[];
  /** Schema violations seen so far (each also answered 500). */
  violations: string[];
  /** Request bodies the link's schema rejected (each answered 422). */
  requestViolations: string[];
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  injectFault(fault: FaultSpec): void;
  setConfigVar(app: string, key: string, value: string): void;
  setRateLimitRemaining(n: number): void;
  /**
   * Calls `listener` with each request (already recorded, body parsed) before it is answered, e.g.
   * to rotate a database credential when the freeze starts.
   */
  onRequest(listener: (req: RecordedRequest) => void): void;
  /** Starts a one-off dyno (`run.7301`, `scheduler.42`), which scaling the formation does not stop. */
  startOneOffDyno(app: string, name: string, command: string): void;
  /** The app fixture (its `app` object, formation…), to read or change what the double serves. */
  app(name: string): AppFixture;
  /** Stops the server; rejects when any response or request body violated the schema. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  /** For list endpoints: paginate `body` (an array) with the request's Range. */
  list?: boolean;
  /** Attribute that stands in for `id` where items have none (config-vars-settings pages on `key`). */
  rangeAttr?: string;
}

/** One element of a formation Batch Update's `updates`. */
interface FormationUpdateBody {
  type: string;
  quantity?: number;
  dyno_size?: { id?: string; name?: string };
}

const ACCEPT = /application\/vnd\.heroku\+json;\s*version=3(\b|$)/;

export async function startHerokuDouble(
  fixtures: DoubleFixtures,
  options: DoubleOptions = {},
): Promise<HerokuDouble> {
  const schema = herokuSchema();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const requestViolations: string[] = [];
  const listeners: Array<(req: RecordedRequest) => void> = [];
  const faults: Array<FaultSpec & { left: number; skip: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let remaining = options.rateLimit ?? 4500;
  let inFlight = 0;
  let maxInFlight = 0;

  const findApp = (idOrName: string): AppFixture | undefined =>
    fixtures.apps.find((a) => appName(a) === idOrName || a.app.id === idOrName);
  const err = (status: number, id: string, message: string): Reply => ({ status, body: { id, message } });
  const notFound = (what: string) => err(404, "not_found", `Couldn't find that ${what}.`);

  function route(link: SchemaLink, path: string, params: string[], token: string, body: unknown): Reply {
    const key = `${link.definition} → ${link.title}`;
    const scopes = fixtures.tokens[token].scopes;
    const allowedApps = fixtures.tokens[token].apps;
    const appPath = path.startsWith("/apps/");
    const app = appPath ? findApp(params[0]) : undefined;
    if (appPath) {
      if (!app) return notFound("app");
      if (allowedApps && !allowedApps.includes(appName(app))) {
        return err(403, "forbidden", "You do not have access to the app " + appName(app) + ".");
      }
    }
    const a = app as AppFixture;
    const attachmentsOf = (name: string) =>
      fixtures.attachments.filter((x) => (x.app as ApiObject).name === name);
    const needsProtected = () =>
      scopes.includes("global") || scopes.includes("read-protected")
        ? undefined
        : err(403, "forbidden", "This OAuth authorization's scope does not allow reading config vars.");
    const needsWrite = () =>
      scopes.includes("global") || scopes.includes("write")
        ? undefined
        : err(403, "forbidden", "This OAuth authorization's scope does not allow changing apps.");
    switch (key) {
      case "app → Info":
        return { status: 200, body: a.app };
      case "config-var → Info for App":
        return needsProtected() ?? { status: 200, body: { ...a.configVars } };
      case "config-vars-settings → List":
        if (a.configVarOwners === null) return notFound("resource");
        return (
          needsProtected() ?? {
            status: 200,
            list: true,
            rangeAttr: "key",
            body: Object.entries(a.configVars).map(([k, v]) => ({
              attachment: a.configVarOwners?.[k] ? { id: a.configVarOwners[k] } : null,
              key: k,
              value: a.maskedConfigVars?.includes(k) ? null : v,
              masked: a.maskedConfigVars?.includes(k) ?? false,
              masking_supported: a.maskedConfigVars !== undefined,
              value_updated_at: "2026-10-20T16:45:00Z",
            })),
          }
        );
      case "formation → List":
        return { status: 200, list: true, body: a.formation };
      case "dyno-size → List App Dyno Sizes":
        return a.availableDynoSizes
          ? { status: 200, list: true, body: fixtures.dynoSizes }
          : notFound("resource");
      case "dyno-size → List":
        return { status: 200, list: true, body: fixtures.dynoSizes };
      case "add-on → List By App": {
        const ids = new Set(attachmentsOf(appName(a)).map((x) => (x.addon as ApiObject).id));
        return { status: 200, list: true, body: fixtures.addons.filter((x) => ids.has(x.id)) };
      }
      case "add-on-attachment → List by App":
        return { status: 200, list: true, body: attachmentsOf(appName(a)) };
      case "add-on-attachment → List by Add-on": {
        const addon = fixtures.addons.find((x) => x.id === params[0] || x.name === params[0]);
        // An add-on billed to an app the token cannot see is hidden from it, as Heroku hides it.
        const billing = (addon?.app as ApiObject | undefined)?.name as string | undefined;
        if (!addon || (allowedApps && !allowedApps.includes(billing ?? ""))) return notFound("add on");
        return {
          status: 200,
          list: true,
          body: fixtures.attachments.filter((x) => (x.addon as ApiObject).id === addon.id),
        };
      }
      case "domain → List":
        return { status: 200, list: true, body: a.domains };
      case "sni-endpoint → List":
        return { status: 200, list: true, body: a.sniEndpoints };
      case "buildpack-installation → List":
        return { status: 200, list: true, body: a.buildpacks };
      case "release → List":
        return { status: 200, list: true, body: a.releases };
      case "slug → Info": {
        const slug = a.slugs.find((s) => s.id === params[1]);
        return slug ? { status: 200, body: slug } : notFound("slug");
      }
      case "pipeline-coupling → Info By App": {
        const c = fixtures.couplings.find((x) => (x.app as ApiObject).id === a.app.id);
        return c ? { status: 200, body: c } : notFound("pipeline coupling");
      }
      case "pipeline → Info": {
        const p = fixtures.pipelines.find((x) => x.id === params[0] || x.name === params[0]);
        return p ? { status: 200, body: p } : notFound("pipeline");
      }
      case "pipeline-coupling → List By Pipeline":
        return {
          status: 200,
          list: true,
          body: fixtures.couplings.filter((c) => (c.pipeline as ApiObject).id === params[0]),
        };
      case "log-drain → List":
        return { status: 200, list: true, body: a.logDrains };
      case "app-feature → List":
        return { status: 200, list: true, body: a.features };
      case "rate-limit → Info":
        return { status: 200, body: { remaining } };
      case "dyno → List":
        return { status: 200, list: true, body: dynosOf(a) };
      case "app → Update":
        return needsWrite() ?? updateApp(a, body as { maintenance?: boolean; name?: string });
      case "formation → Batch Update":
        return needsWrite() ?? updateFormation(a, (body as { updates: FormationUpdateBody[] }).updates);
      default:
        return err(404, "not_found", `The double does not serve ${key}.`);
    }
  }

  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

  function updateApp(a: AppFixture, body: { maintenance?: boolean; name?: string }): Reply {
    if (body.name !== undefined && body.name !== appName(a))
      return err(422, "invalid_params", "The double does not rename apps.");
    if (body.maintenance !== undefined) a.app.maintenance = body.maintenance;
    a.app.updated_at = now();
    return { status: 200, body: a.app };
  }

  function updateFormation(a: AppFixture, updates: FormationUpdateBody[]): Reply {
    const found = updates.map((u) => a.formation.find((f) => f.type === u.type || f.id === u.type));
    const missing = updates.find((_, i) => found[i] === undefined);
    // All or nothing, as one request: nothing changes when one process type is unknown.
    if (missing) return err(404, "not_found", `Couldn't find that process type (${missing.type}).`);
    updates.forEach((u, i) => {
      const f = found[i] as ApiObject;
      if (u.quantity !== undefined) f.quantity = u.quantity;
      const size = u.dyno_size?.name ?? fixtures.dynoSizes.find((d) => d.id === u.dyno_size?.id)?.name;
      if (size !== undefined) {
        f.size = size;
        f.dyno_size = {
          id: (fixtures.dynoSizes.find((d) => d.name === size)?.id as string) ?? f.id,
          name: size,
        };
      }
      f.updated_at = now();
    });
    return { status: 200, body: found };
  }

  function dynosOf(a: AppFixture): ApiObject[] {
    const name = appName(a);
    const current = a.releases.find((r) => r.current === true) ?? a.releases[a.releases.length - 1];
    const release = { id: current?.id as string, version: current?.version as number };
    const dynos: ApiObject[] = [];
    for (const f of a.formation) {
      for (let i = 1; i <= (f.quantity as number); i++)
        dynos.push(
          dynoObject(name, `${f.type as string}.${i}`, f.command as string, f.size as string, release),
        );
    }
    return [...dynos, ...(a.oneOffDynos ?? [])];
  }

  function takeFault(method: string, path: string): FaultSpec | undefined {
    for (const f of faults) {
      if (f.left <= 0 || (f.method !== undefined && f.method !== method)) continue;
      if (!(typeof f.path === "string" ? f.path === path : f.path.test(path))) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.left--;
      return f;
    }
    return undefined;
  }

  function send(
    res: http.ServerResponse,
    rec: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ) {
    rec.status = status;
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(text)),
      "RateLimit-Remaining": String(remaining),
    });
    res.end(text);
  }

  /** Validates, then sends: a body the schema rejects is recorded and replaced by a 500. */
  function validatedSend(
    res: http.ServerResponse,
    rec: RecordedRequest,
    link: SchemaLink | undefined,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const problems = status < 300 && link ? schema.validateResponse(link, body) : schema.validateError(body);
    if (problems.length > 0) {
      const where = status < 300 && link ? `${link.definition} → ${link.title}` : "error body";
      violations.push(`${rec.path} (${where}): ${problems.slice(0, 5).join("; ")}`);
      return send(
        res,
        rec,
        500,
        { id: "double_schema_violation", message: `response for ${rec.path} violates the schema` },
        {},
      );
    }
    send(res, rec, status, body, headers);
  }

  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, text: string) {
    const path = new URL(req.url ?? "/", "http://double").pathname;
    const range = req.headers.range;
    const method = req.method ?? "";
    const rec: RecordedRequest = { method, path, range, status: 0, link: undefined };
    requests.push(rec);

    if (method !== "GET" && method !== "PATCH")
      return validatedSend(res, rec, undefined, 405, {
        id: "method_not_allowed",
        message: "The double serves GET and PATCH only.",
      });
    let body: unknown = undefined;
    if (method === "PATCH") {
      try {
        body = JSON.parse(text);
        rec.body = body;
      } catch {
        return validatedSend(res, rec, undefined, 400, {
          id: "bad_request",
          message: "Request body is not valid JSON.",
        });
      }
    }
    for (const l of listeners) l(rec);
    if (!ACCEPT.test(String(req.headers.accept ?? ""))) {
      return validatedSend(res, rec, undefined, 406, {
        id: "not_acceptable",
        message: "Accept header must be application/vnd.heroku+json; version=3.",
      });
    }
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    if (token === undefined || !(token in fixtures.tokens)) {
      return validatedSend(res, rec, undefined, 401, {
        id: "unauthorized",
        message: "Invalid credentials provided.",
      });
    }
    const link = schema.linkFor(path, method);
    rec.link = link ? `${link.definition} → ${link.title}` : undefined;
    if (path !== "/account/rate-limits") {
      if (remaining <= 0) {
        return validatedSend(res, rec, undefined, 429, {
          id: "rate_limit",
          message:
            "Your account reached the API rate limit. Please wait a few minutes before making new requests.",
        });
      }
      remaining--;
    }

    const fault = takeFault(method, path);
    if (fault?.kind === "drop") {
      rec.status = "dropped";
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      const status = fault.status ?? 500;
      return validatedSend(res, rec, undefined, status, {
        id:
          fault.id ??
          (status === 429 ? "rate_limit" : status >= 500 ? "internal_server_error" : "bad_request"),
        message: fault.message ?? "Injected fault.",
      });
    }

    const respond = () => {
      if (!link) return validatedSend(res, rec, undefined, 404, { id: "not_found", message: "Not found." });
      if (method !== "GET") {
        const problems = schema.validateRequest(link, body);
        if (problems.length > 0) {
          requestViolations.push(`${method} ${path} (${rec.link}): ${problems.slice(0, 5).join("; ")}`);
          return validatedSend(res, rec, undefined, 422, {
            id: "invalid_params",
            message: `Invalid request body: ${problems.slice(0, 3).join("; ")}`,
          });
        }
      }
      const m = link.pattern.exec(path) as RegExpExecArray;
      const params = m.slice(1).map(decodeURIComponent);
      const reply = route(link, path, params, token, body);
      if (!reply.list || reply.status >= 300) return validatedSend(res, rec, link, reply.status, reply.body);
      const parsed = parseRange(range);
      // Items without an `id` (config-vars-settings, buildpack-installations) page on their natural key.
      const items = reply.body as ApiObject[];
      const natural =
        reply.rangeAttr ?? ["ordinal", "key", "name"].find((k) => items.length > 0 && k in items[0]);
      const attr =
        typeof parsed !== "string" && parsed.attr === "id" && items.length > 0 && !("id" in items[0])
          ? natural
          : undefined;
      const page = typeof parsed === "string" ? parsed : paginate(items, attr ? { ...parsed, attr } : parsed);
      if (typeof page === "string") {
        return validatedSend(res, rec, undefined, 416, {
          id: "requested_range_not_satisfiable",
          message: page,
        });
      }
      const headers: Record<string, string> = { "Content-Range": page.contentRange, "Accept-Ranges": "id" };
      if (page.nextRange) headers["Next-Range"] = page.nextRange;
      if (fault?.kind === "drop-mid-body") {
        const text = JSON.stringify(page.items);
        rec.status = "dropped";
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(text)),
        });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        later(5, () => req.socket.destroy());
        return;
      }
      validatedSend(res, rec, link, page.nextRange ? 206 : 200, page.items, headers);
    };
    if (fault?.kind === "slow") later(fault.delayMs ?? 1000, respond);
    else respond();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    fixtures,
    requests,
    violations,
    requestViolations,
    get maxInFlight() {
      return maxInFlight;
    },
    injectFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1, skip: fault.after ?? 0 });
    },
    onRequest(listener) {
      listeners.push(listener);
    },
    startOneOffDyno(app, name, command) {
      const f = findApp(app);
      if (!f) throw new Error(`double has no app ${app}`);
      const current = f.releases.find((r) => r.current === true) ?? f.releases[f.releases.length - 1];
      f.oneOffDynos = [
        ...(f.oneOffDynos ?? []),
        dynoObject(app, name, command, "Standard-1X", {
          id: current.id as string,
          version: current.version as number,
        }),
      ];
    },
    app(name) {
      const f = findApp(name);
      if (!f) throw new Error(`double has no app ${name}`);
      return f;
    },
    setConfigVar(app, key, value) {
      const f = findApp(app);
      if (!f) throw new Error(`double has no app ${app}`);
      f.configVars[key] = value;
    },
    setRateLimitRemaining(n) {
      remaining = n;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (violations.length > 0) {
        throw new Error(
          `Heroku API double served ${violations.length} schema-invalid response(s):\n${violations.join("\n")}`,
        );
      }
      if (requestViolations.length > 0) {
        throw new Error(
          `Heroku API double received ${requestViolations.length} schema-invalid request body(ies):\n${requestViolations.join("\n")}`,
        );
      }
    },
  };
}
