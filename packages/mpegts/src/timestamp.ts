/**
 * 33-bit PTS/DTS and 42-bit PCR fields. Timestamps are handled with arithmetic only:
 * they exceed 32 bits, so bitwise operators would truncate them.
 */
import { TIMESTAMP_WRAP, PCR_EXTENSION_FACTOR, PCR_WRAP } from './constants.js';

const TWO_15 = 2 ** 15;
const TWO_30 = 2 ** 30;

/** Reduces any integer timestamp (possibly negative or past 2^33) to [0, 2^33). */
export function wrapTimestamp(value: number): number {
  const r = value % TIMESTAMP_WRAP;
  return r < 0 ? r + TIMESTAMP_WRAP : r;
}

/** Reduces any integer PCR in 27 MHz ticks (possibly negative or past the wrap) to [0, 2^33 × 300). */
export function wrapPcr(pcr: number): number {
  const r = pcr % PCR_WRAP;
  return r < 0 ? r + PCR_WRAP : r;
}

/**
 * Writes a 5-byte PTS or DTS field: '4-bit prefix', TS[32..30], marker, TS[29..15],
 * marker, TS[14..0], marker. `value` is reduced modulo 2^33.
 */
export function writeTimestampField(buf: Uint8Array, offset: number, prefix: number, value: number): void {
  const v = wrapTimestamp(value);
  const high = Math.floor(v / TWO_30); // 3 bits
  const rest = v - high * TWO_30;
  const mid = Math.floor(rest / TWO_15); // 15 bits
  const low = rest - mid * TWO_15; // 15 bits
  buf[offset] = (prefix << 4) | (high << 1) | 1;
  buf[offset + 1] = mid >> 7;
  buf[offset + 2] = ((mid & 0x7f) << 1) | 1;
  buf[offset + 3] = low >> 7;
  buf[offset + 4] = ((low & 0x7f) << 1) | 1;
}

/** Reads a 5-byte PTS or DTS field (markers are not checked); returns a value in [0, 2^33). */
export function readTimestampField(buf: Uint8Array, offset: number): number {
  const high = (buf[offset]! >> 1) & 0x07;
  const mid = (buf[offset + 1]! << 7) | (buf[offset + 2]! >> 1);
  const low = (buf[offset + 3]! << 7) | (buf[offset + 4]! >> 1);
  return high * TWO_30 + mid * TWO_15 + low;
}

/**
 * Writes the 6-byte program_clock_reference: base (33 bits, 90 kHz), reserved (6 bits),
 * extension (9 bits, 27 MHz remainder). `pcr` is in 27 MHz ticks, reduced modulo 2^33*300.
 */
export function writePcrField(buf: Uint8Array, offset: number, pcr: number): void {
  const p = wrapPcr(pcr);
  const base = Math.floor(p / PCR_EXTENSION_FACTOR);
  const ext = p - base * PCR_EXTENSION_FACTOR;
  buf[offset] = Math.floor(base / 2 ** 25) % 256;
  buf[offset + 1] = Math.floor(base / 2 ** 17) % 256;
  buf[offset + 2] = Math.floor(base / 2 ** 9) % 256;
  buf[offset + 3] = Math.floor(base / 2) % 256;
  buf[offset + 4] = ((base % 2) << 7) | 0x7e | (ext >> 8);
  buf[offset + 5] = ext & 0xff;
}

/** Reads a 6-byte program_clock_reference; returns 27 MHz ticks in [0, 2^33*300). */
export function readPcrField(buf: Uint8Array, offset: number): number {
  const base =
    buf[offset]! * 2 ** 25 +
    buf[offset + 1]! * 2 ** 17 +
    buf[offset + 2]! * 2 ** 9 +
    buf[offset + 3]! * 2 +
    (buf[offset + 4]! >> 7);
  const ext = ((buf[offset + 4]! & 0x01) << 8) | buf[offset + 5]!;
  return base * PCR_EXTENSION_FACTOR + ext;
}

/**
 * Signed distance b - a between two 33-bit timestamps, taking the shorter way round
 * the wrap (result in [-2^32, 2^32)).
 */
export function timestampDelta(a: number, b: number, wrap = TIMESTAMP_WRAP): number {
  let d = (b - a) % wrap;
  if (d < -wrap / 2) d += wrap;
  else if (d >= wrap / 2) d -= wrap;
  return d;
}

/**
 * Turns 33-bit timestamps into a monotonic timeline: each value is placed in the
 * 2^33 period closest to the previous one, so a stream that runs for days keeps
 * increasing past the wrap.
 */
export class TimestampUnwrapper {
  private last: number | undefined;

  /** The unwrapped value of a 33-bit timestamp. */
  unwrap(value: number): number {
    if (this.last === undefined) {
      this.last = value;
      return value;
    }
    const result = this.last + timestampDelta(wrapTimestamp(this.last), value);
    this.last = result;
    return result;
  }

  /** Forgets the reference (after a discontinuity the next value starts fresh). */
  reset(): void {
    this.last = undefined;
  }
}
