/**
 * OvenMediaEngine's stats of a cluster (`<Server><Cluster>`): every node publishes, with
 * its presence at each heartbeat (once a second, never per packet), the figures of
 * every scope it has something in — its vhosts and applications (counted since it
 * started) and the streams published on it (with their pushes, which run where the
 * stream is). Any node answers a stats request with its own figures, fresh, plus those
 * the other live nodes published: bytes and connections add up, times take the latest
 * (created: the earliest). A dead node's figures leave with its presence.
 */
import type { StatsSource, StatsView } from '@sluice/http';
import type { PushRegistry } from '@sluice/push';
import type { StreamHub } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import {
  renderStats,
  totalConnections,
  type ServerStats,
  type StatsFigures,
  type StatsScope,
} from '../observe/server-stats.js';

/** What a node publishes: its figures by scope key (scopeKeyOf). */
export interface NodeStatsDigest {
  scopes: Record<string, StatsFigures>;
}

/** What ClusterStats reads of another node: its name and the `stats` of its presence. */
export interface PeerStats {
  node: string;
  stats?: unknown;
}

/** The key of a scope in a digest: `["vhost"]`, `["vhost","app"]`, `["vhost","app","stream"]`. */
export function scopeKeyOf(scope: StatsScope): string {
  const parts = [scope.vhost];
  if (scope.app !== undefined) parts.push(scope.app);
  if (scope.app !== undefined && scope.stream !== undefined) parts.push(scope.stream);
  return JSON.stringify(parts);
}

const isEmpty = (f: StatsFigures): boolean =>
  f.bytesIn === 0 && f.bytesOut === 0 && f.maxConnections === 0 && totalConnections(f.connections) === 0;

/**
 * This node's digest: every configured vhost and application with something in it,
 * and every stream live here. The pushes are listed once for all the scopes.
 */
export function nodeStatsDigest(
  stats: ServerStats,
  vhosts: VirtualHostTable,
  hub: StreamHub,
  registry: PushRegistry,
): NodeStatsDigest {
  const pushes = registry.listPushes();
  const scopes: Record<string, StatsFigures> = {};
  for (const vhost of vhosts.names()) {
    const figures = stats.figures({ vhost }, pushes);
    if (!isEmpty(figures)) scopes[scopeKeyOf({ vhost })] = figures;
    for (const application of vhosts.byName(vhost)?.applications ?? []) {
      const scope = { vhost, app: application.name };
      const app = stats.figures(scope, pushes);
      if (!isEmpty(app)) scopes[scopeKeyOf(scope)] = app;
    }
  }
  for (const s of hub.liveStreams()) {
    const scope = { vhost: s.ref.vhost, app: s.ref.app, stream: s.ref.name };
    scopes[scopeKeyOf(scope)] = stats.figures(scope, pushes);
  }
  return { scopes };
}

/** The figures of `key` in a peer's published stats; undefined when absent or not figures. */
export function peerFigures(stats: unknown, key: string): StatsFigures | undefined {
  if (typeof stats !== 'object' || stats === null) return undefined;
  const scopes = (stats as { scopes?: unknown }).scopes;
  if (typeof scopes !== 'object' || scopes === null || !Object.hasOwn(scopes, key)) return undefined;
  const f = (scopes as Record<string, unknown>)[key] as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null) return undefined;
  const numbers = ['createdAt', 'updatedAt', 'bytesIn', 'bytesOut', 'maxConnections', 'maxConnectionsAt'];
  for (const name of [...numbers, 'recvAt', 'sentAt'])
    if (typeof f[name] !== 'number' || !Number.isFinite(f[name]) || f[name] < 0) return undefined;
  const connections: Record<string, number> = {};
  if (typeof f['connections'] !== 'object' || f['connections'] === null) return undefined;
  for (const [kind, n] of Object.entries(f['connections'] as Record<string, unknown>)) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return undefined;
    connections[kind] = n;
  }
  return { ...(f as unknown as StatsFigures), connections };
}

/** What ClusterStats reads. */
export interface ClusterStatsContext {
  /** This node's stats (fresh at every request). */
  local: ServerStats;
  /** This node's name (its own published digest is skipped: `local` is fresher). */
  node: string;
  /** The live nodes and their stats; rejects with a PushRegistryUnavailable (503) while Redis is unreachable. */
  peers: () => Promise<readonly PeerStats[]>;
  now?: () => number;
}

/** The StatsSource of a cluster node: this node's figures plus every other live node's. */
export class ClusterStats implements StatsSource {
  /** The largest total seen per vhost and app (a peak between two reads is seen through the nodes' own maxima). */
  private readonly maxima = new Map<string, { count: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly ctx: ClusterStatsContext) {
    this.now = ctx.now ?? Date.now;
  }

  async vhost(vhost: string): Promise<StatsView | undefined> {
    return this.view({ vhost });
  }

  async app(vhost: string, app: string): Promise<StatsView | undefined> {
    return this.view({ vhost, app });
  }

  /** Undefined when no live node has the stream. */
  async stream(vhost: string, app: string, stream: string): Promise<StatsView | undefined> {
    return this.view({ vhost, app, stream });
  }

  private async view(scope: StatsScope): Promise<StatsView | undefined> {
    const isStream = scope.app !== undefined && scope.stream !== undefined;
    // vhosts and apps are configured alike on every node: unknown here is unknown
    if (!isStream && !this.ctx.local.has(scope)) return undefined;
    const peers = await this.ctx.peers();
    const key = scopeKeyOf(scope);
    const parts: StatsFigures[] = [];
    if (this.ctx.local.has(scope)) parts.push(this.ctx.local.figures(scope));
    for (const peer of peers) {
      if (peer.node === this.ctx.node) continue;
      const figures = peerFigures(peer.stats, key);
      if (figures !== undefined) parts.push(figures);
    }
    if (parts.length === 0) return undefined;
    return renderStats(this.merge(key, parts, !isStream));
  }

  private merge(key: string, parts: readonly StatsFigures[], remember: boolean): StatsFigures {
    const out: StatsFigures = {
      createdAt: Infinity,
      updatedAt: 0,
      bytesIn: 0,
      bytesOut: 0,
      connections: {},
      maxConnections: 0,
      maxConnectionsAt: 0,
      recvAt: 0,
      sentAt: 0,
    };
    for (const f of parts) {
      out.createdAt = Math.min(out.createdAt, f.createdAt);
      out.updatedAt = Math.max(out.updatedAt, f.updatedAt);
      out.bytesIn += f.bytesIn;
      out.bytesOut += f.bytesOut;
      for (const [kind, n] of Object.entries(f.connections)) out.connections[kind] = (out.connections[kind] ?? 0) + n;
      if (f.maxConnections > out.maxConnections) {
        out.maxConnections = f.maxConnections;
        out.maxConnectionsAt = f.maxConnectionsAt;
      }
      out.recvAt = Math.max(out.recvAt, f.recvAt);
      out.sentAt = Math.max(out.sentAt, f.sentAt);
    }
    const total = totalConnections(out.connections);
    if (total > out.maxConnections) {
      out.maxConnections = total;
      out.maxConnectionsAt = this.now();
    }
    if (remember) {
      const seen = this.maxima.get(key);
      if (seen !== undefined && seen.count >= out.maxConnections) {
        out.maxConnections = seen.count;
        out.maxConnectionsAt = seen.at;
      } else {
        this.maxima.set(key, { count: out.maxConnections, at: out.maxConnectionsAt });
      }
    }
    return out;
  }
}
