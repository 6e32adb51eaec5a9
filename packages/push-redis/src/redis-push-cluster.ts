/**
 * RedisPushCluster: one node's whole share of a cluster, wired together — the
 * connections, the definition store, the change feed, the leases, the heartbeat
 * (presence + live state) and the merged view — for a server to build its
 * cluster-aware push service on. Each part is usable on its own as well.
 */
import { randomUUID } from 'node:crypto';
import type { StreamRef } from '@sluice/push';
import { checkName, ClusterKeys } from './cluster-keys.js';
import { ClusterPushView } from './cluster-push-view.js';
import type { LivePush } from './live-codec.js';
import type { RegistryLogger } from './logger.js';
import type { MonotonicClock } from './monotonic-clock.js';
import { NodeHeartbeat, type NodeHeartbeatOptions } from './node-heartbeat.js';
import { PushChangeFeed, type PushChangeFeedOptions } from './push-change-feed.js';
import type { NodeIdentity } from './lease.js';
import { PushLeases, type PushLeasesOptions } from './push-leases.js';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { RedisPushStore } from './redis-push-store.js';

/** Options of RedisPushCluster. `url` and `node` are required. */
export interface RedisPushClusterOptions {
  /** `redis://host:port[/db]` (`<Cluster><Redis><Url>`). */
  url: string;
  /** This node's name (`<Cluster><NodeName>`): unique in the cluster. */
  node: string;
  /** Cluster name: nodes sharing one Redis and one name share one registry. Default 'default'. */
  cluster?: string | undefined;
  /** First part of every key. Default 'sluice'. */
  keyPrefix?: string | undefined;
  /** This node's API url, announced to the others. */
  apiUrl?: string | undefined;
  /** Streams published on this node now (read at every heartbeat). */
  streams?: (() => Iterable<StreamRef>) | undefined;
  /** Pushes this node runs now, with their records (read at every heartbeat). */
  live?: (() => Iterable<LivePush>) | undefined;
  /** This node's statistics (JSON), published with its presence at every heartbeat (`NodePresence.stats`). */
  stats?: (() => unknown) | undefined;
  connection?: Omit<RedisConnectionOptions, 'url' | 'logger'> | undefined;
  leases?: Omit<PushLeasesOptions, 'clock' | 'logger'> | undefined;
  heartbeat?: Pick<NodeHeartbeatOptions, 'intervalMs' | 'ttlMs' | 'minSpacingMs'> | undefined;
  feed?: Pick<PushChangeFeedOptions, 'restoreOnDataLoss' | 'retryMs' | 'lagGraceMs'> | undefined;
  /** Fixed UTC offset (minutes east) for times the view renders; default the local offset. */
  utcOffsetMinutes?: number | undefined;
  /** Process id in leases and presence. Default a random UUID. */
  instance?: string | undefined;
  clock?: MonotonicClock | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** One node of a Sluice cluster on Redis. */
export class RedisPushCluster {
  readonly keys: ClusterKeys;
  readonly identity: NodeIdentity;
  readonly connection: RedisConnection;
  /** Push definitions (create/put/delete/load). */
  readonly store: RedisPushStore;
  /** Every definition, kept current: put/delete events. */
  readonly feed: PushChangeFeed;
  /** Which node runs which push. */
  readonly leases: PushLeases;
  /** This node's presence and live push state. */
  readonly heartbeat: NodeHeartbeat;
  /** Merged records and live nodes of the whole cluster. */
  readonly view: ClusterPushView;

  constructor(options: RedisPushClusterOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const node = checkName('node', options.node);
    this.keys = new ClusterKeys(options.cluster ?? 'default', options.keyPrefix);
    this.identity = { node, instance: options.instance ?? randomUUID() };
    const logger = options.logger ?? console;
    const clock = options.clock;
    this.connection = new RedisConnection({
      connectionName: `sluice:${this.keys.cluster}:${node}`,
      ...options.connection,
      url: options.url,
      logger,
    });
    this.store = new RedisPushStore(this.connection, this.keys, { logger });
    this.feed = new PushChangeFeed(this.connection, this.keys, { ...options.feed, clock, logger });
    this.leases = new PushLeases(this.connection, this.keys, this.identity, { ...options.leases, clock, logger });
    this.heartbeat = new NodeHeartbeat(this.connection, this.keys, this.identity, {
      ...options.heartbeat,
      apiUrl: options.apiUrl,
      streams: options.streams,
      live: options.live,
      stats: options.stats,
      clock,
      logger,
    });
    this.view = new ClusterPushView(this.connection, this.keys, { utcOffsetMinutes: options.utcOffsetMinutes, logger });
    this.heartbeat.on('published', ({ version }) => this.feed.noteVersion(version));
  }

  /** Connects and starts every part; returns at once (an unreachable Redis is retried and logged, never thrown). */
  start(): void {
    this.feed.start();
    this.leases.start();
    this.heartbeat.start();
    this.connection.start();
  }

  /** Releases every lease, removes this node's presence and live state, and disconnects. */
  async close(): Promise<void> {
    this.feed.close();
    await this.leases.close();
    await this.heartbeat.stop(true);
    await this.connection.close();
  }
}
