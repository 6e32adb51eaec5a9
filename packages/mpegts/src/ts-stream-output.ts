/**
 * TsStreamOutput: one stream's MPEG-TS, muxed once and cut into datagrams that every
 * push of it sends as they are (views of the same bytes, no copy per push).
 *
 * - Datagrams are `packetSize` bytes (default 1316 = 7 × 188), views of the muxer's slabs
 *   (one small copy only where a datagram would span two slabs). A datagram never spans
 *   a random-access point: the datagram before one is completed with null packets, so a
 *   push joining at PAT + PMT + keyframe starts on a datagram boundary.
 * - Each datagram carries a due time (ms, the pacer's clock): the muxer's stream clock
 *   (what its PCRs say) mapped to wall-clock time. The mapping follows arrival: the newest
 *   data is due when it arrives (a replayed GOP is due in the past: a joining push catches
 *   up on it at its burst rate); a source running ahead of real time is held back to at
 *   most `maxDriftPerSecond`; a jump of the stream clock against the wall clock by more
 *   than `resyncMs` re-anchors the mapping.
 * - The log keeps the datagrams from the oldest reader's position, and always those from
 *   the latest random-access point (for joiners); readers that fall further behind than
 *   the log's bound are moved to the latest random-access point by the pacer.
 * - Measures the stream's bit rate over the last 2 s of stream time (pacers derive their
 *   burst rate from it).
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { NULL_PID, TS_PACKET_SIZE } from './constants.js';
import { TsMuxError } from './errors.js';
import { TsMuxer } from './muxer.js';
import type { TsMuxerOptions } from './muxer-options.js';

/** Options of a TsStreamOutput. */
export interface TsStreamOutputOptions {
  /** Datagram size, a multiple of 188. Default 1316. */
  packetSize?: number;
  /** Muxer tuning (onData and output are the output's own). */
  muxer?: Omit<TsMuxerOptions, 'onData' | 'output'>;
  /** Clock in ms (default performance.now): must be the pacer's. */
  now?: () => number;
  /** Most datagrams kept for slow readers (beyond it they skip to the latest random-access point). Default 65536. */
  maxDatagrams?: number;
  /**
   * Keep the datagrams from the latest random-access point for readers that join later.
   * Default true; false for an output with one reader for good (a push's own): nothing
   * is kept behind its readers (see trim()).
   */
  keepLatestGop?: boolean;
}

/** A stream clock that moves this far (ms) against the wall clock re-anchors the due times. */
const RESYNC_MS = 2000;
/** A source ahead of real time is let through at most this much faster (5 %). */
const MAX_DRIFT_PER_SECOND = 0.05;
/** Bit rate window, 90 kHz ticks of stream time (2 s). */
const RATE_WINDOW = 180_000;
/** Shortest window (90 kHz) a bit rate is measured on (300 ms). */
const MIN_RATE_WINDOW = 27_000;

const NULL_PACKET = ((): Uint8Array => {
  const p = new Uint8Array(TS_PACKET_SIZE).fill(0xff);
  p[0] = 0x47;
  p[1] = (NULL_PID >> 8) & 0x1f;
  p[2] = NULL_PID & 0xff;
  p[3] = 0x10;
  return p;
})();

/** The muxed datagrams of one stream (and track selection), shared by its pushes. */
export class TsStreamOutput {
  readonly packetSize: number;
  /** Sequence number of the oldest datagram kept. */
  head = 0;
  /** Sequence number the next datagram gets (datagrams head..end-1 are readable). */
  end = 0;
  /** Sequence number of the latest datagram starting a random-access point, -1 before the first. */
  lastRandomAccess = -1;
  /** Packets the muxer refused (malformed payload, unknown track); skipped. */
  droppedPackets = 0;
  /** The last refusal, for diagnostics. */
  lastDropReason: string | undefined;
  /** Sequence numbers readers are at: the log keeps what they still need (see retain/release). */
  private readonly readers = new Set<{ cursor: number }>();
  private capacity = 1024;
  private data: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(this.capacity);
  private dueAt = new Float64Array(this.capacity);
  private clockAt = new Float64Array(this.capacity);
  private bytesAt = new Float64Array(this.capacity);
  private randomAccessAt = new Uint8Array(this.capacity);
  /**
   * Where in each datagram the output of the first muxer write() ends (whole PES packets),
   * bytes (0: none ends in it), and whether one ends exactly at its end: a push stopping mid-frame
   * sends up to there, so its destination's last frame is whole.
   */
  private frameEndAt = new Uint16Array(this.capacity);
  private alignedAt = new Uint8Array(this.capacity);
  private pendFrameEnd = 0;
  private readonly maxDatagrams: number;
  /** See TsStreamOutputOptions.keepLatestGop. */
  readonly keepsLatestGop: boolean;
  private readonly now: () => number;
  private readonly muxerOptions: Omit<TsMuxerOptions, 'onData' | 'output'>;
  private muxer: TsMuxer | undefined;
  private totalBytes = 0;
  /** Partial datagram: a view range of the latest slab, or a copy when it spans two slabs. */
  private pendBuffer: ArrayBufferLike | undefined;
  private pendOffset = 0;
  private pendLength = 0;
  private pendCopy: Uint8Array | undefined;
  private nextRandomAccess = false;
  /** due = offset + stream clock / 90; NaN until the first datagram. */
  private offset = Number.NaN;
  private offsetUpdatedAt = 0;
  private replaying = false;
  private replayFrom = 0;
  private rateFrom = 0;
  /** The first sequence number whose clock and byte marks are in the ring (grow() keeps only head..end). */
  private marksFrom = 0;

