/**
 * RedisPushStore: @sluice/push's PushStore on Redis, shared by every node of a
 * cluster. Definitions live in one hash (`sluice:{cluster}:pushes`, field = push id,
 * value = JSON); every change also bumps the cluster's version counter and publishes
 * the change (see PushChangeFeed). Operations fail at once with RegistryUnavailable
 * while Redis is unreachable.
 */
import { randomUUID } from 'node:crypto';
import { DuplicatePushId, PushLimitReached, type PushStore, type StoredPush } from '@sluice/push';
import type { ClusterKeys } from './cluster-keys.js';
import { decodeDefinition, decodeDefinitions, encodeDefinition, sortedById } from './definition-codec.js';
import { deleteDefinitionScript, writeDefinitionScript } from './definition-scripts.js';
import { safeLog, type RegistryLogger } from './logger.js';
import type { RedisConnection } from './redis-connection.js';

/** Options of RedisPushStore. */
export interface RedisPushStoreOptions {
  /** Told about a stored entry that is not a valid definition (it is skipped, left in place). Default: logged. */
  onInvalid?: ((id: string, reason: string) => void) | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** Options of RedisPushStore.create. */
export interface CreatePushOptions {
  /**
   * The application's cap (`<MaxPushes>`): the create is refused with PushLimitReached
   * when the cluster already stores that many definitions of the push's vhost/app
   * (counted in the same atomic step as the create). Default: no cap.
   */
  maxPushes?: number | undefined;
}

/** Push definitions of one cluster in Redis. */
export class RedisPushStore implements PushStore {
  private readonly onInvalid: (id: string, reason: string) => void;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ClusterKeys,
    options: RedisPushStoreOptions = {},
  ) {
    const logger = options.logger ?? console;
    this.onInvalid =
      options.onInvalid ??
      ((id, reason) => safeLog(logger, 'warn', `stored push [${id}] in ${keys.pushes} skipped: ${reason}`));
  }

  /** Every valid stored push, sorted by id. Rejects with RegistryUnavailable when Redis is unreachable. */
  async load(): Promise<StoredPush[]> {
    const flat = await this.connection.run('load the pushes', (r) => r.hgetall(this.keys.pushes));
    const pairs: string[] = [];
    for (const [id, json] of Object.entries(flat)) pairs.push(id, json);
    return sortedById(decodeDefinitions(pairs, (id, reason) => this.report(id, reason)).values());
  }

  /** One stored push, or undefined (also for an invalid entry, which is reported). */
  async get(id: string): Promise<StoredPush | undefined> {
    const json = await this.connection.run(`read push [${id}]`, (r) => r.hget(this.keys.pushes, id));
    if (json === null) return undefined;
    const push = decodeDefinition(id, json);
    if (typeof push === 'string') {
      this.report(id, push);
      return undefined;
    }
    return push;
  }

  /** Creates or replaces one push (atomically with its change notification). */
  async put(push: StoredPush): Promise<void> {
    await this.write(push, 'put');
  }

  /**
   * Creates one push unless its id exists anywhere in the cluster (atomic check):
   * rejects with DuplicatePushId when it does, PushLimitReached when its application
   * already has `maxPushes` definitions, RegistryUnavailable when Redis is unreachable.
   */
  async create(push: StoredPush, options: CreatePushOptions = {}): Promise<void> {
    const cap = options.maxPushes;
    if (cap !== undefined && !(Number.isSafeInteger(cap) && cap >= 0))
      throw new RangeError(`maxPushes must be a whole number, got ${cap}`);
    const version = await this.write(push, 'create', cap);
    if (version === 0) throw new DuplicatePushId(push.id);
    if (version === -1) throw new PushLimitReached(push.vhost, push.app, cap ?? 0);
  }

  /** Removes one push (absent ids are ignored). */
  async delete(id: string): Promise<void> {
    await this.remove(id);
  }

  /** Removes one push; resolves true when it existed, false when there was none. */
  async remove(id: string): Promise<boolean> {
    const version = await this.connection.run(`delete push [${id}]`, (r) =>
      deleteDefinitionScript.run(r, [this.keys.pushes, this.keys.version], [id, this.keys.changes]),
    );
    return Number(version) > 0;
  }

  /** Nothing to release: the connection belongs to whoever created it. */
  async close(): Promise<void> {}

  private async write(push: StoredPush, mode: 'put' | 'create', cap?: number): Promise<number> {
    const json = encodeDefinition(push);
    const version = await this.connection.run(`${mode === 'put' ? 'store' : 'create'} push [${push.id}]`, (r) =>
      writeDefinitionScript.run(
        r,
        [this.keys.pushes, this.keys.version, this.keys.epoch],
        [push.id, json, this.keys.changes, randomUUID(), mode, push.vhost, push.app, cap ?? ''],
      ),
    );
    return Number(version);
  }

  private report(id: string, reason: string): void {
    try {
      this.onInvalid(id, reason);
    } catch {
      // A throwing reporter must not fail the read.
    }
  }
}
