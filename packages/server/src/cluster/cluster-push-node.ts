/**
 * ClusterPushNode: this server's share of a cluster (`<Server><Cluster>`). The API's
 * push actions act on the registry shared through Redis (`@sluice/push-redis`); the
 * local PushRegistry only runs the pushes this node holds the lease of. A push runs
 * where its stream is published: the node claims the lease when the stream goes live
 * here and gives it up (after its session is torn down) when the stream ends; a lost
 * lease stops the session at once. Loaded with a dynamic import only when a cluster is
 * configured, so single-node embedders never load a Redis client.
 */
import {
  DuplicatePushId,
  PushNotFound,
  type PushFilter,
  type PushRecord,
  type PushRegistry,
  type PushService,
  type StartPushInput,
  type StoredPush,
  type StreamRef,
} from '@sluice/push';
import {
  RedisPushCluster,
  RegistryUnavailable,
  type Lease,
  type LeaseLoss,
  type LivePush,
  type NodePresence,
  type RegistryLogger,
} from '@sluice/push-redis';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { StreamHub } from '../hub/stream-hub.js';
import type { Logger } from '../log/logger.js';

/** What a node needs to run its share. */
export interface ClusterPushNodeOptions {
  config: ClusterConfig;
  /** The local runner: a memory store, sinks guarded by `leaseOf`. */
  registry: PushRegistry;
  hub: StreamHub;
  log: Logger;
  /** This node's API address announced to the others (default `<ApiUrl>`). */
  apiUrl?: string | undefined;
  /** An application's `<MaxPushes>`: checked against the cluster's registry, atomically. */
  maxPushesFor?: ((scope: { vhost: string; app: string }) => number | undefined) | undefined;
  /** This node's stats digest, published with its presence at every heartbeat. */
  stats?: (() => unknown) | undefined;
}

/** The lease timings of a lease timeout: the defaults of @sluice/push-redis at 10 s, scaled below. */
export function leaseTimings(ttlMs: number): { ttlMs: number; marginMs: number; renewIntervalMs: number } {
  return {
    ttlMs,
    marginMs: Math.min(1500, Math.round(ttlMs / 4)),
    renewIntervalMs: Math.min(3000, Math.round(ttlMs / 3)),
  };
}

const sameStream = (push: StoredPush, ref: StreamRef): boolean =>
  push.vhost === ref.vhost && push.app === ref.app && push.stream.name === ref.name;

/** One node of a cluster: the API's PushService, and the runner of the pushes it owns. */
export class ClusterPushNode implements PushService {
  readonly cluster: RedisPushCluster;
  private readonly registry: PushRegistry;
  private readonly hub: StreamHub;
  private readonly log: Logger;
  /** Ids this node claims (their stream is published here). */
  private readonly claimed = new Set<string>();
  /** Ids whose local session is being stopped. */
  private readonly stopping = new Set<string>();
  /** Ids stopped through this node whose `delete` message has not come back yet: not run again meanwhile. */
  private readonly deleted = new Set<string>();
  /** Ids this node cannot run (protocol or url refused here): never claimed. */
  private readonly unrunnable = new Set<string>();
  /** StreamMap pushes that could not be stored while Redis was unreachable: created when it is back. */
  private readonly pendingConfig = new Map<string, StartPushInput>();
  private readonly cleanups: Array<() => void> = [];
  private readonly maxPushesFor: ClusterPushNodeOptions['maxPushesFor'];
  private closing = false;

  constructor(options: ClusterPushNodeOptions) {
    const { config, registry, hub, log } = options;
    this.registry = registry;
    this.hub = hub;
    this.log = log;
    this.maxPushesFor = options.maxPushesFor;
    const logger: RegistryLogger = {
      info: (m) => log.info(m, { node: config.nodeName }),
      warn: (m) => log.warn(m, { node: config.nodeName }),
      error: (m) => log.error(m, { node: config.nodeName }),
    };
    this.cluster = new RedisPushCluster({
      url: config.redisUrl,
      node: config.nodeName,
      cluster: config.name,
      apiUrl: options.apiUrl ?? config.apiUrl,
      streams: () => hub.liveStreams().map((s) => s.ref),
      live: () => this.livePushes(),
      stats: options.stats,
      leases: leaseTimings(config.leaseTimeoutMs),
      logger,
    });
    const { feed, leases, connection } = this.cluster;
    feed.on('put', (push) => {
      this.deleted.delete(push.id);
      this.reconcile(push.id);
    });
    feed.on('delete', (id) => {
      this.deleted.delete(id);
      this.unrunnable.delete(id);
      this.reconcile(id);
    });
    leases.on('acquired', (lease: Lease) => this.reconcile(lease.id));
    leases.on('lost', (loss: LeaseLoss) => this.onLost(loss));
    const onUp = (): void => this.createPendingConfig();
    connection.on('up', onUp);
    this.cleanups.push(() => connection.off('up', onUp));
    const onRemoved = (record: PushRecord): void => {
      this.stopping.delete(record.id);
      this.reconcile(record.id);
    };
    registry.on('removed', onRemoved);
    this.cleanups.push(() => registry.off('removed', onRemoved));
    this.cleanups.push(
      hub.listen({
        onStreamStart: (info) => this.onStream(info.ref),
        onStreamEnd: (info) => this.onStream(info.ref),
      }),
    );
  }

  /** The valid lease this node holds for a push (the sink guard's lookup). */
  leaseOf(id: string): Lease | undefined {
    return this.cluster.leases.lease(id);
  }

  /** Connects to Redis (retried and logged while unreachable; never throws). */
  start(): void {
    this.cluster.start();
  }

  /** Leaves the cluster: releases every lease and this node's presence. Stop the local registry first. */
  async close(): Promise<void> {
    this.closing = true;
    for (const off of this.cleanups.splice(0)) off();
    await this.cluster.close();
  }

