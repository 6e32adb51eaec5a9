/** MSB-first bit writer for building small codec headers (configuration records). */

/** Writes bits MSB first into a growable buffer (for small headers, not hot paths). */
export class BitWriter {
  private buf: Uint8Array;
  private bitPos = 0;

  constructor(initialBytes = 32) {
    this.buf = new Uint8Array(Math.max(1, initialBytes));
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.bitPos;
  }

  /** Writes the low `n` bits of `value` (0 <= n <= 32, value a non-negative integer). */
  writeBits(n: number, value: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 32) throw new RangeError(`writeBits: n must be 0..32, got ${n}`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** n)
      throw new RangeError(`writeBits: ${value} does not fit in ${n} bits`);
    const needBytes = Math.ceil((this.bitPos + n) / 8);
    if (needBytes > this.buf.length) {
      const grown = new Uint8Array(Math.max(needBytes, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
    }
    for (let i = n - 1; i >= 0; i--) {
      const bit = Math.floor(value / 2 ** i) % 2;
      if (bit) this.buf[this.bitPos >> 3] = (this.buf[this.bitPos >> 3] as number) | (0x80 >> (this.bitPos & 7));
      this.bitPos++;
    }
  }

  /** Writes an unsigned Exp-Golomb code ue(v), 0 <= value <= 2^32 - 2. */
  writeUe(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 2 ** 32 - 2)
      throw new RangeError(`writeUe: value must be 0..4294967294, got ${value}`);
    const v = value + 1;
    const bits = Math.floor(Math.log2(v)) + 1;
    this.writeBits(bits - 1, 0);
    this.writeBits(bits, v);
  }

  /** Writes a signed Exp-Golomb code se(v). */
  writeSe(value: number): void {
    if (!Number.isInteger(value)) throw new RangeError(`writeSe: value must be an integer, got ${value}`);
    this.writeUe(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** Writes whole bytes (byte-aligned or not). */
  writeBytes(bytes: Uint8Array): void {
    for (const b of bytes) this.writeBits(8, b);
  }

  /** Pads with zero bits to a byte boundary and returns the written bytes (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, Math.ceil(this.bitPos / 8));
  }
}
