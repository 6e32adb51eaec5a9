/**
 * Annex B (start-code delimited, ITU-T H.264 Annex B) and length-prefixed (AVCC/HVCC,
 * ISO/IEC 14496-15) NAL unit framing: iteration without copying, conversion both ways,
 * and allocation-free variants writing into a caller's buffer.
 */
import { MalformedCodecData } from './errors.js';
import { h264NalUnitType, h265NalUnitType, isH264IdrType, isH265IrapType } from './nal-unit-type.js';

/** Size in bytes of a NAL unit length field in length-prefixed framing. */
export type NalLengthSize = 1 | 2 | 4;

/** The 4-byte start code written by the converters. */
const START_CODE_SIZE = 4;

function checkLengthSize(lengthSize: number, fn: string): void {
  if (lengthSize !== 1 && lengthSize !== 2 && lengthSize !== 4) {
    throw new RangeError(`${fn}: lengthSize must be 1, 2 or 4, got ${lengthSize}`);
  }
}

/** Node's Buffer, when present: its indexOf runs a native search (several GB/s). */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(bytes: number[]): Uint8Array;
      prototype: { indexOf: (this: Uint8Array, value: Uint8Array, byteOffset: number) => number };
    };
  }
).Buffer;
const START_CODE_PREFIX = NodeBuffer?.from([0, 0, 1]);
const nativeIndexOf = NodeBuffer?.prototype.indexOf;
/** Below this many bytes to search, the JS loop beats the native call's overhead. */
const NATIVE_SEARCH_MIN = 64;

/**
 * Index of the first byte of the next start code prefix (0x000001) at or after `from`,
 * or -1 when there is none.
 */
export function findStartCode(data: Uint8Array, from: number): number {
  if (nativeIndexOf !== undefined && from >= 0 && data.length - from >= NATIVE_SEARCH_MIN) {
    // Buffer.prototype.indexOf works on any Uint8Array: about 3x the JS loop below
    return nativeIndexOf.call(data, START_CODE_PREFIX!, from);
  }
  const last = data.length - 2;
  for (let i = from; i < last; i++) {
    const b2 = data[i + 2] as number;
    if (b2 > 1) {
      // no start code can begin at i, i+1 or i+2
      i += 2;
      continue;
    }
    if (b2 === 1 && data[i] === 0 && data[i + 1] === 0) return i;
  }
  return -1;
}

/** Offset just past the first start code, checking that only zero bytes precede it. */
function firstNalStart(data: Uint8Array): number {
  if (data.length === 0) return -1;
  const sc = findStartCode(data, 0);
  const limit = sc < 0 ? data.length : sc;
  for (let i = 0; i < limit; i++) {
    if (data[i] !== 0)
      throw new MalformedCodecData(
        'annexb',
        `data does not start with a start code (byte ${i} is 0x${(data[i] as number).toString(16)})`,
      );
  }
  return sc < 0 ? -1 : sc + 3;
}

/** End of the NAL unit starting at `start` given the next start code at `next` (-1: none). */
function nalEnd(data: Uint8Array, start: number, next: number): number {
  let end = next < 0 ? data.length : next;
  // trailing_zero_8bits and the leading zero of a 4-byte start code belong to no NAL unit
  while (end > start && data[end - 1] === 0) end--;
  return end;
}

/**
 * Calls `fn` with each NAL unit of Annex B data (a view, start codes and trailing zero
 * bytes excluded; empty NAL units skipped) and returns how many there were.
 * Throws MalformedCodecData when non-zero bytes precede the first start code.
 */
export function forEachAnnexBNalUnit(data: Uint8Array, fn: (nal: Uint8Array) => void): number {
  let start = firstNalStart(data);
  let count = 0;
  while (start >= 0) {
    const next = findStartCode(data, start);
    const end = nalEnd(data, start, next);
    if (end > start) {
      fn(data.subarray(start, end));
      count++;
    }
    start = next < 0 ? -1 : next + 3;
  }
  return count;
}

/** Iterates the NAL units of Annex B data as views (see {@link forEachAnnexBNalUnit}). */
export function* annexBNalUnits(data: Uint8Array): Generator<Uint8Array, void, undefined> {
  let start = firstNalStart(data);
  while (start >= 0) {
    const next = findStartCode(data, start);
    const end = nalEnd(data, start, next);
    if (end > start) yield data.subarray(start, end);
    start = next < 0 ? -1 : next + 3;
  }
}

function readLength(data: Uint8Array, pos: number, lengthSize: number): number {
  if (lengthSize === 4) {
    return (
      (data[pos] as number) * 0x1000000 +
      (((data[pos + 1] as number) << 16) | ((data[pos + 2] as number) << 8) | (data[pos + 3] as number))
    );
  }
  if (lengthSize === 2) return ((data[pos] as number) << 8) | (data[pos + 1] as number);
  return data[pos] as number;
}

