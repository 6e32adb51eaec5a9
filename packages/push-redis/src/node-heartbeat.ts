/**
 * NodeHeartbeat: once per interval (never per packet), one Lua call writes this node's
 * presence (name, API url, streams published here) and replaces the live state of
 * every push it runs, both with a TTL of a few intervals, so a dead node's presence
 * and live state vanish by themselves. The same call returns the cluster's definition
 * version, which PushChangeFeed compares with its own to catch a missed change.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { StreamRef } from '@sluice/push';
import type { ClusterKeys } from './cluster-keys.js';
import { errorText, NodeNameInUse } from './errors.js';
import { encodeLive, type LivePush, type NodePresence } from './live-codec.js';
import { safeLog, type RegistryLogger } from './logger.js';
import { LuaScript } from './lua-script.js';
import { monotonicClock, type MonotonicClock, type TimerHandle } from './monotonic-clock.js';
import type { NodeIdentity } from './lease.js';
import type { RedisConnection } from './redis-connection.js';
import { emitSafely } from './safe-emit.js';

/**
 * KEYS[1] node presence, KEYS[2] nodes set, KEYS[3] live hash, KEYS[4] version counter.
 * ARGV[1] node name, ARGV[2] instance, ARGV[3] TTL ms, ARGV[4] presence JSON,
 * ARGV[5..] push id, live JSON pairs. Refuses (returns {0, holder instance}) when
 * another live instance holds the name; else returns {1, version}.
 */
const heartbeatScript = new LuaScript(
  'heartbeat',
  `local current = redis.call('GET', KEYS[1])
if current then
  local ok, doc = pcall(cjson.decode, current)
  if ok and type(doc) == 'table' and doc['instance'] ~= ARGV[2] then return {0, tostring(doc['instance'])} end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
local n = #ARGV
local i = 5
while i <= n do
  local last = math.min(i + 999, n)
  redis.call('HSET', KEYS[3], unpack(ARGV, i, last))
  i = last + 1
end
if n >= 5 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
return {1, tonumber(redis.call('GET', KEYS[4]) or '0')}`,
);

/** KEYS as heartbeat's first three, ARGV[1] name, ARGV[2] instance: removes this instance's presence and live state. */
const leaveScript = new LuaScript(
  'leave',
  `local current = redis.call('GET', KEYS[1])
if current then
  local ok, doc = pcall(cjson.decode, current)
  if ok and type(doc) == 'table' and doc['instance'] ~= ARGV[2] then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`,
);

/** Options of NodeHeartbeat. */
export interface NodeHeartbeatOptions {
  /** Period of the heartbeat. Default 1000. */
  intervalMs?: number | undefined;
  /** TTL of presence and live state; at least twice the interval. Default 3500. */
  ttlMs?: number | undefined;
  /** Shortest gap between two heartbeats asked for with publishSoon(). Default 200. */
  minSpacingMs?: number | undefined;
  /** This node's API url, announced to the others. */
  apiUrl?: string | undefined;
  /** Streams published on this node now. Default none. */
  streams?: (() => Iterable<StreamRef>) | undefined;
  /** Pushes this node runs now. Default none. */
  live?: (() => Iterable<LivePush>) | undefined;
  /**
   * The node's statistics (any JSON value), published with its presence at every
   * heartbeat (`NodePresence.stats`): counters at the heartbeat's rate, never per packet.
   */
  stats?: (() => unknown) | undefined;
  clock?: MonotonicClock | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** What one heartbeat wrote and read. */
export interface HeartbeatResult {
  /** The cluster's definition version. */
  version: number;
  pushes: number;
  streams: number;
}

/** Events of NodeHeartbeat. Listeners that throw are isolated (logged). */
export interface NodeHeartbeatEvents {
  published: [HeartbeatResult];
  /** Another live process uses this node name; nothing was written. */
  nameInUse: [NodeNameInUse];
}

/** Publishes one node's presence and live push state. */
export class NodeHeartbeat extends EventEmitter<NodeHeartbeatEvents> {
  readonly intervalMs: number;
  readonly ttlMs: number;
  private readonly minSpacingMs: number;
  private readonly clock: MonotonicClock;
  private readonly logger: RegistryLogger;
  private readonly startedAt = Date.now();
  private timer: TimerHandle | undefined;
  private inFlight: Promise<HeartbeatResult> | undefined;
  private again = false;
  private lastStart = -Infinity;
  private failing = false;
  private nameInUseLogged = false;
  private started = false;
  private stopped = false;
  private readonly offUp: () => void;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ClusterKeys,
    readonly identity: NodeIdentity,
    private readonly options: NodeHeartbeatOptions = {},
  ) {
    super();
    this.intervalMs = options.intervalMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 3500;
    this.minSpacingMs = options.minSpacingMs ?? 200;
    if (!(this.intervalMs > 0) || !(this.ttlMs >= 2 * this.intervalMs))
      throw new RangeError('intervalMs must be positive and ttlMs at least twice intervalMs');
    this.clock = options.clock ?? monotonicClock;
    this.logger = options.logger ?? console;
    const onUp = (): void => this.publishSoon();
    connection.on('up', onUp);
    this.offUp = () => connection.off('up', onUp);
  }

