/**
 * The two Redis connections of a node (commands; pub/sub, which Redis dedicates to
 * subscriptions), with the failure behaviour the registry needs: every operation
 * fails at once with RegistryUnavailable while Redis is unreachable (no offline
 * queue, no resending after a reconnection, a command timeout), the client
 * reconnects by itself forever with a capped backoff, and connection changes are
 * logged once per transition and emitted as events.
 */
import { EventEmitter } from 'node:events';
import { Redis, type ChainableCommander } from 'ioredis';
import { errorText, RegistryUnavailable } from './errors.js';
import { safeLog, type RegistryLogger } from './logger.js';
import { emitSafely } from './safe-emit.js';

/** Options of RedisConnection. Only `url` is required. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). */
  url: string;
  /** Longest wait for a TCP connection to Redis. Default 2000. */
  connectTimeoutMs?: number | undefined;
  /** A command without a reply after this long fails (RegistryUnavailable). Default 1000. */
  commandTimeoutMs?: number | undefined;
  /** Reconnection delays grow 100, 200, 400 ms... up to this. Default 2000. */
  reconnectMaxDelayMs?: number | undefined;
  /** Shown in Redis's CLIENT LIST. */
  connectionName?: string | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
  /** While unreachable, a reminder is logged this often. Default 30000. */
  stillDownLogEveryMs?: number | undefined;
  /**
   * The pub/sub connection is PINGed this often; no answer within the command timeout
   * and it is reconnected (a subscriber expects nothing, so a silently dead TCP path —
   * a partition, a NAT that forgot us — would otherwise go unnoticed for many minutes).
   * Default 5000.
   */
  subscriberPingMs?: number | undefined;
}

/** Consecutive command timeouts after which the command connection is dropped and made again. */
const TIMEOUTS_BEFORE_RECONNECT = 2;

/** Events of RedisConnection. Listeners that throw are isolated (their error is logged). */
export interface RedisConnectionEvents {
  /** The command connection is ready (the first time, or again after a loss). */
  up: [];
  /** The command connection was lost (or its first attempt failed). */
  down: [Error];
  /** Every registered channel is subscribed (again): messages flow from now on. */
  subscribed: [];
  /** The pub/sub connection was lost: messages published from now on until `subscribed` are missed. */
  unsubscribed: [];
}

type MessageHandler = (message: string) => void;

