/**
 * Finds 188-byte transport packets in a byte stream that arrives in arbitrary pieces,
 * and regains sync after garbage. Packets lying inside a pushed chunk are handed out
 * in place (no copy); a packet split across chunks is assembled in a small buffer.
 * Sync is (re)acquired at a 0x47 byte followed by another 0x47 188 bytes later.
 */
import { TS_PACKET_SIZE, TS_SYNC_BYTE } from './constants.js';

/** Receives one packet: `buf[offset .. offset + 188)`, valid only during the call. */
export type TsPacketListener = (buf: Uint8Array, offset: number) => void;

/** Told how many bytes were skipped to regain sync and at which stream offset they began. */
export type TsSyncLossListener = (skipped: number, offset: number) => void;

/** Receives consecutive packets in sync: `buf[start .. end)`, a multiple of 188 bytes, valid only during the call. */
export type TsPacketRunListener = (buf: Uint8Array, start: number, end: number) => void;

/** Splits a byte stream into transport packets. */
export class TsPacketReader {
  private readonly carry = new Uint8Array(TS_PACKET_SIZE * 3);
  private carryLength = 0;
  /** Stream offset of carry[0] (or of the next byte when nothing is held). */
  private base = 0;
  /** Stream offset of index 0 of the buffer being scanned. */
  private bufBase = 0;
  private synced = false;
  private skipped = 0;
  private skippedAt = 0;

  /** `onRun`, when given, receives runs of packets in sync instead of `onPacket` one by one (one call per run). */
  constructor(
    private readonly onPacket: TsPacketListener,
    private readonly onSyncLoss: TsSyncLossListener,
    private readonly onRun?: TsPacketRunListener,
  ) {}

  /** Bytes held for the next push (an incomplete packet). */
  get heldBytes(): number {
    return this.carryLength;
  }

  /** Feeds the next bytes: `chunk[start, end)` (default the whole chunk); packets are handed out with offsets into `chunk`. */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > chunk.length || start > end) {
      throw new RangeError(`push: range ${start}..${end} outside 0..${chunk.length}`);
    }
    let pos = start;
    if (this.carryLength > 0) {
      // complete the held bytes with the start of the chunk
      const held = this.carryLength;
      const take = Math.min(this.carry.length - held, end - start);
      this.carry.set(chunk.subarray(start, start + take), held);
      const total = held + take;
      this.bufBase = this.base;
      const used = this.scan(this.carry, 0, total, false);
      if (used < held) {
        // undecided: only possible when the whole chunk went into the carry
        this.carry.copyWithin(0, used, total);
        this.carryLength = total - used;
        this.base += used;
        return;
      }
      pos = start + used - held;
      this.base += held;
      this.carryLength = 0;
    }
    // this.base is the stream offset of chunk[start]
    this.bufBase = this.base - start;
    const stop = this.scan(chunk, pos, end, false);
    this.carry.set(chunk.subarray(stop, end), 0);
    this.carryLength = end - stop;
    this.base += stop - start;
  }

  /** End of stream: held bytes are dropped (reported as skipped); returns how many. */
  end(): number {
    this.bufBase = this.base;
    const used = this.carryLength > 0 ? this.scan(this.carry, 0, this.carryLength, true) : 0;
    const dropped = this.carryLength - used;
    if (dropped > 0) this.skip(dropped, this.base + used);
    this.flushSkipped();
    this.base += this.carryLength;
    this.carryLength = 0;
    this.synced = false;
    return dropped;
  }

  private skip(n: number, at: number): void {
    if (this.skipped === 0) this.skippedAt = at;
    this.skipped += n;
  }

  private flushSkipped(): void {
    if (this.skipped > 0) {
      const n = this.skipped;
      this.skipped = 0;
      this.onSyncLoss(n, this.skippedAt);
    }
  }

  /**
   * Hands out whole packets of `buf[start, end)`; returns the offset of the first byte
   * not consumed (an incomplete packet, or bytes whose sync cannot be judged yet).
   * `final`: no more data will come, so a lone 0x47 packet need not be confirmed.
   */
  private scan(buf: Uint8Array, start: number, end: number, final: boolean): number {
    let p = start;
    const offsetBase = this.bufBase;
    while (end - p >= TS_PACKET_SIZE) {
      if (buf[p] === TS_SYNC_BYTE) {
        if (this.synced) {
          this.flushSkipped();
          if (this.onRun === undefined) {
            this.onPacket(buf, p);
            p += TS_PACKET_SIZE;
            continue;
          }
          let q = p + TS_PACKET_SIZE;
          while (end - q >= TS_PACKET_SIZE && buf[q] === TS_SYNC_BYTE) q += TS_PACKET_SIZE;
          this.onRun(buf, p, q);
          p = q;
          continue;
        }
        const next = p + TS_PACKET_SIZE;
        if (next < end) {
          if (buf[next] === TS_SYNC_BYTE) {
            this.synced = true;
            continue;
          }
        } else if (final) {
          this.synced = true;
          continue;
        } else {
          return p; // cannot judge yet
        }
      }
      // out of sync: skip this byte
      this.synced = false;
      this.skip(1, offsetBase + p);
      p++;
    }
    return p;
  }
}
