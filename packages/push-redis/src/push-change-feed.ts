/**
 * PushChangeFeed: every node's live view of the cluster's push definitions. Changes
 * arrive through pub/sub (`{version} put {json}` / `{version} del {id}`, published by
 * the store's scripts atomically with the change) and are applied in version order.
 * Pub/sub drops what is published while a subscriber is disconnected, so the feed
 * reloads everything (one atomic snapshot: definitions + version + epoch) whenever it
 * (re)subscribes, whenever a message skips a version, and whenever the version Redis
 * reports (NodeHeartbeat reads it every tick) differs from its own; the reload is
 * diffed against what the feed knew and surfaces as the same put/delete events. A
 * message is never lost, at worst it is learnt one heartbeat late.
 *
 * Redis losing its data (restarted without persistence, flushed) shows as a new epoch:
 * the feed then re-creates the definitions it knew (only where absent), because no
 * node can have deleted them while Redis was down.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { StoredPush } from '@sluice/push';
import type { ClusterKeys } from './cluster-keys.js';
import { decodeDefinition, decodeDefinitions } from './definition-codec.js';
import { parseChangeMessage, snapshotScript, writeDefinitionScript, type ChangeMessage } from './definition-scripts.js';
import { safeLog, type RegistryLogger } from './logger.js';
import { monotonicClock, type MonotonicClock, type TimerHandle } from './monotonic-clock.js';
import { errorText } from './errors.js';
import type { RedisConnection } from './redis-connection.js';
import { emitSafely } from './safe-emit.js';

/** What one full reload found. */
export interface FeedResync {
  version: number;
  /** Definitions now known. */
  count: number;
  /** Redis had lost its data (new epoch) since the previous reload. */
  dataLoss: boolean;
  /** Definitions this feed re-created after a data loss. */
  restored: number;
}

/** Events of PushChangeFeed. Listeners that throw are isolated (logged). */
export interface PushChangeFeedEvents {
  /** A definition was created or replaced (also for each definition found by the first reload). */
  put: [StoredPush];
  /** A definition was removed. */
  delete: [string];
  /** A full reload finished (after its put/delete events). */
  resynced: [FeedResync];
}

/** Options of PushChangeFeed. */
export interface PushChangeFeedOptions {
  /** After a data loss, re-create the definitions this node knew. Default true. */
  restoreOnDataLoss?: boolean | undefined;
  /** A failed reload is retried after this long (and as soon as Redis is back). Default 1000. */
  retryMs?: number | undefined;
  /** How long a version ahead of ours (reported by the heartbeat) may wait for its message before a reload. Default 500. */
  lagGraceMs?: number | undefined;
  clock?: MonotonicClock | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** The cluster's push definitions, kept current. */
export class PushChangeFeed extends EventEmitter<PushChangeFeedEvents> {
  private readonly known = new Map<string, { push: StoredPush; json: string }>();
  private version = 0;
  private epoch: string | undefined;
  private needsResync = true;
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private buffered: ChangeMessage[] | undefined;
  private retryTimer: TimerHandle | undefined;
  private lagTimer: TimerHandle | undefined;
  private started = false;
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly restoreOnDataLoss: boolean;
  private readonly retryMs: number;
  private readonly lagGraceMs: number;
  private readonly clock: MonotonicClock;
  private readonly logger: RegistryLogger;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ClusterKeys,
    options: PushChangeFeedOptions = {},
  ) {
    super();
    this.restoreOnDataLoss = options.restoreOnDataLoss ?? true;
    this.retryMs = options.retryMs ?? 1000;
    this.lagGraceMs = options.lagGraceMs ?? 500;
    this.clock = options.clock ?? monotonicClock;
    this.logger = options.logger ?? console;
  }

  /** The definitions known now, by id. */
  get definitions(): ReadonlyMap<string, StoredPush> {
    return new Map([...this.known].map(([id, entry]) => [id, entry.push]));
  }

  /** One known definition. */
  definition(id: string): StoredPush | undefined {
    return this.known.get(id)?.push;
  }

  /** True when the last reload succeeded and no message was missed since (as far as the feed can tell). */
  get synced(): boolean {
    return !this.needsResync && this.resyncing === undefined && this.connection.subscribed;
  }

  /** The version of the last change applied. */
  get appliedVersion(): number {
    return this.version;
  }

  /** Subscribes; the first reload runs once the subscription is active (and again after every reconnection). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.unsubscribe.push(this.connection.subscribe(this.keys.changes, (m) => this.onMessage(m)));
    const onSubscribed = (): void => this.requestResync();
    const onUnsubscribed = (): void => {
      this.needsResync = true;
    };
    const onUp = (): void => {
      if (this.needsResync) this.requestResync();
    };
    this.connection.on('subscribed', onSubscribed);
    this.connection.on('unsubscribed', onUnsubscribed);
    this.connection.on('up', onUp);
    this.unsubscribe.push(
      () => this.connection.off('subscribed', onSubscribed),
      () => this.connection.off('unsubscribed', onUnsubscribed),
      () => this.connection.off('up', onUp),
    );
    if (this.connection.subscribed) this.requestResync();
  }

  /**
   * The cluster's current version as Redis reported it (NodeHeartbeat's reply). Behind
   * ours means Redis lost data: reload now. Ahead means a message is late or lost:
   * reload unless it arrives within `lagGraceMs`.
   */
  noteVersion(current: number): void {
    if (this.closed || this.resyncing !== undefined) return;
    if (current < this.version) {
      this.requestResync();
    } else if (current > this.version && this.lagTimer === undefined) {
      this.lagTimer = this.clock.setTimeout(() => {
        this.lagTimer = undefined;
        if (this.version < current) this.requestResync();
      }, this.lagGraceMs);
    }
  }

