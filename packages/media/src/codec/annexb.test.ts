import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, ffmpegGenerate, runCommand } from '@sluice/test-support';
import {
  annexBNalUnits,
  annexBSizeOf,
  annexBToLengthPrefixed,
  findStartCode,
  forEachAnnexBNalUnit,
  forEachNalUnit,
  h264AccessUnitHasIdr,
  h265AccessUnitHasIrap,
  lengthPrefixedNalUnits,
  lengthPrefixedSizeOf,
  lengthPrefixedToAnnexB,
  writeAnnexB,
  writeLengthPrefixed,
  type NalLengthSize,
} from './annexb.js';
import { MalformedCodecData } from './errors.js';
import { H264NalUnitType, H265NalUnitType, h264NalUnitType, h265NalUnitType, isH265IrapType } from './nal-unit-type.js';

const sps = [0x67, 0x42, 0xc0, 0x1e];
const pps = [0x68, 0xce, 0x3c, 0x80];
const idr = [0x65, 0x88, 0x84, 0x00, 0x03, 0x01];

describe('Annex B NAL units', () => {
  it('splits on 3- and 4-byte start codes, trimming trailing zeros, as views', () => {
    const data = new Uint8Array([0, 0, 0, 1, ...sps, 0, 0, 1, ...pps, 0, 0, 0, 0, 1, ...idr, 0, 0]);
    const nals = [...annexBNalUnits(data)];
    expect(nals.map((n) => [...n])).toEqual([sps, pps, idr]);
    expect(nals[0]?.buffer).toBe(data.buffer);
    const seen: number[] = [];
    expect(forEachAnnexBNalUnit(data, (n) => seen.push(h264NalUnitType(n)))).toBe(3);
    expect(seen).toEqual([H264NalUnitType.Sps, H264NalUnitType.Pps, H264NalUnitType.IdrSlice]);
  });

  it('findStartCode finds the prefix or -1', () => {
    expect(findStartCode(new Uint8Array([5, 0, 0, 0, 1]), 0)).toBe(2);
    expect(findStartCode(new Uint8Array([0, 0, 2, 0, 0]), 0)).toBe(-1);
  });

  it('findStartCode gives the same answer on short and long inputs (JS loop and native search), Buffer or not', () => {
    // a reference: the first i >= from with data[i..i+3) = 00 00 01
    const reference = (data: Uint8Array, from: number): number => {
      for (let i = Math.max(0, from); i + 2 < data.length; i++)
        if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) return i;
      return -1;
    };
    // bytes biased to 0, 1, 3 (emulation prevention: 00 00 03 01 is no start code)
    const byte = fc.oneof(fc.constantFrom(0, 0, 1, 3), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 400 }), fc.nat(420), (bytes, from) => {
        const data = new Uint8Array(bytes);
        expect(findStartCode(data, from)).toBe(reference(data, from));
        // a view into a larger buffer, and a Node Buffer
        const padded = new Uint8Array(bytes.length + 10).fill(1);
        padded.set(data, 5);
        expect(findStartCode(padded.subarray(5, 5 + bytes.length), from)).toBe(reference(data, from));
        expect(findStartCode(Buffer.from(data), from)).toBe(reference(data, from));
      }),
      { numRuns: 500 },
    );
    const long = new Uint8Array(1000).fill(0xff);
    long.set([0, 0, 3, 1], 100); // emulation-prevented, not a start code
    long.set([0, 0, 1], 700);
    expect(findStartCode(long, 0)).toBe(700);
    expect(findStartCode(long, 701)).toBe(-1);
    expect(findStartCode(long, 998)).toBe(-1);
  });

  it('rejects data that does not start with a start code', () => {
    expect(() => [...annexBNalUnits(new Uint8Array([0x65, 0, 0, 1, 0x41]))]).toThrow(MalformedCodecData);
    expect(() => forEachAnnexBNalUnit(new Uint8Array([1, 2, 3]), () => undefined)).toThrow(
      /does not start with a start code/,
    );
    expect([...annexBNalUnits(new Uint8Array(0))]).toEqual([]);
  });

  it.each([1, 2, 4] as const)('converts Annex B to %i-byte length-prefixed and back', (lengthSize) => {
    const data = new Uint8Array([0, 0, 0, 1, ...sps, 0, 0, 0, 1, ...pps, 0, 0, 0, 1, ...idr]);
    const lp = annexBToLengthPrefixed(data, lengthSize);
    expect(lp.length).toBe(3 * lengthSize + sps.length + pps.length + idr.length);
    expect([...lengthPrefixedNalUnits(lp, lengthSize)].map((n) => [...n])).toEqual([sps, pps, idr]);
    expect(lengthPrefixedToAnnexB(lp, lengthSize)).toEqual(data);
  });

  it('writes into a caller buffer at an offset without allocating output', () => {
    const avcc = new Uint8Array([0, 0, 0, 4, ...sps, 0, 0, 0, 6, ...idr]);
    const size = annexBSizeOf(avcc, 4);
    expect(size).toBe(8 + sps.length + idr.length);
    const dest = new Uint8Array(size + 10).fill(0xee);
    expect(writeAnnexB(avcc, 4, dest, 5)).toBe(size);
    expect([...dest.subarray(5, 5 + size)]).toEqual([0, 0, 0, 1, ...sps, 0, 0, 0, 1, ...idr]);
    expect(dest[4]).toBe(0xee);
    expect(dest[5 + size]).toBe(0xee);
    expect(() => writeAnnexB(avcc, 4, new Uint8Array(size - 1), 0)).toThrow(RangeError);
    const back = new Uint8Array(lengthPrefixedSizeOf(dest.subarray(5, 5 + size), 4));
    expect(writeLengthPrefixed(dest.subarray(5, 5 + size), 4, back, 0)).toBe(avcc.length);
    expect(back).toEqual(avcc);
  });

  it('rejects lengths past the end and NAL units too big for the length field', () => {
    expect(() => forEachNalUnit(new Uint8Array([0, 0, 0, 9, 1, 2]), 4, () => undefined)).toThrow(/runs past the end/);
    expect(() => forEachNalUnit(new Uint8Array([0, 0]), 4, () => undefined)).toThrow(/truncated NAL unit length/);
    const big = new Uint8Array(300);
    big.set([0, 0, 1, 0x65], 0);
    big.fill(0x11, 4);
    expect(() => annexBToLengthPrefixed(big, 1)).toThrow(/does not fit a 1-byte length field/);
    expect(() => annexBToLengthPrefixed(big, 3 as NalLengthSize)).toThrow(RangeError);
  });

  it('detects IDR / IRAP access units', () => {
    expect(h264AccessUnitHasIdr(new Uint8Array([0, 0, 0, 6, ...idr]), 4)).toBe(true);
    expect(h264AccessUnitHasIdr(new Uint8Array([0, 0, 0, 2, 0x41, 0x9a]), 4)).toBe(false);
    // nal_unit_type 19 (IDR_W_RADL): (19 << 1) = 0x26
    expect(h265AccessUnitHasIrap(new Uint8Array([0, 0, 0, 3, 0x26, 0x01, 0xaf]), 4)).toBe(true);
    expect(h265NalUnitType(new Uint8Array([0x40, 0x01]))).toBe(H265NalUnitType.Vps);
    expect(isH265IrapType(21)).toBe(true);
    expect(isH265IrapType(1)).toBe(false);
  });

  it('property: random Annex B input either converts losslessly or throws MalformedCodecData', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }).map((a) => a.map((b) => (b < 128 ? b % 3 : b))),
        (data) => {
          try {
            const lp = annexBToLengthPrefixed(data, 4);
            expect(lp.length).toBeLessThanOrEqual(data.length + 4 * Math.ceil(data.length / 3));
            const nals = [...annexBNalUnits(data)];
            expect([...lengthPrefixedNalUnits(lp, 4)]).toEqual(nals);
          } catch (e) {
            expect(e).toBeInstanceOf(MalformedCodecData);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('property: random length-prefixed input never crashes and never grows past the input + 4 per NAL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom<NalLengthSize>(1, 2, 4), (data, lengthSize) => {
        try {
          const out = lengthPrefixedToAnnexB(data, lengthSize);
          expect(out.length).toBeLessThanOrEqual(data.length * 4 + 4);
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'Annex B interop with ffmpeg', () => {
  it('an ffmpeg H.264 stream survives Annex B -> AVCC -> Annex B byte for byte, and ffprobe counts the same NAL types', async () => {
    const { data } = await ffmpegGenerate('annexb-h264.h264', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25:duration=1',
      '-c:v',
      'libx264',
      '-g',
      '25',
      '-bf',
      '2',
      '-f',
      'h264',
    ]);
    const nals = [...annexBNalUnits(data)];
    const types = nals.map(h264NalUnitType);
    expect(types.filter((t) => t === H264NalUnitType.Sps)).toHaveLength(1);
    expect(types.filter((t) => t === H264NalUnitType.IdrSlice).length).toBeGreaterThanOrEqual(1);
    const slices = types.filter((t) => t === 1 || t === 5).length;
    expect(slices).toBe(25);
    const avcc = annexBToLengthPrefixed(data, 4);
    const back = lengthPrefixedToAnnexB(avcc, 4);
    expect([...annexBNalUnits(back)]).toEqual(nals);
  });

  it('ffmpeg decodes H.265 Annex B rebuilt from length-prefixed NAL units without errors', async () => {
    const { data } = await ffmpegGenerate('annexb-h265.hevc', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25:duration=1',
      '-c:v',
      'libx265',
      '-x265-params',
      'log-level=error',
      '-f',
      'hevc',
    ]);
    const types = [...annexBNalUnits(data)].map(h265NalUnitType);
    expect(types.slice(0, 3)).toEqual([H265NalUnitType.Vps, H265NalUnitType.Sps, H265NalUnitType.Pps]);
    const rebuilt = lengthPrefixedToAnnexB(annexBToLengthPrefixed(data, 2), 2);
    const r = await runCommand(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-f', 'hevc', '-i', 'pipe:0', '-f', 'null', '-'],
      60_000,
      rebuilt,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