  /**
   * Stores a new push cluster-wide: DuplicatePushId when any node has the id,
   * PushLimitReached when its application holds `<MaxPushes>` pushes in the cluster
   * (StreamMap pushes count but are never refused, as on one node), RegistryUnavailable → 503.
   */
  async startPush(input: StartPushInput): Promise<PushRecord> {
    const definition = this.registry.prepare(input);
    const maxPushes =
      definition.isConfig === true ? undefined : this.maxPushesFor?.({ vhost: definition.vhost, app: definition.app });
    try {
      await this.cluster.store.create(definition, { maxPushes });
    } catch (error) {
      if (error instanceof RegistryUnavailable && definition.isConfig === true)
        this.pendingConfig.set(definition.id, { ...input, id: definition.id });
      throw error;
    }
    this.pendingConfig.delete(definition.id);
    // The feed's `put` (a few ms away) makes the node with the stream claim it.
    return this.cluster.view.idleRecord(definition);
  }

  /** Removes a push cluster-wide; the node running it stops it at once. */
  async stopPush(id: string, scope?: { vhost: string; app: string }): Promise<PushRecord> {
    const before = await this.cluster.view.get(id);
    if (before === undefined || (scope !== undefined && (before.vhost !== scope.vhost || before.app !== scope.app)))
      throw new PushNotFound(id);
    if (!(await this.cluster.store.remove(id))) throw new PushNotFound(id);
    this.deleted.add(id);
    if (this.registry.getPush(id) !== undefined) {
      this.reconcile(id); // running here: stop now rather than when our own `delete` message comes back
      const local = this.registry.getPush(id);
      if (local !== undefined) return local;
    }
    return { ...before, state: before.node === undefined ? 'stopped' : 'stopping' };
  }

  /** The live nodes, each with the stats digest it published last (ClusterStats adds them up). */
  async nodes(): Promise<NodePresence[]> {
    return this.cluster.view.nodes('read the stats of the cluster');
  }

  /** Every push of the cluster, with the live state of the node running each. */
  async listPushes(filter?: PushFilter): Promise<PushRecord[]> {
    return this.cluster.view.list(filter);
  }

  /** Brings push `id` where it should be on this node: claimed, running, stopped or released. */
  private reconcile(id: string): void {
    if (this.closing) return;
    const { feed, leases } = this.cluster;
    const push = feed.definition(id);
    const wanted =
      push !== undefined &&
      !this.deleted.has(id) &&
      !this.unrunnable.has(id) &&
      this.hub.stream(refOf(push)) !== undefined;
    const lease = leases.lease(id);
    if (this.registry.getPush(id) !== undefined) {
      // Running (or being torn down): stop unless wanted under a valid lease; `removed` reconciles again.
      if ((!wanted || lease === undefined) && !this.stopping.has(id)) this.stopLocal(id);
      return;
    }
    if (wanted) {
      this.claimed.add(id);
      leases.claim(id);
      if (lease !== undefined) this.run(push, lease);
      return;
    }
    if (this.claimed.delete(id) || lease !== undefined) void leases.release(id);
  }

  private run(push: StoredPush, lease: Lease): void {
    try {
      this.registry.runStored(push);
      this.log.info('push runs on this node', {
        pushId: push.id,
        token: lease.token,
        node: this.cluster.identity.node,
      });
    } catch (error) {
      if (error instanceof DuplicatePushId) return; // a session of it is still here; `removed` reconciles
      this.unrunnable.add(push.id);
      this.log.warn(`push cannot run on this node: ${(error as Error).message}`, { pushId: push.id });
      this.reconcile(push.id); // releases it for a node that can
    }
    this.cluster.heartbeat.publishSoon();
  }

  private stopLocal(id: string): void {
    this.stopping.add(id);
    try {
      this.registry.stopPush(id);
    } catch (error) {
      if (!(error instanceof PushNotFound)) throw error;
      this.stopping.delete(id);
    }
    this.cluster.heartbeat.publishSoon();
  }

  /** Fencing: the session stops now, before any other node can acquire the lease. */
  private onLost(loss: LeaseLoss): void {
    if (this.registry.getPush(loss.id) !== undefined && !this.stopping.has(loss.id)) {
      this.log.warn(`push stopped here: lease lost (${loss.reason})`, { pushId: loss.id, token: loss.token });
      this.stopLocal(loss.id);
    } else {
      this.reconcile(loss.id);
    }
  }

  private onStream(ref: StreamRef): void {
    for (const push of this.cluster.feed.definitions.values()) if (sameStream(push, ref)) this.reconcile(push.id);
    this.cluster.heartbeat.publishSoon();
  }

  private createPendingConfig(): void {
    for (const input of [...this.pendingConfig.values()]) {
      this.startPush(input).then(
        () => this.log.info('StreamMap push created', { pushId: input.id }),
        (error: unknown) => {
          if (error instanceof RegistryUnavailable) return; // kept: tried again when Redis is back
          this.pendingConfig.delete(input.id ?? '');
          if (!(error instanceof DuplicatePushId))
            this.log.warn(`StreamMap push refused: ${(error as Error).message}`, { pushId: input.id });
        },
      );
    }
  }

  /** The pushes this node runs under a valid lease, for the heartbeat. */
  private livePushes(): LivePush[] {
    const out: LivePush[] = [];
    for (const record of this.registry.listPushes()) {
      const lease = this.cluster.leases.lease(record.id);
      if (lease !== undefined) out.push({ record, token: lease.token });
    }
    return out;
  }
}

function refOf(push: StoredPush): StreamRef {
  return { vhost: push.vhost, app: push.app, name: push.stream.name };
}
