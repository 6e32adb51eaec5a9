/**
 * UdpTsSender: MPEG-TS over UDP, as `ffmpeg -f mpegts udp://host:port` sends it.
 * Datagrams are exactly `pkt_size` bytes (default 7 × 188 = 1316), always aligned to
 * transport packet boundaries; only the last one (at flush/close) may be shorter.
 * Datagrams made of whole chunks are views of the chunk (no copy); a datagram spanning
 * two chunks is sent as a gather list. An unreachable destination (ICMP port
 * unreachable, seen as ECONNREFUSED on the connected socket) is reported through
 * onError as TsSenderError('unreachable') and sending goes on: a receiver may start later.
 * Sends carry no callback (no closure per datagram): back-pressure is the socket's send
 * queue (`getSendQueueSize()`), and send errors arrive as the socket's 'error' events.
 * `sendDatagram()` is the pacer's path (TsPacer); `send()` cuts and sends at once.
 */
import { createSocket, type Socket } from 'node:dgram';
import { HostResolutionError, resolveHostSystem, type HostResolver } from '@sluice/media';
import { TsSenderError } from './errors.js';
import type { TsSender } from './sender.js';
import { isMulticastAddress, parseTsUrl, type TsDestination } from './ts-url.js';

/** Options of a UdpTsSender (they override the URL's query). */
export interface UdpTsSenderOptions {
  /** Datagram size, a multiple of 188. Default: the URL's pkt_size, else 1316. */
  packetSize?: number;
  /** TTL of multicast datagrams (and unicast hop limit when given). Default: the URL's ttl, else the system default. */
  ttl?: number;
  /** Local address to bind. Default: any. */
  localAddress?: string;
  /** send() returns false above this many bytes in flight. Default 1 MiB. */
  highWaterMark?: number;
  /**
   * Resolves the host at open(); datagrams go to the first address it returns, nowhere
   * else. Its refusal (a destination policy's) rejects open() unchanged. Default: the system resolver.
   */
  resolveHost?: HostResolver;
}

