/**
 * SseParser: the Server-Sent Events wire format (WHATWG HTML, "Parsing an event
 * stream"), fed text as it arrives in arbitrary chunks. Lines end in CRLF, LF or CR
 * (a CR at the end of one chunk and an LF at the start of the next are one line end);
 * `:` starts a comment; `field: value` loses one space after the colon; `data` lines
 * join with LF; an empty line dispatches. One leniency: an event with an `event` field
 * and no `data` is dispatched with data '' (EventSource drops it), so a bare
 * `event: reset` is not lost. A line or an event's data longer than
 * `maxEventChars` is a SseTooLargeError: the stream is broken, not buffered without bound.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, `message` when absent. */
  type: string;
  data: string;
  /** The last `id` seen so far on this stream ('' when none). */
  lastEventId: string;
}

/** What the parser reports besides events. */
export interface SseParserHandlers {
  onEvent(event: SseEvent): void;
  /** A `retry: N` field: the server's reconnection delay in milliseconds. */
  onRetry?(ms: number): void;
  /** A comment line (`: heartbeat`), without the colon. */
  onComment?(text: string): void;
}

/** A line or an event bigger than the parser's bound. */
export class SseTooLargeError extends Error {
  override readonly name = 'SseTooLargeError';
}

/** Default bound of one line / one event's data: 1 MiB of text. */
export const DEFAULT_MAX_EVENT_CHARS = 1024 * 1024;

/** Parses one event stream (one connection). */
export class SseParser {
  private pending = '';
  private skipLeadingLf = false;
  private started = false;
  private eventType = '';
  private data = '';
  private hasData = false;
  private lastEventId: string;

  constructor(
    private readonly handlers: SseParserHandlers,
    options: { lastEventId?: string; maxEventChars?: number } = {},
  ) {
    this.lastEventId = options.lastEventId ?? '';
    this.maxChars = options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS;
  }

  private readonly maxChars: number;

  /** Feeds decoded text. Throws SseTooLargeError past the bound. */
  push(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one leading U+FEFF BOM is dropped
    }
    let start = 0;
    if (this.skipLeadingLf && text.length > 0) {
      if (text[0] === '\n') start = 1;
      this.skipLeadingLf = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      this.line(this.pending + text.slice(start, i));
      this.pending = '';
      if (c === 0x0d) {
        if (i + 1 < text.length) {
          if (text[i + 1] === '\n') i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    if (start < text.length) {
      this.pending += text.slice(start);
      if (this.pending.length > this.maxChars)
        throw new SseTooLargeError(`event stream line longer than ${this.maxChars} characters`);
    }
  }

  /** The id to resume from (`Last-Event-ID`). */
  get resumeId(): string {
    return this.lastEventId;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line[0] === ':') {
      this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        if (this.data.length > this.maxChars)
          throw new SseTooLargeError(`event data longer than ${this.maxChars} characters`);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
      // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const dispatchable = this.hasData || this.eventType !== '';
    const event: SseEvent = { type: this.eventType || 'message', data: this.data, lastEventId: this.lastEventId };
    this.eventType = '';
    this.data = '';
    this.hasData = false;
    if (dispatchable) this.handlers.onEvent(event);
  }
}
