import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  msgNoNext,
  MSGNO_MAX,
  SEQ_MAX,
  seqAdd,
  seqDiff,
  seqLess,
  timestamp32,
  TimestampUnwrapper,
} from './sequence.js';

describe('31-bit sequence numbers', () => {
  it('wrap at 2^31', () => {
    expect(seqAdd(SEQ_MAX, 1)).toBe(0);
    expect(seqAdd(0, -1)).toBe(SEQ_MAX);
    expect(seqDiff(0, SEQ_MAX)).toBe(1);
    expect(seqDiff(SEQ_MAX, 0)).toBe(-1);
    expect(seqLess(SEQ_MAX, 0)).toBe(true);
    expect(seqLess(5, 3)).toBe(false);
  });

  it('seqDiff inverts seqAdd within half the space', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEQ_MAX }), fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 1 }), (s, n) => {
        const t = seqAdd(s, n);
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThanOrEqual(SEQ_MAX);
        expect(seqDiff(t, s)).toBe(n);
      }),
    );
  });

  it('message numbers skip 0 on wrap', () => {
    expect(msgNoNext(MSGNO_MAX)).toBe(1);
    expect(msgNoNext(1)).toBe(2);
  });
});

describe('32-bit microsecond timestamps', () => {
  it('unwrap across the 71.6-minute wrap, late packets stay in their period', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(0xffff_ff00)).toBe(0xffff_ff00);
    expect(u.unwrap(0x0000_0100)).toBe(0x1_0000_0100);
    expect(u.unwrap(0xffff_ff80)).toBe(0xffff_ff80); // a retransmission from before the wrap
    expect(u.unwrap(0x0000_0200)).toBe(0x1_0000_0200);
    expect(timestamp32(0x1_0000_0005)).toBe(5);
  });

  it('monotonic input stays monotonic through several wraps', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 50 }), (steps) => {
        const u = new TimestampUnwrapper();
        let t = 0;
        let last = u.unwrap(0);
        for (const s of steps) {
          t += s;
          const v = u.unwrap(timestamp32(t));
          expect(v).toBe(t);
          expect(v).toBeGreaterThan(last);
          last = v;
        }
      }),
    );
  });
});