  /** Starts the periodic heartbeat (the first one at once). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** Asks for a heartbeat soon (a stream was published or ended), at most one per minSpacingMs. */
  publishSoon(): void {
    if (!this.started || this.stopped) return;
    if (this.inFlight !== undefined) {
      this.again = true;
      return;
    }
    this.schedule(Math.max(0, this.lastStart + this.minSpacingMs - this.clock.now()));
  }

  /**
   * One heartbeat now. Rejects with RegistryUnavailable (Redis unreachable) or
   * NodeNameInUse (another live process has this name; nothing written).
   */
  async publishNow(): Promise<HeartbeatResult> {
    if (this.stopped) throw new Error(`the heartbeat of node [${this.identity.node}] is stopped`);
    if (this.inFlight !== undefined) {
      this.again = true;
      return this.inFlight;
    }
    this.lastStart = this.clock.now();
    this.inFlight = this.write().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops; with `leave` (default true) removes this node's presence and live state from Redis at once. */
  async stop(leave = true): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.offUp();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
    if (!leave) return;
    const { node, instance } = this.identity;
    try {
      await this.connection.run(`remove node [${node}] from the cluster`, (r) =>
        leaveScript.run(r, [this.keys.node(node), this.keys.nodes, this.keys.live(node)], [node, instance]),
      );
    } catch (error) {
      safeLog(this.logger, 'warn', `${errorText(error)}; its presence expires within ${this.ttlMs} ms`);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.connection.available) {
      // The connection logs the outage; publish again as soon as it is back ('up').
      this.schedule(this.intervalMs);
      return;
    }
    try {
      await this.publishNow();
      if (this.failing) safeLog(this.logger, 'info', `node [${this.identity.node}] published its state again`);
      this.failing = false;
      this.nameInUseLogged = false;
    } catch (error) {
      if (error instanceof NodeNameInUse) {
        if (!this.nameInUseLogged) safeLog(this.logger, 'error', error.message);
        this.nameInUseLogged = true;
        emitSafely(this, this.logger, 'nameInUse', error);
      } else {
        if (!this.failing) safeLog(this.logger, 'warn', `heartbeat failed: ${errorText(error)}; retrying`);
        this.failing = true;
      }
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      this.schedule(this.minSpacingMs);
    } else {
      this.schedule(this.intervalMs);
    }
  }

  private async write(): Promise<HeartbeatResult> {
    const { node, instance } = this.identity;
    const at = Date.now();
    const pairs: string[] = [];
    const streams: StreamRef[] = [];
    let stats: unknown;
    try {
      for (const live of this.options.live?.() ?? []) pairs.push(live.record.id, encodeLive(live, at));
      for (const s of this.options.streams?.() ?? []) streams.push({ vhost: s.vhost, app: s.app, name: s.name });
      stats = this.options.stats?.();
    } catch (error) {
      throw new Error(`the node's state could not be read: ${errorText(error)}`, { cause: error });
    }
    const presence: NodePresence = {
      node,
      instance,
      ...(this.options.apiUrl === undefined ? {} : { apiUrl: this.options.apiUrl }),
      host: hostname(),
      pid: process.pid,
      streams,
      pushes: pairs.length / 2,
      startedAt: this.startedAt,
      updatedAt: at,
      ...(stats === undefined ? {} : { stats }),
    };
    const reply = (await this.connection.run(`publish the state of node [${node}]`, (r) =>
      heartbeatScript.run(
        r,
        [this.keys.node(node), this.keys.nodes, this.keys.live(node), this.keys.version],
        [node, instance, this.ttlMs, JSON.stringify(presence), ...pairs],
      ),
    )) as [number, number | string];
    if (reply[0] !== 1) throw new NodeNameInUse(node, String(reply[1]));
    const result: HeartbeatResult = { version: Number(reply[1]), pushes: pairs.length / 2, streams: streams.length };
    emitSafely(this, this.logger, 'published', result);
    return result;
  }
}
