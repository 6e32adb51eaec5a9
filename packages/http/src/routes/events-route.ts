/**
 * `GET /v1/events`: the server's events as Server-Sent Events. On connect: `retry`, then
 * the events missed since `Last-Event-ID` (or a `reset` event when that position is lost),
 * then every new event as it happens; a `: heartbeat` comment every 15 s; a reader whose
 * unread output passes the bound is disconnected, never buffered without bound.
 */
import { formatPushTime } from '@sluice/push';
import type { ApiResult, StreamOutput } from '../envelope.js';
import { sseFrame, type EventFeed, type FeedEntry } from './event-feed.js';

/** Tunables of the event stream. */
export interface EventStreamSettings {
  /** Milliseconds between heartbeat comments (default 15000). */
  heartbeatMs: number;
  /** Unread bytes past which a reader is dropped (default 1 MiB). */
  maxBufferedBytes: number;
  /** The reconnection delay announced with `retry:` (default 2000 ms). */
  retryMs: number;
}

/** Defaults of EventStreamSettings. */
export const DEFAULT_EVENT_STREAM_SETTINGS: EventStreamSettings = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  retryMs: 2000,
};

/** Headers of the event stream (no caching, no proxy buffering). */
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};

/** The streamed answer of `/v1/events` for a reader resuming after `lastEventId` (null: a new reader). */
export function eventStreamResult(
  feed: EventFeed,
  lastEventId: string | null,
  settings: EventStreamSettings,
  remote: string,
): ApiResult {
  return {
    status: 200,
    headers: { ...SSE_HEADERS },
    body: null,
    stream: { start: (output) => new EventStreamConnection(feed, settings, output, remote).open(lastEventId) },
  };
}

/** One reader of the event stream. */
class EventStreamConnection {
  private unsubscribe: (() => void) | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly feed: EventFeed,
    private readonly settings: EventStreamSettings,
    private readonly output: StreamOutput,
    private readonly remote: string,
  ) {}

  open(lastEventId: string | null): void {
    this.output.onClose(() => this.close());
    let text = `retry: ${this.settings.retryMs}\n\n`;
    if (lastEventId !== null && lastEventId !== '') {
      const missed = this.feed.since(lastEventId);
      if (missed === undefined) {
        // the reader's position is gone: tell it to reload, and where to resume from
        const reset = { type: 'reset', time: formatPushTime(Date.now()), lastEventId };
        text += sseFrame({ id: this.feed.position(), type: 'reset', data: JSON.stringify(reset) });
      } else {
        for (const entry of missed) text += sseFrame(entry);
      }
    }
    this.send(text);
    if (this.closed) return;
    this.unsubscribe = this.feed.subscribe((entry: FeedEntry) => this.send(sseFrame(entry)));
    this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), this.settings.heartbeatMs);
    this.heartbeat.unref();
  }

  private send(text: string): void {
    if (this.closed) return;
    this.output.write(text);
    const buffered = this.output.bufferedBytes;
    if (buffered > this.settings.maxBufferedBytes) {
      this.feed.readerDropped?.({ bufferedBytes: buffered, remote: this.remote });
      this.output.abort();
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
  }
}
