/**
 * The sending half of a live SRT connection: the send buffer (a ring of reusable packet slots,
 * bounded by the drop threshold and the flow window), ACK and NAK handling, retransmission
 * before new data, pacing by a token bucket, and the key refresh schedule.
 */
import type { SrtCipher } from './cipher.js';
import { KmKeys } from './km.js';
import { HEADER_SIZE, KeySelector, PacketPosition, setRetransmitted, writeDataHeader } from './packet.js';
import { msgNoNext, seqAdd, seqDiff } from './sequence.js';
import type { SrtStats } from './stats.js';

/** How the sender reaches the wire and the rest of the connection. */
export interface SenderOutput {
  sendData(buf: Buffer, length: number): void;
  sendDropRequest(firstSeq: number, lastSeq: number): void;
  /** Announce keys to the peer (KMREQ): `Both` before a switch, the new one after the old is retired. */
  announceKeys(which: number): void;
}

/** Sender settings (resolved by the connection). */
export interface SenderConfig {
  initialSeq: number;
  peerSocketId: number;
  payloadSize: number;
  /** Slots in the send buffer (power of two): the flow window. */
  capacity: number;
  /** A packet older than this (since it was given to send) is dropped unacknowledged. */
  dropThresholdUs: number;
  /** Output cap in bytes/s: > 0 fixed, 0 = measured input rate + overhead, < 0 unlimited. */
  maxBandwidth: number;
  overheadPercent: number;
  /** Time origin of the connection's timestamps (µs, local clock). */
  startUs: number;
  cipher: SrtCipher | undefined;
  /** Packets per key before a refresh, and how many before the switch the new key is announced. */
  kmRefreshRate: number;
  kmPreAnnounce: number;
}

const RATE_WINDOW_US = 100_000;
const MIN_AUTO_RATE = 125_000; // 1 Mbit/s
const BURST_US = 20_000;

export class SrtSender {
  private readonly bufs: (Buffer | undefined)[];
  /** Buffers of released slots, reused by the next packets: memory follows the packets in flight, not the flow window. */
  private readonly spare: Buffer[] = [];
  private readonly lens: Int32Array;
  private readonly origin: Float64Array;
  private readonly needRexmit: Uint8Array;
  private readonly lastTx: Float64Array;
  private lastAckProgressUs = 0;
  private readonly mask: number;
  private headSeq: number;
  private headIdx = 0;
  private count = 0;
  /** Packets from the head already transmitted once. */
  private transmitted = 0;
  private msgNo = 0;
  private readonly rexmitQueue: number[] = [];
  private tokens = 0;
  private lastRefillUs = 0;
  private rate = 0;
  private windowStartUs = 0;
  private windowBytes = 0;
  private readonly windowMax = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  private windowPos = 0;
  private keyPackets = 0;
  private retiring = -1;

  constructor(
    private readonly cfg: SenderConfig,
    private readonly out: SenderOutput,
    private readonly stats: SrtStats,
  ) {
    this.bufs = new Array<Buffer | undefined>(cfg.capacity);
    this.lens = new Int32Array(cfg.capacity);
    this.origin = new Float64Array(cfg.capacity);
    this.needRexmit = new Uint8Array(cfg.capacity);
    this.lastTx = new Float64Array(cfg.capacity);
    this.mask = cfg.capacity - 1;
    this.headSeq = cfg.initialSeq;
    this.rate = cfg.maxBandwidth > 0 ? cfg.maxBandwidth : 0;
    this.windowStartUs = cfg.startUs;
    stats.sendRateLimit = this.rate;
  }

