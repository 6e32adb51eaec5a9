/**
 * TcpTsSender: MPEG-TS over a TCP client connection (`tcp://host:port`, as
 * `ffmpeg -f mpegts tcp://host:port` sends it), with backpressure: send() returns the
 * socket's write() result and onDrain fires on 'drain'. Failures are typed: connect
 * refused or timed out (open() rejects), a socket error or a peer close after open
 * (onError, once), and a send stall: nothing handed to the kernel for `sendTimeoutMs`
 * while data waits (onError with TsSenderError('timeout'); the socket is destroyed).
 */
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import {
  HostResolutionError,
  KernelByteCounter,
  SinkListeners,
  pinnedLookup,
  resolveHostSystem,
  SendWatchdog,
  systemClock,
  type Clock,
  type HostResolver,
  type ResolvedAddress,
  type TimerHandle,
} from '@sluice/media';
import { TsSenderError } from './errors.js';
import type { TsSender } from './sender.js';
import { parseTsUrl, type TsDestination } from './ts-url.js';

/** Options of a TcpTsSender. */
export interface TcpTsSenderOptions {
  /** open() fails after this long. Default 5000 ms; 0: no deadline here (a push session keeps it). */
  connectTimeoutMs?: number;
  /** A queue that drains nothing for this long fails the connection. Default 2000 ms; 0: not watched here (a push session does). */
  sendTimeoutMs?: number;
  /** Disable Nagle's algorithm. Default true (live). */
  noDelay?: boolean;
  /** Writable high water mark of the socket. Default 1 MiB. */
  highWaterMark?: number;
  /** Timers of the connect deadline and the send watchdog. Default: the system clock. */
  clock?: Clock;
  /**
   * Resolves the host at open(); the socket connects only to the addresses it returns.
   * Its refusal (a destination policy's) rejects open() unchanged. Default: the system resolver.
   */
  resolveHost?: HostResolver;
}

function checkMs(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 600_000)
    throw new TsSenderError('url', `${name} must be an integer in 0..600000, got ${v}`);
  return v;
}

/** Sends MPEG-TS packets on a TCP connection. */
export class TcpTsSender extends SinkListeners implements TsSender {
  readonly destination: TsDestination;
  private readonly connectTimeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly noDelay: boolean;
  private readonly highWaterMark: number;
  private readonly resolveHost: HostResolver;
  private resolving = false;
  private socket: Socket | undefined;
  private failed = false;
  private closing = false;
  private readonly clock: Clock;
  private readonly watchdog: SendWatchdog;
  private readonly sent = new KernelByteCounter();

  /** Parses `url` (tcp://host:port); throws TsSenderError('url') when invalid. */
  constructor(url: string, options: TcpTsSenderOptions = {}) {
    super();
    const dest = parseTsUrl(url);
    if (dest.protocol !== 'tcp') throw new TsSenderError('url', `Invalid URL [${url}]: TcpTsSender needs tcp://`);
    this.destination = dest;
    this.connectTimeoutMs = checkMs('connectTimeoutMs', options.connectTimeoutMs ?? 5000);
    this.sendTimeoutMs = checkMs('sendTimeoutMs', options.sendTimeoutMs ?? 2000);
    this.noDelay = options.noDelay ?? true;
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.resolveHost = options.resolveHost ?? resolveHostSystem;
    this.clock = options.clock ?? systemClock;
    this.watchdog = new SendWatchdog({
      timeoutMs: this.sendTimeoutMs,
      flushedBytes: () => this.bytesSent,
      bufferedBytes: () => this.bufferedBytes,
      onStall: () => {
        const { host, port } = this.destination;
        this.fail(
          new TsSenderError(
            'timeout',
            `tcp://${host}:${port}: nothing sent for ${this.sendTimeoutMs} ms with ${this.bufferedBytes} bytes queued`,
          ),
        );
        this.socket?.destroy();
      },
      clock: this.clock,
    });
  }

  /** Bytes handed to the kernel. */
  get bytesSent(): number {
    return this.sent.read(this.socket);
  }

