/**
 * One push's state machine (contract, "States and lifecycle"): waits for its source
 * stream (`ready`), opens a sink (`connecting`), sends (`pushing`), fails over to
 * `error` with exponential backoff, returns to `ready` when the source ends, and
 * tears down through `stopping` → `stopped`. Event-driven: no polling; the only timers
 * are the connection timeout, the retry backoff (with its reachability probes), the
 * send-stall watchdog and the no-media watchdog.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { Clock, HostResolver, TimerHandle } from '@sluice/media';
import { NothingToPush, PushConnectTimeout, PushNoMedia } from './errors.js';
import type { StoredPush } from './push-store.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { SessionSender, type QueueLimits } from './session-sender.js';
import { selectTracks, type TrackSelection } from './track-selection.js';
import type {
  PushSink,
  PushSinkFactory,
  PushSource,
  PushState,
  PushTarget,
  RecoveryCounters,
  StreamSubscriber,
} from './types.js';

/** What a session needs from its registry. */
export interface SessionContext {
  source: PushSource;
  clock: Clock;
  retry: RetryPolicy;
  random: () => number;
  limits: QueueLimits;
  /** Where each session's output timeline starts, in ms (PushRegistryOptions.timelineOriginMs). */
  timelineOriginMs: number;
  /** Called after every state change (the registry emits events). */
  changed(session: Push, from: PushState, error: Error | undefined): void;
  /** Called once when teardown finished (state `stopped`). */
  tornDown(session: Push): void;
}

/** Timeouts of one push (the server may set them per application). */
export interface SessionTimeouts {
  connectTimeoutMs: number;
  sendTimeoutMs: number;
  /** Longest wait for sink.close() before a stopping push counts as stopped. */
  teardownTimeoutMs: number;
  /**
   * A session in `pushing` that sends no media for this long while its source delivers
   * media for its tracks ends (PushNoMedia) and a new one starts; 0 = off. Default 5000.
   */
  noMediaTimeoutMs: number;
}

/** A push and its sessions. */
export class Push implements StreamSubscriber {
  state: PushState = 'ready';
  lastError: string | undefined;
  /** Sessions completed (each failure, source end or restart ends one). */
  sequence = 0;
  /** Bytes and milliseconds of completed sessions. */
  completedBytes = 0;
  completedTime = 0;
  /** Frames dropped by completed sessions. */
  completedDropped = 0;
  /** Loss recovery counters of completed sessions (undefined until a sink reported any). */
  private completedRecovery: RecoveryCounters | undefined;
  /** Jumps in the source's timestamps that sessions of this push went through (the hub rebased them). */
  discontinuities = 0;
  /** Counters of the current session, frozen at its end until the next one starts (0 after a completed session). */
  private frozenBytes = 0;
  private frozenTime = 0;
  startTime = 0;
  finishTime = 0;
  /** createdTime as rendered (set on first render; the creation time never changes). */
  createdText: string | undefined;
  /** Tracks of the live source stream, undefined while it is not live. */
  private liveTracks: readonly TrackInfo[] | undefined;
  selection: TrackSelection | undefined;
  private sink: PushSink | undefined;
  private sender: SessionSender | undefined;
  private sessionActive = false;
  private pushingSince: number | undefined;
  /** Bumped whenever a sink is abandoned: callbacks of older sinks are ignored. */
  private epoch = 0;
  private connectTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryDueAt = 0;
  /** Bumped whenever a backoff ends: answers of older reachability probes are ignored. */
  private backoffEpoch = 0;
  private probeTimer: TimerHandle | undefined;
  private noMediaTimer: TimerHandle | undefined;
  /** The watchdog's view of the sender at the last check that saw media sent. */
  private lastSentBytes = 0;
  private receivedAtLastSend = 0;
  private lastSendSeenAt = 0;
  /** Consecutive failed sessions (the backoff exponent). */
  private attempt = 0;
  private unsubscribe: (() => void) | undefined;
  private streamStarts = 0;

