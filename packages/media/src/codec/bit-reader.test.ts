import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BitReader,
  hasEmulationPrevention,
  removeEmulationPrevention,
  removeEmulationPreventionInto,
} from './bit-reader.js';
import { BitstreamOverrun, MalformedCodecData } from './errors.js';

describe('BitReader', () => {
  it('reads bits MSB first across byte boundaries', () => {
    const r = new BitReader(new Uint8Array([0b10110011, 0b01010101, 0xff, 0xff, 0xff, 0xff]));
    expect(r.readBit()).toBe(1);
    expect(r.readBits(3)).toBe(0b011);
    expect(r.readBits(8)).toBe(0b00110101);
    expect(r.bitPosition).toBe(12);
    expect(r.readBits(4)).toBe(0b0101);
    expect(r.byteAligned).toBe(true);
    expect(r.readBits(32)).toBe(0xffffffff);
    expect(r.bitsLeft).toBe(0);
    expect(() => r.readBit()).toThrow(BitstreamOverrun);
  });

  it('decodes Exp-Golomb ue(v) and se(v) (H.264 Table 9-2/9-3)', () => {
    // 1 | 010 | 011 | 00100 | 00101 | 0001000 -> ue 0,1,2,3,4,7
    const bits = '1' + '010' + '011' + '00100' + '00101' + '0001000';
    const r = new BitReader(bitsToBytes(bits));
    expect([r.readUe(), r.readUe(), r.readUe(), r.readUe(), r.readUe(), r.readUe()]).toEqual([0, 1, 2, 3, 4, 7]);
    const s = new BitReader(bitsToBytes(bits));
    expect([s.readSe(), s.readSe(), s.readSe(), s.readSe(), s.readSe(), s.readSe()]).toEqual([0, 1, -1, 2, -2, 4]);
  });

  it('rejects Exp-Golomb codes with more than 31 leading zeros', () => {
    const r = new BitReader(new Uint8Array(8));
    expect(() => r.readUe()).toThrow(MalformedCodecData);
  });

  it('readUeMax and readSeRange bound syntax elements', () => {
    expect(() => new BitReader(bitsToBytes('0001000')).readUeMax(5, 'num_ref_frames')).toThrow(
      /num_ref_frames=7 exceeds 5/,
    );
    expect(new BitReader(bitsToBytes('00101')).readSeRange(-2, 2, 'x')).toBe(-2);
  });

  it('skips emulation prevention bytes lazily', () => {
    const nal = new Uint8Array([0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03]);
    const r = new BitReader(nal, { emulationPrevention: true });
    expect(r.readBits(32)).toBe(0x00000100);
    expect(r.readBits(24)).toBe(0x000000);
    expect(() => r.readBits(1)).toThrow(BitstreamOverrun);
    const plain = new BitReader(nal);
    expect(plain.readBits(24)).toBe(0x000003);
  });

  it('removes emulation prevention into a caller buffer or returns the input when none', () => {
    const nal = new Uint8Array([0x67, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x03, 0x42]);
    expect(hasEmulationPrevention(nal)).toBe(true);
    const dest = new Uint8Array(nal.length);
    const n = removeEmulationPreventionInto(nal, dest);
    expect([...dest.subarray(0, n)]).toEqual([0x67, 0x00, 0x00, 0x00, 0x00, 0x03, 0x42]);
    expect([...removeEmulationPrevention(nal)]).toEqual([0x67, 0x00, 0x00, 0x00, 0x00, 0x03, 0x42]);
    const clean = new Uint8Array([1, 2, 3]);
    expect(removeEmulationPrevention(clean)).toBe(clean);
    expect(() => removeEmulationPreventionInto(nal, new Uint8Array(2))).toThrow(RangeError);
  });

  it('lazy and eager emulation prevention removal agree; reads never escape typed errors', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).map((a) => a.map((b) => (b < 100 ? b % 4 : b))),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
        (data, ops) => {
          const rbsp = removeEmulationPrevention(data);
          const lazy = new BitReader(data, { emulationPrevention: true });
          const eager = new BitReader(rbsp);
          for (const op of ops) {
            let a: unknown;
            let b: unknown;
            try {
              a = op === 0 ? lazy.readUe() : op === 1 ? lazy.readSe() : op === 2 ? lazy.readBits(13) : lazy.readBit();
            } catch (e) {
              expect(e).toBeInstanceOf(MalformedCodecData);
              a = 'error';
            }
            try {
              b =
                op === 0 ? eager.readUe() : op === 1 ? eager.readSe() : op === 2 ? eager.readBits(13) : eager.readBit();
            } catch (e) {
              expect(e).toBeInstanceOf(MalformedCodecData);
              b = 'error';
            }
            // the lazy reader may skip a trailing 0x03 that is the last byte: both end in an error
            expect(a).toEqual(b);
            if (a === 'error') break;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function bitsToBytes(bits: string): Uint8Array {
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  const out = new Uint8Array(padded.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.slice(i * 8, i * 8 + 8), 2);
  return out;
}
