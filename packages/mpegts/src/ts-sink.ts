/**
 * TsPushSink: MPEG-TS to a UdpTsSender or TcpTsSender (or a caller's sender, e.g. SRT),
 * in the shape of @sluice/push's PushSink (open / send / bytesSent / bufferedBytes /
 * onDrain / onError / close), so the server can hand it to the push registry as is. It
 * does not import @sluice/push: the shapes match structurally.
 *
 * - udp://: paced. The packets are muxed into the sink's TsStreamOutput (datagrams with
 *   due times from the stream clock) and a TsOutlet on the process-wide TsPacer sends
 *   them when due, at a bounded burst rate (see TsPacer); the GOP a session starts with
 *   is a replay (it goes out at the burst rate, then the push is live).
 * - tcp:// and callers' senders: the muxer's chunks go to the sender as they are made
 *   (TCP's flow control protects the receiver; SRT has its own sending buffer).
 */
import type { HostResolver, MediaPacket, TrackInfo } from '@sluice/media';
import { TsSenderError } from './errors.js';
import { TsMuxer } from './muxer.js';
import type { TsMuxerOptions } from './muxer-options.js';
import { defaultTsPacer, TsOutlet, type TsPacer, type TsPacing } from './ts-pacer.js';
import { TsStreamOutput } from './ts-stream-output.js';
import type { TsRecoveryCounters, TsSender } from './sender.js';
import { TcpTsSender } from './tcp-sender.js';
import { UdpTsSender } from './udp-sender.js';
import { parseTsUrl, type TsDestination } from './ts-url.js';

/** Where a TsPushSink sends, and its timeouts (PushTarget's fields). */
export interface TsPushTarget {
  /** udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N] or tcp://host:port */
  url: string;
  /** tcp: connect timeout. Default 5000; 0: none here (a push session keeps it). */
  connectTimeoutMs?: number;
  /** tcp: a queue that drains nothing for this long fails. Default 2000; 0: not watched here (a push session does). */
  sendTimeoutMs?: number;
  /** Resolves the host at each open(); the sender connects only to what it returns. Default: the system resolver. */
  resolveHost?: HostResolver | undefined;
}

/** Muxer slab of a paced push's own output: 348 transport packets (~64 KiB). */
const OWN_OUTPUT_SLAB_SIZE = 188 * 348;

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
  /** Direct path (tcp://, callers' senders): the muxer writes to the sender. */
  private muxer: TsMuxer | undefined;
  /** Paced path (udp://): the sink's output and its reader on the pacer. */
  private output: TsStreamOutput | undefined;
  private outlet: TsOutlet | undefined;
  private full = false;
  private failed = false;
  private closed = false;
  /** udp:// destination (paced), undefined for the direct path. */
  private readonly paced: TsDestination | undefined;
  private readonly pacer: TsPacer;
  private readonly pacing: TsPacing;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];
  /** Packets the muxer refused (malformed payload, unknown track); they are skipped, the session goes on. */
  droppedPackets = 0;

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
    pacing: { pacer?: TsPacer; pacing?: TsPacing } = {},
  ) {
    const dest = createSender === undefined ? parseTsUrl(target.url) : undefined;
    this.paced = dest?.protocol === 'udp' ? dest : undefined;
    this.createSender = createSender ?? createTsSender;
    this.pacer = pacing.pacer ?? defaultTsPacer;
    this.pacing = pacing.pacing ?? {};
  }

  /** Bytes skipped because a paced destination fell more than 5 s behind (it resumed at a later keyframe). */
  get skippedBytes(): number {
    return this.outlet?.skippedBytes ?? 0;
  }

  /** Connects and prepares the muxer for `tracks`. Rejects with TsSenderError or TsMuxError. */
  async open(tracks: readonly TrackInfo[]): Promise<void> {
    if (this.sender) throw new TsSenderError('connect', 'already open');
    const paced = this.paced;
    let output: TsStreamOutput | undefined;
    let muxer: TsMuxer | undefined;
    if (paced !== undefined) {
      // one reader for good: nothing kept behind it, small slabs (what is sent can be collected soon)
      output = new TsStreamOutput({
        packetSize: paced.packetSize,
        muxer: { slabSize: OWN_OUTPUT_SLAB_SIZE, ...this.muxerOptions },
        keepLatestGop: false,
      });
      output.start(tracks);
    } else {
      muxer = new TsMuxer(tracks, {
        ...this.muxerOptions,
        output: 'owned',
        onData: (chunk) => {
          if (!this.sender!.send(chunk)) this.full = true;
        },
      });
    }
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
    if (output !== undefined && paced !== undefined && sender instanceof UdpTsSender) {
      this.output = output;
      const outlet = new TsOutlet(output, sender, {
        ...this.pacing,
        bitrate: paced.bitrate ?? this.pacing.bitrate,
        burstBits: paced.burstBits ?? this.pacing.burstBits,
      });
      this.outlet = outlet;
      // the session sends the GOP it kept while connecting in the turn open() resolves: a replay
      output.beginReplay();
      setImmediate(() => {
        output.endReplay();
        if (!this.closed) outlet.pump(performance.now());
      });
      this.pacer.add(outlet);
    }
    this.muxer = muxer;
  }

  /** Muxes one packet (queued on the socket, or paced out by the pacer); false when the socket's queue is full. Never throws. */
  send(packet: MediaPacket): boolean {
    if (this.failed || this.closed) return false;
    const output = this.output;
    if (output !== undefined) {
      const before = output.droppedPackets;
      output.write(packet);
      if (output.droppedPackets !== before) this.droppedPackets++;
      return true;
    }
    const muxer = this.muxer;
    if (muxer === undefined) return false;
    try {
      muxer.write(packet);
    } catch {
      // a packet the muxer refuses (TsMuxError: malformed payload, unknown track) is skipped
      this.droppedPackets++;
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

  /** Bytes accepted and not yet handed to the kernel: the socket's queue, plus (paced) the datagrams not yet due. */
  get bufferedBytes(): number {
    const queued = this.sender?.bufferedBytes ?? 0;
    const outlet = this.outlet;
    if (outlet === undefined) return queued;
    return queued + (outlet.output.end - outlet.cursor) * outlet.output.packetSize;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** Flushes the muxer (paced: sends what is left at once) and closes the connection. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.muxer?.end();
    } catch {
      // nothing more to send
    }
    this.muxer = undefined;
    const outlet = this.outlet;
    if (outlet !== undefined) {
      this.pacer.remove(outlet);
      this.output?.finish();
      outlet.sendRest(true);
      outlet.detach();
    }
    await this.sender?.close();
  }
}
