/**
 * The Postgres import's options, declared once. The stack config's `import.<option>` keys and their
 * parsing (components/config), the PostgresImport args and the provider's inputs, input checks,
 * diff and update (./postgres-import*.ts), and what reaches the copy engine all derive from
 * {@link IMPORT_OPTIONS}: adding an option here adds it everywhere, and the compiler points at the
 * one place that must say what it does (the engine's `ImportOptions`, when `engine` is true).
 *
 * Not options: `enabled` (whether the stack imports at all, config only), and the connection and
 * cutover inputs (`sourceUrl`, `targetUrl`/`target`, `sourceFrom`, `freeze`), which have their own
 * rules in the provider.
 */
import { Format, IMPORT_ID } from "../formats/formats";

/** The value an option takes, and how it is validated. */
export type OptionType =
  | { type: "integer"; min: number; max: number }
  | { type: "string"; format?: Format; reason: string }
  | { type: "names" }
  | { type: "boolean" };

/**
 * What changing an option does to an import that already ran: `replace` (a deliberate new import),
 * `update` (recorded in place, no data touched), `ignore` (it only mattered to the import that
 * happened).
 */
type OnChange = "replace" | "update" | "ignore";

export interface OptionSpec {
  value: OptionType;
  onChange: OnChange;
  /** Passed to the copy engine's `importDatabase`. */
  engine: boolean;
  /**
   * The value when not given (undefined: none). Not named `default`: Pulumi's closure serializer
   * takes an object with a `default` property for a module (the provider serializes this table).
   */
  byDefault?: boolean;
}

const names = (onChange: OnChange): OptionSpec => ({ value: { type: "names" }, onChange, engine: true });

/** Every option, in the order the provider reports bad inputs. */
export const IMPORT_OPTIONS = {
  /**
   * Parallel connections per side for data and index builds (1–64). Default: the CPU count of the
   * machine running `pulumi up`. Only used by the import itself: changing it later does nothing.
   */
  jobs: { value: { type: "integer", min: 1, max: 64 }, onChange: "ignore", engine: true },
  /** Only these schemas. Default: all non-system schemas. Used at import time only (changing it does nothing). */
  includeSchemas: names("ignore"),
  /** Schemas left out. Default none. Used at import time only. */
  excludeSchemas: names("ignore"),
  /** Only these tables (`schema.table` or `table`). Default every table. Used at import time only. */
  includeTables: names("ignore"),
  /** Tables whose rows are not copied (their definitions are). Default none. Used at import time only. */
  excludeTables: names("ignore"),
  /**
   * Names the import (1–63 characters of A-Z a-z 0-9 . _ -). Default: chosen by the engine at the
   * first import. Setting a value different from the current import's id asks deliberately for a
   * new import: REPLACES (the new import is created first, the old one is then forgotten and its
   * data kept). The engine refuses a non-empty target, so point the new import at an empty database
   * or empty the target first.
   */
  importId: {
    value: { type: "string", format: IMPORT_ID, reason: `must be ${IMPORT_ID.description}` },
    onChange: "replace",
    engine: true,
  },
  /**
   * When true, deleting the import drops every object the target role owns in the target database
   * (only while the target's marker still names this import). Default false: delete forgets the
   * import and keeps the data. Updates in place. While true, identity changes are refused, so a
   * replacement never drops the old target's data.
   */
  dropTargetOnDelete: { value: { type: "boolean" }, onChange: "update", engine: false, byDefault: false },
  /**
   * File the import appends its progress lines to (also written to the provider's stderr), to
   * follow with `tail -f` during `pulumi up`. Default none. Updates in place.
   */
  progressFile: {
    value: { type: "string", reason: "must be a path" },
    onChange: "update",
    engine: false,
  },
} as const satisfies Record<string, OptionSpec>;

type Specs = typeof IMPORT_OPTIONS;
export type ImportOptionName = keyof Specs;

type ValueOf<T extends OptionType> = T extends { type: "integer" }
  ? number
  : T extends { type: "string" }
    ? string
    : T extends { type: "names" }
      ? string[]
      : boolean;

/** The options as plain values (config, provider inputs); each undefined when not given. */
export type ImportOptions = { -readonly [K in keyof Specs]?: ValueOf<Specs[K]["value"]> };

export const IMPORT_OPTION_NAMES = Object.keys(IMPORT_OPTIONS) as ImportOptionName[];

/** The options with a given behaviour on change (see {@link OnChange}). */
export function optionsThat(onChange: OnChange): ImportOptionName[] {
  return IMPORT_OPTION_NAMES.filter((k) => IMPORT_OPTIONS[k].onChange === onChange);
}

/** The options the copy engine takes. */
export const ENGINE_OPTION_NAMES = IMPORT_OPTION_NAMES.filter(
  (k): k is EngineOptionName => IMPORT_OPTIONS[k].engine,
);

/** The options of `from` named in `which` (default all) that are given (undefined ones left out). */
export function pickOptions<K extends ImportOptionName = ImportOptionName>(
  from: ImportOptions,
  which: readonly K[] = IMPORT_OPTION_NAMES as K[],
): Pick<ImportOptions, K> {
  const out: Record<string, unknown> = {};
  for (const k of which) if (from[k] !== undefined) out[k] = from[k];
  return out as Pick<ImportOptions, K>;
}

/** An option's value in `o`, else its default, else null (what the diff compares). */
export function optionValue(o: ImportOptions, name: ImportOptionName): unknown {
  const spec: OptionSpec = IMPORT_OPTIONS[name];
  return o[name] ?? spec.byDefault ?? null;
}

/** Why `value` is not a valid `name`, or null (the provider's input check). */
export function optionProblem(name: ImportOptionName, value: unknown): string | null {
  const v: OptionType = IMPORT_OPTIONS[name].value;
  switch (v.type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && value >= v.min && value <= v.max
        ? null
        : `${name} must be an integer from ${v.min} to ${v.max}`;
    case "string":
      return typeof value === "string" && (v.format === undefined || v.format.test(value))
        ? null
        : `${name} ${v.reason}`;
    case "names":
      return Array.isArray(value) && value.every((x) => typeof x === "string" && x !== "")
        ? null
        : `${name} must be a list of non-empty names`;
    case "boolean":
      return typeof value === "boolean" ? null : `${name} must be true or false`;
  }
}

/** The options passed to the copy engine (`engine: true`). */
export type EngineOptionName = {
  [K in ImportOptionName]: Specs[K]["engine"] extends true ? K : never;
}[ImportOptionName];
