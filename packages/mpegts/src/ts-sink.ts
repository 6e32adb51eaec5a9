/**
 * TsPushSink: a TsStreamOutput (shared by the pushes of a stream, or its own) read by a
 * TsOutlet on the shared TsPacer into a UdpTsSender or TcpTsSender, in the shape of
 * @sluice/push's PushSink (open / send / bytesSent / bufferedBytes / onDrain / onError /
 * close), so the server can hand it to the push registry as is. It does not import
 * @sluice/push: the shapes match structurally.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { TsSenderError } from './errors.js';
import type { TsMuxerOptions } from './muxer-options.js';
import type { TsSender } from './sender.js';
import { TcpTsSender } from './tcp-sender.js';
import { defaultTsPacer, TsOutlet, type TsDatagramSender, type TsPacer, type TsPacing } from './ts-pacer.js';
import { TsStreamOutput } from './ts-stream-output.js';
import type { TsStreamOutputs, TsStreamRef } from './ts-stream-outputs.js';
import { UdpTsSender } from './udp-sender.js';
import { parseTsUrl, type TsDestination } from './ts-url.js';

/** Where a TsPushSink sends, and its timeouts (PushTarget's fields). */
export interface TsPushTarget {
  /** udp://host:port[?pkt_size=N&ttl=N] or tcp://host:port */
  url: string;
  /** tcp: connect timeout. Default 5000. */
  connectionTimeoutMs?: number;
  /** tcp: a queue that drains nothing for this long fails. Default 2000. */
  sendTimeoutMs?: number;
}

/** Creates the sender for a udp:// or tcp:// URL. Throws TsSenderError('url'). */
export function createTsSender(target: TsPushTarget): TsSender & TsDatagramSender {
  const dest = parseTsUrl(target.url);
  if (dest.protocol === 'udp') return new UdpTsSender(target.url);
  return new TcpTsSender(target.url, {
    connectTimeoutMs: target.connectionTimeoutMs ?? 5000,
    sendTimeoutMs: target.sendTimeoutMs ?? 2000,
  });
}

/** How a TsPushSink gets its MPEG-TS. */
export interface TsPushSinkOptions {
  /**
   * Shared outputs and the stream this push reads: the sink joins the stream's shared
   * output (muxed once for every push of the stream and track set, the stream's own
   * timeline) and ignores the packets given to send(). Without them the sink muxes the
   * packets given to send() itself.
   */
  shared?: { outputs: TsStreamOutputs; stream: TsStreamRef } | undefined;
  /** The clock that sends the datagrams. Default: defaultTsPacer (one for the process). */
  pacer?: TsPacer;
  /** Pacing defaults; the udp:// URL's `bitrate` and `burst_bits` override them. */
  pacing?: TsPacing;
  /** Muxer tuning of a sink's own output (without `shared`). */
  muxer?: Omit<TsMuxerOptions, 'onData' | 'output'>;
}

/**
 * A push sink that sends MPEG-TS over UDP (paced: see TsPacer) or TCP (as fast as the
 * connection takes it), reading a TsStreamOutput through a TsOutlet.
 */
export class TsPushSink {
  private sender: (TsSender & TsDatagramSender) | undefined;
  private output: TsStreamOutput | undefined;
  private outlet: TsOutlet | undefined;
  private failed = false;
  private closed = false;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];
  private readonly destination: TsDestination;
  private readonly pacer: TsPacer;

  /** Throws TsSenderError('url') for a bad URL. */
  constructor(
    private readonly target: TsPushTarget,
    private readonly options: TsPushSinkOptions = {},
  ) {
    this.destination = parseTsUrl(target.url);
    this.pacer = options.pacer ?? defaultTsPacer;
  }

  /** Packets the muxer refused (malformed payload, unknown track); they are skipped, the session goes on. */
  get droppedPackets(): number {
    return this.output?.droppedPackets ?? 0;
  }

  /** The last refusal, for diagnostics. */
  get lastDropReason(): string | undefined {
    return this.output?.lastDropReason;
  }

  /** Bytes skipped because the destination fell behind (it resumed at a later keyframe). */
  get skippedBytes(): number {
    return this.outlet?.skippedBytes ?? 0;
  }

  /** Connects, then joins the stream's output (or starts its own for `tracks`). Rejects with TsSenderError or TsMuxError. */
  async open(tracks: readonly TrackInfo[]): Promise<void> {
    if (this.sender) throw new TsSenderError('connect', 'already open');
    const sender = createTsSender(this.target);
    sender.onDrain(() => {
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
    const size = this.destination.packetSize;
    const shared = this.options.shared;
    let output: TsStreamOutput;
    if (shared !== undefined) {
      output = shared.outputs.acquire(
        shared.stream,
        tracks.map((t) => t.id),
        size,
      );
    } else {
      output = new TsStreamOutput({ packetSize: size, muxer: this.options.muxer });
      output.start(tracks);
    }
    this.output = output;
    const tcp = this.destination.protocol === 'tcp';
    const outlet = new TsOutlet(output, sender, {
      ...this.options.pacing,
      paced: !tcp,
      bitrate: this.destination.bitrate ?? this.options.pacing?.bitrate,
      burstBits: this.destination.burstBits ?? this.options.pacing?.burstBits,
    });
    this.outlet = outlet;
    this.pacer.add(outlet);
  }

  /** Own output: muxes the packet (paced out by the pacer). Shared output: the packet is already in it. Never throws. */
  send(packet: MediaPacket): boolean {
    const output = this.output;
    if (output === undefined || this.failed || this.closed) return false;
    if (this.options.shared === undefined) output.write(packet);
    return true;
  }

  get bytesSent(): number {
    return this.outlet?.bytesSent ?? 0;
  }

  /** Bytes of the output not yet sent to this destination, plus the socket's queue. */
  get bufferedBytes(): number {
    const outlet = this.outlet;
    const queued = this.sender?.bufferedBytes ?? 0;
    if (outlet === undefined) return queued;
    return queued + (outlet.output.end - outlet.cursor) * outlet.output.packetSize;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** Stops reading the output (an own one is flushed and its rest sent), closes the connection. Never rejects. */
  async close(): Promise<void> {
    const outlet = this.outlet;
    const output = this.output;
    if (this.closed) return;
    this.closed = true;
    if (outlet !== undefined) {
      this.pacer.remove(outlet);
      if (this.options.shared === undefined && output !== undefined) {
        output.finish();
        outlet.sendRest();
      }
      outlet.detach();
    }
    if (output !== undefined && this.options.shared !== undefined) this.options.shared.outputs.release(output);
    await this.sender?.close();
  }
}