  /** Queues one message (at most payloadSize bytes) and sends what pacing allows. */
  push(payload: Uint8Array, now: number): void {
    this.dropTooOld(now);
    if (this.count === this.cfg.capacity) this.dropHead(1);
    const idx = (this.headIdx + this.count) & this.mask;
    const size = HEADER_SIZE + this.cfg.payloadSize;
    let buf = this.bufs[idx];
    if (!buf) {
      buf = this.spare.pop() ?? Buffer.allocUnsafe(size);
      this.bufs[idx] = buf;
    }
    const seq = seqAdd(this.headSeq, this.count);
    this.msgNo = msgNoNext(this.msgNo);
    const cipher = this.cfg.cipher;
    const key = cipher ? cipher.sendKey : KeySelector.None;
    writeDataHeader(
      buf,
      seq,
      PacketPosition.Solo,
      key,
      false,
      this.msgNo,
      now - this.cfg.startUs,
      this.cfg.peerSocketId,
    );
    buf.set(payload, HEADER_SIZE);
    if (cipher) {
      cipher.apply(buf.subarray(0, HEADER_SIZE + payload.length), HEADER_SIZE, seq, key);
      this.keySchedule(cipher);
    }
    this.lens[idx] = HEADER_SIZE + payload.length;
    this.origin[idx] = now;
    this.needRexmit[idx] = 0;
    this.count++;
    this.windowBytes += payload.length;
    if (this.cfg.maxBandwidth === 0) this.followInput(now);
    this.flush(now);
  }

  /** Everything before `seq` was received: frees those slots. */
  onAck(seq: number, now: number): void {
    const n = seqDiff(seq, this.headSeq);
    if (n <= 0) return;
    this.lastAckProgressUs = now;
    this.release(Math.min(n, this.transmitted));
  }

  /** The peer lost these packets (`[first, last]` pairs): queue them for retransmission. */
  onNak(losses: readonly number[], now: number): void {
    for (let i = 0; i + 1 < losses.length; i += 2) {
      const first = losses[i] ?? 0;
      const last = losses[i + 1] ?? 0;
      const span = seqDiff(last, first);
      if (span < 0 || span > this.cfg.capacity) continue;
      const before = seqDiff(first, this.headSeq) < 0;
      if (before) {
        const gone = seqDiff(last, this.headSeq) < 0 ? last : seqAdd(this.headSeq, -1);
        this.out.sendDropRequest(first, gone);
      }
      for (let k = 0; k <= span; k++) {
        const seq = seqAdd(first, k);
        const off = seqDiff(seq, this.headSeq);
        if (off < 0 || off >= this.transmitted) continue;
        this.stats.packetsSendLost++;
        const idx = (this.headIdx + off) & this.mask;
        if (this.needRexmit[idx] === 0) {
          this.needRexmit[idx] = 1;
          this.rexmitQueue.push(seq);
        }
      }
    }
    this.flush(now);
  }

  /**
   * Periodic work: drop what is too old, measure the input rate, send what pacing allows.
   * When no ACK made progress for `rexmitTimeoutUs`, unacknowledged packets not sent for that
   * long are sent again: a lost tail has no later packet to reveal the gap to the receiver.
   */
  tick(now: number, rexmitTimeoutUs: number): void {
    this.dropTooOld(now);
    if (this.transmitted > 0 && now - this.lastAckProgressUs > rexmitTimeoutUs) this.queueStale(now, rexmitTimeoutUs);
    if (this.cfg.maxBandwidth === 0 && now - this.windowStartUs >= RATE_WINDOW_US) this.measureInput(now);
    this.flush(now);
  }

  private queueStale(now: number, timeoutUs: number): void {
    this.lastAckProgressUs = now;
    for (let off = 0; off < this.transmitted; off++) {
      const idx = (this.headIdx + off) & this.mask;
      if (this.needRexmit[idx] === 0 && now - (this.lastTx[idx] ?? 0) > timeoutUs) {
        this.needRexmit[idx] = 1;
        this.rexmitQueue.push(seqAdd(this.headSeq, off));
      }
    }
  }

  /** Packets in the buffer (unacknowledged or waiting for pacing). */
  get buffered(): number {
    return this.count;
  }

  /** Packets accepted by push() and not yet sent once (waiting for pacing). */
  get unsent(): number {
    return this.count - this.transmitted;
  }

  /** Sequence number the next new packet gets. */
  get nextSeq(): number {
    return seqAdd(this.headSeq, this.count);
  }

  /** Auto rate, fast attack: never pace below what the current window already brought in. */
  private followInput(now: number): void {
    const elapsed = Math.max(now - this.windowStartUs, RATE_WINDOW_US / 5);
    const rate = (this.windowBytes * 1e6 * (100 + this.cfg.overheadPercent)) / (elapsed * 100);
    if (this.rate > 0 && rate > this.rate) {
      this.rate = rate;
      this.stats.sendRateLimit = Math.round(rate);
    }
  }