/** Sends MPEG-TS packets in aligned UDP datagrams. */
export class UdpTsSender implements TsSender {
  /** Where datagrams go. */
  readonly destination: TsDestination;
  /** Bytes per datagram. */
  readonly packetSize: number;
  private readonly ttl: number | undefined;
  private readonly localAddress: string | undefined;
  private readonly highWaterMark: number;
  private readonly resolveHost: HostResolver;
  private socket: Socket | undefined;
  /** Views that make up the next datagram, and their total size. */
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  private sent = 0;
  private full = false;
  private closed = false;
  private lastUnreachableReport = Number.NEGATIVE_INFINITY;
  /** Datagrams the kernel refused because the destination was unreachable. */
  unreachableCount = 0;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];

  /** Parses `url` (udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N]); throws TsSenderError('url') when invalid. */
  constructor(url: string, options: UdpTsSenderOptions = {}) {
    const dest = parseTsUrl(url);
    if (dest.protocol !== 'udp') throw new TsSenderError('url', `Invalid URL [${url}]: UdpTsSender needs udp://`);
    this.destination = dest;
    const size = options.packetSize ?? dest.packetSize;
    if (!Number.isInteger(size) || size < 188 || size % 188 !== 0 || size > 188 * 348)
      throw new TsSenderError('url', `packetSize must be a multiple of 188 from 188 to 65424, got ${size}`);
    this.packetSize = size;
    const ttl = options.ttl ?? dest.ttl;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > 255))
      throw new TsSenderError('url', `ttl must be 1..255, got ${ttl}`);
    this.ttl = ttl;
    this.localAddress = options.localAddress;
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.resolveHost = options.resolveHost ?? resolveHostSystem;
  }

  /** Bytes the kernel accepted: those handed to the socket less what still waits in its send queue. */
  get bytesSent(): number {
    return this.sent - this.queued();
  }

  get bufferedBytes(): number {
    return this.queued() + this.partsLength;
  }

  private queued(): number {
    const socket = this.socket;
    if (socket === undefined || this.closed) return 0;
    try {
      return socket.getSendQueueSize();
    } catch {
      return 0;
    }
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** Resolves the host, binds and connects the socket. Rejects with TsSenderError('connect') or the resolver's refusal. */
  async open(): Promise<void> {
    if (this.socket) throw new TsSenderError('connect', 'already open');
    const { host, port } = this.destination;
    let address: string;
    let family: number;
    try {
      ({ address, family } = (await this.resolveHost(host))[0] as { address: string; family: number });
    } catch (error) {
      if (!(error instanceof HostResolutionError)) throw error;
      throw new TsSenderError('connect', error.message, { cause: error });
    }
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    // ICMP errors also surface on the receive side of a connected socket ('recvmsg ECONNREFUSED')
    socket.on('error', (error) => this.socketError(error));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: 0, address: this.localAddress, exclusive: true }, () => {
          socket.connect(port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      });
    } catch (error) {
      socket.close();
      throw new TsSenderError('connect', `udp://${host}:${port}: ${(error as Error).message}`, { cause: error });
    }
    if (this.ttl !== undefined) {
      if (isMulticastAddress(address)) socket.setMulticastTTL(this.ttl);
      else socket.setTTL(this.ttl);
    }
    this.socket = socket;
  }

  send(chunk: Uint8Array): boolean {
    if (this.closed || this.socket === undefined) return false;
    const size = this.packetSize;
    let o = 0;
    if (this.partsLength > 0) {
      const take = Math.min(size - this.partsLength, chunk.length);
      this.parts.push(chunk.subarray(0, take));
      this.partsLength += take;
      o = take;
      if (this.partsLength === size) this.sendParts();
    }
    while (chunk.length - o >= size) {
      const d = chunk.subarray(o, o + size);
      this.socket.send(d);
      this.sent += size;
      o += size;
    }
    if (o < chunk.length) {
      this.parts.push(chunk.subarray(o));
      this.partsLength += chunk.length - o;
    }
    if (!this.full && this.queued() > this.highWaterMark) {
      this.full = true;
      this.watchDrain();
    }
    return !this.full;
  }

  /** Sends the held partial datagram now (shorter than pkt_size, still whole packets). */
  flush(): void {
    if (this.partsLength > 0 && this.socket !== undefined && !this.closed) this.sendParts();
  }

  /** Flushes, waits for datagrams in flight (at most 1 s), closes the socket. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const socket = this.socket;
    if (socket === undefined) return;
    const deadline = Date.now() + 1000;
    while (this.queuedOnClose(socket) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  /**
   * Sends one datagram as it is (whole 188-byte packets; the bytes must stay unchanged),
   * without a callback: false (nothing sent) while the socket's send queue is above the
   * high water mark. Used by the pacer.
   */
  sendDatagram(datagram: Uint8Array): boolean {
    const socket = this.socket;
    if (socket === undefined || this.closed) return false;
    if (socket.getSendQueueSize() > this.highWaterMark) return false;
    socket.send(datagram);
    this.sent += datagram.length;
    return true;
  }

  private queuedOnClose(socket: Socket): number {
    try {
      return socket.getSendQueueSize();
    } catch {
      return 0;
    }
  }

  private sendParts(): void {
    const parts = this.parts;
    this.parts = [];
    this.partsLength = 0;
    this.socket!.send(parts.length === 1 ? parts[0]! : parts);
    for (const p of parts) this.sent += p.length;
  }

  /** A full queue is polled until it has drained to half the high water mark (sends carry no callbacks). */
  private watchDrain(): void {
    if (this.drainTimer !== undefined) return;
    this.drainTimer = setInterval(() => {
      const socket = this.socket;
      if (this.closed || socket === undefined || socket.getSendQueueSize() <= this.highWaterMark / 2) {
        clearInterval(this.drainTimer);
        this.drainTimer = undefined;
        if (this.closed || !this.full) return;
        this.full = false;
        for (const l of this.drainListeners) l();
      }
    }, 5);
    this.drainTimer.unref();
  }

  private socketError(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    const { host, port } = this.destination;
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      this.unreachableCount++;
      // reported again at most every 5 s while it lasts (every other datagram is refused)
      const now = Date.now();
      if (now - this.lastUnreachableReport >= 5000) {
        this.lastUnreachableReport = now;
        this.report(
          new TsSenderError('unreachable', `udp://${host}:${port} is unreachable (${code})`, { cause: error }),
        );
      }
    } else {
      this.report(new TsSenderError('send', `udp://${host}:${port}: ${error.message}`, { cause: error }));
    }
  }

  private report(error: TsSenderError): void {
    for (const l of this.errorListeners) l(error);
  }
}
