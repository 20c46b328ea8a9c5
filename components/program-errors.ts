import * as pulumi from "@pulumi/pulumi";
import { inspect } from "util";

/**
 * How the program's errors reach the user. The SDK prints an ordinary Error as its stack, through a
 * coloured `util.inspect` of the whole object (twice: for the log and for its tracing span), so a
 * config mistake arrived as a stack trace with escape codes and the error's own fields dumped after
 * it, and on Node.js 20 that coloured inspect looped over source-mapped `node_modules/@scope/<file>`
 * frames for seconds and gigabytes (nodejs/node#64011). A `RunError` is printed as its message alone,
 * so every error leaving the program is turned into one whose `stack` and inspection are plain text
 * fixed at construction: nothing left for the SDK to format.
 */

/** Built-in errors that mean a bug in this program, not a mistake in its input: they keep a stack. */
const PROGRAMMING_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  TypeError,
  ReferenceError,
  RangeError,
  SyntaxError,
  EvalError,
  URIError,
];

/**
 * Every other error this program throws is written for the user (config, snapshot file, Heroku API,
 * planning input: each names the key, app or add-on at fault), so its message is all they need.
 */
export function isProgrammingError(e: unknown): boolean {
  return PROGRAMMING_ERRORS.some((t) => e instanceof t);
}

/** The text the user sees for `e`: the message alone, or message and plain stack for a bug. */
export function userFacingText(e: unknown): string {
  if (!(e instanceof Error)) return `The program failed: ${String(e)}`;
  if (!isProgrammingError(e)) return e.message;
  // Reading `stack` formats it once, uncoloured; a bug is worth its frames.
  return `${e.stack ?? `${e.name}: ${e.message}`}\n(this is a bug in heroku-to-hasura: please report it with the lines above)`;
}

/**
 * A `pulumi.RunError` carrying `userFacingText(e)`, with `e` as its `cause`. Its `stack` is that same text (set before
 * anything reads the lazily formatted one) and `util.inspect` shows it verbatim, so the SDK's handler,
 * its tracing span and any logger print exactly this, uncoloured, at no cost.
 */
export function toRunError(e: unknown): pulumi.RunError {
  if (pulumi.RunError.isInstance(e) && (e as { [PLAIN]?: true })[PLAIN]) return e;
  const text = userFacingText(e);
  // The original stays reachable as `cause` for callers (tests) that check its type and fields.
  const err = new pulumi.RunError(text, { cause: e });
  Object.defineProperty(err, "stack", { value: text, enumerable: false, writable: true });
  Object.defineProperty(err, inspect.custom, { value: () => text, enumerable: false });
  Object.defineProperty(err, PLAIN, { value: true, enumerable: false });
  return err;
}

const PLAIN = Symbol("heroku-to-hasura.plainRunError");

/**
 * Wraps a Pulumi program's entry point so that whatever it throws reaches the user through
 * {@link toRunError}: `export = withPlainErrors(main)`.
 */
export function withPlainErrors<T>(program: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await program();
    } catch (e) {
      throw toRunError(e);
    }
  };
}
