/**
 * Kubernetes quantities (`5Gi`, `500M`, `1024`): the one reader the config layer validates storage
 * with and the planner sizes PVCs and memory with. Pure: no I/O.
 */

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const FACTORS: Record<string, number> = {
  "": 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Bytes in a Kubernetes storage quantity (`5Gi`, `500M`), or null when it is not one. */
export function quantityBytes(quantity: string): number | null {
  const m = QUANTITY.exec(quantity);
  if (!m) return null;
  return Number(m[1]) * FACTORS[m[2] ?? ""];
}