  constructor(options: TsStreamOutputOptions = {}) {
    const size = options.packetSize ?? 1316;
    if (!Number.isInteger(size) || size < TS_PACKET_SIZE || size % TS_PACKET_SIZE !== 0 || size > TS_PACKET_SIZE * 348)
      throw new TsMuxError(`packetSize must be a multiple of 188 from 188 to 65424, got ${size}`);
    this.packetSize = size;
    this.now = options.now ?? (() => performance.now());
    this.muxerOptions = options.muxer ?? {};
    this.maxDatagrams = options.maxDatagrams ?? 65536;
    this.keepsLatestGop = options.keepLatestGop ?? true;
  }

  /** True while tracks are set (between start() and finish()). */
  get live(): boolean {
    return this.muxer !== undefined;
  }

  /**
   * (Re)starts the muxer for `tracks`: output continues in the same log (new continuity
   * counters, discontinuity_indicator on each PID's first packet). Throws TsMuxError for tracks the muxer refuses.
   */
  start(tracks: readonly TrackInfo[]): void {
    this.finish();
    this.muxer = new TsMuxer(tracks, { ...this.muxerOptions, output: 'owned', onData: this.onData });
  }

  /**
   * Packets written from here to endReplay() arrived earlier (a GOP a push starts with):
   * they are dated as if they had arrived ending now, so a push catches up on them at
   * its burst rate instead of replaying them at the stream's pace.
   */
  beginReplay(): void {
    if (this.replaying) return;
    this.replaying = true;
    this.replayFrom = this.end;
  }

  /** Ends the replay begun by beginReplay(): the replayed datagrams are dated by the newest one. */
  endReplay(): void {
    if (!this.replaying) return;
    this.replaying = false;
    for (let s = Math.max(this.replayFrom, this.head); s < this.end; s++) {
      const i = s % this.capacity;
      this.dueAt[i] = this.offset + this.clockAt[i]! / 90;
    }
  }

  /** Muxes one packet; a packet the muxer refuses is counted and skipped. Never throws. */
  write(packet: MediaPacket): void {
    const muxer = this.muxer;
    if (muxer === undefined) return;
    try {
      muxer.write(packet);
      this.markFrameEnd(); // (a chunk may also end where a slab fills up, mid-PES)
    } catch (error) {
      this.droppedPackets++;
      this.lastDropReason = error instanceof Error ? error.message : String(error);
    }
  }

  /** Flushes the muxer (the last datagram is completed with null packets) and stops taking packets. */
  finish(): void {
    const muxer = this.muxer;
    if (muxer === undefined) return;
    this.muxer = undefined;
    try {
      muxer.end();
    } catch {
      // nothing more to mux
    }
    this.closeDatagram();
  }

  /** The datagram `seq` (head <= seq < end). */
  datagram(seq: number): Uint8Array {
    return this.data[seq % this.capacity] as Uint8Array;
  }

  /** When datagram `seq` is due (ms, the pacer's clock). */
  dueTime(seq: number): number {
    return this.dueAt[seq % this.capacity]!;
  }

  /** Bytes of datagram `seq` up to the end of the first whole muxer chunk ending in it; 0 when none does. */
  frameEnd(seq: number): number {
    return this.frameEndAt[seq % this.capacity]!;
  }

