/**
 * The public shapes of @sluice/push: push definitions and records, the source
 * (stream hub) and sink (protocol) interfaces the server plugs in, and the service
 * interface the HTTP layer drives. The API they serve: docs/API.md.
 */
import type { HostResolver, MediaPacket, TrackInfo, TrackKind } from '@sluice/media';
import type { PushProtocol, PushRecord } from './record-types.js';

/** The record and its state, declared apart for clients without Node's types (./record-types.ts). */
export type { PushProtocol, PushRecord, PushState, SkippedTrack } from './record-types.js';

/** Where a push reads from: a stream inside a virtual host and application. */
export interface StreamRef {
  vhost: string;
  app: string;
  name: string;
}

/** What a caller asks for when starting a push (already type-checked by the caller). */
export interface StartPushInput {
  /** Empty or absent: the registry generates a unique id. */
  id?: string | undefined;
  vhost: string;
  app: string;
  stream: {
    name: string;
    /** Track ids to push; empty or absent = all pushable tracks. */
    tracks?: number[] | undefined;
    /** Track variant names to push (matched against TrackInfo.name). */
    variantNames?: string[] | undefined;
  };
  /** Case-insensitive; white space trimmed. */
  protocol: string;
  /** White space and trailing '/' trimmed. */
  url: string;
  streamKey?: string | undefined;
  /** True for pushes created from a StreamMap file. */
  isConfig?: boolean | undefined;
}

/**
 * Counters of a transport that recovers losses itself (SRT): what the push record shows as
 * `retransmittedPackets`, `retransmittedBytes`, `lostPackets`, `droppedPackets`.
 */
export interface RecoveryCounters {
  retransmittedPackets: number;
  retransmittedBytes: number;
  lostPackets: number;
  droppedPackets: number;
}

/** Filter for listing pushes. */
export interface PushFilter {
  vhost?: string | undefined;
  app?: string | undefined;
  id?: string | undefined;
}

/**
 * What the HTTP layer needs from the registry. Errors thrown (or rejected with) are
 * those of ./errors.ts. The local PushRegistry answers synchronously; a cluster's
 * service (shared registry on Redis) answers with promises, and rejects with
 * PushRegistryUnavailable while its store cannot be reached.
 */
export interface PushService {
  /** Creates a push and returns its record (state `ready` or already further). */
  startPush(input: StartPushInput): PushRecord | Promise<PushRecord>;
  /** Stops a push; returns its record at that moment (`stopping` or `stopped`). */
  stopPush(id: string, scope?: { vhost: string; app: string }): PushRecord | Promise<PushRecord>;
  /** Records matching the filter, sorted by id. */
  listPushes(filter?: PushFilter): PushRecord[] | Promise<PushRecord[]>;
}

/** Receives one stream's media from the source (the server's stream hub). */
export interface StreamSubscriber {
  /**
   * The stream is live: its tracks, then (same turn) the packets of the current GOP
   * through onPacket, starting at the latest video keyframe. Called again if the
   * stream restarts or its track set changes.
   */
  onStreamStart(tracks: readonly TrackInfo[]): void;
  /** One packet, in decode order per track, as it arrives (never copied). */
  onPacket(packet: MediaPacket): void;
  /** The stream ended (publisher left). */
  onStreamEnd(): void;
  /** Optional: the source's timestamps jumped; the packets that follow are already rebased (the timeline stays continuous). */
  onDiscontinuity?(event: TimelineDiscontinuity): void;
}

/** A jump in a source stream's timestamps that the hub absorbed: the timeline it publishes stays continuous. */
export interface TimelineDiscontinuity {
  /** The track that jumped first (the others take the same offset when they follow). */
  trackId: number;
  /** The track's source DTS before the jump, in milliseconds. */
  fromMs: number;
  /** The track's source DTS after the jump, in milliseconds. */
  toMs: number;
  /** `wrap31`: back by ~2^31 ms (ffmpeg's FLV timestamps); `wrap32`: back by ~2^32 ms; else the direction. */
  kind: 'backward' | 'forward' | 'wrap31' | 'wrap32';
}

/** The stream hub as the registry sees it. */
export interface PushSource {
  /**
   * Subscribes to a stream that may not exist yet. When it is live, onStreamStart is
   * called at once (same turn) with its current GOP. Returns the unsubscribe function.
   */
  subscribe(stream: StreamRef, subscriber: StreamSubscriber): () => void;
  /** Tracks of a live stream, or undefined when it is not live (used to validate track ids). */
  tracksOf(stream: StreamRef): readonly TrackInfo[] | undefined;
}

/** Where and how a sink connects. */
export interface PushTarget {
  /** The push this session belongs to (lets a wrapping factory check per push, e.g. a cluster lease). */
  pushId?: string | undefined;
  protocol: PushProtocol;
  /** Normalised url (trimmed, no trailing '/'). */
  url: string;
  streamKey: string;
  /** Default 5000: open() not done by then fails the session (the session's timer: a sink needs none). */
  connectTimeoutMs: number;
  /** Default 2000: a write that drains nothing for this long fails the session (the session watches it). */
  sendTimeoutMs: number;
  /**
   * How the sink (and probe) must resolve the destination's host: once per connection
   * attempt, connecting only to the addresses it returns (pinnedLookup of @sluice/media),
   * and failing the attempt with its refusal unchanged. The server sets it to its
   * destination policy (`<Destinations>`); absent: the system resolver.
   */
  resolveHost?: HostResolver | undefined;
}