/** host:port/db of a Redis url, without credentials (for messages and logs). */
export function redisAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Redis url is not a url: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new TypeError(`Redis url must start with redis:// or rediss://, got ${JSON.stringify(url)}`);
  const db = parsed.pathname.replace(/^\/+/, '');
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}${db === '' ? '' : `/${db}`}`;
}

/** A node's connections to Redis. */
export class RedisConnection extends EventEmitter<RedisConnectionEvents> {
  /** host:port[/db], for messages. */
  readonly address: string;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly logger: RegistryLogger;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly stillDownLogEveryMs: number;
  private readonly commandTimeoutMs: number;
  private started = false;
  private closed = false;
  private everUp = false;
  private downSince: number | undefined;
  private lastDownLog = 0;
  private lastError = 'not connected yet';
  private subscribedNow = false;
  private consecutiveTimeouts = 0;
  private pinging = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly subscriberPingMs: number;

  constructor(options: RedisConnectionOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    this.address = redisAddress(options.url);
    this.logger = options.logger ?? console;
    this.stillDownLogEveryMs = options.stillDownLogEveryMs ?? 30_000;
    const maxDelay = options.reconnectMaxDelayMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.subscriberPingMs = options.subscriberPingMs ?? 5000;
    const common = {
      lazyConnect: true,
      // Fail fast: a command issued while disconnected is rejected at once (503), never queued.
      enableOfflineQueue: false,
      // A command in flight when the connection drops is rejected, never silently resent
      // after the reconnection (an acquire resent later would hand out a lease nobody knows of).
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: this.commandTimeoutMs,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 10), maxDelay),
      // RESP2: the long-proven reply path of ioredis (RESP3 is new in ioredis 6 and buys us nothing here).
      protocol: 2 as const,
      connectionName: options.connectionName,
    };
    this.commands = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, common);
    this.watchCommands();
    this.watchSubscriber();
  }

  /** True while commands can be sent. */
  get available(): boolean {
    return !this.closed && this.commands.status === 'ready';
  }

  /** True while the pub/sub connection is subscribed to every registered channel. */
  get subscribed(): boolean {
    return this.subscribedNow;
  }

  /** Why Redis is unavailable (the last connection error), for messages. */
  get lastErrorText(): string {
    return this.lastError;
  }

  /** Starts connecting (both connections) and returns at once; failures are logged and retried forever. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.commands.connect().catch(() => undefined); // reported through 'error'/'close'; ioredis keeps retrying
    this.subscriber.connect().catch(() => undefined);
    this.pingTimer = setInterval(() => this.pingSubscriber(), this.subscriberPingMs).unref();
  }

  /** Resolves true once commands can be sent, false after `timeoutMs`. */
  async whenAvailable(timeoutMs: number): Promise<boolean> {
    if (this.available) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('up', onUp);
        resolve(this.available);
      }, timeoutMs);
      const onUp = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('up', onUp);
    });
  }

  /**
   * Runs `fn` with the command connection. Rejects with RegistryUnavailable at once
   * when Redis is not connected, and wraps any error `fn` meets (connection lost,
   * timeout, error reply) in RegistryUnavailable. `fn` should only talk to Redis:
   * domain errors are thrown by the caller from what `fn` returns.
   */
  async run<T>(operation: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.closed) throw new RegistryUnavailable(operation, this.address, 'the connection was closed');
    if (this.commands.status !== 'ready')
      throw new RegistryUnavailable(operation, this.address, `not connected (${this.lastError})`);
    try {
      const result = await fn(this.commands);
      this.consecutiveTimeouts = 0;
      return result;
    } catch (error) {
      if (error instanceof RegistryUnavailable) throw error;
      this.noteTimeout(error);
      throw new RegistryUnavailable(operation, this.address, this.describe(error), { cause: error });
    }
  }

  /**
   * Delivers every message of `channel` to `handler` (subscribing when connected and
   * again after every reconnection). Returns the function that removes the handler.
   */
  subscribe(channel: string, handler: MessageHandler): () => void {
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.subscriber.status === 'ready') {
        // A channel added while connected: subscribed now; until then `subscribed` stays as it was.
        this.subscriber.subscribe(channel).catch((error: unknown) => {
          safeLog(this.logger, 'warn', `cannot subscribe to ${channel}: ${errorText(error)}; reconnecting`);
          this.subscriber.disconnect(true);
        });
      }
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /** Closes both connections at once (pending commands fail); no reconnection after. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribedNow = false;
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    const quit = async (client: Redis): Promise<void> => {
      if (client.status === 'ready') {
        try {
          await client.quit();
          return;
        } catch {
          // fall through to disconnect
        }
      }
      client.disconnect();
    };
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  /**
   * A Redis that stopped answering (paused, overloaded, or a silent network path) keeps
   * its TCP connection, so every command would wait out the timeout. After a few
   * timeouts in a row the connection is dropped and made again: while Redis does not
   * answer the reconnection's ready check, commands fail at once instead.
   */
  private noteTimeout(error: unknown): void {
    if (!/command timed out/i.test(errorText(error))) return;
    if (++this.consecutiveTimeouts < TIMEOUTS_BEFORE_RECONNECT || this.closed) return;
    this.consecutiveTimeouts = 0;
    this.lastError = `no reply within ${this.commandTimeoutMs} ms`;
    safeLog(this.logger, 'warn', `Redis at ${this.address} does not answer (commands timed out); reconnecting`);
    this.commands.disconnect(true);
  }

  private pingSubscriber(): void {
    if (this.closed || !this.subscribedNow || this.pinging || this.subscriber.status !== 'ready') return;
    this.pinging = true;
    this.subscriber.ping().then(
      () => {
        this.pinging = false;
      },
      (error: unknown) => {
        this.pinging = false;
        if (this.closed || !this.subscribedNow) return;
        this.subscriberLost(`it does not answer PING (${errorText(error)})`);
        this.subscriber.disconnect(true);
      },
    );
  }

  /** From now on messages may be missed, until `subscribed` again. */
  private subscriberLost(why: string): void {
    this.subscribedNow = false;
    // Harmless alone (the feed reloads once resubscribed); a whole outage is logged by the command connection.
    safeLog(this.logger, 'info', `pub/sub connection to Redis at ${this.address}: ${why}; resubscribing`);
    this.safeEmit('unsubscribed');
  }

  /** The client's words for a failure, put plainly. */
  private describe(error: unknown): string {
    const text = errorText(error);
    if (/max retries per request/i.test(text)) return 'the connection was lost before the reply';
    if (/enableOfflineQueue/.test(text)) return `not connected (${this.lastError})`;
    if (/command timed out/i.test(text)) return `no reply within ${this.commandTimeoutMs} ms (command timed out)`;
    return text;
  }

  private watchCommands(): void {
    const c = this.commands;
    c.on('error', (error: Error) => {
      this.lastError = errorText(error);
    });
    c.on('ready', () => {
      this.lastError = 'connection closed'; // until an 'error' says more
      const wasDown = this.downSince;
      this.downSince = undefined;
      if (!this.everUp) safeLog(this.logger, 'info', `connected to Redis at ${this.address}`);
      else
        safeLog(
          this.logger,
          'info',
          `reconnected to Redis at ${this.address}${wasDown === undefined ? '' : ` after ${Math.round((Date.now() - wasDown) / 100) / 10} s`}`,
        );
      this.everUp = true;
      this.safeEmit('up');
    });
    c.on('close', () => {
      if (this.closed) return;
      const now = Date.now();
      if (this.downSince === undefined) {
        this.downSince = now;
        this.lastDownLog = now;
        safeLog(
          this.logger,
          'warn',
          this.everUp
            ? `lost the connection to Redis at ${this.address} (${this.lastError}); reconnecting`
            : `cannot reach Redis at ${this.address} (${this.lastError}); retrying`,
        );
        this.safeEmit('down', new RegistryUnavailable('stay connected', this.address, this.lastError));
      } else if (now - this.lastDownLog >= this.stillDownLogEveryMs) {
        this.lastDownLog = now;
        safeLog(
          this.logger,
          'warn',
          `Redis at ${this.address} still unreachable after ${Math.round((now - this.downSince) / 1000)} s (${this.lastError}); retrying`,
        );
      }
    });
  }

  private watchSubscriber(): void {
    const s = this.subscriber;
    s.on('error', () => undefined); // the command connection reports the same outage
    s.on('message', (channel: string, message: string) => {
      const set = this.handlers.get(channel);
      if (set === undefined) return;
      for (const handler of set) {
        try {
          handler(message);
        } catch (error) {
          safeLog(this.logger, 'error', `a handler of ${channel} threw: ${errorText(error)}`);
        }
      }
    });
    s.on('ready', () => {
      const channels = [...this.handlers.keys()];
      const subscribed = channels.length === 0 ? Promise.resolve() : s.subscribe(...channels);
      subscribed.then(
        () => {
          if (this.closed) return;
          this.subscribedNow = true;
          this.safeEmit('subscribed');
        },
        (error: unknown) => {
          safeLog(
            this.logger,
            'warn',
            `cannot subscribe on Redis at ${this.address}: ${errorText(error)}; reconnecting`,
          );
          s.disconnect(true);
        },
      );
    });
    s.on('close', () => {
      if (!this.subscribedNow || this.closed) return;
      this.subscriberLost('closed');
    });
  }

  private safeEmit(event: keyof RedisConnectionEvents, ...args: [] | [Error]): void {
    emitSafely(this, this.logger, event, ...args);
  }
}

/** Runs a MULTI or pipeline and returns its results, throwing the first command error. */
export async function execAll(batch: ChainableCommander): Promise<unknown[]> {
  const replies = await batch.exec();
  if (replies === null) throw new Error('transaction aborted');
  return replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
