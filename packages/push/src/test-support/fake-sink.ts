/** A destination for tests: controllable open/close, a write buffer that drains only when told to. */
import { SinkListeners, type MediaPacket, type TrackInfo } from '@sluice/media';
import type { PushSink, PushSinkFactory, PushTarget, RecoveryCounters } from '../types.js';

/** What a fake sink does when opened. */
export type OpenBehaviour = 'resolve' | 'reject' | 'hang';

/** A copy of a packet as the sink received it. */
export interface SentPacket {
  trackId: number;
  dts: number;
  pts: number;
  key: boolean;
  size: number;
}

/** Fake PushSink. `reading` = the destination reads everything at once. */
export class FakeSink extends SinkListeners implements PushSink {
  openedTracks: readonly TrackInfo[] | undefined;
  readonly packets: SentPacket[] = [];
  bytesSent = 0;
  bufferedBytes = 0;
  closed = false;
  closeCalls = 0;
  /** While false, bytes stay buffered until drainSome()/drainAll(). */
  reading = true;
  /** While true, send() accepts packets and writes nothing (a fault inside the sink). */
  swallow = false;
  /** send() returns false once this many bytes are buffered. */
  bufferLimit = 64 * 1024;
  private full = false;
  private resolveOpen: (() => void) | undefined;
  private rejectOpen: ((error: Error) => void) | undefined;
  private resolveClose: (() => void) | undefined;
  /** When true, close() stays pending until finishClose(). */
  holdClose = false;
  /** What recoveryCounters() reports (a protocol that retransmits); undefined = none. */
  recovery: RecoveryCounters | undefined;
  /** Whether reconfigure() carries a new codec configuration in-band (undefined: the method is absent). */
  inBand: boolean | undefined;
  /** The tracks of each reconfigure() call. */
  readonly reconfigured: Array<readonly TrackInfo[]> = [];

  constructor(
    readonly target: PushTarget,
    private readonly behaviour: OpenBehaviour,
  ) {
    super();
  }

  get reconfigure(): ((tracks: readonly TrackInfo[]) => boolean) | undefined {
    if (this.inBand === undefined) return undefined;
    return (tracks) => {
      this.reconfigured.push(tracks);
      return this.inBand === true;
    };
  }

  open(tracks: readonly TrackInfo[]): Promise<void> {
    this.openedTracks = tracks;
    if (this.behaviour === 'resolve') return Promise.resolve();
    if (this.behaviour === 'reject') return Promise.reject(new Error('Connection refused'));
    return new Promise<void>((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
  }

  /** Completes a 'hang' open. */
  finishOpen(): void {
    this.resolveOpen?.();
  }

  /** Fails a 'hang' open. */
  refuseOpen(message = 'Connection refused'): void {
    this.rejectOpen?.(new Error(message));
  }

  send(packet: MediaPacket): boolean {
    if (this.swallow) return true;
    const size = packet.data.byteLength;
    this.packets.push({ trackId: packet.trackId, dts: packet.dts, pts: packet.pts, key: packet.key, size });
    if (this.reading) this.bytesSent += size;
    else this.bufferedBytes += size;
    if (this.bufferedBytes >= this.bufferLimit) this.full = true;
    return !this.full;
  }

  /** Destination reads `bytes` of the buffer; fires drain when a full buffer empties. */
  drainSome(bytes: number): void {
    const n = Math.min(bytes, this.bufferedBytes);
    this.bufferedBytes -= n;
    this.bytesSent += n;
    if (this.full && this.bufferedBytes === 0) {
      this.full = false;
      this.drainListeners.emit();
    }
  }

  drainAll(): void {
    this.drainSome(this.bufferedBytes);
  }

  /** The connection breaks. */
  fail(message = 'Connection reset'): void {
    this.errorListeners.emit(new Error(message));
  }

  close(): Promise<void> {
    this.closeCalls++;
    if (!this.holdClose) {
      this.closed = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.resolveClose = () => {
        this.closed = true;
        resolve();
      };
    });
  }

  finishClose(): void {
    this.resolveClose?.();
  }

  recoveryCounters(): RecoveryCounters | undefined {
    return this.recovery === undefined ? undefined : { ...this.recovery };
  }
}

/** Fake PushSinkFactory: urls must start with `${scheme}://`; `cannot` decides carriable codecs. */
export class FakeSinkFactory implements PushSinkFactory {
  readonly sinks: FakeSink[] = [];
  /** Applied to each new sink. */
  behaviour: OpenBehaviour = 'resolve';
  holdClose = false;
  reading = true;
  bufferLimit = 64 * 1024;
  /** Codecs this protocol cannot carry. */
  uncarriable = new Set<string>(['opus']);
  throwOnCreate = false;
  maxTracksPerKind?: { video?: number; audio?: number };
  /** When set, the factory has a reachability probe that answers this (see PushSinkFactory.probe). */
  reachable: boolean | undefined;
  /** Number of probes made. */
  probes = 0;

  /** Like rtmp, a start request must carry a streamKey (default: when the schemes include rtmp). */
  readonly requiresStreamKey: boolean;

  constructor(
    private readonly schemes: readonly string[] = ['rtmp', 'rtmps'],
    requiresStreamKey = schemes.includes('rtmp'),
  ) {
    this.requiresStreamKey = requiresStreamKey;
  }

  cannotCarry(track: TrackInfo): string | null {
    return this.uncarriable.has(track.codec) ? `${track.codec} is not carried by this protocol` : null;
  }

  checkUrl(url: string): string | null {
    return this.schemes.some((s) => url.startsWith(`${s}://`) && url.length > s.length + 3)
      ? null
      : `scheme must be ${this.schemes.join(' or ')}`;
  }

  get probe(): ((target: PushTarget) => Promise<boolean>) | undefined {
    if (this.reachable === undefined) return undefined;
    return () => {
      this.probes++;
      return Promise.resolve(this.reachable === true);
    };
  }

  create(target: PushTarget): FakeSink {
    if (this.throwOnCreate) throw new Error('cannot create sink');
    const sink = new FakeSink(target, this.behaviour);
    sink.holdClose = this.holdClose;
    sink.reading = this.reading;
    sink.bufferLimit = this.bufferLimit;
    this.sinks.push(sink);
    return sink;
  }

  /** The newest sink. */
  get last(): FakeSink {
    const sink = this.sinks[this.sinks.length - 1];
    if (sink === undefined) throw new Error('no sink created');
    return sink;
  }
}