/**
 * Calls `fn` with each NAL unit of length-prefixed data (a view; zero-length units
 * skipped) and returns how many there were. Throws MalformedCodecData when a length
 * field or a NAL unit runs past the end.
 */
export function forEachNalUnit(data: Uint8Array, lengthSize: NalLengthSize, fn: (nal: Uint8Array) => void): number {
  checkLengthSize(lengthSize, 'forEachNalUnit');
  let pos = 0;
  let count = 0;
  while (pos < data.length) {
    if (pos + lengthSize > data.length) throw truncatedLength(pos, data.length);
    const size = readLength(data, pos, lengthSize);
    pos += lengthSize;
    if (size > data.length - pos) throw pastEnd(size, pos, data.length);
    if (size > 0) {
      fn(data.subarray(pos, pos + size));
      count++;
    }
    pos += size;
  }
  return count;
}

/** Iterates the NAL units of length-prefixed data as views (see {@link forEachNalUnit}). */
export function* lengthPrefixedNalUnits(
  data: Uint8Array,
  lengthSize: NalLengthSize,
): Generator<Uint8Array, void, undefined> {
  checkLengthSize(lengthSize, 'lengthPrefixedNalUnits');
  let pos = 0;
  while (pos < data.length) {
    if (pos + lengthSize > data.length) throw truncatedLength(pos, data.length);
    const size = readLength(data, pos, lengthSize);
    pos += lengthSize;
    if (size > data.length - pos) throw pastEnd(size, pos, data.length);
    if (size > 0) yield data.subarray(pos, pos + size);
    pos += size;
  }
}

function truncatedLength(pos: number, total: number): MalformedCodecData {
  return new MalformedCodecData('nal-length-prefixed', `truncated NAL unit length field at byte ${pos} of ${total}`);
}

function pastEnd(size: number, pos: number, total: number): MalformedCodecData {
  return new MalformedCodecData(
    'nal-length-prefixed',
    `NAL unit of ${size} bytes at byte ${pos} runs past the end of ${total} bytes`,
  );
}

/** Bytes {@link writeAnnexB} writes for length-prefixed `src` (4-byte start codes). */
export function annexBSizeOf(src: Uint8Array, lengthSize: NalLengthSize): number {
  checkLengthSize(lengthSize, 'annexBSizeOf');
  let total = 0;
  let pos = 0;
  while (pos < src.length) {
    if (pos + lengthSize > src.length) throw truncatedLength(pos, src.length);
    const size = readLength(src, pos, lengthSize);
    pos += lengthSize;
    if (size > src.length - pos) throw pastEnd(size, pos, src.length);
    if (size > 0) total += START_CODE_SIZE + size;
    pos += size;
  }
  return total;
}

/** Writes a 4-byte start code and `nal` at `dest[offset]`; returns bytes written. */
export function writeAnnexBNalUnit(nal: Uint8Array, dest: Uint8Array, offset: number): number {
  const need = START_CODE_SIZE + nal.length;
  if (!Number.isInteger(offset) || offset < 0 || offset + need > dest.length) {
    throw new RangeError(`writeAnnexBNalUnit: ${need} bytes do not fit at offset ${offset} of ${dest.length}`);
  }
  dest[offset] = 0;
  dest[offset + 1] = 0;
  dest[offset + 2] = 0;
  dest[offset + 3] = 1;
  dest.set(nal, offset + START_CODE_SIZE);
  return need;
}

/**
 * Converts length-prefixed `src` to Annex B (4-byte start codes) into `dest` at `offset`
 * in one pass without allocating; `dest` needs {@link annexBSizeOf} bytes there (else a
 * RangeError, possibly after a partial write). Returns bytes written.
 */
export function writeAnnexB(src: Uint8Array, lengthSize: NalLengthSize, dest: Uint8Array, offset: number): number {
  checkLengthSize(lengthSize, 'writeAnnexB');
  if (!Number.isInteger(offset) || offset < 0 || offset > dest.length)
    throw new RangeError(`writeAnnexB: offset ${offset} outside 0..${dest.length}`);
  let pos = 0;
  let out = offset;
  while (pos < src.length) {
    if (pos + lengthSize > src.length) throw truncatedLength(pos, src.length);
    const size = readLength(src, pos, lengthSize);
    pos += lengthSize;
    if (size > src.length - pos) throw pastEnd(size, pos, src.length);
    if (size > 0) {
      if (out + START_CODE_SIZE + size > dest.length)
        throw new RangeError(`writeAnnexB: output does not fit in ${dest.length - offset} bytes at offset ${offset}`);
      dest[out] = 0;
      dest[out + 1] = 0;
      dest[out + 2] = 0;
      dest[out + 3] = 1;
      dest.set(src.subarray(pos, pos + size), out + START_CODE_SIZE);
      out += START_CODE_SIZE + size;
    }
    pos += size;
  }
  return out - offset;
}

