import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('is first in, first out across the ring wrap', () => {
    const q = new BoundedQueue<number>(3);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      q.push(i);
      if (i % 2 === 1) out.push(q.shift()!, q.shift()!);
    }
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('never holds more than its capacity: a push into a full queue drops the oldest', () => {
    const q = new BoundedQueue<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => q.push(n));
    expect(dropped).toEqual([undefined, undefined, undefined, 1, 2]);
    expect(q.length).toBe(3);
    expect(q.peek()).toBe(3);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5]);
    q.push(6);
    expect(q.clear()).toBe(1);
    expect(q.length).toBe(0);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
    expect(() => new BoundedQueue(1.5)).toThrow(RangeError);
  });
});
