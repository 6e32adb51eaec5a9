/**
 * WebhookEndpoint: one `<Webhook>`'s bounded queue and its delivery loop. Events are
 * POSTed one at a time, in the order they happened; a failed one (no 2xx within
 * `<Timeout>`, refused, reset) is tried again after an exponential, jittered wait, for as
 * long as it is younger than `<RetryTimeout>`, before any later event is sent. A full
 * queue drops its oldest waiting event. Enqueueing is O(1) and synchronous and never
 * waits for the network, so nothing on the media path or in the API waits for a receiver.
 */
import type { Logger } from '../log/logger.js';
import type { BusEntry } from '../observe/event-bus.js';
import { describeFetchError } from '../access/admission-webhook.js';
import { BoundedQueue } from './bounded-queue.js';
import { retryDelay } from './retry-delay.js';
import { redactUrl, type WebhookConfig } from './webhook-config.js';
import { signatureHeader } from './webhook-signature.js';

/** Why events were dropped. */
export type DropReason = 'overflow' | 'expired' | 'shutdown';

/** What an endpoint counted since it was created. */
export interface WebhookCounters {
  /** Events delivered (a 2xx answer). */
  deliveries: number;
  /** Attempts that failed. */
  failures: number;
  /** Attempts after the first of an event. */
  retries: number;
  /** Events given up, by reason. */
  dropped: Record<DropReason, number>;
}

/** Options of a WebhookEndpoint. */
export interface WebhookEndpointOptions {
  log: Logger;
  /** `User-Agent` of the requests. */
  userAgent: string;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch | undefined;
  /** Clock, ms (default Date.now). */
  now?: (() => number) | undefined;
  /** [0, 1) for the jitter (default Math.random). */
  random?: (() => number) | undefined;
}

/** An event waiting for delivery. */
interface Delivery {
  readonly entry: BusEntry;
  readonly queuedAt: number;
  attempts: number;
}

/** Drops are logged at most this often (the counters have every one). */
const DROP_LOG_INTERVAL_MS = 10_000;

/** One webhook receiver. */
export class WebhookEndpoint {
  readonly counters: WebhookCounters = {
    deliveries: 0,
    failures: 0,
    retries: 0,
    dropped: { overflow: 0, expired: 0, shutdown: 0 },
  };
  /** The URL as logs and metrics show it (no user information, no query). */
  readonly shownUrl: string;
  private readonly queue: BoundedQueue<Delivery>;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private current: Delivery | undefined;
  private pumping: Promise<void> | undefined;
  /** Consecutive failed attempts (0 when the last one succeeded). */
  private failureStreak = 0;
  /** When the next attempt may start (after a failure). */
  private nextAttemptAt = 0;
  private closed = false;
  private aborted = false;
  private inFlight: AbortController | undefined;
  private wake: (() => void) | undefined;
  private unloggedDrops: Record<DropReason, number> = { overflow: 0, expired: 0, shutdown: 0 };
  private lastDropLogAt = -Infinity;

  constructor(
    readonly config: WebhookConfig,
    private readonly options: WebhookEndpointOptions,
  ) {
    this.queue = new BoundedQueue(config.queueSize);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.shownUrl = redactUrl(config.url);
  }

  /** Events waiting, the one being delivered included. */
  get depth(): number {
    return this.queue.length + (this.current === undefined ? 0 : 1);
  }