/**
 * One session's connection to a destination. The registry calls open() once, then
 * send() for each packet (timestamps already rebased to 0 at a keyframe, codec
 * configuration in `tracks`), then close(). A sink never throws from send().
 */
export interface PushSink {
  /** Connects (TCP/TLS, handshake, publish) and sends headers for `tracks`. Rejects with a typed error. */
  open(tracks: readonly TrackInfo[]): Promise<void>;
  /**
   * Queues one packet; returns false when the socket's buffer is full (wait for onDrain).
   * The packet object is reused by the caller once send() returns: read its fields
   * synchronously. Its `data` view may be kept (it is never modified).
   */
  send(packet: MediaPacket): boolean;
  /**
   * Bytes the kernel accepted so far in this connection (container and protocol overhead
   * included; bytes still waiting in the socket are not counted): a push record's
   * `sentBytes`, the same for every protocol (KernelByteCounter of @sluice/media counts it).
   */
  readonly bytesSent: number;
  /** Bytes accepted by send() but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /**
   * Optional: bytes the destination confirmed reading (RTMP Acknowledgements), once it
   * has confirmed any; the send watchdog's measure of progress, so that a destination
   * that stops reading while the kernel still takes bytes counts as stalled. Absent:
   * bytesSent is the progress.
   */
  readonly confirmedBytes?: number | undefined;
  /**
   * Optional: the source's codec configuration changed mid-stream (the same tracks with a
   * new `config`: a new SPS/PPS and resolution, a new AudioSpecificConfig). Returns true
   * when the sink carries it in-band (RTMP: new sequence headers, no re-publish); false or
   * absent: the push ends the session and starts a new one with the new configuration.
   */
  reconfigure?(tracks: readonly TrackInfo[]): boolean;
  /** Called when a full buffer has drained. */
  onDrain(listener: () => void): void;
  /** Called once when the connection fails after open() resolved. */
  onError(listener: (error: Error) => void): void;
  /** Ends the session cleanly (RTMP FCUnpublish/deleteStream, socket end); never rejects. */
  close(): Promise<void>;
  /** Optional: loss recovery counters of this connection (protocols that retransmit, e.g. srt); undefined when none. */
  recoveryCounters?(): RecoveryCounters | undefined;
}

/** Creates sinks for one protocol and says which tracks that protocol can carry. */
export interface PushSinkFactory {
  /** True when a start request must carry a `streamKey` field (it may be empty); default false. */
  readonly requiresStreamKey?: boolean | undefined;
  /** Null when the protocol can carry the track, else the reason it cannot. */
  cannotCarry(track: TrackInfo): string | null;
  /** Validates a target's url for this protocol; returns an error text or null. */
  checkUrl(url: string): string | null;
  /** Optional: most tracks of each kind the protocol carries (RTMP: one video, one audio); extra tracks are skipped. */
  maxTracksPerKind?: Partial<Record<TrackKind, number>>;
  /**
   * The host a target connects to, as the sink resolves it (brackets removed); lets the
   * server check a destination policy at startPush. Throws for a url checkUrl refuses.
   */
  destinationHost?(target: Pick<PushTarget, 'url' | 'streamKey'>): string;
  /** Creates the sink of one session; may throw a typed error (the session then fails and retries). */
  create(target: PushTarget): PushSink;
  /**
   * Optional cheap reachability check (e.g. a TCP connect to the destination's port),
   * used while a push backs off after a failure: when the destination was unreachable at
   * the failure and a probe later finds it back, the push reconnects at once instead of
   * waiting out the backoff. Resolves true when reachable; never rejects.
   */
  probe?(target: PushTarget): Promise<boolean>;
}

/** What the HTTP layer and the API documentation know about one push protocol. */
export interface PushProtocolInfo {
  /** Lower-case name, as requests and StreamMap `<Protocol>` give it (compared case-insensitively). */
  readonly name: PushProtocol;
  /** The url forms it accepts, one Markdown phrase for the API documentation, e.g. "`udp://host:port` or `tcp://host:port`". */
  readonly urlForms: string;
  /** True when a start request must carry `streamKey` (it may be empty). */
  readonly requiresStreamKey: boolean;
  /** What `streamKey` means for it, one Markdown sentence for the API documentation. */
  readonly streamKeyUse: string;
}

/**
 * One push protocol as a single object: its name and documentation (PushProtocolInfo)
 * and its sink factory (url check, what it can carry, reachability probe, sinks). The
 * server registers these in one list; see docs/ARCHITECTURE.md, "How to add a protocol".
 */
export interface PushProtocolModule extends PushProtocolInfo, Omit<PushSinkFactory, 'requiresStreamKey'> {
  readonly requiresStreamKey: boolean;
}
