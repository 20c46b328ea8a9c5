import { Disposition } from "./settings";

/**
 * What each add-on disposition means, in one place. A `Record` over every disposition: adding one
 * to {@link Disposition} makes the compiler list this table, and each `switch` over a disposition is
 * exhaustive (`assertNever`), so no place that must handle it is missed.
 */
export interface DispositionBehaviour {
  /** The add-on's data leaves Heroku (its URLs are rewritten, apps outside the stack matter). */
  moves: boolean;
  /** Where its rewritten config vars point, for the ledger and report; null when nothing is rewritten. */
  rewrittenTo: string | null;
  /** One line for the add-on in the ledger, after its plan name. */
  summary: string;
  /** What the stack does with it, in warnings ("the stack migrates its whole database"). */
  verb: string;
  /** What of it moves, in warnings. */
  moved: string;
  /**
   * Whether every app using it must be known (its attachment list read): a migrated database's
   * unknown users would keep writing to Heroku's copy unseen, so the plan is refused without it.
   */
  needsEveryUser: boolean;
}

export const DISPOSITION_BEHAVIOUR: Record<Disposition, DispositionBehaviour> = {
  migrate: {
    moves: true,
    rewrittenTo: "the migrated database",
    summary: "migrated into the cluster's Postgres",
    verb: "migrates",
    moved: "database",
    needsEveryUser: true,
  },
  "in-cluster": {
    moves: true,
    rewrittenTo: "the in-cluster service",
    summary: "run in-cluster",
    verb: "moves in-cluster",
    moved: "data",
    needsEveryUser: false,
  },
  keep: {
    moves: false,
    rewrittenTo: null,
    summary: "kept on Heroku (config vars carried as they are)",
    verb: "keeps on Heroku",
    moved: "nothing",
    needsEveryUser: false,
  },
};

/** For the `default:` of an exhaustive switch: a value the types say cannot exist. */
export function assertNever(x: never, what: string): never {
  throw new Error(`unexpected ${what}: ${String(x)}`);
}
