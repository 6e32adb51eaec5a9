/**
 * AckWatchdog: what the RTMP server has read, from its Acknowledgements. A destination
 * that accepts bytes but reads slowly or not at all (a stopped process, a wedged or
 * throttled server) otherwise goes unnoticed for as long as the kernel buffers of both
 * ends absorb media (megabytes: a minute of a 1 Mbit/s stream), while the push looks
 * healthy and the destination's delay grows.
 *
 * The publisher asks the server to acknowledge every `window` bytes it reads (Window
 * Acknowledgement Size, RTMP 5.4.4): first PUBLISHER_ACK_WINDOW (small: a slow reader acknowledges often from the start), then, once the send rate
 * is measured, about every 0.5 s of the stream (re-announced when the rate moves by more
 * than 2×), so that a reader at half the rate still acknowledges every second. Once the
 * server has acknowledged at least once (a server that never does leaves this off), with
 * `step` = the larger of the window and the latest step between its acknowledgements (a
 * server may acknowledge more coarsely than asked):
 *   - stall: more than 2 steps unacknowledged and no new acknowledgement for `timeoutMs`
 *     (a reading server acknowledges after one step) → `onStall`;
 *   - backlog: more than `backlogMs` of the stream's own byte rate (and at least 4 steps)
 *     unacknowledged → check() returns false, so the publisher reports backpressure and
 *     the push session queues and drops whole GOPs by its own bounds; `onCaughtUp` says
 *     when an acknowledgement brings it back under. A link that keeps up never has more
 *     than its bandwidth-delay product in flight, far below 2 s of the stream.
 */
import type { Clock, TimerHandle } from '@sluice/media';

/** The Window Acknowledgement Size a publisher announces (bytes). */
export const PUBLISHER_ACK_WINDOW = 16 * 1024;
/** How much of the stream (at its measured byte rate) may be unacknowledged before the publisher holds back. */
export const PUBLISHER_BACKLOG_MS = 2000;

/** Bounds of the announced window (bytes). */
const MIN_WINDOW = 16 * 1024;
const MAX_WINDOW = 1024 * 1024;
/** The window asked for, in ms of the stream at its measured rate. */
const WINDOW_MS = 500;

/** What an AckWatchdog reads and whom it tells. */
export interface AckWatchdogOptions {
  /** The window announced at the start. */
  window: number;
  /** Announces a new window to the server (a Window Acknowledgement Size message). */
  announce?: (window: number) => void;
  /** 0: no stall detection (backpressure still applies). */
  timeoutMs: number;
  /** Default PUBLISHER_BACKLOG_MS. */
  backlogMs?: number;
  clock: Clock;
  /** Bytes the kernel accepted from us so far. */
  sentBytes: () => number;
  /** Called once, with the bytes outstanding, when the server read nothing for timeoutMs. */
  onStall: (unacknowledged: number) => void;
  /** Called when an acknowledgement brings a publisher that held back under the backlog limit. */
  onCaughtUp: () => void;
}

/** Bounds what the server has not acknowledged reading. */
export class AckWatchdog {
  private timer: TimerHandle | undefined;
  private acked = 0;
  private acks = 0;
  private step: number;
  private window: number;
  private ackedAtArm = 0;
  private heldBack = false;
  /** Send rate (bytes/ms), sampled about once a second while not held back. */
  private rate = 0;
  private sampleAt = -1;
  private sampleSent = 0;
  private readonly backlogMs: number;
  private readonly tick = (): void => this.fire();

  constructor(private readonly options: AckWatchdogOptions) {
    this.step = options.window;
    this.window = options.window;
    this.backlogMs = options.backlogMs ?? PUBLISHER_BACKLOG_MS;
  }

  /** Bytes sent that the server has not acknowledged. */
  get outstanding(): number {
    return this.options.sentBytes() - this.acked;
  }

  /** Bytes the server acknowledged reading; undefined until it has acknowledged once. */
  get confirmed(): number | undefined {
    return this.acks === 0 ? undefined : this.acked;
  }

  /** By how much the outstanding bytes pass the backlog limit (0 when within, or before any acknowledgement). */
  get excess(): number {
    return this.acks === 0 ? 0 : Math.max(0, this.outstanding - this.backlogLimit);
  }

  /** The most bytes outstanding before the publisher holds back. */
  get backlogLimit(): number {
    return Math.max(4 * this.step, this.rate * this.backlogMs);
  }

  /** The server acknowledged reading `total` bytes (unwrapped). */
  acknowledged(total: number): void {
    this.step = Math.max(this.window, total - this.acked);
    this.acked = total;
    this.acks++;
    if (this.heldBack && this.outstanding <= this.backlogLimit) {
      this.heldBack = false;
      this.options.onCaughtUp();
    }
  }

  /** Called after each write; false: hold back, the server is too far behind (no allocation). */
  check(): boolean {
    if (!this.heldBack) this.sampleRate();
    if (this.acks === 0) return true;
    const outstanding = this.outstanding;
    if (outstanding > 2 * this.step && this.timer === undefined && this.options.timeoutMs > 0) {
      this.ackedAtArm = this.acked;
      this.timer = this.options.clock.setTimeout(this.tick, this.options.timeoutMs);
    }
    if (outstanding <= this.backlogLimit) return true;
    this.heldBack = true;
    return false;
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sampleRate(): void {
    const now = this.options.clock.now();
    if (this.sampleAt < 0) {
      this.sampleAt = now;
      this.sampleSent = this.options.sentBytes();
      return;
    }
    const elapsed = now - this.sampleAt;
    if (elapsed < 1000) return;
    const sent = this.options.sentBytes();
    const rate = (sent - this.sampleSent) / elapsed;
    this.rate = this.rate === 0 ? rate : 0.7 * this.rate + 0.3 * rate;
    this.sampleAt = now;
    this.sampleSent = sent;
    const wanted = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, Math.round(this.rate * WINDOW_MS)));
    if (this.options.announce !== undefined && (wanted > 2 * this.window || 2 * wanted < this.window)) {
      this.window = wanted;
      this.options.announce(wanted);
    }
  }

  private fire(): void {
    this.timer = undefined;
    const outstanding = this.outstanding;
    if (outstanding <= 2 * this.step) return;
    if (this.acked === this.ackedAtArm) {
      this.options.onStall(outstanding);
      return;
    }
    this.ackedAtArm = this.acked; // it read meanwhile but is still behind: watch on
    this.timer = this.options.clock.setTimeout(this.tick, this.options.timeoutMs);
  }
}
