/**
 * MSB-first bit reader for H.264/H.265 parameter sets and other codec headers, with
 * Exp-Golomb codes and optional lazy removal of emulation prevention bytes (0x000003).
 */
import { BitstreamOverrun, MalformedCodecData } from './errors.js';

/** Options of {@link BitReader}. */
export interface BitReaderOptions {
  /**
   * Skip emulation prevention bytes (the 0x03 of each 0x000003) while reading, so a
   * NAL unit payload can be read as RBSP without copying it. Default false.
   */
  emulationPrevention?: boolean;
  /** Name of the structure being read, used in error messages. Default `'bitstream'`. */
  format?: string;
}

/** Reads bits MSB first from a byte view; every read is bounds-checked. */
export class BitReader {
  private readonly data: Uint8Array;
  private readonly epb: boolean;
  private readonly format: string;
  /** Index of the next byte to load from `data`. */
  private pos = 0;
  /** The byte being consumed. */
  private cur = 0;
  /** Bits of `cur` not consumed yet. */
  private curBits = 0;
  /** Consecutive zero bytes loaded (for emulation prevention). */
  private zeros = 0;
  /** Bits consumed so far (in RBSP bits: skipped emulation bytes are not counted). */
  private consumed = 0;

  constructor(data: Uint8Array, options: BitReaderOptions = {}) {
    this.data = data;
    this.epb = options.emulationPrevention ?? false;
    this.format = options.format ?? 'bitstream';
  }

  /** Bits read so far. */
  get bitPosition(): number {
    return this.consumed;
  }

  /**
   * Bits left to read. Exact without emulation prevention; with it, an upper bound
   * (emulation prevention bytes not reached yet are counted).
   */
  get bitsLeft(): number {
    return this.curBits + (this.data.length - this.pos) * 8;
  }

  /** True when the next read starts on a byte boundary. */
  get byteAligned(): boolean {
    return this.curBits === 0;
  }

  private loadByte(): void {
    const data = this.data;
    if (this.pos >= data.length) throw this.overrun();
    let b = data[this.pos++] as number;
    if (this.epb) {
      if (this.zeros >= 2 && b === 3) {
        // emulation_prevention_three_byte: not part of the RBSP
        this.zeros = 0;
        if (this.pos >= data.length) throw this.overrun();
        b = data[this.pos++] as number;
      }
      this.zeros = b === 0 ? this.zeros + 1 : 0;
    }
    this.cur = b;
    this.curBits = 8;
  }

  private overrun(): BitstreamOverrun {
    return new BitstreamOverrun(
      this.format,
      `read past the end of ${this.data.length} bytes (at bit ${this.consumed})`,
    );
  }

  /** Reads one bit (0 or 1). */
  readBit(): number {
    if (this.curBits === 0) this.loadByte();
    this.curBits--;
    this.consumed++;
    return (this.cur >> this.curBits) & 1;
  }

  /** Reads one bit as a boolean flag. */
  readFlag(): boolean {
    return this.readBit() === 1;
  }

  /** Reads an unsigned n-bit value, 0 <= n <= 32. */
  readBits(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > 32)
      throw new RangeError(`readBits: n must be an integer in 0..32, got ${n}`);
    let value = 0;
    while (n > 0) {
      if (this.curBits === 0) this.loadByte();
      const take = n < this.curBits ? n : this.curBits;
      const shift = this.curBits - take;
      const part = (this.cur >> shift) & ((1 << take) - 1);
      value = value * (1 << take) + part;
      this.curBits -= take;
      this.consumed += take;
      n -= take;
    }
    return value;
  }

  /** Skips n bits (n >= 0). */
  skipBits(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`skipBits: n must be a non-negative integer, got ${n}`);
    while (n > 0) {
      const take = n > 32 ? 32 : n;
      this.readBits(take);
      n -= take;
    }
  }

  /** Skips to the next byte boundary. */
  byteAlign(): void {
    this.consumed += this.curBits;
    this.curBits = 0;
  }

  /** Reads an unsigned Exp-Golomb code ue(v), up to 2^32 - 2. */
  readUe(): number {
    let leadingZeros = 0;
    while (this.readBit() === 0) {
      leadingZeros++;
      if (leadingZeros > 31)
        throw new MalformedCodecData(
          this.format,
          `Exp-Golomb code with more than 31 leading zero bits at bit ${this.consumed}`,
        );
    }
    if (leadingZeros === 0) return 0;
    return 2 ** leadingZeros - 1 + this.readBits(leadingZeros);
  }

  /** Reads a signed Exp-Golomb code se(v). */
  readSe(): number {
    const k = this.readUe();
    // k = 1, 2, 3, 4 ... maps to 1, -1, 2, -2 ...
    if (k === 0) return 0;
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /**
   * Reads ue(v) and checks it is at most `max` (a syntax element's legal range), so a
   * corrupt value never drives a loop or an allocation.
   */
  readUeMax(max: number, field: string): number {
    const v = this.readUe();
    if (v > max) throw new MalformedCodecData(this.format, `${field}=${v} exceeds ${max}`);
    return v;
  }

  /** Reads se(v) and checks it lies within [min, max]. */
  readSeRange(min: number, max: number, field: string): number {
    const v = this.readSe();
    if (v < min || v > max) throw new MalformedCodecData(this.format, `${field}=${v} outside ${min}..${max}`);
    return v;
  }
}

/** True when `nal` contains an emulation prevention sequence (0x000003). */
export function hasEmulationPrevention(nal: Uint8Array): boolean {
  for (let i = 2; i < nal.length; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) return true;
  }
  return false;
}

/**
 * Removes emulation prevention bytes from `src` into `dest` (which must hold at least
 * `src.length` bytes) and returns the number of RBSP bytes written. No allocation.
 */
export function removeEmulationPreventionInto(src: Uint8Array, dest: Uint8Array): number {
  if (dest.length < src.length)
    throw new RangeError(`removeEmulationPreventionInto: dest holds ${dest.length} bytes, needs ${src.length}`);
  let zeros = 0;
  let out = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    dest[out++] = b;
  }
  return out;
}

/**
 * Returns the RBSP of a NAL unit: `nal` itself when it has no emulation prevention
 * bytes, otherwise a copy (never larger than `nal`) with them removed.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  if (!hasEmulationPrevention(nal)) return nal;
  const out = new Uint8Array(nal.length);
  return out.subarray(0, removeEmulationPreventionInto(nal, out));
}
