/**
 * The SRT listener: one UDP socket, SYN cookies on induction, the conclusion checked and put to
 * the application (stream ID visible before accepting), rejection with the standard codes,
 * and the accepted connections demultiplexed by destination socket ID.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import { SrtCipher } from './cipher.js';
import { nowUs } from './clock.js';
import { SrtConnection } from './connection.js';
import { decodeControl } from './control.js';
import {
  HANDSHAKE_REJECT_BASE,
  HandshakeType,
  HsExtFlag,
  peerIpBytes,
  SRT_MAGIC,
  type Handshake,
} from './handshake.js';
import { handshakePacket, hsExtension, peerFlagsProblem, random31 } from './handshake-common.js';
import { resolveOptions, type ResolvedOptions, type SrtOptions } from './options.js';
import { isControlPacket, MAX_PACKET_SIZE } from './packet.js';
import { SrtRejectReason } from './reject.js';

/** A caller asking to connect, before it is accepted. */
export interface SrtConnectRequest {
  streamId: string;
  remoteAddress: string;
  remotePort: number;
  /** The caller sent key material (it uses a passphrase). */
  encrypted: boolean;
}

/** The application's answer: accept (optionally with a per-stream passphrase or latency) or reject. */
export type SrtAcceptDecision =
  { accept: true; passphrase?: string; latencyMs?: number } | { accept: false; rejectReason: number };

/** Listener options. */
export interface SrtListenerOptions extends SrtOptions {
  /** Port to bind (0: any free port). */
  port: number;
  /** Address to bind. Default '0.0.0.0'. */
  host?: string;
  /** Decides on each caller; default: accept all. May be async (the caller repeats its conclusion meanwhile). */
  onConnectRequest?: (request: SrtConnectRequest) => SrtAcceptDecision | Promise<SrtAcceptDecision>;
  /** Most simultaneous connections; more are rejected with `Resource`. Default 256. */
  maxConnections?: number;
}

/** Events of a listener. */
export interface SrtListenerEvents {
  /** A caller was accepted; `request` is the object the application decided on. */
  connection: [connection: SrtConnection, request: SrtConnectRequest];
  /** A caller was rejected (by the application, or because of a handshake or crypto problem). */
  rejected: [request: SrtConnectRequest, rejectReason: number, detail: string];
  error: [error: Error];
}

interface Pending {
  response: Buffer | undefined;
  connection: SrtConnection | undefined;
  expires: number;
}

const COOKIE_BUCKET_MS = 60_000;
const PENDING_MAX = 1024;
const REJECT_MEMORY_MS = 10_000;

