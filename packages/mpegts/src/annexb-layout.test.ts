import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnnexBLayout } from './annexb-layout.js';

/** A NAL unit body that ends in a non-zero byte (rbsp_trailing_bits) and holds no start code. */
const nalBody = fc
  .array(fc.oneof(fc.constantFrom(0, 0, 3, 1), fc.integer({ min: 2, max: 255 })), { minLength: 0, maxLength: 40 })
  .map((bytes) => {
    // emulation prevention as an encoder does it: 00 00 0x (x <= 3) becomes 00 00 03 0x
    const out: number[] = [0x41];
    for (const b of bytes) {
      const n = out.length;
      if (n >= 2 && out[n - 1] === 0 && out[n - 2] === 0 && b <= 3) out.push(3);
      out.push(b);
    }
    if (out[out.length - 1] === 0) out.push(0x80);
    return out;
  });

/** Access units: [start code size, extra zero bytes before it, body] per NAL unit. */
const accessUnit = fc.array(fc.tuple(fc.constantFrom(3, 4), fc.integer({ min: 0, max: 2 }), nalBody), {
  minLength: 1,
  maxLength: 6,
});

function annexB(units: [number, number, number[]][]): { bytes: number[]; bodies: number[][] } {
  const bytes: number[] = [];
  for (const [code, zeros, body] of units) {
    for (let i = 0; i < zeros; i++) bytes.push(0); // trailing_zero_8bits of the unit before
    if (code === 4) bytes.push(0);
    bytes.push(0, 0, 1, ...body);
  }
  return { bytes, bodies: units.map((u) => u[2]) };
}

function avcc(bodies: number[][]): number[] {
  return bodies.flatMap((b) => [
    b.length >>> 24,
    (b.length >> 16) & 0xff,
    (b.length >> 8) & 0xff,
    b.length & 0xff,
    ...b,
  ]);
}

describe('AnnexBLayout', () => {
  it('finds NAL units behind 3- and 4-byte start codes, without trailing zeros, emulation prevention kept', () => {
    const layout = new AnnexBLayout();
    const bytes = new Uint8Array([
      9, 9, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 0, 0, 3, 1, 5, 0, 0, 0, 0, 1, 0x65, 7, 0, 0, 9, 9,
    ]);
    expect(layout.scan(bytes, 2, 27)).toBe(-1);
    expect(layout.count).toBe(3);
    const units = [0, 1, 2].map((i) => [...bytes.subarray(layout.starts[i], layout.ends[i])]);
    expect(units).toEqual([
      [0x67, 1, 2],
      [0x68, 0, 0, 3, 1, 5],
      [0x65, 7],
    ]);
    expect(layout.avccSize()).toBe(12 + 3 + 6 + 2);
  });

  it('reports a non-zero byte before the first start code, and finds nothing in zeros or empty units', () => {
    const layout = new AnnexBLayout();
    expect(layout.scan(new Uint8Array([0, 0x65, 0, 0, 1, 0x41]), 0, 6)).toBe(1);
    expect(layout.scan(new Uint8Array([0, 0, 0, 0]), 0, 4)).toBe(-1);
    expect(layout.count).toBe(0);
    expect(layout.scan(new Uint8Array([0, 0, 1, 0, 0, 1, 0, 0, 0, 1]), 0, 10)).toBe(-1);
    expect(layout.count).toBe(0);
  });

  it('grows past 16 units', () => {
    const layout = new AnnexBLayout();
    const { bytes, bodies } = annexB(
      Array.from({ length: 40 }, (_, i) => [i % 2 ? 3 : 4, 0, [0x41, i + 1]] as [number, number, number[]]),
    );
    expect(layout.scan(new Uint8Array(bytes), 0, bytes.length)).toBe(-1);
    expect(layout.count).toBe(40);
    const out = new Uint8Array(layout.avccSize());
    layout.copyTo(new Uint8Array(bytes), out, 0);
    expect([...out]).toEqual(avcc(bodies));
  });

  it('4-byte start codes only: converts in place without moving any unit', () => {
    const { bytes, bodies } = annexB([
      [4, 0, [0x67, 1]],
      [4, 0, [0x68, 2, 3]],
      [4, 0, [0x65, 4, 5, 6]],
    ]);
    const buf = new Uint8Array(bytes);
    const layout = new AnnexBLayout();
    layout.scan(buf, 0, buf.length);
    const starts = [...layout.starts.subarray(0, 3)];
    const ends = [...layout.ends.subarray(0, 3)];
    const snapshot = starts.map((s, i) => [...buf.subarray(s, ends[i])]);
    const at = layout.convertInPlace(buf, 0);
    expect([...buf.subarray(at, ends[2])]).toEqual(avcc(bodies));
    // every body is where it was
    expect(starts.map((s, i) => [...buf.subarray(s, ends[i])])).toEqual(snapshot);
  });

  it('a 3-byte start code after a dropped unit (AUD + slice): the slice stays, its length takes one byte of the AUD', () => {
    const { bytes } = annexB([
      [4, 0, [0x09, 0xf0]],
      [3, 0, [0x41, 9, 8, 7]],
    ]);
    const buf = new Uint8Array(bytes);
    const layout = new AnnexBLayout();
    layout.scan(buf, 0, buf.length);
    layout.keep(1, 0);
    layout.count = 1;
    expect(layout.convertInPlace(buf, 0)).toBe(5);
    expect([...buf.subarray(5)]).toEqual([0, 0, 0, 4, 0x41, 9, 8, 7]);
  });

  it('in place gives the same bytes as a copy, for any start codes, zeros, dropped units and room below', () => {
    fc.assert(
      fc.property(
        accessUnit,
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (units, room, drops) => {
          const { bytes } = annexB(units);
          const buf = new Uint8Array(room + bytes.length).fill(0xee);
          buf.set(bytes, room);
          const layout = new AnnexBLayout();
          expect(layout.scan(buf, room, buf.length)).toBe(-1);
          // drop some units (as the reader drops AUDs)
          let kept = 0;
          for (let i = 0; i < layout.count; i++) if (!drops[i] || i === layout.count - 1) layout.keep(i, kept++);
          layout.count = kept;
          const copy = new Uint8Array(layout.avccSize());
          layout.copyTo(buf, copy, 0);
          const before = buf.slice();
          const end = layout.ends[kept - 1]!;
          const at = layout.convertInPlace(buf, 0);
          if (at < 0) {
            expect(end - copy.length).toBeLessThan(0);
            expect(buf).toEqual(before);
          } else {
            expect(at).toBe(end - copy.length);
            expect(buf.subarray(at, end)).toEqual(copy);
            // nothing outside [at, end) touched
            expect(buf.subarray(0, at)).toEqual(before.subarray(0, at));
            expect(buf.subarray(end)).toEqual(before.subarray(end));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses (writing nothing) when 3-byte start codes need more room than lies above the floor', () => {
    const { bytes } = annexB([
      [3, 0, [0x41, 1]],
      [3, 0, [0x41, 2]],
    ]);
    const buf = new Uint8Array(bytes);
    const layout = new AnnexBLayout();
    layout.scan(buf, 0, buf.length);
    expect(layout.convertInPlace(buf, 0)).toBe(-1);
    expect([...buf]).toEqual(bytes);
    const roomy = new Uint8Array([0xee, 0xee, ...bytes]);
    layout.scan(roomy, 2, roomy.length);
    expect(layout.convertInPlace(roomy, 0)).toBe(0);
    expect([...roomy]).toEqual(
      avcc([
        [0x41, 1],
        [0x41, 2],
      ]),
    );
  });
});