/** Converts length-prefixed NAL units to a new Annex B buffer (4-byte start codes). */
export function lengthPrefixedToAnnexB(data: Uint8Array, lengthSize: NalLengthSize): Uint8Array {
  const out = new Uint8Array(annexBSizeOf(data, lengthSize));
  writeAnnexB(data, lengthSize, out, 0);
  return out;
}

function checkNalFits(nal: Uint8Array, lengthSize: number): void {
  if (lengthSize < 4 && nal.length >= 2 ** (8 * lengthSize)) {
    throw new MalformedCodecData(
      'annexb',
      `NAL unit of ${nal.length} bytes does not fit a ${lengthSize}-byte length field`,
    );
  }
}

/** Bytes {@link writeLengthPrefixed} writes for Annex B `src`. */
export function lengthPrefixedSizeOf(src: Uint8Array, lengthSize: NalLengthSize): number {
  checkLengthSize(lengthSize, 'lengthPrefixedSizeOf');
  let total = 0;
  let start = firstNalStart(src);
  while (start >= 0) {
    const next = findStartCode(src, start);
    const end = nalEnd(src, start, next);
    if (end > start) {
      if (lengthSize < 4 && end - start >= 2 ** (8 * lengthSize)) checkNalFits(src.subarray(start, end), lengthSize);
      total += lengthSize + end - start;
    }
    start = next < 0 ? -1 : next + 3;
  }
  return total;
}

/**
 * Converts Annex B `src` to length-prefixed NAL units into `dest` at `offset` in one pass
 * without allocating; `dest` needs {@link lengthPrefixedSizeOf} bytes there (else a
 * RangeError, possibly after a partial write). `dest` must not overlap `src`. Returns
 * bytes written.
 */
export function writeLengthPrefixed(
  src: Uint8Array,
  lengthSize: NalLengthSize,
  dest: Uint8Array,
  offset: number,
): number {
  checkLengthSize(lengthSize, 'writeLengthPrefixed');
  if (!Number.isInteger(offset) || offset < 0 || offset > dest.length)
    throw new RangeError(`writeLengthPrefixed: offset ${offset} outside 0..${dest.length}`);
  let out = offset;
  let start = firstNalStart(src);
  while (start >= 0) {
    const next = findStartCode(src, start);
    const end = nalEnd(src, start, next);
    const n = end - start;
    if (n > 0) {
      if (lengthSize < 4 && n >= 2 ** (8 * lengthSize)) checkNalFits(src.subarray(start, end), lengthSize);
      if (out + lengthSize + n > dest.length)
        throw new RangeError(
          `writeLengthPrefixed: output does not fit in ${dest.length - offset} bytes at offset ${offset}`,
        );
      if (lengthSize === 4) {
        dest[out] = n >>> 24;
        dest[out + 1] = (n >>> 16) & 0xff;
        dest[out + 2] = (n >>> 8) & 0xff;
        dest[out + 3] = n & 0xff;
      } else if (lengthSize === 2) {
        dest[out] = n >>> 8;
        dest[out + 1] = n & 0xff;
      } else {
        dest[out] = n;
      }
      dest.set(src.subarray(start, end), out + lengthSize);
      out += lengthSize + n;
    }
    start = next < 0 ? -1 : next + 3;
  }
  return out - offset;
}

/** Converts Annex B data to a new length-prefixed buffer. */
export function annexBToLengthPrefixed(data: Uint8Array, lengthSize: NalLengthSize): Uint8Array {
  const out = new Uint8Array(lengthPrefixedSizeOf(data, lengthSize));
  writeLengthPrefixed(data, lengthSize, out, 0);
  return out;
}

/** True when a length-prefixed H.264 access unit contains an IDR slice. */
export function h264AccessUnitHasIdr(data: Uint8Array, lengthSize: NalLengthSize): boolean {
  for (const nal of lengthPrefixedNalUnits(data, lengthSize)) {
    if (isH264IdrType(h264NalUnitType(nal))) return true;
  }
  return false;
}

/** True when a length-prefixed H.265 access unit contains an IRAP picture. */
export function h265AccessUnitHasIrap(data: Uint8Array, lengthSize: NalLengthSize): boolean {
  for (const nal of lengthPrefixedNalUnits(data, lengthSize)) {
    if (isH265IrapType(h265NalUnitType(nal))) return true;
  }
  return false;
}
