/**
 * The server's hold on its cluster share before and after it is loaded: the PushService
 * the API and the StreamMap use (answering 503 until the node is up), the lease guard of
 * the sinks, and the dynamic import of ./cluster-push-node.js, which is the only module
 * that imports `@sluice/push-redis` (an optional peer dependency of @sluice/server).
 */
import {
  PushRegistryUnavailable,
  type PushFilter,
  type PushProtocol,
  type PushRecord,
  type PushService,
  type PushSinkFactory,
  type StartPushInput,
} from '@sluice/push';
import type { ClusterConfig } from '../config/cluster-config.js';
import type * as ClusterPushNodeModule from './cluster-push-node.js';
import type { ClusterPushNode, ClusterPushNodeOptions } from './cluster-push-node.js';
import type { PeerStats } from './cluster-stats.js';
import { guardSinks } from './lease-guarded-sinks.js';

/** `<Cluster>` is configured but @sluice/push-redis cannot be loaded. */
export class ClusterSupportMissing extends Error {
  override readonly name = 'ClusterSupportMissing';
  constructor(reason: string) {
    super(
      `<Server><Cluster> is configured but @sluice/push-redis cannot be loaded (${reason}); install it next to @sluice/server`,
    );
  }
}

/** A cluster share, loaded by start(). */
export class ClusterSlot {
  private node: ClusterPushNode | undefined;
  private closed = false;

  /** The push actions of the API: those of the cluster (503 until start() has loaded it). */
  readonly service: PushService = {
    startPush: async (input: StartPushInput): Promise<PushRecord> => this.loaded('start the push').startPush(input),
    stopPush: async (id: string, scope?: { vhost: string; app: string }): Promise<PushRecord> =>
      this.loaded('stop the push').stopPush(id, scope),
    listPushes: async (filter?: PushFilter): Promise<PushRecord[]> => this.loaded('list the pushes').listPushes(filter),
  };

  constructor(readonly config: ClusterConfig) {}

  /** The live nodes and the stats each published (503 until start() has loaded the node). */
  async peers(): Promise<PeerStats[]> {
    return this.loaded('read the stats of the cluster').nodes();
  }

  /** The sink factories, each sink allowed to connect and send only under the push's lease. */
  guard(sinks: Readonly<Record<PushProtocol, PushSinkFactory>>): Record<PushProtocol, PushSinkFactory> {
    return guardSinks(sinks, (id) => this.node?.leaseOf(id));
  }

  /** Loads @sluice/push-redis and joins the cluster (Redis unreachable: retried and logged, not thrown). */
  async start(deps: Omit<ClusterPushNodeOptions, 'config'>): Promise<void> {
    if (this.node !== undefined || this.closed) return;
    let module: typeof ClusterPushNodeModule;
    try {
      module = await import('./cluster-push-node.js');
    } catch (error) {
      throw new ClusterSupportMissing((error as Error).message);
    }
    const node = new module.ClusterPushNode({ config: this.config, ...deps });
    this.node = node;
    node.start();
    deps.log.info('joined the cluster', {
      node: this.config.nodeName,
      cluster: this.config.name,
      redis: redactedUrl(this.config.redisUrl),
    });
  }

  /** Leaves the cluster (stop the local pushes first). */
  async close(): Promise<void> {
    this.closed = true;
    await this.node?.close();
  }

  private loaded(operation: string): ClusterPushNode {
    if (this.node === undefined)
      throw new PushRegistryUnavailable(
        `Push registry unavailable: cannot ${operation}: ${this.closed ? 'the server is stopping' : 'the node is starting'}`,
      );
    return this.node;
  }
}

/** A Redis url without its password. */
function redactedUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}
