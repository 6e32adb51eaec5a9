import { afterEach, describe, expect, it, vi } from 'vitest';
import { atTime } from './deadline.js';

describe('atTime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires at the time, past times at once, far times through several timers; cancel stops it', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: string[] = [];
    atTime(1000, () => fired.push('soon'));
    atTime(-5, () => fired.push('past'));
    const farAway = 40 * 24 * 3600 * 1000; // beyond one setTimeout
    atTime(farAway, () => fired.push('far'));
    const cancel = atTime(2000, () => fired.push('cancelled'));
    cancel();
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['past', 'soon']);
    vi.advanceTimersByTime(farAway - 1001);
    expect(fired).toEqual(['past', 'soon']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['past', 'soon', 'far']);
  });
});