  /** Queues an event if the filter takes it; never waits. */
  offer(entry: BusEntry): void {
    if (this.closed || !this.config.events.has(entry.type)) return;
    const dropped = this.queue.push({ entry, queuedAt: this.now(), attempts: 0 });
    if (dropped !== undefined) this.drop('overflow', 1);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  /**
   * Stops taking events and delivers what is queued for at most `drainMs`; then aborts the
   * request in flight and drops (and counts) what is left.
   */
  async close(drainMs: number): Promise<void> {
    this.closed = true;
    if (this.pumping !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([this.pumping, deadline]);
      clearTimeout(timer);
    }
    this.aborted = true;
    this.inFlight?.abort();
    this.wake?.();
    await this.pumping;
    const left = this.depth;
    this.current = undefined;
    this.queue.clear();
    if (left > 0) this.drop('shutdown', left);
    this.logDrops(true);
  }

  private async pump(): Promise<void> {
    while (!this.aborted) {
      const delivery = this.current ?? this.queue.shift();
      if (delivery === undefined) return;
      this.current = delivery;
      const deadline = delivery.queuedAt + this.config.retryTimeoutMs;
      if (this.nextAttemptAt > deadline) {
        // after failures, the endpoint's next attempt comes too late for this event
        this.current = undefined;
        this.drop('expired', 1);
        continue;
      }
      await this.sleepUntil(this.nextAttemptAt);
      if (this.aborted) return;
      if (delivery.attempts > 0) this.counters.retries++;
      delivery.attempts++;
      const failure = await this.attempt(delivery);
      if (failure === undefined) {
        if (this.failureStreak > 0)
          this.options.log.info(`webhook ${this.config.name}: delivering again`, {
            url: this.shownUrl,
            failedAttempts: this.failureStreak,
          });
        this.counters.deliveries++;
        this.failureStreak = 0;
        this.nextAttemptAt = 0;
        this.current = undefined;
        this.logDrops(false);
        continue;
      }
      if (this.aborted) return;
      this.counters.failures++;
      this.failureStreak++;
      const { retryInitialDelayMs, retryMaxDelayMs } = this.config;
      const wait = retryDelay(this.failureStreak, retryInitialDelayMs, retryMaxDelayMs, this.random);
      this.nextAttemptAt = this.now() + wait;
      this.options.log.warn(`webhook ${this.config.name}: delivery failed: ${failure}`, {
        url: this.shownUrl,
        event: delivery.entry.type,
        eventId: delivery.entry.id,
        attempt: delivery.attempts,
        retryInMs: this.nextAttemptAt > deadline ? undefined : wait,
      });
    }
  }

  /** One POST; undefined on a 2xx answer, else why it failed. */
  private async attempt(delivery: Delivery): Promise<string | undefined> {
    const { url, secretKey, timeoutMs } = this.config;
    const { entry } = delivery;
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.options.userAgent,
          'x-sluice-event': entry.type,
          'x-sluice-event-id': entry.id,
          'x-sluice-attempt': String(delivery.attempts),
          'x-sluice-signature': signatureHeader(secretKey, entry.data, this.now()),
        },
        body: entry.data,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status <= 299) return undefined;
      return `HTTP ${response.status}`;
    } catch (e) {
      if (controller.signal.aborted) return this.aborted ? 'shutting down' : `no answer within ${timeoutMs} ms`;
      return describeFetchError(e);
    } finally {
      clearTimeout(timer);
      this.inFlight = undefined;
    }
  }

  private sleepUntil(time: number): Promise<void> {
    const ms = time - this.now();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private drop(reason: DropReason, n: number): void {
    this.counters.dropped[reason] += n;
    this.unloggedDrops[reason] += n;
    this.logDrops(false);
  }

  /** Logs the drops not logged yet: now when `force`, else only if the last such line is old enough. */
  private logDrops(force: boolean): void {
    const { overflow, expired, shutdown } = this.unloggedDrops;
    if (overflow + expired + shutdown === 0) return;
    if (!force && this.now() - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    this.lastDropLogAt = this.now();
    this.unloggedDrops = { overflow: 0, expired: 0, shutdown: 0 };
    this.options.log.warn(`webhook ${this.config.name}: events dropped`, {
      url: this.shownUrl,
      overflow: overflow || undefined,
      expired: expired || undefined,
      shutdown: shutdown || undefined,
      queueSize: this.config.queueSize,
    });
  }
}
