/**
 * EventBus: the server's events, numbered and serialized once, kept in a bounded
 * history for `Last-Event-ID` resumes, handed synchronously to every subscriber
 * (event stream readers, webhooks). Ids are `{run}-{n}`: `run` changes with every
 * server start, so a reader's position from an earlier run is known to be lost.
 * Transient entries (the periodic `stats`) have no id and are not kept.
 */
import type { EventFeed, FeedEntry } from '@sluice/http';
import type { SluiceEvent, SluiceEventType } from './server-events.js';

/** A kept event: its id, type, JSON text and the event itself. */
export interface BusEntry extends FeedEntry {
  readonly id: string;
  readonly type: SluiceEventType;
  readonly event: SluiceEvent;
}

/** Options of EventBus. */
export interface EventBusOptions {
  /** Events kept for resuming (default 1000). */
  historySize?: number | undefined;
  /** The run part of the ids (default: the start time in base 36). */
  run?: string | undefined;
  /** A reader was dropped for reading too slowly. */
  onReaderDropped?: ((info: { bufferedBytes: number; remote: string }) => void) | undefined;
}

/** The server's event bus; also the EventFeed of `/v1/events`. */
export class EventBus implements EventFeed {
  private readonly history: BusEntry[] = [];
  private readonly historySize: number;
  private readonly run: string;
  private sequence = 0;
  private listeners: ReadonlyArray<(entry: FeedEntry) => void> = [];
  private keptListeners: ReadonlyArray<(entry: BusEntry) => void> = [];
  private readonly onReaderDropped: EventBusOptions['onReaderDropped'];
  /** Readers dropped for reading too slowly, since start. */
  droppedReaders = 0;

  constructor(options: EventBusOptions = {}) {
    this.historySize = options.historySize ?? 1000;
    if (!Number.isSafeInteger(this.historySize) || this.historySize < 1)
      throw new RangeError(`historySize must be a positive integer, got ${String(options.historySize)}`);
    this.run = options.run ?? Date.now().toString(36);
    if (!/^[0-9a-z]+$/.test(this.run)) throw new RangeError(`run must be [0-9a-z]+, got [${this.run}]`);
    this.onReaderDropped = options.onReaderDropped;
  }

  /** Numbers, keeps and delivers one event; returns its entry. */
  publish(event: SluiceEvent): BusEntry {
    this.sequence++;
    const entry: BusEntry = {
      id: `${this.run}-${this.sequence}`,
      type: event.type,
      data: JSON.stringify(event),
      event,
    };
    this.history.push(entry);
    if (this.history.length > this.historySize) this.history.shift();
    for (const listener of this.keptListeners) {
      try {
        listener(entry);
      } catch {
        // webhooks catch their own errors; one that throws does not stop the others
      }
    }
    this.deliver(entry);
    return entry;
  }

  /** Delivers an entry that is neither numbered nor kept (the periodic `stats`). */
  broadcast(type: string, payload: object): void {
    if (this.listeners.length === 0) return;
    this.deliver({ type, data: JSON.stringify(payload) });
  }

  since(lastEventId: string): readonly FeedEntry[] | undefined {
    const dash = lastEventId.lastIndexOf('-');
    if (dash < 0 || lastEventId.slice(0, dash) !== this.run) return undefined;
    const text = lastEventId.slice(dash + 1);
    if (!/^\d{1,15}$/.test(text)) return undefined;
    const seen = Number(text);
    if (seen > this.sequence) return undefined;
    const oldest = this.sequence - this.history.length + 1; // sequence of history[0]
    if (seen < oldest - 1) return undefined; // events between were dropped from the history
    return this.history.slice(seen - oldest + 1);
  }

  position(): string {
    return `${this.run}-${this.sequence}`;
  }

  subscribe(listener: (entry: FeedEntry) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Calls `listener` with every kept event (webhooks); returns the function that stops it. */
  onPublished(listener: (entry: BusEntry) => void): () => void {
    this.keptListeners = [...this.keptListeners, listener];
    return () => {
      this.keptListeners = this.keptListeners.filter((l) => l !== listener);
    };
  }

  readerDropped(info: { bufferedBytes: number; remote: string }): void {
    this.droppedReaders++;
    this.onReaderDropped?.(info);
  }

  /** Number of event stream readers. */
  get subscriberCount(): number {
    return this.listeners.length;
  }

  /** Events kept now. */
  get historyLength(): number {
    return this.history.length;
  }

  private deliver(entry: FeedEntry): void {
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // a reader's failure is its own
      }
    }
  }
}
