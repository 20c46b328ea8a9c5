/**
 * Config problems are collected, never thrown one by one: a user fixing `Pulumi.<stack>.yaml` sees
 * every mistake of a run at once, each naming its full key (`heroku-to-hasura:addons.x.disposition`).
 */

export interface ConfigIssue {
  /** Full config key with the project namespace and a path, e.g. `heroku-to-hasura:heroku.apps[1]`. */
  key: string;
  /** What is wrong and what is allowed. Never contains a secret value. */
  message: string;
}

/** Thrown when the stack config has one or more mistakes; nothing has been created at that point. */
export class StackConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.key}: ${i.message}`);
    const n = issues.length;
    super(`Invalid stack config (${n} ${n === 1 ? "problem" : "problems"}):\n${lines.join("\n")}`);
    this.name = "StackConfigError";
    this.issues = issues;
  }
}

/** Collects issues under one project namespace; `path` is the key without the `project:` prefix. */
export class IssueList {
  readonly issues: ConfigIssue[] = [];

  constructor(readonly project: string) {}

  /** The full key as the user writes it in `pulumi config`. */
  key(path: string): string {
    return `${this.project}:${path}`;
  }

  /** Top-level keys a misspelled key was probably meant to be (their absence is not reported again). */
  readonly intended = new Set<string>();

  add(path: string, message: string): void {
    this.issues.push({ key: this.key(path), message });
  }

  /**
   * Reports a missing required value, unless one of `sections` was written misspelled: that typo is
   * already reported, and one mistake gets one error.
   */
  addMissing(path: string, message: string, sections: readonly string[] = [path.split(/[.[]/)[0]]): void {
    if (!sections.some((s) => this.intended.has(s))) this.add(path, message);
  }

  /** Throws a {@link StackConfigError} listing every collected issue, if any. */
  throwIfAny(): void {
    if (this.issues.length > 0) throw new StackConfigError(this.issues);
  }
}

/** Levenshtein distance, for "did you mean" hints on misspelled keys. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate when it is plausibly a typo of `word`, else null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return best !== null && bestDistance <= tolerance ? best : null;
}

/** A short, printable rendering of a (non-secret) bad value for messages. */
export function shown(value: unknown): string {
  let s: string;
  try {
    s = value === undefined ? "undefined" : JSON.stringify(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
