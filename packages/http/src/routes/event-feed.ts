/**
 * The event source `GET /v1/events` reads (implemented by the server's event bus), and
 * the Server-Sent Events framing of its entries.
 */

/** One event, already serialized: `data` is one line of JSON. */
export interface FeedEntry {
  /** The SSE `id`; absent for events that are not kept for resuming (periodic `stats`). */
  readonly id?: string | undefined;
  /** The SSE `event` field (`push.state`, `stats`, ...). */
  readonly type: string;
  /** JSON text without line breaks. */
  readonly data: string;
}

/** What `/v1/events` needs from the server. */
export interface EventFeed {
  /**
   * The kept entries after `lastEventId`, oldest first; undefined when that id is not
   * known (older than the kept history, or from another run of the server).
   */
  since(lastEventId: string): readonly FeedEntry[] | undefined;
  /** The id of the newest event so far: where a reader that lost its place resumes from. */
  position(): string;
  /** Calls `listener` with every new entry (synchronously); returns the function that stops it. */
  subscribe(listener: (entry: FeedEntry) => void): () => void;
  /** Called when a reader was dropped for reading too slowly (for metrics and logs). */
  readerDropped?(info: { bufferedBytes: number; remote: string }): void;
}

/** The SSE frame of one entry: `id`, `event`, `data` lines and the blank line. */
export function sseFrame(entry: FeedEntry): string {
  const id = entry.id === undefined ? '' : `id: ${entry.id}\n`;
  return `${id}event: ${entry.type}\ndata: ${entry.data}\n\n`;
}