  private measureInput(now: number): void {
    const elapsed = Math.max(now - this.windowStartUs, 1);
    this.windowMax[this.windowPos] = (this.windowBytes * 1e6) / elapsed;
    this.windowPos = (this.windowPos + 1) % this.windowMax.length;
    this.windowBytes = 0;
    this.windowStartUs = now;
    const peak = Math.max(...this.windowMax);
    this.rate = Math.max(MIN_AUTO_RATE, (peak * (100 + this.cfg.overheadPercent)) / 100);
    this.stats.sendRateLimit = Math.round(this.rate);
  }

  private refill(now: number): void {
    if (this.rate <= 0) return;
    const burst = Math.max((this.rate * BURST_US) / 1e6, 4 * 1500);
    this.tokens = Math.min(burst, this.tokens + (this.rate * (now - this.lastRefillUs)) / 1e6);
    this.lastRefillUs = now;
  }

  private canSend(len: number): boolean {
    if (this.rate <= 0) return true;
    if (this.tokens < len) return false;
    this.tokens -= len;
    return true;
  }

  private flush(now: number): void {
    this.refill(now);
    while (this.rexmitQueue.length > 0) {
      const seq = this.rexmitQueue[0] ?? 0;
      const off = seqDiff(seq, this.headSeq);
      if (off < 0 || off >= this.transmitted) {
        this.rexmitQueue.shift();
        continue;
      }
      const idx = (this.headIdx + off) & this.mask;
      const buf = this.bufs[idx];
      const len = this.lens[idx] ?? 0;
      if (!buf || this.needRexmit[idx] === 0) {
        this.rexmitQueue.shift();
        continue;
      }
      if (!this.canSend(len)) return;
      this.rexmitQueue.shift();
      this.needRexmit[idx] = 0;
      setRetransmitted(buf, true);
      this.lastTx[idx] = now;
      this.out.sendData(buf, len);
      this.stats.packetsRetransmitted++;
      this.stats.bytesRetransmitted += len - HEADER_SIZE;
    }
    while (this.transmitted < this.count) {
      const idx = (this.headIdx + this.transmitted) & this.mask;
      const buf = this.bufs[idx];
      const len = this.lens[idx] ?? 0;
      if (!buf || !this.canSend(len)) return;
      this.transmitted++;
      this.lastTx[idx] = now;
      if (this.transmitted === 1) this.lastAckProgressUs = now;
      this.out.sendData(buf, len);
      this.stats.packetsSent++;
      this.stats.bytesSent += len - HEADER_SIZE;
    }
  }

  private dropTooOld(now: number): void {
    let n = 0;
    while (n < this.count && now - (this.origin[(this.headIdx + n) & this.mask] ?? 0) > this.cfg.dropThresholdUs) n++;
    if (n > 0) this.dropHead(n);
  }

  private dropHead(n: number): void {
    const unacked = n;
    this.stats.packetsSendDropped += unacked;
    this.release(n);
  }

  private release(n: number): void {
    for (let i = 0; i < n; i++) {
      const idx = (this.headIdx + i) & this.mask;
      const buf = this.bufs[idx];
      if (buf !== undefined) {
        this.spare.push(buf);
        this.bufs[idx] = undefined;
      }
    }
    this.headIdx = (this.headIdx + n) & this.mask;
    this.headSeq = seqAdd(this.headSeq, n);
    this.count -= n;
    this.transmitted = Math.max(0, this.transmitted - n);
    this.stats.sendBufferPackets = this.count;
  }

  private keySchedule(cipher: SrtCipher): void {
    const c = this.cfg;
    this.keyPackets++;
    if (this.keyPackets === c.kmRefreshRate - c.kmPreAnnounce) {
      cipher.prepareNextKey();
      this.out.announceKeys(KmKeys.Both);
    } else if (this.keyPackets >= c.kmRefreshRate) {
      this.retiring = cipher.sendKey;
      cipher.sendKey = cipher.sendKey === KeySelector.Even ? KeySelector.Odd : KeySelector.Even;
      this.keyPackets = 0;
    } else if (this.retiring >= 0 && this.keyPackets === c.kmPreAnnounce) {
      cipher.dropKey(this.retiring);
      this.retiring = -1;
      this.out.announceKeys(cipher.sendKey);
    }
  }
}
