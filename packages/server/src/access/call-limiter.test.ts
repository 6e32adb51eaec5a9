import { describe, expect, it } from 'vitest';
import { CallLimiter, CallQueueFull } from './call-limiter.js';

describe('CallLimiter', () => {
  it('runs at most maxInFlight calls, queues maxQueued more and refuses beyond', async () => {
    const limiter = new CallLimiter(2, 1);
    const gates: Array<() => void> = [];
    const started: number[] = [];
    const call = (i: number) => () =>
      new Promise<number>((resolve) => {
        started.push(i);
        gates.push(() => resolve(i));
      });
    const results = [0, 1, 2].map((i) => limiter.run(call(i)));
    await expect(limiter.run(call(3))).rejects.toBeInstanceOf(CallQueueFull);
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([limiter.inFlight, limiter.queued]).toEqual([2, 1]);
    gates[0]!();
    await expect(results[0]).resolves.toBe(0);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!();
    gates[2]!();
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2]);
    expect([limiter.inFlight, limiter.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a call that fails', async () => {
    const limiter = new CallLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limiter.inFlight).toBe(0);
  });
});
