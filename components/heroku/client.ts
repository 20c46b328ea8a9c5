import type { HerokuErrorBody } from "./api-types";
import { HerokuApiError, httpError, RequestContext, transportError } from "./errors";
import { createLimiter } from "./limiter";
import { HerokuLogger, silentLogger } from "./logger";
import { firstRange, RangeOptions } from "./pagination";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterMs, RetryPolicy } from "./retry";
import { SecretString } from "./secret-string";

export const DEFAULT_HEROKU_API_URL = "https://api.heroku.com";
export const HEROKU_ACCEPT = "application/vnd.heroku+json; version=3";

export interface HerokuClientOptions {
  /** API key or OAuth token (needs `read` and `read-protected` scopes); see {@link resolveHerokuToken}. */
  token: SecretString | string;
  /** API base URL, for proxies and tests. Default {@link DEFAULT_HEROKU_API_URL}. */
  baseUrl?: string;
  /** Per-attempt timeout (connect, headers and body), in ms. Default 30 000. */
  timeoutMs?: number;
  /** Retry policy for 429, 5xx, network errors and timeouts. Default {@link DEFAULT_RETRY_POLICY}. */
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once, across all apps. Default 4. */
  concurrency?: number;
  /** Range page size, at most 1000. Default 1000. */
  pageSize?: number;
  /** Below this `RateLimit-Remaining`, requests are spaced {@link rateLimitPauseMs} apart. Default 200. */
  rateLimitLowWater?: number;
  /** Spacing between requests while the rate-limit bucket is low; Heroku refills ~75/min. Default 800 ms. */
  rateLimitPauseMs?: number;
  /** Injectable sleep, so tests need not wait for backoff. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable randomness for jitter, in [0, 1). */
  random?: () => number;
  logger?: HerokuLogger;
}

/** A page-following list request. */
export interface ListOptions<T> extends RangeOptions {
  /** Stop following `Next-Range` once this holds for the items read so far (e.g. found the current release). */
  stopWhen?: (items: T[]) => boolean;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Heroku Platform API v3 client: Bearer auth, Range pagination, rate-limit pacing, retries with
 * bounded exponential backoff and jitter, a per-request timeout, and errors that name the app and
 * resource at fault. The reader only GETs; `patch` exists for the cutover's freeze and rollback
 * (components/cutover), whose PATCHes set absolute values and so are safe to retry.
 */
export class HerokuClient {
  readonly baseUrl: string;
  readonly #token: SecretString;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #pageSize: number;
  readonly #lowWater: number;
  readonly #pauseMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #log: HerokuLogger;
  readonly #limit: <T>(task: () => Promise<T>) => Promise<T>;
  readonly #calls = new Map<string, number>();
  #rateLimitRemaining: number | undefined;
  #throttle: Promise<void> = Promise.resolve();
  #throttling = false;

  constructor(opts: HerokuClientOptions) {
    this.#token = typeof opts.token === "string" ? SecretString.of(opts.token) : opts.token;
    this.baseUrl = (opts.baseUrl ?? DEFAULT_HEROKU_API_URL).replace(/\/+$/, "");
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.#pageSize = opts.pageSize ?? 1000;
    this.#lowWater = opts.rateLimitLowWater ?? 200;
    this.#pauseMs = opts.rateLimitPauseMs ?? 800;
    this.#sleep = opts.sleep ?? realSleep;
    this.#random = opts.random ?? Math.random;
    this.#log = opts.logger ?? silentLogger;
    this.#limit = createLimiter(opts.concurrency ?? 4);
  }

