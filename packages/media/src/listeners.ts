/**
 * Listener isolation, once for every package: a listener that throws must not unwind the
 * state machine or socket handler that called it, nor keep the other listeners from
 * running. Its error goes to an `onError` of the caller's choosing, by default rethrown in
 * a microtask (it then surfaces as an uncaught exception, as an EventEmitter's would).
 */

/** Rethrows `error` in a microtask: the default of callIsolated. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Runs `fn`; an error it throws goes to `onError` instead of the caller. */
export function callIsolated(fn: () => void, onError: (error: unknown) => void = rethrowLater): void {
  try {
    fn();
  } catch (error) {
    onError(error);
  }
}

/** Emits an EventEmitter event with each listener's throw going to `onError` (default rethrowLater) instead of the caller. */
export function emitIsolated(
  emitter: { emit(event: string, ...args: unknown[]): boolean },
  event: string,
  args: readonly unknown[],
  onError: (error: unknown) => void = rethrowLater,
): void {
  try {
    emitter.emit(event, ...args);
  } catch (error) {
    onError(error);
  }
}

/** The listeners of one event (e.g. a sink's drain or error): each called in order, isolated from the others. */
export class ListenerList<A extends unknown[] = []> {
  private readonly listeners: Array<(...args: A) => void> = [];

  constructor(private readonly onError: (error: unknown) => void = rethrowLater) {}

  /** Adds a listener (the same function twice is called twice). */
  add(listener: (...args: A) => void): void {
    this.listeners.push(listener);
  }

  /** Number of listeners. */
  get size(): number {
    return this.listeners.length;
  }

  /** Calls every listener with `args`; one that throws does not stop the others. */
  emit(...args: A): void {
    for (const listener of this.listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/**
 * The drain and error listeners of a sink (a push destination, a TS sender, a publisher),
 * for its class to extend: `onDrain` and `onError` add to them, the class emits them.
 */
export abstract class SinkListeners {
  /** Called when a full send buffer has drained. */
  protected readonly drainListeners = new ListenerList();
  /** Called with the error that ended the connection. */
  protected readonly errorListeners = new ListenerList<[Error]>();

  /** Called when a full send buffer has drained. */
  onDrain(listener: () => void): void {
    this.drainListeners.add(listener);
  }

  /** Called when the connection fails (after it opened). */
  onError(listener: (error: Error) => void): void {
    this.errorListeners.add(listener);
  }
}
