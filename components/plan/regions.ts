/**
 * Geographies of Heroku regions and of cluster locations, for data residency and latency checks. A
 * geography is what residency rules and round trips care about (EU, US, …), not the exact region.
 */
export type Geography = "eu" | "us" | "ca" | "ap" | "sa" | "me" | "af";

const GEOGRAPHY_NAMES: Record<Geography, string> = {
  eu: "the EU",
  us: "the US",
  ca: "Canada",
  ap: "Asia-Pacific",
  sa: "South America",
  me: "the Middle East",
  af: "Africa",
};

/** Heroku's Common Runtime regions and Private Space regions (`GET /regions`). */
const HEROKU_REGIONS: Record<string, Geography> = {
  us: "us",
  eu: "eu",
  virginia: "us",
  oregon: "us",
  dublin: "eu",
  frankfurt: "eu",
  london: "eu",
  montreal: "ca",
  tokyo: "ap",
  sydney: "ap",
  mumbai: "ap",
  singapore: "ap",
};

/** Cloud region codes by prefix (AWS `eu-west-1`, GCP `europe-west4`, Azure `westeurope`…). */
const CLOUD_PATTERNS: [RegExp, Geography][] = [
  [/^(eu|europe)[-_]|europe|^(uk|france|germany|switzerland|norway|sweden|poland|italy|spain)/, "eu"],
  [/^ca[-_]|canada|^northamerica-northeast/, "ca"],
  [/^(us|northamerica)[-_]|^(east|west|central|north|south|westcentral|northcentral|southcentral)us/, "us"],
  [/^(ap|asia|australia|japan|korea|india|jio)[-_]?|^(east|southeast)asia/, "ap"],
  [/^(sa|southamerica)[-_]|brazil/, "sa"],
  [/^(me|il)[-_]|uae|qatar|israel/, "me"],
  [/^af[-_]|africa/, "af"],
];

/** The geography of a Heroku region name or a cloud region code, or null when it is not known. */
export function geographyOf(region: string): Geography | null {
  const r = region.trim().toLowerCase();
  if (HEROKU_REGIONS[r]) return HEROKU_REGIONS[r];
  return CLOUD_PATTERNS.find(([re]) => re.test(r))?.[1] ?? null;
}

export function geographyName(g: Geography): string {
  return GEOGRAPHY_NAMES[g];
}
