/**
 * TsPushSink: a TsMuxer feeding a UdpTsSender or TcpTsSender, in the shape of
 * @sluice/push's PushSink (open / send / bytesSent / bufferedBytes / onDrain / onError /
 * close), so the server can hand it to the push registry as is. It does not import
 * @sluice/push: the shapes match structurally.
 */
import type { HostResolver, MediaPacket, TrackInfo } from '@sluice/media';
import { TsMuxError, TsSenderError } from './errors.js';
import { TsMuxer } from './muxer.js';
import type { TsMuxerOptions } from './muxer-options.js';
import type { TsRecoveryCounters, TsSender } from './sender.js';
import { TcpTsSender } from './tcp-sender.js';
import { UdpTsSender } from './udp-sender.js';
import { parseTsUrl } from './ts-url.js';

/** Where a TsPushSink sends, and its timeouts (PushTarget's fields). */
export interface TsPushTarget {
  /** udp://host:port[?pkt_size=N&ttl=N] or tcp://host:port */
  url: string;
  /** tcp: connect timeout. Default 5000; 0: none here (a push session keeps it). */
  connectTimeoutMs?: number;
  /** tcp: a queue that drains nothing for this long fails. Default 2000; 0: not watched here (a push session does). */
  sendTimeoutMs?: number;
  /** Resolves the host at each open(); the sender connects only to what it returns. Default: the system resolver. */
  resolveHost?: HostResolver | undefined;
}

/** Creates the sender for a udp:// or tcp:// URL. Throws TsSenderError('url'). */
export function createTsSender(target: TsPushTarget): TsSender {
  const dest = parseTsUrl(target.url);
  const resolveHost = target.resolveHost === undefined ? {} : { resolveHost: target.resolveHost };
  if (dest.protocol === 'udp') return new UdpTsSender(target.url, resolveHost);
  return new TcpTsSender(target.url, {
    connectTimeoutMs: target.connectTimeoutMs ?? 5000,
    sendTimeoutMs: target.sendTimeoutMs ?? 2000,
    ...resolveHost,
  });
}

/** A push sink that muxes packets to MPEG-TS and sends them over UDP or TCP. */
export class TsPushSink {
  private sender: TsSender | undefined;
  private muxer: TsMuxer | undefined;
  private full = false;
  private failed = false;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];
  /** Packets the muxer refused (malformed payload, unknown track); they are skipped, the session goes on. */
  droppedPackets = 0;
  /** The last refusal, for diagnostics. */
  lastDropReason: string | undefined;

  private readonly createSender: (target: TsPushTarget) => TsSender;

  /**
   * `muxerOptions` tune the muxer (onData and output are the sink's own). `createSender`
   * carries the TS elsewhere than udp:// or tcp:// (e.g. inside SRT); it checks its own URL.
   * Throws TsSenderError('url') for a bad udp:// or tcp:// URL.
   */
  constructor(
    private readonly target: TsPushTarget,
    private readonly muxerOptions: Omit<TsMuxerOptions, 'onData' | 'output'> = {},
    createSender?: (target: TsPushTarget) => TsSender,
  ) {
    if (createSender === undefined) parseTsUrl(target.url);
    this.createSender = createSender ?? createTsSender;
  }

  /** Connects and prepares the muxer for `tracks`. Rejects with TsSenderError or TsMuxError. */
  async open(tracks: readonly TrackInfo[]): Promise<void> {
    if (this.sender) throw new TsSenderError('connect', 'already open');
    const muxer = new TsMuxer(tracks, {
      ...this.muxerOptions,
      output: 'owned',
      onData: (chunk) => {
        if (!this.sender!.send(chunk)) this.full = true;
      },
    });
    const sender = this.createSender(this.target);
    sender.onDrain(() => {
      this.full = false;
      for (const l of this.drainListeners) l();
    });
    sender.onError((error) => {
      // UDP keeps going after an unreachable report; anything else ends the session
      if (error instanceof TsSenderError && error.code === 'unreachable') return;
      if (this.failed) return;
      this.failed = true;
      for (const l of this.errorListeners) l(error);
    });
    this.sender = sender;
    await sender.open();
    this.muxer = muxer;
  }

  /** Muxes and queues one packet; false when the socket's queue is full. Never throws. */
  send(packet: MediaPacket): boolean {
    const muxer = this.muxer;
    if (muxer === undefined || this.failed) return false;
    try {
      muxer.write(packet);
    } catch (error) {
      // a packet the muxer refuses (TsMuxError: malformed payload, unknown track) is skipped
      this.droppedPackets++;
      this.lastDropReason = error instanceof TsMuxError ? error.message : String(error);
    }
    return !this.full;
  }

  get bytesSent(): number {
    return this.sender?.bytesSent ?? 0;
  }

  /** The sender's loss recovery counters, when it has any (SRT). */
  recoveryCounters(): TsRecoveryCounters | undefined {
    return this.sender?.recoveryCounters?.();
  }

  get bufferedBytes(): number {
    return this.sender?.bufferedBytes ?? 0;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** Flushes the muxer and closes the connection. Never rejects. */
  async close(): Promise<void> {
    try {
      this.muxer?.end();
    } catch {
      // nothing more to send
    }
    this.muxer = undefined;
    await this.sender?.close();
  }
}
