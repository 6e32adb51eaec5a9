/**
 * SendWatchdog: the one send-stall check of every sender (RTMP publisher, TCP TS sender,
 * push sessions). Armed when a write returns false; re-arms while bytes still reach the
 * kernel; fires only when the bytes handed to the kernel did not move for a whole
 * `timeoutMs` while bytes were still waiting.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';

/** What a SendWatchdog watches and whom it tells. */
export interface SendWatchdogOptions {
  /** Milliseconds without progress that count as a stall; 0: off (the caller watches, e.g. a push session). */
  timeoutMs: number;
  /** Bytes handed to the kernel so far (a counter that only grows). */
  flushedBytes: () => number;
  /** Bytes still waiting to be handed to the kernel. */
  bufferedBytes: () => number;
  /** Called once when nothing drained for timeoutMs while bytes waited. */
  onStall: () => void;
  /** Called when a check finds nothing waiting (the buffer emptied without a drain event). Default: nothing. */
  onIdle?: (() => void) | undefined;
  /** Default: the system clock. */
  clock?: Clock | undefined;
}

/** Watches one connection's send buffer while it is full. */
export class SendWatchdog {
  private timer: TimerHandle | undefined;
  private lastFlushed = 0;
  private readonly clock: Clock;
  private readonly tick = (): void => this.check();

  constructor(private readonly options: SendWatchdogOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** True while watching. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Starts watching (no-op when already watching). */
  arm(): void {
    if (this.timer !== undefined || this.options.timeoutMs === 0) return;
    this.lastFlushed = this.options.flushedBytes();
    this.timer = this.clock.setTimeout(this.tick, this.options.timeoutMs);
  }

  /** Stops watching. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.options.bufferedBytes() === 0) {
      this.options.onIdle?.();
      return;
    }
    const now = this.options.flushedBytes();
    if (now === this.lastFlushed) {
      this.options.onStall();
      return;
    }
    this.lastFlushed = now;
    this.timer = this.clock.setTimeout(this.tick, this.options.timeoutMs);
  }
}

/** The counters of a node:net / node:tls socket that KernelByteCounter reads. */
export interface SocketByteCounts {
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/**
 * THE `bytesSent` of every sink (a push record's `sentBytes`): bytes the kernel accepted
 * from a socket, i.e. handed to `socket.write()` minus still buffered in the socket. The
 * writer counts what it hands over (wrote()): Node's `socket.bytesWritten` would give the
 * same figure but copies the socket's write queue on every read, and sinks read this after
 * every write. Never decreases; keeps the last count once the socket is gone.
 */
export class KernelByteCounter {
  private handed = 0;
  private last = 0;

  /** Counts `bytes` handed to the socket's write(). */
  wrote(bytes: number): void {
    this.handed += bytes;
  }

  /** The count now (`socket` undefined or destroyed: the last count seen). */
  read(socket: SocketByteCounts | undefined): number {
    if (socket !== undefined && !socket.destroyed) {
      const n = this.handed - socket.writableLength;
      if (n > this.last) this.last = n;
    }
    return this.last;
  }
}
