/**
 * An established SRT connection in live mode: one timer drives ACKs (every 10 ms), periodic
 * NAKs, TSBPD delivery, pacing, keepalives and the peer idle timeout. Packets come in through
 * `handlePacket` (from the caller's or the listener's socket) and leave through `output`.
 */
import { EventEmitter } from 'node:events';
import type { SrtCipher } from './cipher.js';
import { nowUs } from './clock.js';
import { decodeControl, encodeControl, type ControlPacket } from './control.js';
import { SrtConnectionError, SrtPacketError } from './errors.js';
import { KmState } from './km.js';
import { isControlPacket, newDataHeader, readDataHeader } from './packet.js';
import { SrtReceiver } from './receiver.js';
import { SrtSender } from './sender.js';
import { emptyStats, type SrtStats } from './stats.js';

/** Why a connection ended: closed here, shut down by the peer, the peer went silent, or a failure. */
export type SrtCloseReason = 'local' | 'peer' | 'timeout' | 'error';

/** Events of a connection. */
export interface SrtConnectionEvents {
  /** One received message (a live-mode payload, usually 7 TS packets), at its play time. */
  message: [payload: Buffer];
  /** The connection ended; `error` is set for 'timeout' and 'error'. */
  close: [reason: SrtCloseReason, error: SrtConnectionError | undefined];
}

/** Everything the handshake settled (internal). */
export interface ConnectionParams {
  role: 'caller' | 'listener';
  socketId: number;
  peerSocketId: number;
  initialSeq: number;
  startUs: number;
  latencyMs: number;
  peerLatencyMs: number;
  streamId: string;
  remoteAddress: string;
  remotePort: number;
  payloadSize: number;
  flowWindow: number;
  maxBandwidth: number;
  overheadPercent: number;
  peerIdleTimeoutMs: number;
  txCipher: SrtCipher | undefined;
  rxCipher: SrtCipher | undefined;
  kmRefreshRate: number;
  kmPreAnnounce: number;
  output: (buf: Buffer, length: number) => void;
}

const TICK_MS = 5;
const ACK_INTERVAL_US = 10_000;
const KEEPALIVE_US = 1_000_000;
const KM_RESEND_US = 500_000;
const KM_RESEND_MAX = 10;
const ACK_HISTORY = 64;

