/**
 * StreamHub: the live streams of the server, keyed by vhost/app/name. Ingest sessions
 * publish into it; pushes subscribe to it (it is the registry's PushSource). Each
 * stream keeps its current GOP (from the latest video keyframe) so that a subscriber
 * arriving late starts at once with a keyframe, in the same turn.
 */
import { callIsolated, type MediaPacket, type TrackInfo } from '@sluice/media';
import type { PushSource, StreamRef, StreamSubscriber, TimelineDiscontinuity } from '@sluice/push';
import { resolveTimelineOptions, TimelineGuard, type TimelineGuardOptions } from './timeline-guard.js';

/** A stream of that name is already being published. */
export class StreamAlreadyPublished extends Error {
  override readonly name = 'StreamAlreadyPublished';
  constructor(readonly stream: StreamRef) {
    super(`Stream [${stream.vhost}/${stream.app}/${stream.name}] is already being published`);
  }
}

/** What a publisher (an ingest session) does with its stream. */
export interface StreamPublication {
  readonly ref: StreamRef;
  /**
   * Declares (or changes) the stream's tracks, with codec configuration. The stream is
   * live from the first call; subscribers get onStreamStart in the same turn.
   */
  setTracks(tracks: readonly TrackInfo[]): void;
  /**
   * Delivers one packet to every subscriber in the same turn; ignored before setTracks.
   * The packet is the hub's from here on: its dts/pts are rewritten in place when the
   * source's timeline jumps (see TimelineGuard).
   */
  write(packet: MediaPacket): void;
  /** Ends the stream (publisher left); idempotent. */
  end(): void;
}

/** Who publishes a stream, when the ingest knows: the peer and its socket's byte count. */
export interface PublicationPeer {
  /** `address:port` of the publisher. */
  remote?: string | undefined;
  /** Bytes read from the publisher's socket so far (read at stats/scrape time, never per packet). */
  bytesReceived?: (() => number) | undefined;
}

/** A live stream as the discovery API sees it. */
export interface LiveStreamInfo {
  ref: StreamRef;
  /** `address:port` of the publisher, when known. */
  remote: string | undefined;
  /** Bytes received at the ingest socket in this publication (payload bytes when the ingest does not count them). */
  bytesReceived: number;
  /** Jumps in the source's timestamps absorbed in this publication (TimelineGuard rebased them). */
  discontinuities: number;
  tracks: readonly TrackInfo[];
  /** How it arrived: the `sourceType` of the ingest protocol that publishes it (e.g. `rtmp`). */
  sourceType: string;
  /** When the current publication started. */
  publishedAt: Date;
  /** Payload bytes received in the current publication. */
  bytesIn: number;
  /** Packets received in the current publication. */
  packetsIn: number;
}

/** Hub events: a stream went live or ended. */
export interface StreamHubListener {
  onStreamStart?(info: LiveStreamInfo): void;
  onStreamEnd?(info: LiveStreamInfo): void;
  /** A subscriber threw; the hub kept going. */
  onSubscriberError?(ref: StreamRef, error: unknown): void;
  /** The source's timestamps jumped and the hub rebased the stream (one call per event). */
  onDiscontinuity?(ref: StreamRef, event: TimelineDiscontinuity): void;
}

/** Bounds of the GOP kept per stream. */
export interface StreamHubOptions {
  /** Most payload bytes kept for the current GOP (default 32 MiB); past it the GOP is dropped until the next keyframe. */
  maxGopBytes?: number;
  /** Most packets kept for the current GOP (default 20000). */
  maxGopPackets?: number;
  /** What counts as a jump in a source's timestamps (defaults: 100 ms back, 10 s forward). */
  timeline?: TimelineGuardOptions;
}

interface StreamEntry {
  ref: StreamRef;
  /** Copy-on-write: iteration during delivery stays valid while subscribers come and go. */
  subscribers: readonly StreamSubscriber[];
  publication: PublicationImpl | undefined;
}

/** The key of a stream in the hub's map (vhost/app/name; not an RTMP stream key). */
function hubKey(ref: StreamRef): string {
  return `${ref.vhost}/${ref.app}/${ref.name}`;
}

/** The live streams of one server. */
export class StreamHub implements PushSource {
  private readonly streams = new Map<string, StreamEntry>();
  private readonly listeners: StreamHubListener[] = [];
  readonly maxGopBytes: number;
  readonly maxGopPackets: number;
  readonly timeline: TimelineGuardOptions;

