import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TsPacketReader } from './ts-packet-reader.js';

/** `count` packets whose byte 1 numbers them, with `garbage` bytes after packet `at`. */
function stream(count: number, at: number, garbage: number): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = new Array<number>(188).fill(0xaa);
    p[0] = 0x47;
    p[1] = i;
    out.push(...p);
    if (i === at) for (let g = 0; g < garbage; g++) out.push((g * 31 + 1) & 0x3f);
  }
  return new Uint8Array(out);
}

/** Packet numbers and skipped bytes seen when `bytes` is pushed in pieces of `sizes`, one by one or in runs, whole chunks or ranges of a larger buffer. */
function read(bytes: Uint8Array, sizes: number[], runs: boolean, ranged: boolean): { ids: number[]; skipped: number } {
  const ids: number[] = [];
  let skipped = 0;
  const reader = new TsPacketReader(
    (buf, o) => ids.push(buf[o + 1]!),
    (n) => (skipped += n),
    runs
      ? (buf, start, end) => {
          expect((end - start) % 188).toBe(0);
          for (let o = start; o < end; o += 188) ids.push(buf[o + 1]!);
        }
      : undefined,
  );
  for (let o = 0, i = 0; o < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, bytes.length - o);
    if (ranged) {
      const padded = new Uint8Array(n + 20).fill(0x47);
      padded.set(bytes.subarray(o, o + n), 10);
      reader.push(padded, 10, 10 + n);
    } else {
      reader.push(bytes.subarray(o, o + n));
    }
    o += n;
  }
  reader.end();
  return { ids, skipped };
}

describe('TsPacketReader', () => {
  it('hands out the same packets one by one or in runs, for whole chunks or ranges, across any chunking and garbage', () => {
    const bytes = stream(40, 17, 300);
    const want = read(bytes, [bytes.length], false, false);
    expect(want.ids).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(want.skipped).toBe(300);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        fc.boolean(),
        (sizes, runs, ranged) => {
          expect(read(bytes, sizes, runs, ranged)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('checks the range it is given', () => {
    const reader = new TsPacketReader(
      () => undefined,
      () => undefined,
    );
    expect(() => reader.push(new Uint8Array(10), 5, 11)).toThrow('push: range 5..11 outside 0..10');
    expect(() => reader.push(new Uint8Array(10), 6, 5)).toThrow(RangeError);
  });
});
