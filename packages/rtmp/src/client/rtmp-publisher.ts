/**
 * RtmpPublisher: publishes one live stream to an RTMP(S) server (nginx-rtmp, ffmpeg,
 * YouTube/Twitch ingest...). Shaped like @sluice/push's PushSink: open(tracks) ->
 * send(packet) -> close(), with bytesSent / bufferedBytes / onDrain / onError.
 *
 * open(): TCP or TLS connect, simple handshake, Set Chunk Size, connect,
 * releaseStream, FCPublish, createStream, publish; then @setDataFrame onMetaData and
 * the sequence headers. H.265/AV1/VP9/Opus go out as Enhanced RTMP only when the
 * server announced the FourCC in its connect _result (or `enhancedRtmp: 'always'`);
 * otherwise open() rejects with RtmpUnsupportedCodec.
 */
import { connect as tcpConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { encodeAmf0, FlvTagMuxer, FlvTagType, SinkListeners, SendWatchdog, systemClock } from '@sluice/media';
import {
  HostResolutionError,
  pinnedLookup,
  resolveHostSystem,
  type Amf0Value,
  type Clock,
  type HostResolver,
  type MediaPacket,
  type ResolvedAddress,
  type TimerHandle,
  type TrackInfo,
} from '@sluice/media';
import { RtmpConnection } from '../connection/rtmp-connection.js';
import { DEFAULT_OUT_CHUNK_SIZE } from '../chunk/chunk-stream-writer.js';
import type { PayloadChunkCache } from './payload-chunk-cache.js';
import { decodeCommand } from '../command/command-message.js';
import { announcedFourCcs, enhancedConnectFields } from '../command/enhanced-rtmp.js';
import { readStatus, StatusCode } from '../command/status.js';
import { ChunkStreamId, MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import {
  RtmpConnectError,
  RtmpConnectionClosed,
  RtmpPublishRejected,
  RtmpTimeoutError,
  RtmpUnsupportedCodec,
} from '../errors.js';
import { parseRtmpUrl } from './rtmp-url.js';
import type { RtmpEndpoint } from './rtmp-url.js';
import { enhancedFourCcOf, rtmpCannotCarry } from './track-support.js';
import { sameBytes } from '../bytes.js';
import { AckWatchdog, PUBLISHER_ACK_WINDOW } from './ack-watchdog.js';

/** Options of an RtmpPublisher (field names match @sluice/push's PushTarget). */
export interface RtmpPublisherOptions {
  /** rtmp://host[:port]/app[/inst] or rtmps://... */
  url: string;
  /** Publish name; query strings are passed through. Empty: the url's last path segment. */
  streamKey?: string;
  /** Deadline for connect + handshake + publish, ms (default 5000); 0: none here (a push session keeps it). */
  connectTimeoutMs?: number;
  /** A write that drains nothing for this long fails the session, ms (default 2000); 0: not watched here (a push session does). */
  sendTimeoutMs?: number;
  /**
   * A server that acknowledged reading before and then acknowledges nothing for this long
   * while more than two acknowledgement windows are outstanding fails the session: it
   * stopped reading (AckWatchdog), ms. Default: sendTimeoutMs; 0: not watched.
   */
  acknowledgementTimeoutMs?: number;
  /** Timers of the connect deadline and the send watchdog (default: the system clock). */
  clock?: Clock;
  /** Outgoing chunk size announced with Set Chunk Size (default 4096). */
  chunkSize?: number;
  /** rtmps: check the server certificate (default true). False for self-signed test servers. */
  rejectUnauthorized?: boolean;
  /** rtmps: extra trusted CA certificates (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** 'announced' (default): E-RTMP codecs only when the server announced them; 'always': send them regardless. */
  enhancedRtmp?: 'announced' | 'always';
  /** Handshake form: 'simple' (default) or 'digest' for servers that require the Flash-style one. */
  handshake?: 'simple' | 'digest';
  /** flashVer sent in connect (default 'FMLE/3.0 (compatible; Sluice)'). */
  flashVer?: string;
  /**
   * Fan-out: media messages are chunked once per payload view in this cache and the
   * same bytes written by every publisher sharing it (used when its chunkSize equals
   * this publisher's; see PayloadChunkCache).
   */
  sharedChunks?: PayloadChunkCache;
  /**
   * Resolves the url's host once per open(); the socket connects only to the addresses it
   * returns (TLS keeps the name for SNI and the certificate check). Its rejection (a lookup
   * failure, a destination policy's refusal) is open()'s. Default: the system resolver.
   */
  resolveHost?: HostResolver;
}

type State = 'idle' | 'opening' | 'open' | 'closed';

interface Pending {
  resolve: (value: RtmpMessageResult) => void;
  reject: (error: Error) => void;
}

/** A _result/_error/onStatus answer. */
interface RtmpMessageResult {
  name: string;
  commandObject: Amf0Value;
  args: Amf0Value[];
}

const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

/**
 * Publishes one stream to an RTMP server. onDrain: a full socket buffer has drained;
 * onError: once, when the connection fails after open() resolved.
 */
export class RtmpPublisher extends SinkListeners {
  readonly endpoint: RtmpEndpoint;
  /** Message stream id the server gave us (createStream), 0 before. */
  messageStreamId = 0;
  /** The tracks being sent (first video, first audio of those given to open()); packets of other tracks are ignored. */
  tracks: readonly TrackInfo[] = [];
  /** FourCCs the server announced in its connect _result. */
  serverFourCcs: ReadonlySet<string> = new Set();
  private readonly options: RtmpPublisherOptions;
  private readonly connectTimeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly outChunkSize: number;
  private state: State = 'idle';
  private connection: RtmpConnection | undefined;
  private socket: Socket | undefined;
  private muxer: FlvTagMuxer | undefined;
  /** RTMP timestamp of the latest media message (new sequence headers go out at it). */
  private lastTimestamp = 0;
  private nextTransactionId = 1;
  private readonly pending = new Map<number, Pending>();
  private publishPending: Pending | undefined;
  private readyPending: Pending | undefined;
  private readonly watchdog: SendWatchdog;
  private readonly ackWatchdog: AckWatchdog;
  private readonly clock: Clock;
  private readonly sharedChunks: PayloadChunkCache | undefined;
  private failure: Error | undefined;
  private closedPromise: Promise<void> | undefined;

  /** Validates the options (throws RangeError for a bad url or option); connects in open(). */
  constructor(options: RtmpPublisherOptions) {
    super();
    this.options = options;
    this.endpoint = parseRtmpUrl(options.url, options.streamKey ?? '');
    this.connectTimeoutMs = nonNegativeInt(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs');
    this.sendTimeoutMs = nonNegativeInt(options.sendTimeoutMs ?? 2000, 'sendTimeoutMs');
    this.outChunkSize = positiveInt(options.chunkSize ?? DEFAULT_OUT_CHUNK_SIZE, 'chunkSize');
    this.sharedChunks = options.sharedChunks?.chunkSize === this.outChunkSize ? options.sharedChunks : undefined;
    this.clock = options.clock ?? systemClock;
    this.watchdog = new SendWatchdog({
      timeoutMs: this.sendTimeoutMs,
      flushedBytes: () => this.confirmedBytes ?? this.bytesSent,
      bufferedBytes: () => (this.state === 'open' ? (this.connection?.bufferedBytes ?? 0) : 0),
      onStall: () => this.fail(new RtmpTimeoutError('send', this.sendTimeoutMs)),
      clock: this.clock,
    });
    const ackTimeoutMs = nonNegativeInt(
      options.acknowledgementTimeoutMs ?? this.sendTimeoutMs,
      'acknowledgementTimeoutMs',
    );
    this.ackWatchdog = new AckWatchdog({
      window: PUBLISHER_ACK_WINDOW,
      announce: (window) => this.connection?.announceWindow(window),
      timeoutMs: ackTimeoutMs,
      clock: this.clock,
      sentBytes: () => this.bytesSent,
      onStall: (outstanding) =>
        this.fail(new RtmpTimeoutError('acknowledgement', ackTimeoutMs, ` (${outstanding} bytes outstanding)`)),
      onCaughtUp: () => {
        if (this.state === 'open' && (this.connection?.bufferedBytes ?? 0) === 0) this.drainListeners.emit();
      },
    });
  }

  /** Bytes the kernel accepted so far (protocol overhead included; not what still waits in the socket). */
  get bytesSent(): number {
    return this.connection?.bytesSent ?? 0;
  }

  /**
   * Bytes accepted by send() but not yet handed to the kernel, plus, while the server is
   * further behind than the backlog AckWatchdog allows, by how much (so a push session
   * keeps them queued, and drops whole GOPs by its bounds, rather than fill the kernel).
   */
  get bufferedBytes(): number {
    return (this.connection?.bufferedBytes ?? 0) + this.ackWatchdog.excess;
  }

  /** Bytes the server acknowledged reading (undefined until its first Acknowledgement). */
  get confirmedBytes(): number | undefined {
    return this.ackWatchdog.confirmed;
  }

  /** Outgoing chunk size (publishers sharing a PayloadChunkCache must use its chunk size). */
  get chunkSize(): number {
    return this.outChunkSize;
  }

  /** True between a successful open() and close()/failure. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Connects, publishes, and sends metadata and sequence headers for `tracks` (RTMP
   * carries one video and one audio track: further tracks of a kind are ignored).
   * Rejects with RtmpConnectError, the resolveHost option's refusal,
   * RtmpTimeoutError, RtmpPublishRejected or RtmpUnsupportedCodec.
   */
  async open(tracks: readonly TrackInfo[]): Promise<void> {
    if (this.state !== 'idle') throw new Error('RtmpPublisher.open() may be called once');
    tracks = this.checkTracks(tracks);
    this.tracks = tracks;
    this.state = 'opening';
    const timer: TimerHandle | undefined =
      this.connectTimeoutMs === 0
        ? undefined
        : this.clock.setTimeout(
            () => this.fail(new RtmpTimeoutError('connect', this.connectTimeoutMs)),
            this.connectTimeoutMs,
          );
    try {
      await this.connectSocket();
      const connection = this.connection as RtmpConnection;
      connection.write(connection.writer.setChunkSize(this.outChunkSize));
      const enhancedWanted = tracks.map(enhancedFourCcOf).filter((cc): cc is string => cc !== undefined);
      const connectObject: Record<string, Amf0Value> = {
        app: this.endpoint.app,
        type: 'nonprivate',
        flashVer: this.options.flashVer ?? 'FMLE/3.0 (compatible; Sluice)',
        tcUrl: this.endpoint.tcUrl,
        ...(enhancedWanted.length > 0 ? enhancedConnectFields(enhancedWanted) : {}),
      };
      const connected = await this.call('connect', connectObject);
      if (connected.name !== '_result') {
        const s = readStatus(connected.args[0] ?? connected.commandObject);
        throw new RtmpConnectError(
          `RTMP connect rejected: ${s.code || connected.name}${s.description ? ` (${s.description})` : ''}`,
          { code: s.code, description: s.description },
        );
      }
      // the server acknowledges every PUBLISHER_ACK_WINDOW bytes it reads (AckWatchdog)
      connection.announceWindow(PUBLISHER_ACK_WINDOW);
      this.serverFourCcs = announcedFourCcs(connected.commandObject, connected.args[0]);
      for (const track of tracks) {
        const cc = enhancedFourCcOf(track);
        if (
          cc !== undefined &&
          this.options.enhancedRtmp !== 'always' &&
          !this.serverFourCcs.has(cc) &&
          !this.serverFourCcs.has('*')
        ) {
          throw new RtmpUnsupportedCodec(
            track.codec,
            `the server did not announce Enhanced RTMP support for ${cc} (no fourCcList in its connect result)`,
          );
        }
      }
      this.muxer = new FlvTagMuxer(tracks);
      const key = this.endpoint.streamName;
      this.notify('releaseStream', key);
      this.notify('FCPublish', key);
      const created = await this.call('createStream', null);
      const id = created.args[0];
      if (created.name !== '_result' || typeof id !== 'number' || !Number.isInteger(id) || id < 0)
        throw new RtmpConnectError(`RTMP createStream failed (${created.name})`);
      this.messageStreamId = id;
      await this.publish(key);
      this.sendHeaders();
      this.state = 'open';
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const reported = this.failure ?? error;
      this.shutdown(reported);
      throw reported;
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
  }

  /**
   * Queues one packet; returns false when the socket's buffer is full (wait for
   * onDrain). Never throws: a failure closes the session and is reported through onError.
   */
  send(packet: MediaPacket): boolean {
    if (this.state !== 'open') return false;
    try {
      const tag = (this.muxer as FlvTagMuxer).packetTag(packet);
      if (tag === undefined) return true;
      const csid = tag.type === FlvTagType.Video ? ChunkStreamId.Video : ChunkStreamId.Audio;
      const timestamp = Math.max(0, tag.timestamp);
      this.lastTimestamp = timestamp;
      const shared = this.sharedChunks;
      if (shared !== undefined) return this.sendShared(shared, csid, tag.type, timestamp, tag.header, tag.data);
      const connection = this.connection as RtmpConnection;
      return this.writeMedia(
        connection.writer.encodeParts(csid, tag.type, timestamp, this.messageStreamId, tag.header, tag.data),
      );
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
  }

  /**
   * The same tracks with a new codec configuration (new SPS/PPS and resolution, new
   * AudioSpecificConfig): sends the new sequence headers in-band at the current timestamp,
   * as encoders do, and goes on; the destination keeps its publish. The caller passes the
   * same tracks (ids, codecs) with new `config`; false when not open or the configuration
   * cannot be muxed (then reopen instead).
   */
  reconfigure(tracks: readonly TrackInfo[]): boolean {
    if (this.state !== 'open' || this.connection === undefined) return false;
    try {
      this.muxer = new FlvTagMuxer(tracks);
    } catch {
      return false;
    }
    this.writeSequenceHeaders(this.lastTimestamp);
    return true;
  }

  /** Ends the session cleanly (FCUnpublish, deleteStream, socket end); never rejects. */
  close(): Promise<void> {
    if (this.closedPromise !== undefined) return this.closedPromise;
    const wasOpen = this.state === 'open';
    this.closedPromise = new Promise<void>((resolve) => {
      const socket = this.socket;
      if (wasOpen) {
        try {
          this.notify('FCUnpublish', this.endpoint.streamName);
          this.notify('deleteStream', this.messageStreamId);
        } catch {
          // closing anyway
        }
      }
      this.shutdown(undefined);
      if (socket === undefined || socket.destroyed) return resolve();
      const done = this.clock.setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1500);
      socket.once('close', () => {
        this.clock.clearTimeout(done);
        resolve();
      });
    });
    return this.closedPromise;
  }

  /** Picks the tracks to send: the first video and first audio track; throws RtmpUnsupportedCodec for codecs RTMP cannot carry. */
  private checkTracks(tracks: readonly TrackInfo[]): TrackInfo[] {
    if (tracks.length === 0) throw new RangeError('RtmpPublisher.open() needs at least one track');
    const chosen: TrackInfo[] = [];
    for (const track of tracks) {
      const reason = rtmpCannotCarry(track);
      if (reason !== null) throw new RtmpUnsupportedCodec(track.codec, reason);
      if (!chosen.some((t) => t.kind === track.kind)) chosen.push(track);
    }
    return chosen;
  }

  private connectSocket(): Promise<void> {
    const { host } = this.endpoint;
    return new Promise<void>((resolve, reject) => {
      this.readyPending = { resolve: () => resolve(), reject };
      // the connect deadline (fail()) rejects readyPending even while the resolver is still busy
      (this.options.resolveHost ?? resolveHostSystem)(host).then(
        (addresses) => {
          if (this.state === 'opening' && this.failure === undefined) this.openSocket(addresses);
        },
        (error: unknown) => this.fail(this.resolutionFailure(error)),
      );
    });
  }

  /** A failed lookup is a connect error as before; another refusal (a destination policy's) is passed on unchanged. */
  private resolutionFailure(error: unknown): Error {
    if (!(error instanceof HostResolutionError)) return error instanceof Error ? error : new Error(String(error));
    const { host, port } = this.endpoint;
    return new RtmpConnectError(`RTMP connection to ${host}:${port} failed: ${error.message}`, { cause: error });
  }

  /** Connects to the resolved (checked) addresses only. */
  private openSocket(addresses: readonly ResolvedAddress[]): void {
    const { host, port, secure } = this.endpoint;
    const lookup = pinnedLookup(addresses);
    const socket = secure
      ? tlsConnect({
          host,
          port,
          lookup,
          servername: isIP(host) === 0 ? host : undefined,
          rejectUnauthorized: this.options.rejectUnauthorized ?? true,
          ca: this.options.ca,
        })
      : tcpConnect({ host, port, lookup });
    socket.setNoDelay(true);
    this.socket = socket;
    this.connection = new RtmpConnection(
      socket,
      {
        onReady: () => {
          const p = this.readyPending;
          this.readyPending = undefined;
          p?.resolve({ name: 'ready', commandObject: null, args: [] });
        },
        onMessage: (m) => this.onMessage(m),
        onAcknowledgement: (total) => this.ackWatchdog.acknowledged(total),
        onClose: (e) => this.onConnectionClose(e),
      },
      { role: 'client', handshake: this.options.handshake ?? 'simple' },
    );
    socket.on('drain', () => this.drainListeners.emit());
  }

  /** Sends a command expecting _result/_error and waits for it. */
  private call(name: string, commandObject: Amf0Value, ...args: Amf0Value[]): Promise<RtmpMessageResult> {
    // failed between two awaits of open() (an answer and a fatal message in one read): nothing would answer
    if (this.state === 'closed') return Promise.reject(this.closedReason());
    const id = this.nextTransactionId++;
    return new Promise<RtmpMessageResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.connection?.sendCommand(0, name, id, commandObject, ...args);
    });
  }

  /** Sends a command whose answer we do not wait for. */
  private notify(name: string, ...args: Amf0Value[]): void {
    this.connection?.sendCommand(0, name, this.nextTransactionId++, null, ...args);
  }

  private publish(key: string): Promise<void> {
    if (this.state === 'closed') return Promise.reject(this.closedReason());
    return new Promise<void>((resolve, reject) => {
      this.publishPending = { resolve: () => resolve(), reject };
      this.connection?.sendCommand(this.messageStreamId, 'publish', 0, null, key, 'live');
    });
  }

  private sendHeaders(): void {
    const muxer = this.muxer as FlvTagMuxer;
    const connection = this.connection as RtmpConnection;
    const meta = muxer.metadataTag(0, { duration: 0, encoder: 'Sluice' });
    connection.write(
      connection.writer.encodeParts(
        ChunkStreamId.Data,
        MessageType.DataAmf0,
        0,
        this.messageStreamId,
        SET_DATA_FRAME,
        meta.header,
      ),
    );
    this.writeSequenceHeaders(0);
  }

  /** Writes the muxer's sequence headers (AVC/HEVC/AAC configuration) at `timestamp`. */
  private writeSequenceHeaders(timestamp: number): void {
    const connection = this.connection as RtmpConnection;
    for (const tag of (this.muxer as FlvTagMuxer).sequenceHeaderTags(timestamp)) {
      const csid = tag.type === FlvTagType.Video ? ChunkStreamId.Video : ChunkStreamId.Audio;
      connection.write(
        connection.writer.encodeParts(csid, tag.type, timestamp, this.messageStreamId, tag.header, tag.data),
      );
    }
  }

  /**
   * Writes a media message through the shared cache: the bytes another publisher
   * chunked for this payload when they decode identically here, else this publisher's
   * own encoding. The first publisher to send a payload chunks it for all.
   */
  private sendShared(
    cache: PayloadChunkCache,
    csid: number,
    typeId: number,
    timestamp: number,
    head: Uint8Array,
    payload: Uint8Array,
  ): boolean {
    const writer = (this.connection as RtmpConnection).writer;
    const previous = writer.previousMessage(csid);
    let message = cache.get(payload);
    if (message === undefined || (message.bytes === null && previous !== undefined))
      message = cache.chunk(csid, typeId, timestamp, head, payload, previous);
    if (message.typeId !== typeId || !sameBytes(message.head, head)) {
      return this.writeMedia(writer.encodeParts(csid, typeId, timestamp, this.messageStreamId, head, payload));
    }
    const bytes = writer.encodeCached(message, timestamp, this.messageStreamId);
    if (bytes === message.bytes) cache.sharedWrites++;
    return this.writeMedia(bytes);
  }

  private onMessage(message: RtmpMessage): void {
    if (message.typeId !== MessageType.CommandAmf0 && message.typeId !== MessageType.CommandAmf3) return;
    const cmd = decodeCommand(
      message.typeId === MessageType.CommandAmf3 ? message.payload.subarray(1) : message.payload,
    );
    if (cmd.name === '_result' || cmd.name === '_error') {
      const p = this.pending.get(cmd.transactionId);
      if (p === undefined) return;
      this.pending.delete(cmd.transactionId);
      p.resolve({ name: cmd.name, commandObject: cmd.commandObject, args: cmd.args });
      return;
    }
    if (cmd.name === 'onStatus') {
      const status = readStatus(cmd.args[0] ?? cmd.commandObject);
      const p = this.publishPending;
      if (status.code === StatusCode.PublishStart && p !== undefined) {
        this.publishPending = undefined;
        p.resolve({ name: 'onStatus', commandObject: null, args: [] });
      } else if (status.level === 'error') {
        const error = new RtmpPublishRejected(status.code, status.description);
        if (p !== undefined) {
          this.publishPending = undefined;
          p.reject(error);
        } else if (this.state === 'open') this.fail(error);
      }
    }
  }

  private writeMedia(bytes: Uint8Array): boolean {
    const ok = (this.connection as RtmpConnection).write(bytes);
    if (!ok) this.watchdog.arm();
    return this.ackWatchdog.check() && ok;
  }

  private onConnectionClose(error: Error | undefined): void {
    if (this.state === 'closed') return;
    const cause = error ?? new RtmpConnectionClosed('the RTMP server closed the connection');
    this.fail(
      this.state === 'opening' && !(cause instanceof RtmpConnectError) && !(cause instanceof RtmpTimeoutError)
        ? new RtmpConnectError(
            `RTMP connection to ${this.endpoint.host}:${this.endpoint.port} failed: ${cause.message}`,
            { cause },
          )
        : cause,
    );
  }

  /** Why the session is closed: its failure, or a plain close. */
  private closedReason(): Error {
    return this.failure ?? new RtmpConnectionClosed('RtmpPublisher closed');
  }

  /** Fails the session: rejects what open() waits for, or reports through onError once open. */
  private fail(error: Error): void {
    if (this.state === 'closed' || this.failure !== undefined) return;
    this.failure = error;
    const wasOpen = this.state === 'open';
    this.rejectPending(error);
    this.shutdown(error);
    if (wasOpen) this.errorListeners.emit(error);
  }

  private rejectPending(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    if (this.publishPending) all.push(this.publishPending);
    if (this.readyPending) all.push(this.readyPending);
    this.publishPending = undefined;
    this.readyPending = undefined;
    for (const p of all) p.reject(error);
  }

  private shutdown(error: Error | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    void this.connection?.bytesSent; // the last count, before the socket goes away
    this.watchdog.stop();
    this.ackWatchdog.stop();
    this.rejectPending(error ?? new RtmpConnectionClosed('RtmpPublisher closed'));
    this.connection?.close(error);
    if (this.connection === undefined) this.socket?.destroy();
  }
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  return value;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