  constructor(
    readonly definition: StoredPush,
    private readonly factory: PushSinkFactory,
    readonly timeouts: SessionTimeouts,
    private readonly ctx: SessionContext,
    /** How every connection attempt and probe resolves the destination (the application's destination policy). */
    private readonly resolveHost?: HostResolver,
  ) {}

  /** Subscribes to the source; if it is live the session connects in this same turn. */
  begin(): void {
    this.subscribe();
  }

  /** Subscribes to the source; a push stopped during the call (by an event listener) unsubscribes at once. */
  private subscribe(): void {
    const unsubscribe = this.ctx.source.subscribe(this.streamRef(), this);
    if (this.isStopping) unsubscribe();
    else this.unsubscribe = unsubscribe;
  }

  /** Bytes sent by the current (or, once stopped, the last) session. */
  get sentBytes(): number {
    return this.sessionActive && this.sink !== undefined ? this.sink.bytesSent : this.frozenBytes;
  }

  /** Milliseconds the current (or, once stopped, the last) session has been pushing. */
  sentTime(now: number): number {
    return this.sessionActive && this.pushingSince !== undefined
      ? Math.max(0, now - this.pushingSince)
      : this.frozenTime;
  }

  /** Frames dropped over all sessions. */
  get droppedFrames(): number {
    return this.completedDropped + (this.sender?.droppedFrames ?? 0);
  }

  /** Loss recovery counters over all sessions, when the protocol reports them (srt). */
  get recovery(): RecoveryCounters | undefined {
    const current = this.sink?.recoveryCounters?.();
    return current === undefined ? this.completedRecovery : addRecovery(this.completedRecovery, current);
  }

  /** Milliseconds until the next connection attempt, when one is scheduled. */
  reconnectIn(now: number): number | undefined {
    return this.retryTimer === undefined ? undefined : Math.max(0, this.retryDueAt - now);
  }

  /** True between stopPush and removal. */
  get isStopping(): boolean {
    return this.state === 'stopping' || this.state === 'stopped';
  }

  // --- StreamSubscriber ---

  /** The source is live (again): selects the tracks to push and connects, unless backing off or nothing can be pushed. */
  onStreamStart(tracks: readonly TrackInfo[]): void {
    if (this.isStopping) return;
    this.streamStarts++;
    if (this.sessionActive && this.reconfigureInBand(tracks)) return; // same tracks, new codec configuration
    if (this.sessionActive) this.endSession(); // the stream restarted or changed its tracks
    this.liveTracks = tracks;
    const selection = selectTracks(tracks, this.definition.stream, this.factory);
    this.selection = selection;
    if (selection.tracks.length === 0) {
      this.clearRetry();
      const details =
        selection.skipped.length === 0
          ? 'the stream has no tracks'
          : selection.skipped
              .map((s) => `track ${s.id}${s.codec === '' ? '' : ` (${s.codec})`}: ${s.reason}`)
              .join('; ');
      this.setState('error', new NothingToPush(this.definition.stream.name, this.definition.protocol, details));
      return;
    }
    if (this.retryTimer !== undefined) return; // backing off: the retry resubscribes
    this.connect();
  }

  /**
   * A new codec configuration of the same tracks, handed to a sink that carries it in-band
   * (PushSink.reconfigure): the session goes on. False: anything else changed, or the sink
   * cannot; the caller restarts the session.
   */
  private reconfigureInBand(tracks: readonly TrackInfo[]): boolean {
    const sink = this.sink;
    const current = this.selection;
    if (sink?.reconfigure === undefined || current === undefined || this.state !== 'pushing') return false;
    const next = selectTracks(tracks, this.definition.stream, this.factory);
    const same =
      next.gateTrackId === current.gateTrackId &&
      next.tracks.length === current.tracks.length &&
      next.tracks.every((t, i) => {
        const c = current.tracks[i]!;
        return t.id === c.id && t.kind === c.kind && t.codec === c.codec && t.timescale === c.timescale;
      });
    if (!same) return false;
    let carried = false;
    try {
      carried = sink.reconfigure(next.tracks);
    } catch {
      carried = false;
    }
    if (!carried) return false;
    this.liveTracks = tracks;
    this.selection = next;
    return true;
  }