  constructor(options: StreamHubOptions = {}) {
    this.timeline = resolveTimelineOptions(options.timeline ?? {});
    this.maxGopBytes = options.maxGopBytes ?? 32 * 1024 * 1024;
    this.maxGopPackets = options.maxGopPackets ?? 20_000;
    if (!(this.maxGopBytes > 0)) throw new RangeError(`maxGopBytes must be positive, got ${this.maxGopBytes}`);
    if (!(this.maxGopPackets > 0)) throw new RangeError(`maxGopPackets must be positive, got ${this.maxGopPackets}`);
  }

  /** Adds a listener for stream start/end; returns the function that removes it. */
  listen(listener: StreamHubListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Claims a stream for a publisher: the server's one check that a name has one publisher
   * (every ingest protocol claims here, before its admission decides). `sourceType` says how
   * it arrives (the ingest protocol's, default `unknown`), `peer` who sends it and how many
   * bytes its socket read. The stream is live from the first setTracks. Throws
   * StreamAlreadyPublished while another publication holds the name.
   */
  publish(ref: StreamRef, sourceType = 'unknown', peer: PublicationPeer = {}): StreamPublication {
    const entry = this.entry(ref);
    if (entry.publication !== undefined) throw new StreamAlreadyPublished(ref);
    const publication = new PublicationImpl(this, entry, sourceType, peer);
    entry.publication = publication;
    return publication;
  }

  /** PushSource: subscribes to a stream that may not exist yet; live → onStreamStart + GOP now. */
  subscribe(ref: StreamRef, subscriber: StreamSubscriber): () => void {
    const entry = this.entry(ref);
    entry.subscribers = [...entry.subscribers, subscriber];
    const live = entry.publication;
    if (live !== undefined && live.tracks !== undefined) live.replay(subscriber);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      entry.subscribers = entry.subscribers.filter((s) => s !== subscriber);
      this.forgetIfIdle(entry);
    };
  }

  /** PushSource: tracks of a live stream, or undefined. */
  tracksOf(ref: StreamRef): readonly TrackInfo[] | undefined {
    return this.streams.get(hubKey(ref))?.publication?.tracks;
  }

  /** A live stream (tracks declared), or undefined. */
  stream(ref: StreamRef): LiveStreamInfo | undefined {
    const publication = this.streams.get(hubKey(ref))?.publication;
    return publication?.tracks !== undefined ? publication.info() : undefined;
  }

  /** Live streams, optionally of one vhost/app, sorted by name. */
  liveStreams(scope: { vhost?: string; app?: string } = {}): LiveStreamInfo[] {
    const out: LiveStreamInfo[] = [];
    for (const entry of this.streams.values()) {
      const p = entry.publication;
      if (p === undefined || p.tracks === undefined) continue;
      if (scope.vhost !== undefined && entry.ref.vhost !== scope.vhost) continue;
      if (scope.app !== undefined && entry.ref.app !== scope.app) continue;
      out.push(p.info());
    }
    return out.sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  }

  /** Number of subscribers of a stream (live or awaited). */
  subscriberCount(ref: StreamRef): number {
    return this.streams.get(hubKey(ref))?.subscribers.length ?? 0;
  }

  /** Ends every live stream (server shutdown). */
  endAll(): void {
    for (const entry of [...this.streams.values()]) entry.publication?.end();
  }

  /** @internal */
  emit(kind: 'start' | 'end', info: LiveStreamInfo): void {
    for (const l of [...this.listeners]) {
      try {
        if (kind === 'start') l.onStreamStart?.(info);
        else l.onStreamEnd?.(info);
      } catch (e) {
        this.subscriberError(info.ref, e);
      }
    }
  }

  /** @internal */
  discontinuity(ref: StreamRef, event: TimelineDiscontinuity): void {
    for (const l of [...this.listeners]) {
      try {
        l.onDiscontinuity?.(ref, event);
      } catch (e) {
        this.subscriberError(ref, e);
      }
    }
  }

  /** @internal */
  subscriberError(ref: StreamRef, error: unknown): void {
    for (const l of this.listeners) {
      try {
        l.onSubscriberError?.(ref, error);
      } catch {
        // a listener of errors that throws has nobody left to tell
      }
    }
  }

  /** @internal */
  forgetIfIdle(entry: StreamEntry): void {
    if (entry.publication === undefined && entry.subscribers.length === 0) this.streams.delete(hubKey(entry.ref));
  }

  private entry(ref: StreamRef): StreamEntry {
    const key = hubKey(ref);
    let entry = this.streams.get(key);
    if (entry === undefined) {
      entry = { ref: { vhost: ref.vhost, app: ref.app, name: ref.name }, subscribers: [], publication: undefined };
      this.streams.set(key, entry);
    }
    return entry;
  }
}

class PublicationImpl implements StreamPublication {
  tracks: readonly TrackInfo[] | undefined;
  private ended = false;
  /** When the stream went live (its first setTracks). */
  private publishedAt = new Date();
  private bytesIn = 0;
  private packetsIn = 0;
  /** Packets since the latest video keyframe (or the latest packet of an audio-only stream). */
  private readonly gop: MediaPacket[] = [];
  private gopBytes = 0;
  /** False until a keyframe opens a GOP (and after an overflow, until the next one). */
  private gopOpen = false;
  private videoTrackIds = new Set<number>();
  private readonly timeline: TimelineGuard;

