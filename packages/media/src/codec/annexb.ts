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
/** Bytes looked at in JS before the native search: the first start code and short NAL units (AUD, SPS, PPS) are found without a call. */
const SHORT_LOOK = 24;

/**
 * Index of the first byte of the next start code prefix (0x000001) at or after `from`,
 * or -1 when there is none.
 */
export function findStartCode(data: Uint8Array, from: number): number {
  const last = data.length - 2;
  const stop = Math.min(from + SHORT_LOOK, last);
  let i = from;
  for (; i < stop; i++) if (data[i + 2] === 1 && data[i] === 0 && data[i + 1] === 0) return i;
  if (nativeIndexOf !== undefined && i >= 0 && data.length - i >= NATIVE_SEARCH_MIN) {
    // Buffer.prototype.indexOf works on any Uint8Array: about 3x the JS loop below
    return nativeIndexOf.call(data, START_CODE_PREFIX!, i);
  }
  for (; i < last; i++) {
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

/**
 * THE walk over the NAL units of one buffer, Annex B or length-prefixed, without copying
 * or allocating per unit: `const w = NalUnitWalker.annexB(data); while (w.next()) use(data.subarray(w.start, w.end))`.
 * Every NAL-unit loop of the model (and of @sluice/mpegts) is this one. Empty NAL units
 * are skipped; Annex B start codes and trailing zero bytes are excluded from a unit.
 */
export class NalUnitWalker {
  /** First byte of the current NAL unit (valid after next() returned true). */
  start = 0;
  /** Offset just past the current NAL unit's last byte. */
  end = 0;
  private data: Uint8Array = new Uint8Array(0);
  /** 0 for Annex B, else the size of the length fields. */
  private lengthSize: 0 | NalLengthSize = 0;
  /** Annex B: start of the next unit to look at (-1: done); length-prefixed: the next length field. */
  private pos = -1;

  /**
   * Walks Annex B data. Throws MalformedCodecData when non-zero bytes precede the first
   * start code.
   */
  static annexB(data: Uint8Array): NalUnitWalker {
    const walker = new NalUnitWalker();
    const garbage = walker.resetAnnexB(data);
    if (garbage >= 0)
      throw new MalformedCodecData(
        'annexb',
        `data does not start with a start code (byte ${garbage} is 0x${(data[garbage] as number).toString(16)})`,
      );
    return walker;
  }

  /**
   * Walks length-prefixed (AVCC/HVCC) data; next() throws MalformedCodecData when a
   * length field or a NAL unit runs past the end.
   */
  static lengthPrefixed(data: Uint8Array, lengthSize: NalLengthSize, caller = 'lengthPrefixed'): NalUnitWalker {
    checkLengthSize(lengthSize, caller);
    const walker = new NalUnitWalker();
    walker.data = data;
    walker.lengthSize = lengthSize;
    walker.pos = 0;
    return walker;
  }

  /**
   * Starts (re)walking Annex B `data` with this walker (no allocation, for per-packet use).
   * Returns -1, or the offset of a non-zero byte in front of the first start code (then
   * the data is not Annex B, and next() walks from the first start code anyway).
   */
  resetAnnexB(data: Uint8Array): number {
    this.data = data;
    this.lengthSize = 0;
    const sc = findStartCode(data, 0);
    this.pos = sc < 0 ? -1 : sc + 3;
    const limit = sc < 0 ? data.length : sc;
    for (let i = 0; i < limit; i++) if (data[i] !== 0) return i;
    return -1;
  }

  /** Advances to the next non-empty NAL unit; false when there is none. */
  next(): boolean {
    const data = this.data;
    const lengthSize = this.lengthSize;
    if (lengthSize === 0) {
      while (this.pos >= 0) {
        const start = this.pos;
        const sc = findStartCode(data, start);
        let end = sc < 0 ? data.length : sc;
        // trailing_zero_8bits and the leading zero of a 4-byte start code belong to no NAL unit
        while (end > start && data[end - 1] === 0) end--;
        this.pos = sc < 0 ? -1 : sc + 3;
        if (end > start) {
          this.start = start;
          this.end = end;
          return true;
        }
      }
      return false;
    }
    while (this.pos < data.length) {
      let pos = this.pos;
      if (pos + lengthSize > data.length) throw truncatedLength(pos, data.length);
      const size = readLength(data, pos, lengthSize);
      pos += lengthSize;
      if (size > data.length - pos) throw pastEnd(size, pos, data.length);
      this.pos = pos + size;
      if (size > 0) {
        this.start = pos;
        this.end = pos + size;
        return true;
      }
    }
    return false;
  }
}

/**
 * Calls `fn` with each NAL unit of Annex B data (a view, start codes and trailing zero
 * bytes excluded; empty NAL units skipped) and returns how many there were.
 * Throws MalformedCodecData when non-zero bytes precede the first start code.
 */
export function forEachAnnexBNalUnit(data: Uint8Array, fn: (nal: Uint8Array) => void): number {
  const w = NalUnitWalker.annexB(data);
  let count = 0;
  while (w.next()) {
    fn(data.subarray(w.start, w.end));
    count++;
  }
  return count;
}

/** Iterates the NAL units of Annex B data as views (see {@link forEachAnnexBNalUnit}). */
export function* annexBNalUnits(data: Uint8Array): Generator<Uint8Array, void, undefined> {
  const w = NalUnitWalker.annexB(data);
  while (w.next()) yield data.subarray(w.start, w.end);
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
  const w = NalUnitWalker.lengthPrefixed(data, lengthSize, 'forEachNalUnit');
  let count = 0;
  while (w.next()) {
    fn(data.subarray(w.start, w.end));
    count++;
  }
  return count;
}

/** Iterates the NAL units of length-prefixed data as views (see {@link forEachNalUnit}). */
export function* lengthPrefixedNalUnits(
  data: Uint8Array,
  lengthSize: NalLengthSize,
): Generator<Uint8Array, void, undefined> {
  const w = NalUnitWalker.lengthPrefixed(data, lengthSize, 'lengthPrefixedNalUnits');
  while (w.next()) yield data.subarray(w.start, w.end);
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
  const w = NalUnitWalker.lengthPrefixed(src, lengthSize, 'annexBSizeOf');
  let total = 0;
  while (w.next()) total += START_CODE_SIZE + w.end - w.start;
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
  const w = NalUnitWalker.lengthPrefixed(src, lengthSize, 'writeAnnexB');
  checkOffset(dest, offset, 'writeAnnexB');
  let out = offset;
  while (w.next()) {
    const size = w.end - w.start;
    if (out + START_CODE_SIZE + size > dest.length)
      throw new RangeError(`writeAnnexB: output does not fit in ${dest.length - offset} bytes at offset ${offset}`);
    dest[out] = 0;
    dest[out + 1] = 0;
    dest[out + 2] = 0;
    dest[out + 3] = 1;
    dest.set(src.subarray(w.start, w.end), out + START_CODE_SIZE);
    out += START_CODE_SIZE + size;
  }
  return out - offset;
}

/** Converts length-prefixed NAL units to a new Annex B buffer (4-byte start codes). */
export function lengthPrefixedToAnnexB(data: Uint8Array, lengthSize: NalLengthSize): Uint8Array {
  return convertToNew(data, lengthSize, annexBSizeOf, writeAnnexB);
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
  const w = NalUnitWalker.annexB(src);
  let total = 0;
  while (w.next()) {
    if (lengthSize < 4 && w.end - w.start >= 2 ** (8 * lengthSize))
      checkNalFits(src.subarray(w.start, w.end), lengthSize);
    total += lengthSize + w.end - w.start;
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
  checkOffset(dest, offset, 'writeLengthPrefixed');
  const w = NalUnitWalker.annexB(src);
  let out = offset;
  while (w.next()) {
    const n = w.end - w.start;
    if (lengthSize < 4 && n >= 2 ** (8 * lengthSize)) checkNalFits(src.subarray(w.start, w.end), lengthSize);
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
    dest.set(src.subarray(w.start, w.end), out + lengthSize);
    out += lengthSize + n;
  }
  return out - offset;
}

/** Converts Annex B data to a new length-prefixed buffer. */
export function annexBToLengthPrefixed(data: Uint8Array, lengthSize: NalLengthSize): Uint8Array {
  return convertToNew(data, lengthSize, lengthPrefixedSizeOf, writeLengthPrefixed);
}

/** A new buffer of the size `sizeOf` gives for `data`, filled by `write` (one of the converters above). */
function convertToNew(
  data: Uint8Array,
  lengthSize: NalLengthSize,
  sizeOf: (src: Uint8Array, lengthSize: NalLengthSize) => number,
  write: (src: Uint8Array, lengthSize: NalLengthSize, dest: Uint8Array, offset: number) => number,
): Uint8Array {
  const out = new Uint8Array(sizeOf(data, lengthSize));
  write(data, lengthSize, out, 0);
  return out;
}

/** Throws a RangeError (naming `fn`) unless `offset` is a whole number inside `dest` (its end included). */
function checkOffset(dest: Uint8Array, offset: number, fn: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > dest.length)
    throw new RangeError(`${fn}: offset ${offset} outside 0..${dest.length}`);
}

/** True when a length-prefixed H.264 access unit contains an IDR slice. */
export function h264AccessUnitHasIdr(data: Uint8Array, lengthSize: NalLengthSize): boolean {
  const w = NalUnitWalker.lengthPrefixed(data, lengthSize, 'h264AccessUnitHasIdr');
  while (w.next()) if (isH264IdrType(h264NalUnitType(data.subarray(w.start, w.end)))) return true;
  return false;
}

/** True when a length-prefixed H.265 access unit contains an IRAP picture. */
export function h265AccessUnitHasIrap(data: Uint8Array, lengthSize: NalLengthSize): boolean {
  const w = NalUnitWalker.lengthPrefixed(data, lengthSize, 'h265AccessUnitHasIrap');
  while (w.next()) if (isH265IrapType(h265NalUnitType(data.subarray(w.start, w.end)))) return true;
  return false;
}