  /** Hands one source packet to the current session's sender; a sink that throws fails the session, never the source. */
  onPacket(packet: MediaPacket): void {
    const sender = this.sender;
    if (sender === undefined) return;
    try {
      sender.accept(packet);
    } catch (error) {
      // A sink that throws from send() must never reach the source.
      this.fail(error as Error, this.epoch);
    }
  }

  /** The source's timestamps jumped (already rebased by the source): counted while a session runs. */
  onDiscontinuity(): void {
    if (this.sessionActive) this.discontinuities++;
  }

  /** The source ended: the session ends and the push waits in `ready`. */
  onStreamEnd(): void {
    if (this.isStopping) return;
    this.liveTracks = undefined;
    if (this.sessionActive) this.endSession();
    this.clearRetry();
    this.setState('ready', undefined);
  }

  // --- sessions ---

  private connect(): void {
    const selection = this.selection as TrackSelection;
    const epoch = ++this.epoch;
    this.sessionActive = true;
    this.pushingSince = undefined;
    this.frozenBytes = 0;
    this.frozenTime = 0;
    this.sender = new SessionSender(
      selection,
      this.ctx.limits,
      this.ctx.clock,
      this.timeouts.sendTimeoutMs,
      (error) => this.fail(error, epoch),
      this.ctx.timelineOriginMs,
    );
    let sink: PushSink;
    try {
      sink = this.factory.create(this.target());
    } catch (error) {
      this.setState('connecting', undefined);
      if (epoch === this.epoch) this.fail(error as Error, epoch);
      return;
    }
    this.sink = sink;
    sink.onError((error) => this.fail(error, epoch));
    sink.onDrain(() => {
      if (epoch !== this.epoch) return;
      try {
        this.sender?.drained();
      } catch (error) {
        this.fail(error as Error, epoch);
      }
    });
    this.connectTimer = this.ctx.clock.setTimeout(() => {
      this.connectTimer = undefined;
      this.fail(new PushConnectTimeout(this.timeouts.connectTimeoutMs), epoch);
    }, this.timeouts.connectTimeoutMs);
    this.setState('connecting', undefined);
    if (epoch !== this.epoch) return; // a listener stopped the push
    let opening: Promise<void>;
    try {
      opening = sink.open(selection.tracks);
    } catch (error) {
      this.fail(error as Error, epoch);
      return;
    }
    opening.then(
      () => this.opened(epoch),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error)), epoch),
    );
  }

  /** The sink is open: media flows in this same turn. */
  private opened(epoch: number): void {
    if (epoch !== this.epoch || this.sink === undefined || this.sender === undefined) return;
    this.clearConnectTimer();
    const now = this.ctx.clock.now();
    this.pushingSince = now;
    this.startTime = now;
    this.finishTime = 0;
    this.lastError = undefined;
    try {
      this.sender.start(this.sink);
    } catch (error) {
      this.fail(error as Error, epoch);
      return;
    }
    this.setState('pushing', undefined);
    if (epoch === this.epoch) this.watchForNoMedia(epoch);
  }

  /**
   * The safety net for any cause of a silent stall (contract: a push is never `pushing`
   * while no media flows to it from a live source). Every quarter of the timeout it reads
   * the bytes the sink put on the wire (no clock read per packet); once they have not grown
   * for the whole timeout although the source delivered packets of the session's tracks,
   * the session fails (PushNoMedia) and the retry starts a new one. Bytes on the wire, not
   * packets handed over, so that a fault inside the sink counts too. A source that itself
   * goes quiet is not the push's fault: no restart for that.
   */
  private watchForNoMedia(epoch: number): void {
    const timeout = this.timeouts.noMediaTimeoutMs;
    if (!(timeout > 0)) return;
    const sender = this.sender as SessionSender;
    const sink = this.sink as PushSink;
    this.lastSentBytes = sink.bytesSent;
    this.receivedAtLastSend = sender.receivedPackets;
    this.lastSendSeenAt = this.ctx.clock.now();
    const every = Math.max(50, Math.floor(timeout / 4));
    const check = (): void => {
      this.noMediaTimer = undefined;
      if (epoch !== this.epoch || this.sender !== sender || this.state !== 'pushing') return;
      const now = this.ctx.clock.now();
      const sent = sink.bytesSent;
      if (sent !== this.lastSentBytes) {
        this.lastSentBytes = sent;
        this.receivedAtLastSend = sender.receivedPackets;
        this.lastSendSeenAt = now;
      } else if (
        now - this.lastSendSeenAt >= timeout &&
        this.liveTracks !== undefined &&
        sender.receivedPackets !== this.receivedAtLastSend
      ) {
        this.fail(new PushNoMedia(timeout), epoch);
        return;
      }
      this.noMediaTimer = this.ctx.clock.setTimeout(check, every);
    };
    this.noMediaTimer = this.ctx.clock.setTimeout(check, every);
  }

  /** The session of `epoch` failed: end it, then retry after the backoff. */
  private fail(error: Error, epoch: number): void {
    if (epoch !== this.epoch || !this.sessionActive || this.isStopping) return;
    this.endSession();
    const delay = retryDelayMs(this.ctx.retry, this.attempt, this.ctx.random);
    this.attempt++;
    this.retryDueAt = this.ctx.clock.now() + delay;
    this.retryTimer = this.ctx.clock.setTimeout(() => this.retry(), delay);
    this.lastError = error.message;
    this.setState('error', error);
    if (this.retryTimer !== undefined) this.probeDuringBackoff();
  }

  /**
   * Probes the destination during the backoff. If it is reachable right after the
   * failure (it answers but refused us), the backoff runs its course. If it is not, it
   * is probed every retry.probeIntervalMs and the push reconnects as soon as it is
   * back, so media flows again within a fraction of a second of the destination's return.
   */
  private probeDuringBackoff(): void {
    const interval = this.ctx.retry.probeIntervalMs;
    if (this.factory.probe === undefined || interval <= 0) return;
    const epoch = this.backoffEpoch;
    const current = (): boolean => epoch === this.backoffEpoch && this.retryTimer !== undefined && !this.isStopping;
    const probeOnce = (first: boolean): void => {
      this.probeTimer = undefined;
      let answer: Promise<boolean>;
      try {
        answer = (this.factory.probe as (target: PushTarget) => Promise<boolean>).call(this.factory, this.target());
      } catch {
        answer = Promise.resolve(false);
      }
      answer.then(
        (reachable) => settled(reachable, first),
        () => settled(false, first),
      );
    };
    const settled = (reachable: boolean, first: boolean): void => {
      if (!current()) return;
      if (reachable) {
        if (!first) {
          this.clearRetry();
          this.retry();
        }
        return; // reachable at the failure itself: the destination refused us, keep the backoff
      }
      if (this.retryDueAt - this.ctx.clock.now() <= interval) return; // the backoff ends first anyway
      this.probeTimer = this.ctx.clock.setTimeout(() => probeOnce(false), interval);
    };
    probeOnce(true);
  }

  /** The backoff elapsed: reconnect if the source is live (resubscribing replays its current GOP). */
  private retry(): void {
    this.retryTimer = undefined;
    this.endProbes();
    if (this.isStopping) return;
    if (this.liveTracks !== undefined) {
      const starts = this.streamStarts;
      const previous = this.unsubscribe;
      this.unsubscribe = undefined;
      previous?.();
      this.subscribe();
      if (this.streamStarts !== starts || this.isStopping) return; // onStreamStart connected (or reported nothing to push)
      this.liveTracks = undefined;
    }
    this.setState('ready', undefined);
  }

  /**
   * Ends the current session: abandons its sink (closed in the background), moves its
   * counters into the totals and counts it in `sequence`. A session that pushed for
   * retry.resetAfterMs resets the backoff.
   */
  private endSession(): void {
    const now = this.ctx.clock.now();
    const bytes = this.sentBytes;
    const pushed = this.sentTime(now);
    const sink = this.releaseSink();
    if (sink !== undefined) void closeQuietly(sink);
    this.completedBytes += bytes;
    this.completedTime += pushed;
    this.frozenBytes = 0;
    this.frozenTime = 0;
    this.sequence++;
    this.finishTime = now;
    if (pushed >= this.ctx.retry.resetAfterMs) this.attempt = 0;
  }

  /** Detaches sink and sender without touching counters; the old sink is closed in the background. */
  private releaseSink(): PushSink | undefined {
    this.epoch++;
    this.clearConnectTimer();
    if (this.noMediaTimer !== undefined) this.ctx.clock.clearTimeout(this.noMediaTimer);
    this.noMediaTimer = undefined;
    if (this.sender !== undefined) {
      this.completedDropped += this.sender.droppedFrames;
      this.sender.close();
      this.sender = undefined;
    }
    const sink = this.sink;
    const recovery = sink?.recoveryCounters?.();
    if (recovery !== undefined) this.completedRecovery = addRecovery(this.completedRecovery, recovery);
    this.sink = undefined;
    this.sessionActive = false;
    this.pushingSince = undefined;
    return sink;
  }

  /**
   * Stops the push: `stopping` now, `stopped` once the sink closed (or at once without
   * a sink), then the registry removes it. The last session's counters stay visible.
   */
  stop(): void {
    if (this.isStopping) return;
    this.clearRetry();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.liveTracks = undefined;
    let sink: PushSink | undefined;
    if (this.sessionActive) {
      const now = this.ctx.clock.now();
      const bytes = this.sentBytes;
      const pushed = this.sentTime(now);
      sink = this.releaseSink();
      this.frozenBytes = bytes;
      this.frozenTime = pushed;
      this.finishTime = now;
    } else {
      this.epoch++;
    }
    this.setState('stopping', undefined);
    if (sink === undefined) {
      this.finishStop();
      return;
    }
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.ctx.clock.clearTimeout(timer);
      this.finishStop();
    };
    const timer = this.ctx.clock.setTimeout(finish, this.timeouts.teardownTimeoutMs);
    closeQuietly(sink).then(finish, finish);
  }

  private finishStop(): void {
    if (this.state === 'stopped') return;
    this.setState('stopped', undefined);
    this.ctx.tornDown(this);
  }

  private setState(to: PushState, error: Error | undefined): void {
    const from = this.state;
    if (error !== undefined) this.lastError = error.message;
    if (to === from && error === undefined) return;
    this.state = to;
    this.ctx.changed(this, from, error);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) this.ctx.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.endProbes();
  }

  /** Cancels reachability probes of the current backoff. */
  private endProbes(): void {
    this.backoffEpoch++;
    if (this.probeTimer !== undefined) this.ctx.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) this.ctx.clock.clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private streamRef(): { vhost: string; app: string; name: string } {
    return { vhost: this.definition.vhost, app: this.definition.app, name: this.definition.stream.name };
  }

  private target(): PushTarget {
    return {
      pushId: this.definition.id,
      protocol: this.definition.protocol,
      url: this.definition.url,
      streamKey: this.definition.streamKey,
      connectTimeoutMs: this.timeouts.connectTimeoutMs,
      sendTimeoutMs: this.timeouts.sendTimeoutMs,
      ...(this.resolveHost !== undefined ? { resolveHost: this.resolveHost } : {}),
    };
  }
}

/** Closes a sink in the background; a close that throws or rejects is ignored. */
function closeQuietly(sink: PushSink): Promise<void> {
  try {
    return sink.close().catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}

/** `a` + `b`, field by field (a new object). */
function addRecovery(a: RecoveryCounters | undefined, b: RecoveryCounters): RecoveryCounters {
  if (a === undefined) return { ...b };
  return {
    retransmittedPackets: a.retransmittedPackets + b.retransmittedPackets,
    retransmittedBytes: a.retransmittedBytes + b.retransmittedBytes,
    lostPackets: a.lostPackets + b.lostPackets,
    droppedPackets: a.droppedPackets + b.droppedPackets,
  };
}