  get bufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /**
   * Resolves the host and connects to the resolved addresses only; rejects with
   * TsSenderError('connect') or ('timeout') (the deadline covers both), or the resolver's
   * refusal, after which open() may be called again.
   */
  open(): Promise<void> {
    if (this.socket || this.resolving) return Promise.reject(new TsSenderError('connect', 'already open'));
    const { host, port } = this.destination;
    const where = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new Promise<void>((resolve, reject) => {
      let timedOut = false;
      // 0: no deadline here (a push session keeps it and closes the sender)
      const timer =
        this.connectTimeoutMs === 0
          ? undefined
          : this.clock.setTimeout(() => {
              timedOut = true;
              this.socket?.destroy();
              this.socket = undefined;
              reject(new TsSenderError('timeout', `${where}: connection timed out after ${this.connectTimeoutMs} ms`));
            }, this.connectTimeoutMs);
      this.resolving = true;
      this.resolveHost(host).then(
        (addresses) => {
          this.resolving = false;
          if (timedOut) return;
          if (this.closing) {
            if (timer !== undefined) this.clock.clearTimeout(timer);
            reject(new TsSenderError('closed', `${where}: closed while connecting`));
          } else this.connectTo(addresses, where, timer, resolve, reject);
        },
        (error: unknown) => {
          this.resolving = false;
          if (timer !== undefined) this.clock.clearTimeout(timer);
          if (error instanceof HostResolutionError)
            reject(new TsSenderError('connect', `${where}: ${error.message}`, { cause: error }));
          else reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** open()'s second half: the socket, pinned to the resolved addresses. */
  private connectTo(
    addresses: readonly ResolvedAddress[],
    where: string,
    timer: TimerHandle | undefined,
    resolve: () => void,
    reject: (error: Error) => void,
  ): void {
    const { host, port } = this.destination;
    // highWaterMark goes through net.Socket to its Duplex (not in @types/node's NetConnectOpts)
    const socket = connect({
      host,
      port,
      lookup: pinnedLookup(addresses),
      noDelay: this.noDelay,
      writableHighWaterMark: this.highWaterMark,
    } as NetConnectOpts);
    this.socket = socket;
    socket.once('error', (error) => {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      socket.destroy();
      this.socket = undefined;
      reject(new TsSenderError('connect', `${where}: ${error.message}`, { cause: error }));
    });
    socket.once('connect', () => {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', (error) =>
        this.fail(new TsSenderError('send', `${where}: ${error.message}`, { cause: error })),
      );
      socket.on('close', () => {
        if (!this.closing) this.fail(new TsSenderError('closed', `${where}: connection closed by the peer`));
      });
      socket.on('end', () => socket.end());
      socket.on('drain', () => {
        this.watchdog.stop();
        this.drainListeners.emit();
      });
      resolve();
    });
  }

  send(chunk: Uint8Array): boolean {
    const s = this.socket;
    if (s === undefined || this.failed || this.closing) return false;
    this.sent.wrote(chunk.length);
    const ok = s.write(chunk);
    if (!ok) this.watchdog.arm();
    return ok;
  }

  /**
   * The pacer's path: writes one datagram's bytes unless more than the high water mark
   * is already queued (false, nothing written). A write past the mark arms the stall timer.
   */
  sendDatagram(datagram: Uint8Array): boolean {
    const s = this.socket;
    if (s === undefined || this.failed || this.closing) return false;
    if (s.writableLength > this.highWaterMark) {
      this.watchdog.arm();
      return false;
    }
    this.sent.wrote(datagram.length);
    if (!s.write(datagram)) this.watchdog.arm();
    return true;
  }

  /** Groups the writes that follow into one writev (until uncork). */
  cork(): void {
    this.socket?.cork();
  }

  uncork(): void {
    this.socket?.uncork();
  }

  /** Ends the connection after queued data (destroyed after 2 s). Never rejects. */
  async close(): Promise<void> {
    const s = this.socket;
    if (this.resolving) this.closing = true; // open() is resolving the host: it will not connect
    if (s === undefined || this.closing) return;
    void this.bytesSent; // remember the count before the socket goes away
    this.closing = true;
    this.watchdog.stop();
    if (s.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => s.destroy(), 2000);
      s.once('close', () => {
        this.clock.clearTimeout(timer);
        resolve();
      });
      s.end();
    });
  }

  private fail(error: TsSenderError): void {
    if (this.failed) return;
    void this.bytesSent;
    this.failed = true;
    this.watchdog.stop();
    this.errorListeners.emit(error);
  }
}