  /** Reloads everything now (also what the feed does by itself); resolves when done, never rejects. */
  async resync(): Promise<void> {
    if (this.closed) return;
    if (this.resyncing !== undefined) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = this.resyncLoop().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  /** Stops listening. */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    if (this.lagTimer !== undefined) this.clock.clearTimeout(this.lagTimer);
  }

  private requestResync(): void {
    this.needsResync = true;
    void this.resync();
  }

  private async resyncLoop(): Promise<void> {
    do {
      this.resyncAgain = false;
      this.needsResync = true;
      this.buffered = [];
      let ok = false;
      try {
        ok = await this.resyncOnce();
      } catch (error) {
        safeLog(this.logger, 'warn', `cannot reload the push definitions: ${errorText(error)}; retrying`);
      }
      const buffered = this.buffered;
      this.buffered = undefined;
      if (!ok) {
        this.scheduleRetry();
        return;
      }
      this.needsResync = false;
      for (const message of buffered) this.apply(message);
    } while (this.resyncAgain && !this.closed);
  }

  /** One reload; false when it must be retried later. */
  private async resyncOnce(): Promise<boolean> {
    if (!this.connection.available || !this.connection.subscribed) return false;
    let snapshot = await this.snapshot();
    const dataLoss = this.epoch !== undefined && snapshot.epoch !== this.epoch;
    let restored = 0;
    if (dataLoss) {
      const missing = [...this.known.values()].filter((entry) => !snapshot.pushes.has(entry.push.id));
      if (this.restoreOnDataLoss && missing.length > 0) {
        for (const entry of missing) restored += (await this.recreate(entry.push.id, entry.json)) ? 1 : 0;
        snapshot = await this.snapshot();
      }
      safeLog(
        this.logger,
        'warn',
        `Redis lost the cluster's data (epoch ${this.epoch} -> ${snapshot.epoch}): ` +
          (this.restoreOnDataLoss
            ? `re-created ${restored} of the ${missing.length} missing push definitions this node knew (other nodes re-create the same; the first one wins)`
            : `${missing.length} push definitions this node knew are gone`),
      );
    }
    this.epoch = snapshot.epoch;
    for (const id of [...this.known.keys()]) {
      if (!snapshot.pushes.has(id)) {
        this.known.delete(id);
        this.safeEmit('delete', id);
      }
    }
    for (const [id, push] of snapshot.pushes) {
      const json = JSON.stringify(push);
      if (this.known.get(id)?.json === json) continue;
      this.known.set(id, { push, json });
      this.safeEmit('put', push);
    }
    this.version = snapshot.version;
    this.safeEmit('resynced', { version: this.version, count: this.known.size, dataLoss, restored });
    return true;
  }

  private async snapshot(): Promise<{ epoch: string; version: number; pushes: Map<string, StoredPush> }> {
    const reply = (await this.connection.run('reload the push definitions', (r) =>
      snapshotScript.run(r, [this.keys.pushes, this.keys.version, this.keys.epoch], [randomUUID()]),
    )) as [string, number, number, unknown[]];
    const pushes = decodeDefinitions(reply[3], (id, reason) =>
      safeLog(this.logger, 'warn', `stored push [${id}] skipped: ${reason}`),
    );
    return { epoch: String(reply[0]), version: Number(reply[1]), pushes };
  }

  private async recreate(id: string, json: string): Promise<boolean> {
    const version = await this.connection.run(`re-create push [${id}]`, (r) =>
      writeDefinitionScript.run(
        r,
        [this.keys.pushes, this.keys.version, this.keys.epoch],
        [id, json, this.keys.changes, randomUUID(), 'create'],
      ),
    );
    return Number(version) > 0;
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.needsResync) void this.resync();
    }, this.retryMs);
  }

  private onMessage(text: string): void {
    const message = parseChangeMessage(text);
    if (message === null) {
      safeLog(this.logger, 'warn', `ignored a malformed change message on ${this.keys.changes}`);
      return;
    }
    if (this.buffered !== undefined) this.buffered.push(message);
    else this.apply(message);
  }

  /** Applies the next message in version order; a gap means a missed message: reload. */
  private apply(message: ChangeMessage): void {
    if (this.needsResync || message.version <= this.version) return;
    if (message.version !== this.version + 1) {
      this.requestResync();
      return;
    }
    this.version = message.version;
    if (message.op === 'del') {
      if (this.known.delete(message.id)) this.safeEmit('delete', message.id);
      return;
    }
    const push = decodeDefinition(undefined, message.json);
    if (typeof push === 'string') {
      safeLog(this.logger, 'warn', `ignored a change message with an invalid definition: ${push}`);
      return;
    }
    const json = JSON.stringify(push);
    if (this.known.get(push.id)?.json === json) return;
    this.known.set(push.id, { push, json });
    this.safeEmit('put', push);
  }

  private safeEmit<K extends keyof PushChangeFeedEvents>(event: K, ...args: PushChangeFeedEvents[K]): void {
    emitSafely(this, this.logger, event, ...args);
  }
}