  constructor(
    private readonly hub: StreamHub,
    private readonly entry: StreamEntry,
    private readonly sourceType: string,
    private readonly peer: PublicationPeer,
  ) {
    this.timeline = new TimelineGuard(hub.timeline);
  }

  get ref(): StreamRef {
    return this.entry.ref;
  }

  setTracks(tracks: readonly TrackInfo[]): void {
    if (this.ended) return;
    const first = this.tracks === undefined;
    if (first) this.publishedAt = new Date();
    this.tracks = [...tracks];
    this.videoTrackIds = new Set(tracks.filter((t) => t.kind === 'video').map((t) => t.id));
    this.timeline.setTracks(tracks);
    this.clearGop();
    for (const subscriber of this.entry.subscribers) this.safely(() => subscriber.onStreamStart(this.tracks ?? []));
    if (first) this.hub.emit('start', this.info());
  }

  write(packet: MediaPacket): void {
    if (this.ended || this.tracks === undefined) return;
    this.bytesIn += packet.data.byteLength;
    this.packetsIn++;
    const jump = this.timeline.adjust(packet);
    if (jump !== undefined) this.discontinuity(jump);
    this.keep(packet);
    const subscribers = this.entry.subscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const subscriber = subscribers[i]!;
      try {
        subscriber.onPacket(packet);
      } catch (e) {
        this.hub.subscriberError(this.entry.ref, e);
      }
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const wasLive = this.tracks !== undefined;
    const info = this.info();
    this.clearGop();
    this.entry.publication = undefined;
    if (wasLive) {
      for (const subscriber of this.entry.subscribers) this.safely(() => subscriber.onStreamEnd());
      this.hub.emit('end', info);
    }
    this.hub.forgetIfIdle(this.entry);
  }

  /** Tells subscribers and hub listeners about a jump the timeline guard absorbed. */
  private discontinuity(event: TimelineDiscontinuity): void {
    for (const subscriber of this.entry.subscribers) this.safely(() => subscriber.onDiscontinuity?.(event));
    this.hub.discontinuity(this.entry.ref, event);
  }

  /** Sends the stream start and the current GOP to one (new) subscriber. */
  replay(subscriber: StreamSubscriber): void {
    this.safely(() => {
      subscriber.onStreamStart(this.tracks ?? []);
      // a copy: the subscriber may cause more packets to be kept while we iterate
      for (const packet of this.gop.slice()) subscriber.onPacket(packet);
    });
  }

  info(): LiveStreamInfo {
    return {
      ref: this.entry.ref,
      remote: this.peer.remote,
      tracks: this.tracks ?? [],
      sourceType: this.sourceType,
      publishedAt: this.publishedAt,
      bytesIn: this.bytesIn,
      packetsIn: this.packetsIn,
      bytesReceived: this.peer.bytesReceived?.() ?? this.bytesIn,
      discontinuities: this.timeline.count,
    };
  }

  private keep(packet: MediaPacket): void {
    const isVideo = this.videoTrackIds.has(packet.trackId);
    if (this.videoTrackIds.size === 0) {
      // audio/data only: every key packet is a starting point; keep just the latest
      if (!packet.key) return;
      this.gop.length = 0;
      this.gop.push(packet);
      this.gopBytes = packet.data.byteLength;
      this.gopOpen = true;
      return;
    }
    if (isVideo && packet.key) {
      this.clearGop();
      this.gopOpen = true;
    }
    if (!this.gopOpen) return;
    this.gop.push(packet);
    this.gopBytes += packet.data.byteLength;
    if (this.gopBytes > this.hub.maxGopBytes || this.gop.length > this.hub.maxGopPackets) this.clearGop();
  }

  private clearGop(): void {
    this.gop.length = 0;
    this.gopBytes = 0;
    this.gopOpen = false;
  }

  private safely(fn: () => void): void {
    callIsolated(fn, (e) => this.hub.subscriberError(this.entry.ref, e));
  }
}
