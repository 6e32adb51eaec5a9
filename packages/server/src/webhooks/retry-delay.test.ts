import { describe, expect, it } from 'vitest';
import { backoffStep, retryDelay } from './retry-delay.js';

describe('retry delay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffStep(n, 1000, 60_000));
    expect(steps).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffStep(0, 1000, 60_000)).toBe(0);
    expect(backoffStep(10_000, 10, 3_600_000)).toBe(3_600_000);
  });

  it('jitters the upper half of each step', () => {
    expect(retryDelay(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelay(3, 1000, 60_000, () => 0.999999)).toBe(4000);
    expect(retryDelay(3, 1000, 60_000, () => 0.5)).toBe(3000);
    const samples = Array.from({ length: 500 }, () => retryDelay(4, 1000, 60_000));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    expect(new Set(samples).size).toBeGreaterThan(50); // really random
  });
});
