/**
 * PushRegistry: owns every push, validates startPush requests, runs one Push
 * per push, persists definitions through a PushStore and reports state changes as
 * events (EventEmitter) and as an async iterable.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { emitIsolated, systemClock, type Clock, type HostResolver } from '@sluice/media';
import { redactUrlSecrets } from './url-secrets.js';
import {
  DuplicatePushId,
  PushLimitReached,
  InvalidPushUrl,
  MissingPushParameter,
  PushNotFound,
  UnknownTrackId,
  UnsupportedProtocol,
} from './errors.js';
import { MemoryPushStore, type PushStore, type StoredPush } from './push-store.js';
import { renderPushRecord } from './push-record.js';
import { Push, type SessionContext, type SessionTimeouts } from './push.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './session-sender.js';
import type {
  PushFilter,
  PushProtocol,
  PushRecord,
  PushService,
  PushSinkFactory,
  PushSource,
  PushState,
  StartPushInput,
} from './types.js';

/** Options of PushRegistry. Only `source` and `sinks` are required. */
export interface PushRegistryOptions {
  /** The stream hub. */
  source: PushSource;
  /** Sink factory per protocol name (lower case). A protocol without one is unsupported. */
  sinks: Readonly<Record<PushProtocol, PushSinkFactory>>;
  /** Where definitions persist. Default: a MemoryPushStore. */
  store?: PushStore | undefined;
  /** Time source and timers. Default: the system clock. */
  clock?: Clock | undefined;
  /** Backoff between attempts. Default: 500 ms doubling to 5 s, ±20 % jitter, reset after 10 s pushed. */
  retry?: Partial<RetryPolicy> | undefined;
  /** Uniform random numbers in [0, 1) for jitter. Default Math.random. */
  random?: (() => number) | undefined;
  /** Bounds of each push's send queue. Default 8 MiB and 5000 ms. */
  queue?: Partial<QueueLimits> | undefined;
  /**
   * Milliseconds at which every session's output timeline starts (default 0, as in every
   * server: a session starts at 0 at its first keyframe). Set near 2^24, 2^31, 2^32 ms or
   * the MPEG-TS 33-bit wrap, it simulates a push that has run for days (the long-run tests).
   */
  timelineOriginMs?: number | undefined;
  /** Default 5000. */
  connectTimeoutMs?: number | undefined;
  /** Default 2000. */
  sendTimeoutMs?: number | undefined;
  /** Longest wait for a sink's close() on stop. Default 5000. */
  teardownTimeoutMs?: number | undefined;
  /** A `pushing` session that sends no media for this long while its source delivers ends and restarts; 0 = off. Default 5000. */
  noMediaTimeoutMs?: number | undefined;
  /** Per-application overrides of the timeouts (the server reads them from Server.xml). */
  timeoutsFor?:
    | ((scope: {
        vhost: string;
        app: string;
      }) => Partial<Pick<SessionTimeouts, 'connectTimeoutMs' | 'sendTimeoutMs' | 'noMediaTimeoutMs'>> | undefined)
    | undefined;
  /** Most pushes an application may hold at once (the server reads `<MaxPushes>`); undefined: no cap. StreamMap pushes count but are never refused. */
  maxPushesFor?: ((scope: { vhost: string; app: string }) => number | undefined) | undefined;
  /**
   * How the pushes of an application resolve their destinations (the server's
   * `<Destinations>` policy: check every address, refuse denied ones); set on each
   * PushTarget. Undefined: the sinks' own (system) resolution.
   */
  resolveHostFor?: ((scope: { vhost: string; app: string }) => HostResolver | undefined) | undefined;
  /** Generates ids for pushes started without one. Default: crypto.randomUUID. */
  generateId?: (() => string) | undefined;
  /** Fixed UTC offset (minutes east) for rendered times; default the local offset. */
  utcOffsetMinutes?: number | undefined;
  /** The push's current bit rate (bit/s), measured by the server; shown as the record's `bitrate`. */
  bitrateOf?: ((id: string) => number | undefined) | undefined;
}

/** One state change of one push. `from` is null when the push was just created. */
export interface PushStateChange {
  id: string;
  from: PushState | null;
  to: PushState;
  /** The record right after the change. */
  record: PushRecord;
  /** Why the push entered `error`. */
  error?: Error | undefined;
}

/** Events of PushRegistry. */
export interface PushRegistryEvents {
  /** Every state change, including creation (from: null) and the final `stopped`. */
  change: [PushStateChange];
  /** A stopped push left the registry. */
  removed: [PushRecord];
  /** A store operation failed, or restored data was rejected (the registry keeps running). */
  storeError: [Error];
}

/** What start() restored. */
export interface RestoreResult {
  restored: string[];
  rejected: Array<{ id: string; reason: string }>;
}

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
};