  /** HTTP requests sent so far (retries and pages included) for `app`, or for all apps when omitted. */
  requestCount(app?: string): number {
    if (app !== undefined) return this.#calls.get(app) ?? 0;
    let n = 0;
    for (const v of this.#calls.values()) n += v;
    return n;
  }

  /** Last `RateLimit-Remaining` seen, if any. */
  get rateLimitRemaining(): number | undefined {
    return this.#rateLimitRemaining;
  }

  /** GET a single resource. */
  async get<T>(path: string, ctx: RequestContext): Promise<T> {
    const res = await this.#request(path, ctx, undefined);
    return res.body as T;
  }

  /**
   * PATCH a resource with a JSON body. Retried like a GET (429, 5xx, network errors, timeouts):
   * only for requests that set absolute values (`{"maintenance": true}`, `quantity: 0`), which are
   * idempotent, so a retry after a lost answer changes nothing more.
   */
  async patch<T>(path: string, body: unknown, ctx: RequestContext): Promise<T> {
    const res = await this.#request(path, { ...ctx, write: true }, undefined, { method: "PATCH", body });
    return res.body as T;
  }

  /** GET a single resource; `null` when the API answers one of `absent` (default 404). */
  async getOptional<T>(path: string, ctx: RequestContext, absent: number[] = [404]): Promise<T | null> {
    try {
      return await this.get<T>(path, ctx);
    } catch (e) {
      if (e instanceof HerokuApiError && e.status !== undefined && absent.includes(e.status)) return null;
      throw e;
    }
  }

  /** GET a list, following `Next-Range` until the last page (or until `stopWhen` holds). */
  async list<T>(path: string, ctx: RequestContext, opts: ListOptions<T> = {}): Promise<T[]> {
    const items: T[] = [];
    let range: string | undefined = firstRange({ ...opts, max: opts.max ?? this.#pageSize });
    let pages = 0;
    let first = true;
    while (range !== undefined || first) {
      let res: RawResponse;
      try {
        res = await this.#request(path, ctx, range);
      } catch (e) {
        // An endpoint that cannot sort on the attribute answers 416: ask again with its default order.
        if (!(first && range !== undefined && e instanceof HerokuApiError && e.status === 416)) throw e;
        this.#log.warn(`GET ${path} refused Range "${range}" (416); reading it without a Range header`);
        range = undefined;
        continue;
      }
      first = false;
      pages++;
      if (!Array.isArray(res.body)) {
        throw transportError(
          "bad-response",
          `expected a JSON array, got ${typeof res.body}`,
          ctx,
          path,
          this.baseUrl,
          1,
        );
      }
      items.push(...(res.body as T[]));
      const next = res.status === 206 ? res.headers.get("next-range") : null;
      if (next !== null && next !== range && !opts.stopWhen?.(items)) range = next;
      else range = undefined;
      if (pages > 10_000) throw new Error(`pagination of ${path} did not end after 10000 pages`);
    }
    return items;
  }

  async #request(
    path: string,
    ctx: RequestContext,
    range: string | undefined,
    write?: { method: "PATCH"; body: unknown },
  ): Promise<RawResponse> {
    const method = write?.method ?? "GET";
    return this.#limit(async () => {
      for (let attempt = 1; ; attempt++) {
        await this.#paceForRateLimit();
        const outcome = await this.#attempt(path, ctx, range, write);
        if (outcome.kind === "response" && outcome.res.status < 300) return outcome.res;
        const retryable = outcome.kind !== "response" || isRetryableStatus(outcome.res.status);
        if (!retryable || attempt >= this.#retry.maxAttempts) {
          throw outcome.kind === "response"
            ? httpError(outcome.res.status, errorBody(outcome.res.body, this.#token), ctx, path, attempt)
            : transportError(outcome.kind, outcome.detail, ctx, path, this.baseUrl, attempt);
        }
        const fromHeader =
          outcome.kind === "response"
            ? retryAfterMs(outcome.res.headers.get("retry-after"), this.#retry)
            : undefined;
        const delay = fromHeader ?? backoffDelayMs(attempt, this.#retry, this.#random);
        const why =
          outcome.kind === "response" ? `HTTP ${outcome.res.status}` : `${outcome.kind}: ${outcome.detail}`;
        this.#log.warn(
          `${method} ${path} failed (${why}); retry ${attempt}/${this.#retry.maxAttempts - 1} in ${delay} ms`,
        );
        await this.#sleep(delay);
      }
    });
  }

  async #attempt(
    path: string,
    ctx: RequestContext,
    range: string | undefined,
    write?: { method: "PATCH"; body: unknown },
  ): Promise<
    { kind: "response"; res: RawResponse } | { kind: "timeout" | "network" | "bad-response"; detail: string }
  > {
    const key = ctx.app ?? "(account)";
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    const headers: Record<string, string> = {
      Accept: HEROKU_ACCEPT,
      Authorization: `Bearer ${this.#token.reveal("Heroku API token")}`,
      "User-Agent": "heroku-to-hasura",
    };
    if (range !== undefined) headers.Range = range;
    if (write) headers["Content-Type"] = "application/json";
    const method = write?.method ?? "GET";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    const started = Date.now();
    try {
      const resp = await fetch(this.baseUrl + path, {
        method,
        headers,
        signal: controller.signal,
        ...(write ? { body: JSON.stringify(write.body) } : {}),
      });
      const text = await resp.text();
      this.#noteRateLimit(resp.headers.get("ratelimit-remaining"));
      this.#log.debug(
        `${method} ${path} → ${resp.status} in ${Date.now() - started} ms` +
          (this.#rateLimitRemaining !== undefined
            ? ` (RateLimit-Remaining ${this.#rateLimitRemaining})`
            : ""),
      );
      let body: unknown = undefined;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          // A 2xx must be JSON; a cut-off body is a transient fault. Error bodies may be anything.
          if (resp.status < 300)
            return { kind: "bad-response", detail: `HTTP ${resp.status} body is not JSON` };
        }
      }
      return { kind: "response", res: { status: resp.status, headers: resp.headers, body } };
    } catch (e) {
      if (controller.signal.aborted)
        return { kind: "timeout", detail: `no complete answer within ${this.#timeoutMs} ms` };
      return { kind: "network", detail: networkDetail(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  #noteRateLimit(header: string | null): void {
    if (header === null || !/^\d+$/.test(header.trim())) return;
    this.#rateLimitRemaining = Number(header.trim());
    const low = this.#rateLimitRemaining < this.#lowWater;
    if (low && !this.#throttling) {
      this.#log.warn(
        `Heroku RateLimit-Remaining is ${this.#rateLimitRemaining} (< ${this.#lowWater}): slowing to one request per ${this.#pauseMs} ms`,
      );
    }
    this.#throttling = low;
  }

  /** While the bucket is low, requests queue on one chain spaced `pauseMs` apart. */
  async #paceForRateLimit(): Promise<void> {
    if (!this.#throttling) return;
    const turn = this.#throttle.then(() => this.#sleep(this.#pauseMs));
    this.#throttle = turn;
    await turn;
  }
}

/** Heroku's `{id, message}` error body, with the token scrubbed from the message just in case. */
function errorBody(body: unknown, token: SecretString): HerokuErrorBody | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.id !== "string") return undefined;
  const raw = typeof b.message === "string" ? b.message : "";
  const secret = token.reveal("Heroku API token");
  const message = secret.length > 0 ? raw.split(secret).join("[token]") : raw;
  return { id: b.id, message };
}

function networkDetail(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
