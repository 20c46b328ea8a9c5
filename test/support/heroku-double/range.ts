/**
 * The double's Range pagination, as Heroku documents it: `Range: <attr> [first]..[last]; max=N,
 * order=asc|desc` (a leading `]` makes the first bound exclusive), default page 200, max 1000,
 * 206 + `Next-Range` while items remain. The client is expected to send Next-Range back verbatim.
 */
export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 1000;

export interface ParsedRange {
  attr: string;
  first: string | undefined;
  firstExclusive: boolean;
  max: number;
  order: "asc" | "desc";
}

/** Parses a Range header; undefined header → defaults; a malformed one → an error message. */
export function parseRange(header: string | undefined): ParsedRange | string {
  if (header === undefined || header.trim() === "") {
    return { attr: "id", first: undefined, firstExclusive: false, max: DEFAULT_PAGE, order: "asc" };
  }
  const m = /^\s*([a-z_]+)\s+(\]?)([^.;]*)\.\.([^;]*?)\s*(?:;\s*(.*))?$/.exec(header);
  if (!m) return `malformed Range header`;
  let max = DEFAULT_PAGE;
  let order: "asc" | "desc" = "asc";
  for (const opt of (m[5] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, v] = opt.split("=").map((s) => s.trim());
    if (k === "max" && /^\d+$/.test(v ?? "") && Number(v) > 0) max = Math.min(MAX_PAGE, Number(v));
    else if (k === "order" && (v === "asc" || v === "desc")) order = v;
    else return `unsupported Range option ${opt}`;
  }
  return { attr: m[1], first: m[3] === "" ? undefined : m[3], firstExclusive: m[2] === "]", max, order };
}

export interface Page<T> {
  items: T[];
  contentRange: string;
  nextRange: string | undefined;
}

/** One page of `all` for `range`, or an error message when the attribute cannot be sorted on. */
export function paginate<T extends Record<string, unknown>>(all: T[], range: ParsedRange): Page<T> | string {
  if (
    all.length > 0 &&
    !all.every((x) => typeof x[range.attr] === "string" || typeof x[range.attr] === "number")
  ) {
    return `cannot sort on ${range.attr}`;
  }
  const key = (x: T) => x[range.attr] as string | number;
  const cmp = (a: string | number, b: string | number) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
  const numeric = all.length > 0 && typeof key(all[0]) === "number";
  const first = range.first === undefined ? undefined : numeric ? Number(range.first) : range.first;
  const sorted = [...all].sort((a, b) => (range.order === "desc" ? -1 : 1) * cmp(key(a), key(b)));
  const after = sorted.filter((x) => {
    if (first === undefined) return true;
    const c = (range.order === "desc" ? -1 : 1) * cmp(key(x), first);
    return range.firstExclusive ? c > 0 : c >= 0;
  });
  const items = after.slice(0, range.max);
  const more = after.length > items.length;
  const last = items.length > 0 ? key(items[items.length - 1]) : undefined;
  const opts = `max=${range.max}${range.order === "desc" ? ", order=desc" : ""}`;
  return {
    items,
    contentRange: items.length > 0 ? `${range.attr} ${key(items[0])}..${last}` : `${range.attr} ..`,
    nextRange: more ? `${range.attr} ]${last}..; ${opts}` : undefined,
  };
}