const notNegative = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be 0 or a positive number, got ${value}`);
  return value;
};

/** The push registry. Synchronous API (PushService); persistence runs in the background (see flush()). */
export class PushRegistry extends EventEmitter<PushRegistryEvents> implements PushService {
  private readonly sessions = new Map<string, Push>();
  private readonly source: PushSource;
  private readonly sinks: Partial<Record<string, PushSinkFactory>>;
  readonly store: PushStore;
  private readonly clock: Clock;
  private readonly ctx: SessionContext;
  private readonly defaults: SessionTimeouts;
  private readonly timeoutsFor: PushRegistryOptions['timeoutsFor'];
  private readonly maxPushesFor: PushRegistryOptions['maxPushesFor'];
  private readonly resolveHostFor: PushRegistryOptions['resolveHostFor'];
  private readonly generateId: () => string;
  private readonly utcOffsetMinutes: number | undefined;
  private readonly bitrateOf: PushRegistryOptions['bitrateOf'];
  private readonly pendingStoreOps = new Set<Promise<void>>();
  private readonly teardowns = new Map<string, () => void>();

  constructor(options: PushRegistryOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.source === undefined) throw new TypeError('options.source is required');
    if (options.sinks === undefined) throw new TypeError('options.sinks is required');
    this.source = options.source;
    this.sinks = { ...options.sinks };
    this.store = options.store ?? new MemoryPushStore();
    this.clock = options.clock ?? systemClock;
    this.timeoutsFor = options.timeoutsFor;
    this.maxPushesFor = options.maxPushesFor;
    this.resolveHostFor = options.resolveHostFor;
    this.generateId = options.generateId ?? randomUUID;
    this.utcOffsetMinutes = options.utcOffsetMinutes;
    this.bitrateOf = options.bitrateOf;
    this.defaults = {
      connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 5000),
      sendTimeoutMs: positive('sendTimeoutMs', options.sendTimeoutMs ?? 2000),
      teardownTimeoutMs: positive('teardownTimeoutMs', options.teardownTimeoutMs ?? 5000),
      noMediaTimeoutMs: notNegative('noMediaTimeoutMs', options.noMediaTimeoutMs ?? 5000),
    };
    const limits: QueueLimits = { ...DEFAULT_QUEUE_LIMITS, ...options.queue };
    positive('queue.maxBytes', limits.maxBytes);
    positive('queue.maxDurationMs', limits.maxDurationMs);
    this.ctx = {
      source: this.source,
      clock: this.clock,
      retry: resolveRetryPolicy(options.retry),
      random: options.random ?? Math.random,
      limits,
      timelineOriginMs: notNegative('timelineOriginMs', options.timelineOriginMs ?? 0),
      changed: (session, from, error) => this.reportChange(session, from, error),
      tornDown: (session) => this.remove(session),
    };
  }

  /** Restores the store's pushes; each resumes by itself. Never throws: problems go to `storeError`. */
  async start(): Promise<RestoreResult> {
    const result: RestoreResult = { restored: [], rejected: [] };
    let stored: StoredPush[];
    try {
      stored = await this.store.load();
    } catch (error) {
      this.emitStoreError(error);
      return result;
    }
    for (const push of stored) {
      const reason = this.checkStored(push);
      if (reason !== null) {
        result.rejected.push({ id: push.id, reason });
        this.emitStoreError(new Error(`Stored push [${push.id}] not restored: ${reason}`));
        continue;
      }
      this.add(push);
      result.restored.push(push.id);
    }
    return result;
  }

  /** Creates a push (contract, startPush). Throws MissingPushParameter, DuplicatePushId, UnsupportedProtocol, InvalidPushUrl or UnknownTrackId. */
  startPush(input: StartPushInput): PushRecord {
    const definition = this.normalise(input);
    if (definition.isConfig !== true) this.checkLimit(definition.vhost, definition.app);
    // Persist first: a change listener may stop the push while it is being added, and its delete must come after.
    if (definition.isConfig !== true) this.track(this.store.put(definition));
    return this.render(this.add(definition));
  }

  /**
   * Validates a startPush request into the definition startPush would store, without
   * creating anything (a cluster stores it in its shared registry first). Throws what
   * startPush throws; DuplicatePushId only for ids held here.
   */
  prepare(input: StartPushInput): StoredPush {
    return this.normalise(input);
  }

  /**
   * Runs a push defined elsewhere (a cluster's shared registry) without storing it:
   * the session starts as for a restored push. Throws DuplicatePushId while a push with
   * this id is held here (also while it is being torn down), or UnsupportedProtocol /
   * InvalidPushUrl when this node cannot run it.
   */
  runStored(definition: StoredPush): PushRecord {
    if (this.sessions.has(definition.id)) throw new DuplicatePushId(definition.id);
    const factory = this.factoryFor(definition.protocol);
    if (factory === undefined) throw new UnsupportedProtocol(definition.protocol);
    const urlProblem = factory.checkUrl(definition.url);
    if (urlProblem !== null) throw new InvalidPushUrl(definition.url, definition.protocol, urlProblem);
    return this.render(this.add(structuredClone(definition)));
  }

  /** Throws PushLimitReached when the application holds as many pushes as its cap. */
  private checkLimit(vhost: string, app: string): void {
    const limit = this.maxPushesFor?.({ vhost, app });
    if (limit === undefined) return;
    let held = 0;
    for (const session of this.sessions.values())
      if (session.definition.vhost === vhost && session.definition.app === app) held++;
    if (held >= limit) throw new PushLimitReached(vhost, app, limit);
  }

  /** Stops a push; its record as it is now (`stopping`, or `stopped` when nothing had to close). Throws PushNotFound. */
  stopPush(id: string, scope?: { vhost: string; app: string }): PushRecord {
    const session = this.sessions.get(id);
    if (
      session === undefined ||
      (scope !== undefined && (session.definition.vhost !== scope.vhost || session.definition.app !== scope.app))
    ) {
      throw new PushNotFound(id);
    }
    if (!session.isStopping) {
      if (session.definition.isConfig !== true) this.track(this.store.delete(id));
      session.stop();
    }
    return this.render(session);
  }

  /** Records matching the filter, sorted by id (pushes being torn down included). */
  listPushes(filter: PushFilter = {}): PushRecord[] {
    const out: PushRecord[] = [];
    if (filter.id !== undefined) {
      const session = this.sessions.get(filter.id);
      if (session !== undefined && matches(session, filter)) out.push(this.render(session));
      return out;
    }
    const ids = [...this.sessions.keys()].sort(compareIds);
    for (const id of ids) {
      const session = this.sessions.get(id) as Push;
      if (matches(session, filter)) out.push(this.render(session));
    }
    return out;
  }

  /** One record, or undefined. */
  getPush(id: string): PushRecord | undefined {
    const session = this.sessions.get(id);
    return session === undefined ? undefined : this.render(session);
  }

  /** Number of pushes held (including those being torn down). */
  get size(): number {
    return this.sessions.size;
  }

  /** State changes as an async iterable, from the moment this is called; end it with `signal` or return(). */
  changes(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<PushStateChange> {
    const inner = on(this as unknown as EventEmitter, 'change', options) as AsyncIterableIterator<[PushStateChange]>;
    const iterator: AsyncIterableIterator<PushStateChange> = {
      next: async () => {
        const step = await inner.next();
        return step.done === true ? { done: true, value: undefined } : { done: false, value: step.value[0] };
      },
      return: async () => {
        await inner.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Resolves when every store write started so far has finished. */
  async flush(): Promise<void> {
    while (this.pendingStoreOps.size > 0) await Promise.allSettled([...this.pendingStoreOps]);
  }

  /**
   * Shuts down: stops every session (sinks closed) without deleting any definition, so
   * a later start() restores them; then waits for the store.
   */
  async close(): Promise<void> {
    const waits: Array<Promise<void>> = [];
    for (const session of this.sessions.values()) {
      waits.push(new Promise<void>((resolve) => this.teardowns.set(session.definition.id, resolve)));
      session.stop();
    }
    await Promise.all(waits);
    await this.flush();
    await this.store.close?.();
  }

  /** Creates and starts the session of a definition (a listener of its creation may already stop it). */
  private add(definition: StoredPush): Push {
    const factory = this.factoryFor(definition.protocol) as PushSinkFactory;
    const override = this.timeoutsFor?.({ vhost: definition.vhost, app: definition.app }) ?? {};
    const timeouts: SessionTimeouts = {
      connectTimeoutMs: override.connectTimeoutMs ?? this.defaults.connectTimeoutMs,
      sendTimeoutMs: override.sendTimeoutMs ?? this.defaults.sendTimeoutMs,
      teardownTimeoutMs: this.defaults.teardownTimeoutMs,
      noMediaTimeoutMs: override.noMediaTimeoutMs ?? this.defaults.noMediaTimeoutMs,
    };
    const scope = { vhost: definition.vhost, app: definition.app };
    const session = new Push(definition, factory, timeouts, this.ctx, this.resolveHostFor?.(scope));
    this.sessions.set(definition.id, session);
    this.reportChange(session, null, undefined);
    if (!session.isStopping) session.begin();
    return session;
  }

  /** Validates and normalises a startPush request into a definition (contract, startPush rules). */
  private normalise(input: StartPushInput): StoredPush {
    const protocol = typeof input.protocol === 'string' ? input.protocol.trim() : '';
    const url = typeof input.url === 'string' ? input.url.trim().replace(/\/+$/, '') : '';
    const name = input.stream?.name;
    const missing: string[] = [];
    if (typeof name !== 'string' || name === '') missing.push('stream.name');
    if (protocol === '') missing.push('protocol');
    if (url === '') missing.push('url');
    if (this.factoryFor(protocol.toLowerCase())?.requiresStreamKey === true && typeof input.streamKey !== 'string')
      missing.push('streamKey');
    if (missing.length > 0) throw new MissingPushParameter(missing);
    let id = input.id ?? '';
    if (id === '') {
      do id = this.generateId();
      while (this.sessions.has(id));
    } else if (this.sessions.has(id)) {
      throw new DuplicatePushId(id);
    }
    const key = protocol.toLowerCase();
    const factory = this.factoryFor(key);
    if (factory === undefined) throw new UnsupportedProtocol(protocol);
    const urlProblem = factory.checkUrl(url);
    if (urlProblem !== null) throw new InvalidPushUrl(url, key, urlProblem);
    const tracks = input.stream.tracks;
    if (tracks !== undefined && tracks.length > 0) {
      const live = this.source.tracksOf({ vhost: input.vhost, app: input.app, name: name });
      if (live !== undefined) {
        const unknown = tracks.find((t) => !live.some((l) => l.id === t));
        if (unknown !== undefined) throw new UnknownTrackId(unknown, name);
      }
    }
    const definition: StoredPush = {
      id,
      vhost: input.vhost,
      app: input.app,
      stream: { name: name },
      protocol: key,
      url,
      streamKey: (input.streamKey ?? '').trim(),
      createdTime: this.clock.now(),
    };
    if (tracks !== undefined && tracks.length > 0) definition.stream.tracks = [...tracks];
    if (input.stream.variantNames !== undefined && input.stream.variantNames.length > 0)
      definition.stream.variantNames = [...input.stream.variantNames];
    if (input.isConfig === true) definition.isConfig = true;
    return definition;
  }

  /** The sink factory of a (lower-case) protocol. Own properties only: a protocol named `constructor` or `__proto__` is unsupported, not Object's. */
  private factoryFor(protocol: string): PushSinkFactory | undefined {
    return Object.hasOwn(this.sinks, protocol) ? this.sinks[protocol] : undefined;
  }

  /** Why a stored push cannot be restored, or null. */
  private checkStored(push: StoredPush): string | null {
    if (this.sessions.has(push.id)) return 'a push with this id already exists';
    const factory = this.factoryFor(push.protocol);
    if (factory === undefined) return `unsupported protocol [${push.protocol}]`;
    const urlProblem = factory.checkUrl(push.url);
    return urlProblem === null ? null : `invalid url [${redactUrlSecrets(push.url)}]: ${redactUrlSecrets(urlProblem)}`;
  }

  private render(session: Push): PushRecord {
    const record = renderPushRecord(session, this.clock.now(), this.utcOffsetMinutes);
    const bitrate = this.bitrateOf?.(record.id);
    if (bitrate !== undefined) record.bitrate = bitrate;
    return record;
  }

  private reportChange(session: Push, from: PushState | null, error: Error | undefined): void {
    if (this.listenerCount('change') === 0) return;
    const change: PushStateChange = {
      id: session.definition.id,
      from,
      to: session.state,
      record: this.render(session),
    };
    if (error !== undefined) change.error = error;
    this.safeEmit('change', change);
  }

  private remove(session: Push): void {
    const id = session.definition.id;
    if (this.sessions.get(id) !== session) return;
    this.sessions.delete(id);
    if (this.listenerCount('removed') > 0) this.safeEmit('removed', this.render(session));
    const resolve = this.teardowns.get(id);
    this.teardowns.delete(id);
    resolve?.();
  }

  /** Emits without letting a throwing listener corrupt a state machine: its error is rethrown asynchronously. */
  private safeEmit<K extends keyof PushRegistryEvents>(event: K, ...args: PushRegistryEvents[K]): void {
    emitIsolated(this, event, args);
  }

  private track(operation: Promise<void>): void {
    const tracked = operation
      .catch((error: unknown) => this.emitStoreError(error))
      .finally(() => this.pendingStoreOps.delete(tracked));
    this.pendingStoreOps.add(tracked);
  }

  private emitStoreError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('storeError') > 0) this.safeEmit('storeError', err);
  }
}

function matches(session: Push, filter: PushFilter): boolean {
  const def = session.definition;
  return (
    (filter.vhost === undefined || def.vhost === filter.vhost) &&
    (filter.app === undefined || def.app === filter.app) &&
    (filter.id === undefined || def.id === filter.id)
  );
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
