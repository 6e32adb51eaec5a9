import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32Mpeg2 } from './crc32.js';
import {
  TimestampUnwrapper,
  readPcrField,
  readTimestampField,
  timestampDelta,
  wrapPcr,
  wrapTimestamp,
  writePcrField,
  writeTimestampField,
} from './timestamp.js';

describe('CRC-32/MPEG-2', () => {
  it('matches the catalogue check value', () => {
    expect(crc32Mpeg2(new TextEncoder().encode('123456789'))).toBe(0x0376e6e7);
  });
});

describe('wrapPcr', () => {
  it('reduces 27 MHz values to [0, 2^33 × 300)', () => {
    const wrap = 2 ** 33 * 300;
    expect(wrapPcr(0)).toBe(0);
    expect(wrapPcr(wrap - 1)).toBe(wrap - 1);
    expect(wrapPcr(wrap + 5)).toBe(5);
    expect(wrapPcr(-300)).toBe(wrap - 300);
  });
});

describe('33-bit PTS/DTS fields', () => {
  it('writes the marker bits and prefix', () => {
    const b = new Uint8Array(5);
    writeTimestampField(b, 0, 0x2, 0);
    expect([...b]).toEqual([0x21, 0x00, 0x01, 0x00, 0x01]);
    writeTimestampField(b, 0, 0x3, 2 ** 33 - 1);
    expect([...b]).toEqual([0x3f, 0xff, 0xff, 0xff, 0xff]);
  });

  it('round-trips across 2^32 and wraps at 2^33', () => {
    const b = new Uint8Array(5);
    for (const v of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 12345, 2 ** 33 - 1]) {
      writeTimestampField(b, 0, 0x2, v);
      expect(readTimestampField(b, 0)).toBe(v);
    }
    writeTimestampField(b, 0, 0x2, 2 ** 33 + 7);
    expect(readTimestampField(b, 0)).toBe(7);
    writeTimestampField(b, 0, 0x2, -1);
    expect(readTimestampField(b, 0)).toBe(2 ** 33 - 1);
  });

  it('round-trips any value (property)', () => {
    const b = new Uint8Array(5);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (v) => {
        writeTimestampField(b, 0, 0x1, v);
        return readTimestampField(b, 0) === wrapTimestamp(v);
      }),
    );
  });
});

describe('PCR field', () => {
  it('round-trips base and extension', () => {
    const b = new Uint8Array(6);
    for (const v of [0, 299, 300, (2 ** 32 + 5) * 300 + 17, (2 ** 33 - 1) * 300 + 299]) {
      writePcrField(b, 0, v);
      expect(readPcrField(b, 0)).toBe(v);
    }
    writePcrField(b, 0, -300);
    expect(readPcrField(b, 0)).toBe((2 ** 33 - 1) * 300);
  });
});

describe('TimestampUnwrapper', () => {
  it('keeps a stream monotonic across the 2^33 wrap', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(2 ** 33 - 3000)).toBe(2 ** 33 - 3000);
    expect(u.unwrap(1000)).toBe(2 ** 33 + 1000);
    expect(u.unwrap(2 ** 33 - 500)).toBe(2 ** 33 - 500); // slightly late packet from before the wrap
    expect(u.unwrap(5000)).toBe(2 ** 33 + 5000);
  });

  it('measures deltas the short way round', () => {
    expect(timestampDelta(2 ** 33 - 10, 10)).toBe(20);
    expect(timestampDelta(10, 2 ** 33 - 10)).toBe(-20);
  });
});
