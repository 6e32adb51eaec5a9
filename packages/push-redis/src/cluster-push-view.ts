/**
 * ClusterPushView: what any node's API lists. Reads, in two pipelined round trips,
 * the definitions, the node set, every lease and every node's presence and live
 * state, and merges them: a push's record is its definition, with the live fields
 * (state, counters, times, errors) of the node that holds its lease — only an entry
 * written under the lease's current token, so an old owner's leftover state is never
 * shown as current. A push no node runs is `ready` with zero counters.
 */
import {
  formatPushTime,
  IDLE_PUSH_COUNTERS,
  type PushFilter,
  type PushRecord,
  type StoredPush,
  type StreamRef,
} from '@sluice/push';
import type { ClusterKeys } from './cluster-keys.js';
import { decodeDefinitions, sortedById } from './definition-codec.js';
import { parseLive, parsePresence, type LiveEntry, type NodePresence } from './live-codec.js';
import { safeLog, type RegistryLogger } from './logger.js';
import { LuaScript } from './lua-script.js';
import { parseLeaseValue, type LeaseHolder } from './lease.js';
import { execAll, type RedisConnection } from './redis-connection.js';

/** A push record of the cluster: the node that runs it, and its lease's token, added. */
export interface ClusterPushRecord extends PushRecord {
  /** The node holding the lease (the one running it); absent when no node runs it. */
  node?: string;
  /** Fencing token of that lease. */
  leaseToken?: number;
}

/** Everything one read saw. */
export interface ClusterSnapshot {
  records: ClusterPushRecord[];
  nodes: NodePresence[];
}

/** Options of ClusterPushView. */
export interface ClusterPushViewOptions {
  /** Fixed UTC offset (minutes east) for the times of pushes no node runs; default the local offset. */
  utcOffsetMinutes?: number | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** KEYS[1] nodes set, KEYS[2..n] presence keys; ARGV the names: removes each name whose presence is (still) gone. */
const pruneScript = new LuaScript(
  'pruneNodes',
  `for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('SREM', KEYS[1], ARGV[i - 1]) end
end
return 0`,
);

const streamRefKey = (s: StreamRef): string => JSON.stringify([s.vhost, s.app, s.name]);

/** Reads of the cluster's pushes and nodes. Every method rejects with RegistryUnavailable when Redis is unreachable. */
export class ClusterPushView {
  private readonly logger: RegistryLogger;
  private readonly utcOffsetMinutes: number | undefined;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ClusterKeys,
    options: ClusterPushViewOptions = {},
  ) {
    this.logger = options.logger ?? console;
    this.utcOffsetMinutes = options.utcOffsetMinutes;
  }

  /** Records matching the filter, sorted by id. */
  async list(filter: PushFilter = {}): Promise<ClusterPushRecord[]> {
    return (await this.snapshot(filter)).records;
  }

  /** One record, or undefined. */
  async get(id: string): Promise<ClusterPushRecord | undefined> {
    return (await this.snapshot({ id })).records[0];
  }

  /** Live nodes (presence not expired), sorted by name. `operation` words a RegistryUnavailable. */
  async nodes(operation = 'list the nodes'): Promise<NodePresence[]> {
    return (await this.snapshot({}, true, operation)).nodes;
  }

  /** Live nodes where `stream` is published now (normally one). */
  async nodesWithStream(stream: StreamRef): Promise<NodePresence[]> {
    const key = streamRefKey(stream);
    return (await this.nodes()).filter((n) => n.streams.some((s) => streamRefKey(s) === key));
  }

  /** Records and nodes in one read. `nodesOnly` skips definitions and leases. */
  async snapshot(filter: PushFilter = {}, nodesOnly = false, operation = 'list the pushes'): Promise<ClusterSnapshot> {
    const first = await this.connection.run(operation, async (r) => {
      const batch = r.pipeline();
      batch.smembers(this.keys.nodes);
      if (nodesOnly) return execAll(batch);
      if (filter.id !== undefined) batch.hmget(this.keys.pushes, filter.id);
      else batch.hgetall(this.keys.pushes);
      return execAll(batch);
    });
    const [names, definitions] = first;
    const pushes = nodesOnly ? new Map<string, StoredPush>() : this.definitionsOf(definitions, filter.id);
    const wanted = sortedById(pushes.values()).filter((p) => matches(p, filter));
    const nodeNames = (names as string[]).slice().sort();
    const replies = await this.connection.run(operation, async (r) => {
      const batch = r.pipeline();
      if (wanted.length > 0) batch.mget(...wanted.map((p) => this.keys.lease(p.id)));
      for (const name of nodeNames) {
        batch.get(this.keys.node(name));
        if (!nodesOnly) batch.hgetall(this.keys.live(name));
      }
      return execAll(batch);
    });
    let at = 0;
    const leases = wanted.length > 0 ? (replies[at++] as Array<string | null>) : [];
    const nodes: NodePresence[] = [];
    const live = new Map<string, LiveEntry[]>();
    const gone: string[] = [];
    for (const name of nodeNames) {
      const presence = parsePresence(replies[at++] as string | null);
      const entries = nodesOnly ? {} : (replies[at++] as Record<string, string>);
      if (presence === null) gone.push(name);
      else nodes.push(presence);
      for (const [id, json] of Object.entries(entries)) {
        const entry = parseLive(name, json);
        if (entry === null || entry.record.id !== id) continue;
        const list = live.get(id);
        if (list === undefined) live.set(id, [entry]);
        else list.push(entry);
      }
    }
    if (gone.length > 0) this.prune(gone);
    const records = wanted.map((push, i) => {
      const value = leases[i] ?? null;
      return this.merge(push, value === null ? null : parseLeaseValue(value), live.get(push.id) ?? []);
    });
    if (!nodesOnly) this.addConfigPushes(records, live, pushes, filter);
    return { records, nodes };
  }

