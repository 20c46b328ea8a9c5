/** Heroku Range pagination: `Range: <attr> ..; max=<n>[, order=desc]`, then follow `Next-Range`. */

/** Largest page the API serves. */
export const MAX_PAGE_SIZE = 1000;

export interface RangeOptions {
  /** Attribute to sort and page on; `id` works for every list, releases also sort on `version`. */
  sortBy?: string;
  order?: "asc" | "desc";
  /** Page size, at most {@link MAX_PAGE_SIZE}. */
  max?: number;
}

/** The first page's Range header. */
export function firstRange(opts: RangeOptions = {}): string {
  const max = Math.min(MAX_PAGE_SIZE, opts.max ?? MAX_PAGE_SIZE);
  const order = opts.order === "desc" ? ", order=desc" : "";
  return `${opts.sortBy ?? "id"} ..; max=${max}${order}`;
}
