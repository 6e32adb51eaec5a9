import { describe, expect, it } from 'vitest';
import { FLV_TIMESCALE, TS_TIMESCALE, rescaleTimestamp } from './packet.js';

describe('rescaleTimestamp', () => {
  it('converts 1 kHz to 90 kHz exactly, past 2^32', () => {
    expect(rescaleTimestamp(1000, FLV_TIMESCALE, TS_TIMESCALE)).toBe(90_000);
    const threeDaysMs = 3 * 24 * 3600 * 1000;
    expect(rescaleTimestamp(threeDaysMs, FLV_TIMESCALE, TS_TIMESCALE)).toBe(threeDaysMs * 90);
    expect(rescaleTimestamp(2 ** 33 + 5, TS_TIMESCALE, TS_TIMESCALE)).toBe(2 ** 33 + 5);
  });
  it('converts 90 kHz to 1 kHz rounding to the nearest millisecond', () => {
    expect(rescaleTimestamp(90_044, TS_TIMESCALE, FLV_TIMESCALE)).toBe(1000);
    expect(rescaleTimestamp(90_046, TS_TIMESCALE, FLV_TIMESCALE)).toBe(1001);
    expect(rescaleTimestamp(2 ** 33 * 90, TS_TIMESCALE, FLV_TIMESCALE)).toBe(2 ** 33);
  });
  it('rejects invalid timescales', () => {
    expect(() => rescaleTimestamp(1, 0, 1000)).toThrow('from timescale must be a positive integer, got 0');
    expect(() => rescaleTimestamp(1, 1000, 1.5)).toThrow('to timescale must be a positive integer, got 1.5');
  });
});
