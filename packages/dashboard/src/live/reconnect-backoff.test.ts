import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles from the first delay up to the cap', () => {
    const b = new ReconnectBackoff({ initialMs: 1000, maxMs: 10_000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(b.attempts).toBe(6);
  });

  it('spreads each delay by the jitter, never past the cap or below zero', () => {
    const low = new ReconnectBackoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 0 });
    const high = new ReconnectBackoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 0.999999 });
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1200);
    const capped = new ReconnectBackoff({ initialMs: 30_000, maxMs: 30_000, jitter: 0.5, random: () => 0.999999 });
    expect(capped.next()).toBe(30_000);
  });

  it('starts over after reset, and takes the server retry field as the first delay', () => {
    const b = new ReconnectBackoff({ initialMs: 1000, maxMs: 60_000, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(1000);
    b.reset();
    b.setInitial(5000);
    expect([b.next(), b.next()]).toEqual([5000, 10_000]);
    b.setInitial(1e9);
    b.reset();
    expect(b.next()).toBe(60_000);
  });
});