/** Accepts SRT callers on one UDP port. */
export class SrtListener extends EventEmitter<SrtListenerEvents> {
  private readonly connections = new Map<number, SrtConnection>();
  private readonly pending = new Map<string, Pending>();
  private readonly secret = randomBytes(16);
  private readonly startUs = nowUs();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly options: SrtListenerOptions,
    private readonly opts: ResolvedOptions,
  ) {
    super();
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', (err) => this.emit('error', err));
  }

  /** Binds the UDP socket and starts accepting. */
  static async listen(options: SrtListenerOptions): Promise<SrtListener> {
    const opts = resolveOptions(options);
    const host = options.host ?? '0.0.0.0';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, host, () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    return new SrtListener(socket, options, opts);
  }

  /** The bound address and port. */
  get address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** The open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Closes every connection (SHUTDOWN to each peer) and the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.connections.values()]) c.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed || msg.length < 16 || msg.length > MAX_PACKET_SIZE) return;
    const dest = msg.readUInt32BE(12);
    if (dest !== 0) {
      const conn = this.connections.get(dest);
      if (conn && conn.remotePort === rinfo.port && conn.remoteAddress === rinfo.address) conn.handlePacket(msg);
      return;
    }
    if (!isControlPacket(msg) || msg.readUInt16BE(0) !== 0x8000) return;
    let hs: Handshake;
    try {
      const c = decodeControl(msg);
      if (c.kind !== 'handshake') return;
      hs = c.handshake;
    } catch {
      return; // a malformed handshake from an unknown peer is ignored
    }
    if (hs.type === HandshakeType.Induction) this.onInduction(hs, rinfo);
    else if (hs.type === HandshakeType.Conclusion) this.onConclusion(hs, rinfo);
  }

  private cookie(rinfo: RemoteInfo, bucketOffset: number): number {
    const bucket = Math.floor(Date.now() / COOKIE_BUCKET_MS) + bucketOffset;
    return createHmac('sha256', this.secret)
      .update(`${rinfo.address}|${rinfo.port}|${bucket}`)
      .digest()
      .readUInt32BE(0);
  }

  private send(buf: Buffer, rinfo: RemoteInfo): void {
    this.socket.send(buf, 0, buf.length, rinfo.port, rinfo.address);
  }

  private timestamp(): number {
    return nowUs() - this.startUs;
  }

  private onInduction(hs: Handshake, rinfo: RemoteInfo): void {
    const answer: Handshake = {
      version: 5,
      encryptionField:
        this.opts.passphrase !== undefined && this.options.pbkeylen !== undefined ? this.opts.pbkeylen / 8 : 0,
      extensionField: SRT_MAGIC,
      initialSeq: hs.initialSeq,
      mtu: hs.mtu,
      flowWindow: hs.flowWindow,
      type: HandshakeType.Induction,
      socketId: hs.socketId,
      cookie: this.cookie(rinfo, 0),
      peerIp: peerIpBytes(rinfo.address),
    };
    this.send(handshakePacket(answer, this.timestamp(), hs.socketId), rinfo);
  }

  private onConclusion(hs: Handshake, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}|${hs.socketId}`;
    const known = this.pending.get(key);
    if (known) {
      if (known.response) this.send(known.response, rinfo);
      return;
    }
    if (hs.cookie !== this.cookie(rinfo, 0) && hs.cookie !== this.cookie(rinfo, -1)) return;
    this.prunePending();
    if (this.pending.size >= PENDING_MAX) return;
    const entry: Pending = { response: undefined, connection: undefined, expires: Date.now() + REJECT_MEMORY_MS };
    this.pending.set(key, entry);
    const request: SrtConnectRequest = {
      streamId: hs.streamId ?? '',
      remoteAddress: rinfo.address,
      remotePort: rinfo.port,
      encrypted: hs.kmReq !== undefined,
    };
    const refuse = (reason: number, detail: string): void => {
      const answer: Handshake = { ...hs, type: HANDSHAKE_REJECT_BASE + reason, hsReq: undefined, kmReq: undefined };
      delete answer.streamId;
      entry.response = handshakePacket(answer, this.timestamp(), hs.socketId);
      this.send(entry.response, rinfo);
      this.emit('rejected', request, reason, detail);
    };
    const problem = this.checkConclusion(hs);
    if (problem) {
      refuse(problem[0], problem[1]);
      return;
    }
    if (this.connections.size >= (this.options.maxConnections ?? 256)) {
      refuse(SrtRejectReason.Resource, 'too many connections');
      return;
    }
    const decide = this.options.onConnectRequest;
    const decided = (d: SrtAcceptDecision): void => {
      if (this.closed) return;
      if (!d.accept) refuse(d.rejectReason, 'rejected by the application');
      else this.accept(hs, rinfo, request, entry, d, refuse);
    };
    if (!decide) {
      decided({ accept: true });
      return;
    }
    let result: SrtAcceptDecision | Promise<SrtAcceptDecision>;
    try {
      result = decide(request);
    } catch {
      refuse(SrtRejectReason.Ipe, 'the connect request handler threw');
      return;
    }
    if (result instanceof Promise) {
      result.then(decided, () => refuse(SrtRejectReason.Ipe, 'the connect request handler failed'));
    } else {
      decided(result);
    }
  }

  private checkConclusion(hs: Handshake): [number, string] | undefined {
    if (hs.version !== 5 || !hs.hsReq) return [SrtRejectReason.Version, 'HSv5 with HSREQ required'];
    const problem = peerFlagsProblem(hs.hsReq);
    if (problem) return [SrtRejectReason.MessageApi, problem];
    if (hs.congestion !== undefined && hs.congestion !== 'live') {
      return [SrtRejectReason.Congestion, `congestion controller "${hs.congestion}"`];
    }
    if (hs.filter !== undefined) return [SrtRejectReason.Filter, `packet filter "${hs.filter}" not supported`];
    if (hs.group) return [SrtRejectReason.Group, 'socket groups (bonding) not supported'];
    return undefined;
  }

  private accept(
    hs: Handshake,
    rinfo: RemoteInfo,
    request: SrtConnectRequest,
    entry: Pending,
    d: { passphrase?: string; latencyMs?: number },
    refuse: (reason: number, detail: string) => void,
  ): void {
    const passphrase = d.passphrase ?? this.opts.passphrase;
    const latency = d.latencyMs ?? this.opts.latencyMs;
    const hsReq = hs.hsReq;
    if (!hsReq) return;
    let cipher: SrtCipher | undefined;
    if (hs.kmReq) {
      if (passphrase === undefined) {
        refuse(SrtRejectReason.Unsecure, 'the caller encrypts but this listener has no passphrase');
        return;
      }
      const c = SrtCipher.fromKm(passphrase, hs.kmReq);
      if (c === 'bad-secret') {
        refuse(SrtRejectReason.BadSecret, 'wrong passphrase');
        return;
      }
      if (c === 'malformed') {
        refuse(SrtRejectReason.Crypto, 'unsupported key material');
        return;
      }
      cipher = c;
    } else if (passphrase !== undefined) {
      refuse(SrtRejectReason.Unsecure, 'this listener requires a passphrase');
      return;
    }
    const socketId = this.freeSocketId();
    const latencyMs = Math.max(latency, hsReq.senderDelayMs);
    const peerLatencyMs = Math.max(latency, hsReq.receiverDelayMs);
    const flowWindow = Math.min(this.opts.flowWindow, Math.max(hs.flowWindow, 32));
    const answer: Handshake = {
      version: 5,
      encryptionField: cipher ? cipher.keyLength / 8 : 0,
      extensionField: HsExtFlag.HsReq | (cipher ? HsExtFlag.KmReq : 0),
      initialSeq: hs.initialSeq,
      mtu: Math.min(hs.mtu, MAX_PACKET_SIZE),
      flowWindow,
      type: HandshakeType.Conclusion,
      socketId,
      cookie: hs.cookie,
      peerIp: peerIpBytes(rinfo.address),
      hsRsp: hsExtension(latencyMs, peerLatencyMs),
    };
    if (cipher && hs.kmReq) answer.kmRsp = hs.kmReq;
    entry.response = handshakePacket(answer, this.timestamp(), hs.socketId);
    const conn = new SrtConnection({
      role: 'listener',
      socketId,
      peerSocketId: hs.socketId,
      initialSeq: hs.initialSeq,
      startUs: this.startUs,
      latencyMs,
      peerLatencyMs,
      streamId: request.streamId,
      remoteAddress: rinfo.address,
      remotePort: rinfo.port,
      payloadSize: this.opts.payloadSize,
      flowWindow,
      maxBandwidth: this.opts.maxBandwidth,
      overheadPercent: this.opts.overheadPercent,
      peerIdleTimeoutMs: this.opts.peerIdleTimeoutMs,
      txCipher: cipher?.clone(),
      rxCipher: cipher,
      kmRefreshRate: this.opts.kmRefreshRate,
      kmPreAnnounce: this.opts.kmPreAnnounce,
      output: (buf, length) => this.socket.send(buf, 0, length, rinfo.port, rinfo.address),
    });
    entry.connection = conn;
    entry.expires = Number.POSITIVE_INFINITY;
    this.connections.set(socketId, conn);
    const key = `${rinfo.address}|${rinfo.port}|${hs.socketId}`;
    conn.once('close', () => {
      this.connections.delete(socketId);
      this.pending.delete(key);
    });
    this.send(entry.response, rinfo);
    this.emit('connection', conn, request);
  }

  private freeSocketId(): number {
    for (;;) {
      const id = random31();
      if (!this.connections.has(id)) return id;
    }
  }

  private prunePending(): void {
    const now = Date.now();
    for (const [k, p] of this.pending) if (p.expires < now) this.pending.delete(k);
  }
}
