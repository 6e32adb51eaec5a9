import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryDelayMs } from './retry-policy.js';

describe('retryDelayMs', () => {
  const policy = resolveRetryPolicy();
  it('doubles from 500 ms to 5 s without jitter at random 0.5', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => retryDelayMs(policy, a, () => 0.5))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });
  it('stays within ±20 % jitter', () => {
    expect(retryDelayMs(policy, 0, () => 0)).toBe(400);
    expect(retryDelayMs(policy, 0, () => 0.999_999)).toBe(600);
    expect(retryDelayMs(policy, 9, () => 0)).toBe(4000);
    expect(retryDelayMs(policy, 9, () => 0.999_999)).toBe(6000);
  });
  it('resolves defaults and rejects bad fields', () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(() => resolveRetryPolicy({ jitter: 1.5 })).toThrow('retry.jitter is out of range: 1.5');
    expect(() => resolveRetryPolicy({ maxDelayMs: 100 })).toThrow('retry.maxDelayMs is out of range: 100');
  });
});
