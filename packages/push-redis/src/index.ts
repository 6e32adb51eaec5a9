/**
 * @sluice/push-redis: one push registry shared by several Sluice nodes through Redis
 * (ioredis). Kept apart from @sluice/push so single-node users never install a Redis
 * client. See README.md for the keys, the lease and fencing argument, and the cost in
 * Redis operations.
 */

/** One node's whole share of a cluster (connection, store, feed, leases, heartbeat, view) wired together. */
export { RedisPushCluster, type RedisPushClusterOptions } from './redis-push-cluster.js';

/** The two Redis connections of a node, failing fast and reconnecting by themselves. */
export {
  RedisConnection,
  redisAddress,
  type RedisConnectionEvents,
  type RedisConnectionOptions,
} from './redis-connection.js';

/** Names of every key and channel of a cluster (`sluice:{cluster}:...`), and the name rule. */
export { ClusterKeys, checkName } from './cluster-keys.js';

/** @sluice/push's PushStore on Redis, plus an atomic create that rejects duplicates cluster-wide. */
export { RedisPushStore, type RedisPushStoreOptions, type CreatePushOptions } from './redis-push-store.js';

/** Every node's current view of the definitions: put/delete events, never a missed change. */
export {
  PushChangeFeed,
  type FeedResync,
  type PushChangeFeedEvents,
  type PushChangeFeedOptions,
} from './push-change-feed.js';

/** Ownership of pushes by lease with TTL and fencing token. */
export { PushLeases, type PushLeasesEvents, type PushLeasesOptions } from './push-leases.js';

/** A lease, its holder, why it was lost, and the parsing of a lease key's value. */
export { parseLeaseValue, type Lease, type LeaseHolder, type LeaseLoss, type NodeIdentity } from './lease.js';

/** Periodic publication of a node's presence and the live state of its pushes. */
export {
  NodeHeartbeat,
  type HeartbeatResult,
  type NodeHeartbeatEvents,
  type NodeHeartbeatOptions,
} from './node-heartbeat.js';

/** What nodes publish: presence and live push entries. */
export type { LiveEntry, LivePush, NodePresence } from './live-codec.js';

/** Merged records (definition + live state + running node) and live nodes of the cluster. */
export {
  ClusterPushView,
  type ClusterPushRecord,
  type ClusterPushViewOptions,
  type ClusterSnapshot,
} from './cluster-push-view.js';

/** Typed errors: RegistryUnavailable (answer 503) and NodeNameInUse. */
export { NodeNameInUse, RegistryUnavailable } from './errors.js';

/** Logger interface and a silent one. */
export { silentLogger, type RegistryLogger } from './logger.js';

/** The monotonic clock and timers leases run on (injectable). */
export { monotonicClock, type MonotonicClock, type TimerHandle } from './monotonic-clock.js';
