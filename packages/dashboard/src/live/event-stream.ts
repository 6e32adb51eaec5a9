/**
 * EventStreamClient: reads `/v1/events` with `fetch` and the Authorization header
 * (never EventSource with the token in the URL, so the token lands in no URL and no
 * log), parses the Server-Sent Events itself, and reconnects by itself with
 * `Last-Event-ID` after a network error, a server close or a silent connection
 * (no byte, not even the 15 s heartbeat, for `idleTimeoutMs`). A 401 or a 404 ends it:
 * the token is wrong, or the server has no event stream.
 */
import type { FetchFunction } from '../api/api-client.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { SseParser, type SseEvent } from './sse-parser.js';

/** Where the event stream is. */
export type EventStreamStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'waiting'; retryInMs: number; reason: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'unavailable'; message: string }
  | { kind: 'stopped' };

/** Timer functions (injectable for tests). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of EventStreamClient. */
export interface EventStreamOptions {
  /** e.g. `/v1/events`. */
  url: string;
  /** The Authorization header value. */
  authorization: string;
  onEvent(event: SseEvent): void;
  onStatus(status: EventStreamStatus): void;
  /** A connection opened; `resumed` when it was asked to resume with Last-Event-ID. */
  onOpen?(info: { resumed: boolean }): void;
  fetch?: FetchFunction;
  backoff?: ReconnectBackoff;
  /** No byte for this long (ms) means a dead connection. Default 45000 (three heartbeats). */
  idleTimeoutMs?: number;
  timers?: Timers;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** One logical subscription to the event stream, over as many connections as it takes. */
export class EventStreamClient {
  private readonly fetchImpl: FetchFunction;
  private readonly backoff: ReconnectBackoff;
  private readonly timers: Timers;
  private readonly idleTimeoutMs: number;
  private controller: AbortController | undefined;
  private retryTimer: unknown;
  private running = false;
  private lastEventId = '';

  constructor(private readonly options: EventStreamOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.backoff = options.backoff ?? new ReconnectBackoff();
    this.timers = options.timers ?? defaultTimers;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  /** The id the next connection resumes from ('' before any event). */
  get resumeId(): string {
    return this.lastEventId;
  }

  /** Opens the stream (no-op while running). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  /** Closes the stream for good (until start()). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.timers.clearTimeout(this.retryTimer);
    this.controller?.abort();
    this.options.onStatus({ kind: 'stopped' });
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.options.onStatus({ kind: 'connecting' });
    const headers: Record<string, string> = {
      authorization: this.options.authorization,
      accept: 'text/event-stream',
    };
    const resumed = this.lastEventId !== '';
    if (resumed) headers['last-event-id'] = this.lastEventId;
    let response: Response;
    try {
      response = await this.fetchImpl(this.options.url, {
        headers,
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (this.isCurrent(controller)) this.retry(`cannot reach the server (${describe(error)})`);
      return;
    }
    if (!this.isCurrent(controller)) return;
    if (response.status === 401 || response.status === 404) {
      const message = await envelopeMessage(response);
      if (!this.isCurrent(controller)) return;
      this.running = false;
      this.options.onStatus(
        response.status === 401
          ? { kind: 'unauthorized', message }
          : { kind: 'unavailable', message: `This server has no event stream: ${message}` },
      );
      return;
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok || !/^text\/event-stream\b/i.test(contentType) || response.body === null) {
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel().catch(() => undefined);
      const why = response.ok ? `not an event stream (${contentType || 'no Content-Type'})` : `HTTP ${response.status}`;
      if (this.isCurrent(controller)) this.retry(`the server answered ${why}`, retryAfter);
      return;
    }
    this.options.onStatus({ kind: 'open' });
    this.options.onOpen?.({ resumed });
    const reason = await this.read(response.body, controller);
    if (this.isCurrent(controller)) this.retry(reason);
  }

  /** Reads until the stream ends; resolves with why it ended. */
  private async read(body: ReadableStream<Uint8Array>, controller: AbortController): Promise<string> {
    const parser = new SseParser(
      {
        onEvent: (event) => {
          this.backoff.reset();
          this.lastEventId = event.lastEventId;
          this.options.onEvent(event);
        },
        onRetry: (ms) => {
          this.backoff.setInitial(ms);
          this.backoff.reset();
        },
        onComment: () => this.backoff.reset(),
      },
      { lastEventId: this.lastEventId },
    );
    const decoder = new TextDecoder();
    const reader = body.getReader();
    let idle: unknown;
    let timedOut = false;
    const arm = (): void => {
      this.timers.clearTimeout(idle);
      idle = this.timers.setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.idleTimeoutMs);
    };
    try {
      arm();
      while (true) {
        const { done, value } = await reader.read();
        if (done) return 'the server closed the event stream';
        arm();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (timedOut) return `no data for ${Math.round(this.idleTimeoutMs / 1000)} s`;
      return `the event stream broke (${describe(error)})`;
    } finally {
      this.timers.clearTimeout(idle);
      reader.releaseLock();
    }
  }

  private isCurrent(controller: AbortController): boolean {
    return this.running && this.controller === controller;
  }

  private retry(reason: string, atLeastMs = 0): void {
    if (!this.running) return;
    this.controller?.abort();
    const retryInMs = Math.max(this.backoff.next(), atLeastMs);
    this.options.onStatus({ kind: 'waiting', retryInMs, reason });
    this.retryTimer = this.timers.setTimeout(() => {
      if (this.running) void this.connect();
    }, retryInMs);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `Retry-After` in seconds → ms (0 when absent or a date). */
function retryAfterMs(header: string | null): number {
  if (header === null || !/^\d+$/.test(header.trim())) return 0;
  return Math.min(Number(header.trim()) * 1000, 300_000);
}

async function envelopeMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // no JSON envelope
  }
  return `HTTP ${response.status}`;
}
