/**
 * One connection's packet path: the keyframe gate, the bounded queue, the timestamp
 * rebase and the back-pressure watchdog. While the sink connects it keeps the latest
 * GOP; once the sink is open it flushes that GOP in the same turn and then sends each
 * packet as it arrives, queueing only while the sink reports a full buffer.
 */
import {
  rescaleTimestamp,
  SendWatchdog,
  type Clock,
  type MediaPacket,
  type TrackInfo,
  type TrackKind,
} from '@sluice/media';
import { PushSendStalled } from './errors.js';
import { PacketQueue } from './packet-queue.js';
import type { TrackSelection } from './track-selection.js';
import type { PushSink } from './types.js';

/** Bounds of one push's send queue. */
export interface QueueLimits {
  /** Payload bytes queued at most. Default 8 MiB. */
  maxBytes: number;
  /** Media time queued at most, oldest to newest packet, in milliseconds. Default 5000. */
  maxDurationMs: number;
}

/** Defaults of QueueLimits. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxDurationMs: 5000,
});

/** Per-track state of one session. */
interface TrackState {
  kind: TrackKind;
  timescale: number;
  /** Subtracted from dts/pts: the session's first timestamp in this track's timescale. */
  offset: number;
  /** Added after: the timeline origin in this track's timescale (0 unless set). */
  origin: number;
  /** A video track starts at its own keyframe. */
  started: boolean;
}

/** Sends one session's packets to its sink. */
export class SessionSender {
  /** Packets dropped because the destination was slower than the stream. */
  droppedFrames = 0;
  /** Packets of the session's tracks the source delivered (the no-media watchdog reads it). */
  receivedPackets = 0;
  private readonly queue = new PacketQueue();
  private readonly tracks = new Map<number, TrackState>();
  private readonly gateTrackId: number;
  /** Nothing passes until a keyframe of the gate track. */
  private waitingForKey = true;
  /** Packets skipped while waiting count as dropped (after an overflow, not at the start). */
  private countWhileWaiting = false;
  private sink: PushSink | undefined;
  private writable = true;
  private rebased = false;
  private readonly watchdog: SendWatchdog;
  private closed = false;
  /** Reused for every packet handed to the sink (see PushSink.send). */
  private readonly scratch: MediaPacket = { trackId: 0, dts: 0, pts: 0, key: false, data: new Uint8Array(0) };

  constructor(
    selection: TrackSelection,
    private readonly limits: QueueLimits,
    clock: Clock,
    private readonly sendTimeoutMs: number,
    private readonly onStall: (error: Error) => void,
    /** Where the session's timeline starts, in ms (0: at 0, as usual). */
    private readonly originMs = 0,
  ) {
    if (selection.gateTrackId === undefined) throw new RangeError('selection has no track');
    this.gateTrackId = selection.gateTrackId;
    // progress = bytes the destination confirmed reading, else bytes reaching the kernel
    // (the sink's bytesSent); none for sendTimeoutMs fails the session
    this.watchdog = new SendWatchdog({
      timeoutMs: sendTimeoutMs,
      flushedBytes: () => this.sink?.confirmedBytes ?? this.sink?.bytesSent ?? 0,
      bufferedBytes: () => this.sink?.bufferedBytes ?? 0,
      // everything was written but no drain was signalled: carry on as if it had been
      onIdle: () => this.drained(),
      onStall: () => {
        if (this.closed || this.writable || this.sink === undefined) return;
        this.onStall(new PushSendStalled(this.sendTimeoutMs, this.sink.bufferedBytes));
      },
      clock,
    });
    for (const track of selection.tracks) this.tracks.set(track.id, trackState(track));
  }

  /** Packets waiting for the sink. */
  get queuedPackets(): number {
    return this.queue.length;
  }