function pow2AtLeast(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/** One SRT connection (caller or accepted by a listener). */
export class SrtConnection extends EventEmitter<SrtConnectionEvents> {
  /** The stream ID the caller sent ('' when none). */
  readonly streamId: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Negotiated latency applied when receiving, and the one the peer applies to what we send (ms). */
  readonly latencyMs: number;
  readonly peerLatencyMs: number;
  /** True when payloads are encrypted. */
  readonly encrypted: boolean;
  /** Largest payload `send` accepts. */
  readonly payloadSize: number;
  private readonly p: ConnectionParams;
  private readonly counters: SrtStats = emptyStats();
  private readonly sender: SrtSender;
  private readonly receiver: SrtReceiver;
  private readonly header = newDataHeader();
  private readonly timer: NodeJS.Timeout;
  private closedReason: SrtCloseReason | undefined;
  private lastSentUs: number;
  private lastReceivedUs: number;
  private lastAckUs = 0;
  private lastAckSeq = -1;
  private ackNo = 0;
  private readonly ackSentUs = new Float64Array(ACK_HISTORY);
  private readonly ackSentNo = new Int32Array(ACK_HISTORY);
  private readonly ackSentSeq = new Int32Array(ACK_HISTORY);
  /** Sequence number of the last ACK the peer confirmed with an ACKACK. */
  private ackedSeq: number;
  private lastNakUs = 0;
  private rttUs = 100_000;
  private rttVarUs = 50_000;
  private kmPending: Buffer | undefined;
  private kmSentUs = 0;
  private kmTries = 0;
  private recvPackets = 0;
  private recvBytes = 0;
  private rateStartUs: number;
  private packetRate = 0;
  private byteRate = 0;

  /** @internal Made by SrtCaller / SrtListener once the handshake is done. */
  constructor(params: ConnectionParams) {
    super();
    this.p = params;
    this.streamId = params.streamId;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    this.latencyMs = params.latencyMs;
    this.peerLatencyMs = params.peerLatencyMs;
    this.encrypted = params.txCipher !== undefined;
    this.payloadSize = params.payloadSize;
    this.counters.latencyMs = params.latencyMs;
    this.counters.peerLatencyMs = params.peerLatencyMs;
    const capacity = pow2AtLeast(params.flowWindow);
    const now = nowUs();
    this.lastSentUs = now;
    this.lastReceivedUs = now;
    this.rateStartUs = now;
    this.ackedSeq = params.initialSeq;
    this.sender = new SrtSender(
      {
        initialSeq: params.initialSeq,
        peerSocketId: params.peerSocketId,
        payloadSize: params.payloadSize,
        capacity,
        dropThresholdUs: Math.max(params.peerLatencyMs * 1250, 1_000_000) + 20_000,
        maxBandwidth: params.maxBandwidth,
        overheadPercent: params.overheadPercent,
        startUs: params.startUs,
        cipher: params.txCipher,
        kmRefreshRate: params.kmRefreshRate,
        kmPreAnnounce: params.kmPreAnnounce,
      },
      {
        sendData: (buf, length) => this.output(buf, length),
        sendDropRequest: (firstSeq, lastSeq) =>
          this.sendControl({ kind: 'dropreq', msgNo: 0, firstSeq, lastSeq, timestamp: 0, destSocketId: 0 }),
        announceKeys: (which) => this.announceKeys(which),
      },
      this.counters,
    );
    this.receiver = new SrtReceiver(
      { initialSeq: params.initialSeq, capacity, latencyUs: params.latencyMs * 1000, cipher: params.rxCipher },
      {
        deliver: (payload) => this.emit('message', payload),
        sendNak: (losses) =>
          this.sendControl({ kind: 'nak', losses: losses as number[], timestamp: 0, destSocketId: 0 }),
      },
      this.counters,
    );
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Our socket ID, and the peer's. */
  get socketId(): number {
    return this.p.socketId;
  }
  get peerSocketId(): number {
    return this.p.peerSocketId;
  }

  /** True until the connection ended. */
  get open(): boolean {
    return this.closedReason === undefined;
  }

  /** Why it ended (undefined while open). */
  get closeReason(): SrtCloseReason | undefined {
    return this.closedReason;
  }

  /**
   * Sends one message (at most `payloadSize` bytes, normally 1316 = 7 TS packets). Returns false
   * when the connection is closed. Live mode never blocks: what is too old to be played is dropped.
   */
  send(payload: Uint8Array): boolean {
    if (this.closedReason !== undefined) return false;
    if (payload.length === 0 || payload.length > this.payloadSize) {
      throw new RangeError(`SRT payload of ${payload.length} bytes (1..${this.payloadSize} allowed)`);
    }
    this.sender.push(payload, nowUs());
    return true;
  }

  /** Messages accepted by send() and not yet sent once (waiting for pacing); 0 once all went out. */
  get unsentMessages(): number {
    return this.sender.unsent;
  }

  /** Messages in the send buffer: not yet sent, or sent and not yet acknowledged (or dropped). */
  get unacknowledgedMessages(): number {
    return this.sender.buffered;
  }

  /** Bytes of all datagrams handed to the socket so far (stats().datagramBytesSent without a snapshot). */
  get datagramBytesSent(): number {
    return this.counters.datagramBytesSent;
  }

  /** A snapshot of the counters. */
  stats(): SrtStats {
    this.counters.rttMs = this.rttUs / 1000;
    this.counters.rttVarMs = this.rttVarUs / 1000;
    this.counters.sendBufferPackets = this.sender.buffered;
    return { ...this.counters };
  }

  /** Closes the connection (sends SHUTDOWN to the peer). */
  close(): void {
    if (this.closedReason !== undefined) return;
    this.sendControl({ kind: 'shutdown', timestamp: 0, destSocketId: 0 });
    this.finish('local', undefined);
  }

  /** @internal One datagram from the peer. Never throws. */
  handlePacket(msg: Buffer): void {
    if (this.closedReason !== undefined) return;
    const now = nowUs();
    this.lastReceivedUs = now;
    if (msg.length >= 16 && !isControlPacket(msg)) {
      try {
        readDataHeader(msg, this.header);
      } catch {
        return; // a malformed data packet is dropped
      }
      this.recvPackets++;
      this.recvBytes += msg.length;
      this.receiver.onData(msg, this.header, now);
      return;
    }
    let packet: ControlPacket;
    try {
      packet = decodeControl(msg);
    } catch (e) {
      const text = e instanceof SrtPacketError ? e.message : String(e);
      this.finish('error', new SrtConnectionError('protocol', `malformed control packet from the peer: ${text}`));
      return;
    }
    this.onControl(packet, now);
  }

  /** @internal Ends the connection without telling the peer (listener or caller socket closing). */
  abort(reason: SrtCloseReason, error: SrtConnectionError | undefined): void {
    this.finish(reason, error);
  }

  private onControl(c: ControlPacket, now: number): void {
    switch (c.kind) {
      case 'ack':
        this.sender.onAck(c.ack.lastAckedSeq, now);
        if (c.ack.rttUs !== undefined && c.ackNo !== 0) {
          this.sendControl({ kind: 'ackack', ackNo: c.ackNo, timestamp: 0, destSocketId: 0 });
          if (c.ack.rttUs > 0) {
            this.rttUs = c.ack.rttUs;
            this.rttVarUs = c.ack.rttVarUs ?? this.rttVarUs;
          }
        }
        this.sender.tick(now, this.rexmitTimeoutUs());
        return;
      case 'ackack':
        this.onAckAck(c.ackNo, now);
        return;
      case 'nak':
        this.sender.onNak(c.losses, now);
        return;
      case 'dropreq':
        this.receiver.onDropRequest(c.firstSeq, c.lastSeq, now);
        return;
      case 'shutdown':
        this.receiver.flush();
        this.finish('peer', undefined);
        return;
      case 'kmreq':
        this.onKmRequest(c.km);
        return;
      case 'kmrsp':
        this.kmPending = undefined;
        return;
      case 'keepalive':
      case 'handshake':
      case 'other':
        return;
    }
  }

  /** How long without ACK progress before unacknowledged packets are sent again. */
  private rexmitTimeoutUs(): number {
    return Math.max(2 * this.rttUs + 4 * this.rttVarUs + ACK_INTERVAL_US, 50_000);
  }

  private onAckAck(ackNo: number, now: number): void {
    const slot = ackNo % ACK_HISTORY;
    if (this.ackSentNo[slot] !== ackNo) return;
    const sample = now - (this.ackSentUs[slot] ?? now);
    this.ackSentNo[slot] = -1;
    this.ackedSeq = this.ackSentSeq[slot] ?? this.ackedSeq;
    this.rttVarUs = (3 * this.rttVarUs + Math.abs(sample - this.rttUs)) / 4;
    this.rttUs = (7 * this.rttUs + sample) / 8;
  }

  private onKmRequest(km: Uint8Array): void {
    const cipher = this.p.rxCipher;
    const ok = cipher !== undefined && cipher.install(km) === 'ok';
    let answer: Uint8Array = km;
    if (!ok) {
      const state = Buffer.alloc(4);
      state.writeUInt32BE(cipher ? KmState.BadSecret : KmState.NoSecret, 0);
      answer = state;
    }
    this.sendControl({ kind: 'kmrsp', km: answer, timestamp: 0, destSocketId: 0 });
  }

  private announceKeys(which: number): void {
    const cipher = this.p.txCipher;
    if (!cipher) return;
    this.kmPending = cipher.kmMessage(which);
    this.kmTries = 0;
    this.sendKm(nowUs());
  }

  private sendKm(now: number): void {
    if (!this.kmPending) return;
    this.kmSentUs = now;
    this.kmTries++;
    this.sendControl({ kind: 'kmreq', km: this.kmPending, timestamp: 0, destSocketId: 0 });
    if (this.kmTries >= KM_RESEND_MAX) this.kmPending = undefined;
  }

  private tick(): void {
    if (this.closedReason !== undefined) return;
    const now = nowUs();
    if (now - this.lastReceivedUs > this.p.peerIdleTimeoutMs * 1000) {
      this.finish(
        'timeout',
        new SrtConnectionError('timeout', `no packet from the peer for ${this.p.peerIdleTimeoutMs} ms`),
      );
      return;
    }
    this.sender.tick(now, this.rexmitTimeoutUs());
    this.receiver.deliverDue(now);
    if (this.closedReason !== undefined) return;
    if (now - this.lastAckUs >= ACK_INTERVAL_US) this.sendAck(now);
    const nakInterval = Math.max((this.rttUs + 4 * this.rttVarUs) / 2, 20_000);
    if (!this.receiver.losses.empty && now - this.lastNakUs >= nakInterval) {
      this.lastNakUs = now;
      this.sendControl({ kind: 'nak', losses: this.receiver.losses.ranges, timestamp: 0, destSocketId: 0 });
    }
    if (this.kmPending && now - this.kmSentUs >= KM_RESEND_US) this.sendKm(now);
    if (now - this.lastSentUs >= KEEPALIVE_US) this.sendControl({ kind: 'keepalive', timestamp: 0, destSocketId: 0 });
  }

  private sendAck(now: number): void {
    const seq = this.receiver.ackSeq;
    const elapsed = now - this.rateStartUs;
    if (elapsed >= 1_000_000) {
      this.packetRate = Math.round((this.recvPackets * 1e6) / elapsed);
      this.byteRate = Math.round((this.recvBytes * 1e6) / elapsed);
      this.recvPackets = 0;
      this.recvBytes = 0;
      this.rateStartUs = now;
    }
    if (seq === this.ackedSeq) return;
    if (seq === this.lastAckSeq && now - this.lastAckUs < Math.max(1.5 * this.rttUs, 20_000)) return;
    this.lastAckUs = now;
    this.lastAckSeq = seq;
    this.ackNo = this.ackNo >= 0x7fffffff ? 1 : this.ackNo + 1;
    const slot = this.ackNo % ACK_HISTORY;
    this.ackSentNo[slot] = this.ackNo;
    this.ackSentUs[slot] = now;
    this.ackSentSeq[slot] = seq;
    this.sendControl({
      kind: 'ack',
      ackNo: this.ackNo,
      ack: {
        lastAckedSeq: seq,
        rttUs: Math.round(this.rttUs),
        rttVarUs: Math.round(this.rttVarUs),
        availableBuffer: Math.max(this.receiver.available, 2),
        packetsPerSecond: this.packetRate,
        linkCapacity: this.packetRate,
        bytesPerSecond: this.byteRate,
      },
      timestamp: 0,
      destSocketId: 0,
    });
  }

  private sendControl(c: ControlPacket): void {
    c.timestamp = (nowUs() - this.p.startUs) >>> 0;
    c.destSocketId = this.p.peerSocketId;
    const buf = encodeControl(c);
    this.output(buf, buf.length);
  }

  private output(buf: Buffer, length: number): void {
    this.lastSentUs = nowUs();
    this.counters.datagramBytesSent += length;
    this.p.output(buf, length);
  }

  private finish(reason: SrtCloseReason, error: SrtConnectionError | undefined): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    clearInterval(this.timer);
    this.emit('close', reason, error);
  }
}