  /** Whether datagram `seq` ends exactly where a muxer chunk ends (stopping after it cuts no frame short). */
  endsAligned(seq: number): boolean {
    return this.alignedAt[seq % this.capacity] === 1;
  }

  /** Whether datagram `seq` starts a random-access point (PAT, PMT, keyframe). */
  isRandomAccess(seq: number): boolean {
    return this.randomAccessAt[seq % this.capacity] === 1;
  }

  /**
   * Bytes per millisecond of stream time over the last 2 s; NaN while under 300 ms were
   * measured. It reads the ring's clock and byte marks, which outlive the datagrams
   * (released ones too, until the ring comes round): an output that keeps nothing behind
   * its reader still knows its rate. Where the ring holds less than 300 ms (a very high
   * rate), the whole ring is the window.
   */
  get bytesPerMs(): number {
    if (this.end === 0) return Number.NaN;
    const last = this.end - 1;
    const cap = this.capacity;
    const oldest = Math.max(this.marksFrom, this.end - cap);
    if (this.rateFrom < oldest) this.rateFrom = oldest;
    const lastClock = this.clockAt[last % cap]!;
    while (this.rateFrom < last && lastClock - this.clockAt[(this.rateFrom + 1) % cap]! >= RATE_WINDOW) this.rateFrom++;
    const span = lastClock - this.clockAt[this.rateFrom % cap]!;
    const wholeRing = this.rateFrom === this.end - cap;
    if (!(span >= MIN_RATE_WINDOW) && !(wholeRing && span > 0)) {
      if (span < 0) this.rateFrom = last; // the clock restarted
      return Number.NaN;
    }
    return (this.bytesAt[last % cap]! - this.bytesAt[this.rateFrom % cap]!) / (span / 90);
  }

  /** Registers a reader's position: datagrams from `reader.cursor` on are kept. */
  retain(reader: { cursor: number }): void {
    this.readers.add(reader);
  }

  /** Forgets a reader. */
  release(reader: { cursor: number }): void {
    this.readers.delete(reader);
  }

  /** Number of registered readers. */
  get readerCount(): number {
    return this.readers.size;
  }

  private readonly onData = (chunk: Uint8Array, randomAccess: boolean): void => {
    if (randomAccess) {
      this.closeDatagram();
      this.nextRandomAccess = true;
    }
    const size = this.packetSize;
    const buffer = chunk.buffer;
    let offset = chunk.byteOffset;
    let length = chunk.length;
    if (this.pendLength > 0 && this.pendCopy === undefined) {
      if (this.pendBuffer === buffer && this.pendOffset + this.pendLength === offset) {
        const take = Math.min(size - this.pendLength, length);
        this.pendLength += take;
        offset += take;
        length -= take;
        if (this.pendLength === size) this.pushPending();
      } else {
        const copy = new Uint8Array(size);
        copy.set(new Uint8Array(this.pendBuffer as ArrayBufferLike, this.pendOffset, this.pendLength));
        this.pendCopy = copy;
      }
    }
    if (this.pendCopy !== undefined && length > 0) {
      const take = Math.min(size - this.pendLength, length);
      this.pendCopy.set(new Uint8Array(buffer, offset, take), this.pendLength);
      this.pendLength += take;
      offset += take;
      length -= take;
      if (this.pendLength === size) this.pushPending();
    }
    while (length >= size) {
      this.push(new Uint8Array(buffer, offset, size));
      offset += size;
      length -= size;
    }
    if (length > 0) {
      this.pendBuffer = buffer;
      this.pendOffset = offset;
      this.pendLength = length;
    }
  };

  /** After a whole write(): its PES packets end in the partial datagram, or with the last one logged. */
  private markFrameEnd(): void {
    if (this.pendLength > 0) {
      if (this.pendFrameEnd === 0) this.pendFrameEnd = this.pendLength;
    } else if (this.end > this.head) {
      const i = (this.end - 1) % this.capacity;
      this.alignedAt[i] = 1;
      if (this.frameEndAt[i] === 0) this.frameEndAt[i] = this.packetSize;
    }
  }

  private pushPending(): void {
    const d = this.pendCopy ?? new Uint8Array(this.pendBuffer as ArrayBufferLike, this.pendOffset, this.pendLength);
    this.pendCopy = undefined;
    this.pendBuffer = undefined;
    this.pendLength = 0;
    this.push(d);
  }