  /** Payload bytes waiting for the sink. */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** Takes one packet from the source. Never blocks; O(1) unless the queue overflows. */
  accept(packet: MediaPacket): void {
    if (this.closed || !this.tracks.has(packet.trackId)) return;
    this.receivedPackets++;
    if (this.waitingForKey) {
      if (packet.trackId !== this.gateTrackId || !packet.key) {
        if (this.countWhileWaiting) this.droppedFrames++;
        return;
      }
      this.waitingForKey = false;
    }
    if (this.sink === undefined) {
      // Connecting: keep only the latest GOP, so the session starts as close to live as possible.
      if (packet.key && packet.trackId === this.gateTrackId) this.queue.clear();
      this.queue.push(packet);
      this.enforceLimits(false);
      return;
    }
    if (this.writable && this.queue.length === 0) {
      if (!this.emit(packet)) this.blocked();
      return;
    }
    this.queue.push(packet);
    this.enforceLimits(true);
  }

  /** The sink is open: flush the queued GOP now (same turn) and send from here on. */
  start(sink: PushSink): void {
    if (this.closed) return;
    this.sink = sink;
    this.flush();
  }

  /** The sink drained its buffer. */
  drained(): void {
    if (this.closed || this.sink === undefined) return;
    this.writable = true;
    this.watchdog.stop();
    this.flush();
  }

  /** Stops sending and releases the queue. */
  close(): void {
    this.closed = true;
    this.watchdog.stop();
    this.queue.clear();
    this.sink = undefined;
  }

  private flush(): void {
    while (this.writable && this.queue.length > 0 && !this.closed) {
      const packet = this.queue.shift() as MediaPacket;
      if (!this.emit(packet)) this.blocked();
    }
  }

  /** Rebases and sends one packet; returns what sink.send returned (true when skipped). */
  private emit(packet: MediaPacket): boolean {
    const track = this.tracks.get(packet.trackId) as TrackState;
    if (!this.rebased) this.rebase(packet, track.timescale);
    const dts = packet.dts - track.offset;
    if (dts < 0) return true; // before the session's first keyframe
    if (!track.started) {
      if (track.kind === 'video' && !packet.key) return true;
      track.started = true;
    }
    const out = this.scratch;
    out.trackId = packet.trackId;
    out.dts = dts + track.origin;
    out.pts = packet.pts - track.offset + track.origin;
    out.key = packet.key;
    out.data = packet.data;
    return (this.sink as PushSink).send(out);
  }

  /** The session's timeline starts at `first` (the gate keyframe): 0 on every track, A/V sync kept. */
  private rebase(first: MediaPacket, timescale: number): void {
    this.rebased = true;
    for (const track of this.tracks.values()) {
      track.offset = rescaleTimestamp(first.dts, timescale, track.timescale);
      track.origin = rescaleTimestamp(this.originMs, 1000, track.timescale);
    }
  }

  private blocked(): void {
    if (this.closed) return; // the sink failed inside send() and the session already ended
    this.writable = false;
    this.watchdog.arm();
  }

  /** Drops whole GOPs from the head while the queue is past its bounds. */
  private enforceLimits(count: boolean): void {
    while (this.queue.bytes > this.limits.maxBytes || this.queuedDurationMs() > this.limits.maxDurationMs) {
      let dropped = this.queue.dropToNextKeyframe(this.gateTrackId);
      if (dropped < 0) {
        // The newest GOP alone is too big: drop it all and resume at the next keyframe.
        dropped = this.queue.clear();
        this.waitingForKey = true;
        this.countWhileWaiting = count;
      }
      if (count) this.droppedFrames += dropped;
    }
  }

  private queuedDurationMs(): number {
    const head = this.queue.peek();
    const tail = this.queue.peekLast();
    if (head === undefined || tail === undefined || head === tail) return 0;
    const headTrack = this.tracks.get(head.trackId) as TrackState;
    const tailTrack = this.tracks.get(tail.trackId) as TrackState;
    return (
      rescaleTimestamp(tail.dts, tailTrack.timescale, 1000) - rescaleTimestamp(head.dts, headTrack.timescale, 1000)
    );
  }
}

function trackState(track: TrackInfo): TrackState {
  return { kind: track.kind, timescale: track.timescale, offset: 0, origin: 0, started: false };
}
