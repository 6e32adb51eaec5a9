/**
 * The receiving half of a live SRT connection: the receive buffer (a ring indexed by sequence
 * number), loss detection with an immediate NAK, TSBPD delivery (peer timestamp + latency on a
 * time base that follows clock drift), too-late drop, and the drop request.
 */
import type { SrtCipher } from './cipher.js';
import { LossList } from './loss-list.js';
import { HEADER_SIZE, type DataHeader } from './packet.js';
import { seqAdd, seqDiff, TimestampUnwrapper } from './sequence.js';
import type { SrtStats } from './stats.js';

/** How the receiver hands packets on and reports losses. */
export interface ReceiverOutput {
  deliver(payload: Buffer): void;
  sendNak(losses: readonly number[]): void;
}

/** Receiver settings (resolved by the connection). */
export interface ReceiverConfig {
  initialSeq: number;
  /** Slots in the receive buffer (power of two). */
  capacity: number;
  latencyUs: number;
  cipher: SrtCipher | undefined;
}

const DRIFT_SAMPLES = 1000;
const DRIFT_MIN_US = 1000;

export class SrtReceiver {
  private readonly slots: (Buffer | undefined)[];
  private readonly ts: Float64Array;
  private readonly mask: number;
  private headSeq: number;
  private headIdx = 0;
  private nextSeq: number;
  private buffered = 0;
  readonly losses = new LossList();
  private readonly unwrapper = new TimestampUnwrapper();
  private base = Number.NaN;
  private driftMin = Number.POSITIVE_INFINITY;
  private driftCount = 0;
  private readonly single = [0, 0];

  constructor(
    private readonly cfg: ReceiverConfig,
    private readonly out: ReceiverOutput,
    private readonly stats: SrtStats,
  ) {
    this.slots = new Array<Buffer | undefined>(cfg.capacity);
    this.ts = new Float64Array(cfg.capacity);
    this.mask = cfg.capacity - 1;
    this.headSeq = cfg.initialSeq;
    this.nextSeq = cfg.initialSeq;
  }

  /** A data packet arrived (`h` already read from `msg`). */
  onData(msg: Buffer, h: DataHeader, now: number): void {
    const off = seqDiff(h.seq, this.headSeq);
    if (off < 0 || off >= this.cfg.capacity) {
      this.stats.packetsBelated++;
      return;
    }
    const idx = (this.headIdx + off) & this.mask;
    if (this.slots[idx]) {
      this.stats.packetsBelated++;
      return;
    }
    const ts = this.unwrapper.unwrap(h.timestamp);
    if (!h.retransmitted) this.trackDrift(now - ts);
    const ahead = seqDiff(h.seq, this.nextSeq);
    if (ahead > 0) {
      const last = seqAdd(h.seq, -1);
      this.losses.append(this.nextSeq, last);
      this.stats.packetsLost += ahead;
      this.single[0] = this.nextSeq;
      this.single[1] = last;
      this.out.sendNak(this.single);
    } else if (ahead < 0) {
      this.losses.remove(h.seq);
    }
    if (ahead >= 0) this.nextSeq = seqAdd(h.seq, 1);
    if (h.retransmitted) this.stats.packetsReceivedRetransmitted++;
    const cipher = this.cfg.cipher;
    if (h.key !== 0) {
      if (!cipher || !cipher.apply(msg, HEADER_SIZE, h.seq, h.key)) {
        this.stats.packetsUndecrypted++;
        return;
      }
    }
    this.slots[idx] = msg;
    this.ts[idx] = ts;
    this.buffered++;
    this.stats.packetsReceived++;
    this.stats.bytesReceived += msg.length - HEADER_SIZE;
    this.stats.receiveBufferPackets = this.buffered;
    if (off === 0) this.deliverDue(now);
  }

  /** The sender dropped `[first, last]`: stop asking for them, skip them at play time. */
  onDropRequest(first: number, last: number, now: number): void {
    const span = seqDiff(last, first);
    if (span < 0 || span > this.cfg.capacity) return;
    for (let k = 0; k <= span; k++) this.losses.remove(seqAdd(first, k));
    const end = seqAdd(last, 1);
    const endOff = seqDiff(end, this.headSeq);
    if (endOff > 0 && endOff <= this.cfg.capacity) {
      if (seqDiff(end, this.nextSeq) > 0) this.nextSeq = end;
      let n = 0;
      while (n < endOff && !this.slots[(this.headIdx + n) & this.mask]) n++;
      if (n > 0) {
        this.stats.packetsDropped += n;
        this.skip(n);
      }
    }
    this.deliverDue(now);
  }

  /** Delivers every packet whose play time has come, skipping missing ones that are too late. */
  deliverDue(now: number): void {
    if (Number.isNaN(this.base)) return;
    const latency = this.cfg.latencyUs;
    for (;;) {
      const msg = this.slots[this.headIdx];
      if (msg) {
        if (this.base + (this.ts[this.headIdx] ?? 0) + latency > now) return;
        this.slots[this.headIdx] = undefined;
        this.buffered--;
        this.stats.receiveBufferPackets = this.buffered;
        this.headIdx = (this.headIdx + 1) & this.mask;
        this.headSeq = seqAdd(this.headSeq, 1);
        this.out.deliver(msg.subarray(HEADER_SIZE));
        continue;
      }
      const pending = seqDiff(this.nextSeq, this.headSeq);
      let k = 1;
      while (k < pending && !this.slots[(this.headIdx + k) & this.mask]) k++;
      if (k >= pending) return;
      const idx = (this.headIdx + k) & this.mask;
      if (this.base + (this.ts[idx] ?? 0) + latency > now) return;
      this.stats.packetsDropped += k;
      this.skip(k);
    }
  }

  /** Delivers every packet still buffered, in order, without waiting (the peer shut down). */
  flush(): void {
    let pending = seqDiff(this.nextSeq, this.headSeq);
    while (pending-- > 0) {
      const msg = this.slots[this.headIdx];
      this.slots[this.headIdx] = undefined;
      this.headIdx = (this.headIdx + 1) & this.mask;
      this.headSeq = seqAdd(this.headSeq, 1);
      if (msg) this.out.deliver(msg.subarray(HEADER_SIZE));
      else this.stats.packetsDropped++;
    }
    this.buffered = 0;
    this.stats.receiveBufferPackets = 0;
    this.losses.removeBefore(this.headSeq);
  }

  /** Sequence number up to which everything is received (what an ACK carries). */
  get ackSeq(): number {
    return this.losses.empty ? this.nextSeq : this.losses.first;
  }

  /** Free slots (the ACK's available buffer). */
  get available(): number {
    return this.cfg.capacity - seqDiff(this.nextSeq, this.headSeq);
  }

  private skip(n: number): void {
    this.headIdx = (this.headIdx + n) & this.mask;
    this.headSeq = seqAdd(this.headSeq, n);
    this.losses.removeBefore(this.headSeq);
  }

  private trackDrift(offset: number): void {
    if (Number.isNaN(this.base)) {
      this.base = offset;
      return;
    }
    if (offset < this.driftMin) this.driftMin = offset;
    if (++this.driftCount < DRIFT_SAMPLES) return;
    const drift = this.driftMin - this.base;
    if (Math.abs(drift) > DRIFT_MIN_US) this.base += drift;
    this.driftMin = Number.POSITIVE_INFINITY;
    this.driftCount = 0;
  }
}