  /** Completes the partial datagram with null packets (a copy) and logs it. */
  private closeDatagram(): void {
    if (this.pendLength === 0) return;
    const d = new Uint8Array(this.packetSize);
    d.set(this.pendCopy ?? new Uint8Array(this.pendBuffer as ArrayBufferLike, this.pendOffset, this.pendLength));
    for (let o = this.pendLength; o < d.length; o += TS_PACKET_SIZE) d.set(NULL_PACKET, o);
    this.pendCopy = undefined;
    this.pendBuffer = undefined;
    this.pendLength = 0;
    this.push(d);
  }

  private push(d: Uint8Array): void {
    if (this.end - this.head >= this.capacity) this.makeRoom();
    const now = this.now();
    const clock = this.muxer?.streamClock ?? Number.NaN;
    const streamMs = Number.isNaN(clock) ? this.lastClockMs() : clock / 90;
    this.track(now, streamMs);
    const i = this.end % this.capacity;
    this.data[i] = d;
    this.dueAt[i] = this.offset + streamMs;
    this.clockAt[i] = streamMs * 90;
    this.totalBytes += d.length;
    this.bytesAt[i] = this.totalBytes;
    const ra = this.nextRandomAccess;
    this.randomAccessAt[i] = ra ? 1 : 0;
    this.frameEndAt[i] = this.pendFrameEnd;
    this.alignedAt[i] = 0;
    this.pendFrameEnd = 0;
    if (ra) {
      this.nextRandomAccess = false;
      this.lastRandomAccess = this.end;
    }
    this.end++;
  }

  private lastClockMs(): number {
    return this.end > this.head ? this.clockAt[(this.end - 1) % this.capacity]! / 90 : 0;
  }

  /** Moves the stream-clock → wall-clock mapping for data at `streamMs` arriving `now`. */
  private track(now: number, streamMs: number): void {
    const candidate = now - streamMs;
    const offset = this.offset;
    if (Number.isNaN(offset) || Math.abs(candidate - offset) > RESYNC_MS) {
      this.offset = candidate;
    } else if (candidate < offset) {
      // ahead of the mapping: a replayed GOP is due in the past at once; a source running
      // ahead of real time moves the mapping at most MAX_DRIFT_PER_SECOND
      this.offset = this.replaying
        ? candidate
        : Math.max(candidate, offset - MAX_DRIFT_PER_SECOND * Math.max(0, now - this.offsetUpdatedAt));
    }
    this.offsetUpdatedAt = now;
  }

  /** Frees the datagrams no reader needs any more (their slabs can be collected). */
  trim(): void {
    let keepFrom = this.keepsLatestGop && this.lastRandomAccess >= 0 ? this.lastRandomAccess : this.end;
    for (const r of this.readers) if (r.cursor < keepFrom) keepFrom = Math.max(r.cursor, this.head);
    this.releaseBefore(keepFrom);
  }

  /** Frees datagrams no reader needs; grows the log when they are all needed (up to maxDatagrams). */
  private makeRoom(): void {
    this.trim();
    if (this.end - this.head < this.capacity) return;
    if (this.capacity * 2 <= this.maxDatagrams) {
      this.grow();
      return;
    }
    // every slot is needed and the log is at its bound: the slowest readers lose their place
    const floor = this.lastRandomAccess > this.head ? this.lastRandomAccess : this.head + (this.capacity >> 1);
    for (const r of this.readers) if (r.cursor < floor) r.cursor = floor;
    this.releaseBefore(floor);
  }

  private releaseBefore(seq: number): void {
    while (this.head < seq) {
      this.data[this.head % this.capacity] = undefined;
      this.head++;
    }
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const data = new Array<Uint8Array | undefined>(cap);
    const due = new Float64Array(cap);
    const clock = new Float64Array(cap);
    const bytes = new Float64Array(cap);
    const ra = new Uint8Array(cap);
    const frameEnd = new Uint16Array(cap);
    const aligned = new Uint8Array(cap);
    for (let s = this.head; s < this.end; s++) {
      const a = s % old;
      const b = s % cap;
      data[b] = this.data[a];
      due[b] = this.dueAt[a]!;
      clock[b] = this.clockAt[a]!;
      bytes[b] = this.bytesAt[a]!;
      ra[b] = this.randomAccessAt[a]!;
      frameEnd[b] = this.frameEndAt[a]!;
      aligned[b] = this.alignedAt[a]!;
    }
    this.capacity = cap;
    this.marksFrom = this.head;
    this.data = data;
    this.dueAt = due;
    this.clockAt = clock;
    this.bytesAt = bytes;
    this.randomAccessAt = ra;
    this.frameEndAt = frameEnd;
    this.alignedAt = aligned;
  }
}