  private definitionsOf(reply: unknown, id: string | undefined): Map<string, StoredPush> {
    const report = (bad: string, reason: string): void =>
      safeLog(this.logger, 'warn', `stored push [${bad}] skipped: ${reason}`);
    if (id !== undefined) {
      const json = (reply as Array<string | null>)[0];
      return json === null || json === undefined
        ? new Map<string, StoredPush>()
        : decodeDefinitions([id, json], report);
    }
    const flat: string[] = [];
    for (const [key, json] of Object.entries(reply as Record<string, string>)) flat.push(key, json);
    return decodeDefinitions(flat, report);
  }

  /** The record of a stored push: the live entry written under the current lease, else a push no node runs. */
  private merge(push: StoredPush, holder: LeaseHolder | null, entries: readonly LiveEntry[]): ClusterPushRecord {
    const entry =
      holder !== null
        ? entries.find((e) => e.node === holder.node && e.token === holder.token)
        : newest(entries.filter((e) => e.token !== undefined));
    if (entry === undefined) {
      const record: ClusterPushRecord = this.idleRecord(push);
      if (holder !== null) {
        record.node = holder.node;
        record.leaseToken = holder.token;
        record.lastError = `Node [${holder.node}] holds this push but has not published its state (starting, or down or cut off from Redis)`;
      }
      return record;
    }
    // The definition is authoritative for what the push is; the node for what it does (tracks: those it selected).
    const record: ClusterPushRecord = {
      ...entry.record,
      ...definitionFields(push, entry.record.stream?.tracks ?? []),
      node: entry.node,
    };
    if (entry.token !== undefined) record.leaseToken = entry.token;
    return record;
  }

  /** StreamMap pushes are not stored (every node's StreamMap file defines them): listed from the node running each. */
  private addConfigPushes(
    records: ClusterPushRecord[],
    live: ReadonlyMap<string, LiveEntry[]>,
    stored: ReadonlyMap<string, StoredPush>,
    filter: PushFilter,
  ): void {
    let added = false;
    for (const [id, entries] of live) {
      if (stored.has(id)) continue;
      const configEntries = entries.filter((e) => e.record.isConfig === true);
      const entry = newest(configEntries.filter((e) => e.record.state !== 'ready')) ?? newest(configEntries);
      if (entry === undefined) continue;
      const { vhost, app } = entry.record;
      if (!matches({ id, vhost, app }, filter)) continue;
      const record: ClusterPushRecord = { ...entry.record, node: entry.node };
      if (entry.token !== undefined) record.leaseToken = entry.token;
      records.push(record);
      added = true;
    }
    if (added) records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The record of a push no node runs (yet): `ready`, zero counters (what a fresh create answers). */
  idleRecord(push: StoredPush): ClusterPushRecord {
    const fmt = (ms: number): string =>
      this.utcOffsetMinutes === undefined ? formatPushTime(ms) : formatPushTime(ms, this.utcOffsetMinutes);
    const never = fmt(0);
    return {
      ...definitionFields(push, push.stream.tracks ?? []),
      ...IDLE_PUSH_COUNTERS,
      createdTime: fmt(push.createdTime),
      startTime: never,
      finishTime: never,
      droppedFrames: 0,
    };
  }

  /** Removes names whose presence expired from the node set (best effort, in the background). */
  private prune(names: string[]): void {
    this.connection
      .run('prune dead nodes', (r) =>
        pruneScript.run(r, [this.keys.nodes, ...names.map((n) => this.keys.node(n))], names),
      )
      .catch(() => undefined);
  }
}

/** The record fields a definition decides. */
function definitionFields(
  push: StoredPush,
  tracks: readonly number[],
): Pick<PushRecord, 'id' | 'vhost' | 'app' | 'stream' | 'protocol' | 'url' | 'streamKey' | 'isConfig'> {
  const stream: PushRecord['stream'] = { name: push.stream.name, tracks: [...tracks] };
  if (push.stream.variantNames !== undefined) stream.variantNames = [...push.stream.variantNames];
  return {
    id: push.id,
    vhost: push.vhost,
    app: push.app,
    stream,
    protocol: push.protocol,
    url: push.url,
    streamKey: push.streamKey,
    isConfig: push.isConfig === true,
  };
}

function matches(push: { id: string; vhost: string; app: string }, filter: PushFilter): boolean {
  return (
    (filter.vhost === undefined || push.vhost === filter.vhost) &&
    (filter.app === undefined || push.app === filter.app) &&
    (filter.id === undefined || push.id === filter.id)
  );
}

/** The entry with the highest token (ties: the latest heartbeat). */
function newest(entries: readonly LiveEntry[]): LiveEntry | undefined {
  let best: LiveEntry | undefined;
  for (const e of entries) {
    if (
      best === undefined ||
      (e.token ?? 0) > (best.token ?? 0) ||
      ((e.token ?? 0) === (best.token ?? 0) && e.at > best.at)
    )
      best = e;
  }
  return best;
}
