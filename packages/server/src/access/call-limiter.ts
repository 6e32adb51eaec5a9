/**
 * CallLimiter: at most `maxInFlight` calls run at once, up to `maxQueued` more wait in
 * order, anything beyond is refused at once (so a slow control server costs a bounded
 * number of sockets and memory, and never holds other publishers behind it forever).
 */

/** Thrown (as the promise's rejection) when the queue is full. */
export class CallQueueFull extends Error {
  override readonly name = 'CallQueueFull';
}

/** A bounded concurrency gate. */
export class CallLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly maxInFlight: number,
    readonly maxQueued: number,
  ) {}

  /** Calls now running. */
  get inFlight(): number {
    return this.running;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `call` when a slot is free; rejects with CallQueueFull when the queue is full. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxInFlight) {
      if (this.waiting.length >= this.maxQueued)
        throw new CallQueueFull(`${this.running} calls in flight and ${this.waiting.length} waiting`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined)
        next(); // the slot passes to the next waiter
      else this.running--;
    }
  }
}
