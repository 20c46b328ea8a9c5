import type { HerokuErrorBody } from "./api-types";

/** What a request reads, so an error can name the app and resource at fault. */
export interface RequestContext {
  /** The app the request is about, or undefined for account-level requests. */
  app?: string;
  /** Which resource, e.g. `app`, `config-vars`, `domains`; drives the advice in error messages. */
  resource: string;
  /** Human description used in messages, e.g. `config vars`, `attachments of add-on redis-1`. */
  what: string;
  /** True for a request that changes something (PATCH): messages say "changing", 403 asks for the write scope. */
  write?: boolean;
}

const WRITE_TOKEN_ADVICE =
  "The cutover's freeze and rollback change apps: use a token with the write scope, e.g. " +
  "`heroku authorizations:create --scope read,read-protected,write` (or an API key), set with " +
  "`pulumi config set --secret herokuApiKey <token>` or the HEROKU_API_KEY environment variable";

const TOKEN_ADVICE =
  "Create a token with `heroku authorizations:create --scope read,read-protected` and set it with " +
  "`pulumi config set --secret herokuApiKey <token>` or the HEROKU_API_KEY environment variable";

function subject(ctx: RequestContext): string {
  if (ctx.resource === "app") return `app "${ctx.app}"`;
  return ctx.app === undefined ? ctx.what : `${ctx.what} of app "${ctx.app}"`;
}

/** Heroku's own message, shortened; callers scrub the token from it before it gets here. */
function herokuSays(body: HerokuErrorBody | undefined): string {
  if (!body?.message) return "";
  const m = body.message.length > 300 ? `${body.message.slice(0, 300)}…` : body.message;
  return ` Heroku says: "${m}"`;
}

/**
 * A request to the Heroku Platform API failed for good (after any retries). The message names the
 * app and resource and says what to do; it never contains the token or a config var value.
 */
export class HerokuApiError extends Error {
  override readonly name = "HerokuApiError";

  constructor(
    message: string,
    /** HTTP status, or undefined for network errors and timeouts. */
    readonly status: number | undefined,
    /** Heroku's error id (`forbidden`, `not_found`, `rate_limit`, …) or a local one (`timeout`, `network`). */
    readonly errorId: string,
    readonly app: string | undefined,
    readonly resource: string,
    /** Request path (no query, no secrets). */
    readonly path: string,
  ) {
    super(message);
  }
}

/** The error for a final (non-retried or retries exhausted) HTTP status. */
export function httpError(
  status: number,
  body: HerokuErrorBody | undefined,
  ctx: RequestContext,
  path: string,
  attempts: number,
): HerokuApiError {
  const id = body?.id ?? httpErrorId(status);
  const tag = `(${status} ${id})`;
  const what = subject(ctx);
  const [read, reading] = ctx.write ? ["change", "changing"] : ["read", "reading"];
  let message: string;
  if (status === 401) {
    message = `Heroku API rejected the token ${tag} while ${reading} ${what}: the token is missing, invalid or expired. ${ctx.write ? WRITE_TOKEN_ADVICE : TOKEN_ADVICE}.`;
  } else if (status === 403 && id === "suspended") {
    message = `Heroku API refused to ${read} ${what} ${tag}: the account or app is suspended. Resolve the suspension with Heroku support, then re-run.${herokuSays(body)}`;
  } else if (status === 403 && ctx.write) {
    message = `Heroku API refused to change ${what} ${tag}: the token lacks the write scope, or its account may not change this app. ${WRITE_TOKEN_ADVICE}.${herokuSays(body)}`;
  } else if (status === 403 && (ctx.resource === "config-vars" || ctx.resource === "config-vars-settings")) {
    message = `Heroku API refused to read ${what} ${tag}: token lacks read-protected scope: config vars cannot be read. ${TOKEN_ADVICE} (the read-protected or global scope is required).`;
  } else if (status === 403) {
    message = `Heroku API refused to ${read} ${what} ${tag}: the token's account has no access to it. Use a token of an account that is a collaborator on the app or a member of its team.${herokuSays(body)}`;
  } else if (status === 404 && ctx.resource === "app") {
    message = `Heroku app "${ctx.app}" not found ${tag}: check the app name in the stack's heroku.apps config (or the command line) and that the token's account can see it (\`heroku apps\`).`;
  } else if (status === 404) {
    message = `${capitalise(what)} not found ${tag}: it may have been removed while it was being read; re-run, and check the app still exists.`;
  } else if (status === 422) {
    message = `Heroku API rejected the request ${ctx.write ? "to change" : "for"} ${what} as invalid ${tag}.${herokuSays(body)} Check the app and resource names; if they are right, report this with the path ${path}.`;
  } else if (status === 429) {
    message = `Heroku API rate limit exhausted ${reading} ${what} ${tag} after ${attempts} attempts: the account's request bucket refills at about 75 requests a minute; wait a few minutes and re-run.`;
  } else if (status >= 500) {
    message = `Heroku API kept failing ${reading} ${what} ${tag} after ${attempts} attempts: check https://status.heroku.com and re-run later.${herokuSays(body)}`;
  } else {
    message = `Heroku API answered ${status} ${reading} ${what} ${tag}.${herokuSays(body)}`;
  }
  return new HerokuApiError(message, status, id, ctx.app, ctx.resource, path);
}

/** The error when the API could not be reached or did not answer in time, after retries. */
export function transportError(
  kind: "timeout" | "network" | "bad-response",
  detail: string,
  ctx: RequestContext,
  path: string,
  baseUrl: string,
  attempts: number,
): HerokuApiError {
  const what = subject(ctx);
  const reading = ctx.write ? "changing" : "reading";
  const message =
    kind === "timeout"
      ? `Heroku API did not answer in time ${reading} ${what} (${detail}) after ${attempts} attempts: check the network path to ${baseUrl}, or raise the request timeout.`
      : kind === "bad-response"
        ? `Heroku API sent an unreadable response ${reading} ${what} (${detail}) after ${attempts} attempts: check for a proxy between here and ${baseUrl}.`
        : `Could not reach the Heroku API at ${baseUrl} ${reading} ${what} (${detail}) after ${attempts} attempts: check the network, proxy and base URL.`;
  return new HerokuApiError(message, undefined, kind, ctx.app, ctx.resource, path);
}

function httpErrorId(status: number): string {
  const ids: Record<number, string> = {
    400: "bad_request",
    401: "unauthorized",
    402: "delinquent",
    403: "forbidden",
    404: "not_found",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    416: "requested_range_not_satisfiable",
    422: "invalid_params",
    429: "rate_limit",
  };
  return ids[status] ?? (status >= 500 ? "server_error" : "http_error");
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
