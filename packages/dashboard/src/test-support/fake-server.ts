/**
 * Test doubles for the dashboard's network code: timers fired by hand, and a fetch
 * whose event-stream responses the test writes into (aborting the request errors the
 * body, as a real fetch does).
 */
import type { Timers } from '../live/event-stream.js';

/** Timers that fire only when the test says so. */
export class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { callback: () => void; ms: number }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { callback, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Delays of the pending timers, in creation order. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }

  /** Fires the pending timers with this delay (all when undefined). */
  fire(ms?: number): void {
    for (const [id, timer] of [...this.pending]) {
      if (ms !== undefined && timer.ms !== ms) continue;
      this.pending.delete(id);
      timer.callback();
    }
  }
}

/** An event-stream response the test writes into. */
export interface OpenStream {
  send(text: string): void;
  close(): void;
  /** The request's headers. */
  headers: Record<string, string>;
  aborted: () => boolean;
}

/** Resolves on the next macrotask (lets awaited reads and fetches settle). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** An event-stream Response plus the handle to write into it, tied to the request's AbortSignal. */
export function eventStreamResponse(init: RequestInit): { response: Response; stream: OpenStream } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let aborted = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  init.signal?.addEventListener('abort', () => {
    aborted = true;
    try {
      controller.error(new DOMException('The operation was aborted.', 'AbortError'));
    } catch {
      // already closed
    }
  });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    stream: {
      send: (text) => controller.enqueue(encoder.encode(text)),
      close: () => controller.close(),
      headers: { ...(init.headers as Record<string, string>) },
      aborted: () => aborted,
    },
  };
}

/** A JSON envelope response. */
export function envelope(status: number, message: string, response?: unknown, headers: Record<string, string> = {}) {
  const body =
    status === 204
      ? null
      : JSON.stringify(
          response === undefined ? { statusCode: status, message } : { statusCode: status, message, response },
        );
  return new Response(body, { status, headers: { 'content-type': 'application/json;charset=UTF-8', ...headers } });
}
