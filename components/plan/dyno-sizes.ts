import { DynoSizeInfo } from "../heroku/snapshot";
import { ResourcesPlan } from "./types";

/**
 * Heroku dyno sizes → Kubernetes resources.
 *
 * Memory comes from Heroku's published figures (Dev Center articles `dyno-types` and
 * `dyno-memory-behavior`): requests.memory = the dyno's quota, limits.memory = the point where Heroku
 * restarts the dyno (R15): 2× quota for Eco/Basic/Standard/Performance-M/L, 1.2× for -L-RAM/-XL/-2XL,
 * 1× for Private/Shield.
 *
 * CPU is a judgement call (Heroku publishes relative "compute" shares, not cores): shared dynos
 * request 250m per 1x share; dedicated dynos request their vCPUs. No CPU limit is set, because shared
 * dynos burst above their share on Heroku and a CFS quota would throttle them.
 */
export interface DynoSizeSpec {
  /** Name as the API spells it. */
  name: string;
  memoryQuotaMb: number;
  memoryLimitMb: number;
  /** CPU request in millicores. */
  cpuMillis: number;
}

const MB_PER_GB = 1024;

function size(name: string, quotaGb: number, limitGb: number, cpuMillis: number): DynoSizeSpec {
  return {
    name,
    memoryQuotaMb: Math.round(quotaGb * MB_PER_GB),
    memoryLimitMb: Math.round(limitGb * MB_PER_GB),
    cpuMillis,
  };
}

/** Heroku's published sizes (facts.md §3), Fir sizes are parsed by name instead. */
export const PUBLISHED_DYNO_SIZES: readonly DynoSizeSpec[] = [
  size("Free", 0.5, 1, 250),
  size("Hobby", 0.5, 1, 250),
  size("Eco", 0.5, 1, 250),
  size("Basic", 0.5, 1, 250),
  size("1X", 0.5, 1, 250),
  size("Standard-1X", 0.5, 1, 250),
  size("2X", 1, 2, 500),
  size("Standard-2X", 1, 2, 500),
  size("PX", 2.5, 5, 2000),
  size("Performance", 2.5, 5, 2000),
  size("Performance-M", 2.5, 5, 2000),
  size("Performance-L", 14, 28, 8000),
  size("Performance-L-RAM", 30, 36, 4000),
  size("Performance-XL", 62, 74, 8000),
  size("Performance-2XL", 126, 151, 16000),
  ...["Private", "Shield"].flatMap((p) => [
    size(`${p}-S`, 1, 1, 1000),
    size(`${p}-M`, 2.5, 2.5, 2000),
    size(`${p}-L`, 14, 14, 8000),
    size(`${p}-Memory-L`, 30, 30, 4000),
    size(`${p}-Memory-XL`, 62, 62, 8000),
    size(`${p}-Memory-2XL`, 126, 126, 16000),
  ]),
];

/** Resources used for a size the planner does not know (Standard-1X's). */
export const DEFAULT_DYNO_SIZE = "Standard-1X";

const FIR_SIZE = /^dyno-(\d+)c-(\d+(?:\.\d+)?)gb$/i;

export function formatMemory(mb: number): string {
  return mb % MB_PER_GB === 0 ? `${mb / MB_PER_GB}Gi` : `${mb}Mi`;
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}` : `${millis}m`;
}

function toResources(spec: DynoSizeSpec): ResourcesPlan {
  return {
    requests: { cpu: formatCpu(spec.cpuMillis), memory: formatMemory(spec.memoryQuotaMb) },
    limits: { memory: formatMemory(spec.memoryLimitMb) },
  };
}

/** The published spec for `name` (case-insensitive; app.json spells sizes in lower case), or null. */
export function publishedSize(name: string): DynoSizeSpec | null {
  const lower = name.toLowerCase();
  const known = PUBLISHED_DYNO_SIZES.find((s) => s.name.toLowerCase() === lower);
  if (known) return known;
  const fir = FIR_SIZE.exec(name);
  if (fir) {
    // Fir dynos: N dedicated vCPUs and M GB, no documented overage, so the limit is the quota.
    const gb = Number(fir[2]);
    return size(name, gb, gb, Number(fir[1]) * 1000);
  }
  return null;
}

function fromSnapshot(info: DynoSizeInfo): DynoSizeSpec {
  const published = publishedSize(info.name);
  const quotaGb = info.memoryGb;
  // The overage ratio is Heroku's documented one when the size is known, else by dyno class.
  const ratio = published
    ? published.memoryLimitMb / published.memoryQuotaMb
    : info.privateSpaceOnly
      ? 1
      : quotaGb <= 14
        ? 2
        : 1.2;
  const cpuMillis = info.dedicated
    ? Math.max(1, info.compute) * 1000
    : (published?.cpuMillis ?? Math.max(1, info.compute) * 250);
  return {
    name: info.name,
    memoryQuotaMb: Math.round(quotaGb * MB_PER_GB),
    memoryLimitMb: Math.round(quotaGb * ratio * MB_PER_GB),
    cpuMillis,
  };
}

export interface DynoResources {
  resources: ResourcesPlan;
  /** False when the size is unknown and the default was used (the caller warns). */
  known: boolean;
}

/**
 * Resources for dyno size `name`: from the app's own dyno-size list when it has a usable entry
 * (the API's figures beat the published table), else the published table, else
 * {@link DEFAULT_DYNO_SIZE} with `known: false`.
 */
export function resourcesForDynoSize(name: string, appSizes: readonly DynoSizeInfo[]): DynoResources {
  const lower = name.toLowerCase();
  const info = appSizes.find((s) => s.name.toLowerCase() === lower && s.memoryGb > 0);
  if (info) return { resources: toResources(fromSnapshot(info)), known: true };
  const published = publishedSize(name);
  if (published) return { resources: toResources(published), known: true };
  return { resources: toResources(publishedSize(DEFAULT_DYNO_SIZE) as DynoSizeSpec), known: false };
}
