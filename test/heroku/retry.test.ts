import { strict as assert } from "assert";
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from "../../components/heroku/retry";

describe("retry policy", () => {
  const policy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 4000 };

  it("backs off exponentially, capped, with jitter between half and all of each step", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 0)),
      [250, 500, 1000, 2000, 2000],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 0.999999)),
      [500, 1000, 2000, 4000, 4000],
    );
  });

  it("retries 429 and 5xx gateway/server faults only", () => {
    assert.deepEqual(
      [400, 401, 403, 404, 422, 429, 500, 502, 503, 504].filter(isRetryableStatus),
      [429, 500, 502, 503, 504],
    );
  });

  it("reads Retry-After seconds, capped by the policy", () => {
    assert.equal(retryAfterMs("2", policy), 2000);
    assert.equal(retryAfterMs("60", policy), 4000);
    assert.equal(retryAfterMs("soon", policy), undefined);
    assert.equal(retryAfterMs(null, policy), undefined);
  });
});
