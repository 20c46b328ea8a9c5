/** Bounded exponential backoff with jitter, for 429, 5xx and network errors. */
export interface RetryPolicy {
  /** Total attempts per request, the first included. Default 6. */
  maxAttempts: number;
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseDelayMs: number;
  /** Upper bound of any one delay. Default 20 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 20_000 };

/** HTTP statuses worth retrying: rate limited, or a server/gateway fault that may pass. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Delay before retry number `retry` (1-based): base·2^(retry-1), capped, then "equal jitter" (half
 * fixed, half random) so many clients hitting one limit do not retry in lockstep.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** `Retry-After` in seconds (Heroku rarely sends it), as milliseconds capped by the policy. */
export function retryAfterMs(header: string | null, policy: RetryPolicy): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(policy.maxDelayMs, Number(header.trim()) * 1000);
}
