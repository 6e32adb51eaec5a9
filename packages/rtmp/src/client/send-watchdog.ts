/**
 * SendWatchdog: fails a connection whose socket buffer drains nothing for a whole
 * send timeout. Armed when a write returns false; re-arms while bytes still leave;
 * fires only when the bytes handed to the kernel did not move for `timeoutMs`.
 */
export class SendWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushed = 0;

  /**
   * @param flushedBytes bytes handed to the kernel so far
   * @param bufferedBytes bytes still waiting in the socket's buffer
   * @param onStall called once when nothing drained for timeoutMs
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly flushedBytes: () => number,
    private readonly bufferedBytes: () => number,
    private readonly onStall: () => void,
  ) {}

  /** Starts watching (no-op when already watching). */
  arm(): void {
    if (this.timer !== undefined) return;
    this.lastFlushed = this.flushedBytes();
    this.timer = setTimeout(() => this.tick(), this.timeoutMs);
  }

  /** Stops watching. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.bufferedBytes() === 0) return;
    const now = this.flushedBytes();
    if (now === this.lastFlushed) {
      this.onStall();
      return;
    }
    this.lastFlushed = now;
    this.timer = setTimeout(() => this.tick(), this.timeoutMs);
  }
}
