/**
 * ServerStats: OvenMediaEngine's stats (`/v1/stats/current/...`) for vhosts, apps and
 * live streams. Byte counts are exact and counted once: in = bytes read at the ingest
 * sockets, out = bytes the kernel accepted on the push sockets (the records'
 * `totalsentBytes`). A vhost's and an app's totals run from server start and keep what
 * ended streams and removed pushes carried; a stream's cover its current publication.
 * The connection maxima follow push state changes and stream starts/ends (events, no polling).
 */
import type { StatsSource, StatsView } from '@sluice/http';
import { formatPushTime, type PushRecord, type PushRegistry, type StreamRef } from '@sluice/push';
import { type LiveStreamInfo, type StreamHub } from '../hub/stream-hub.js';
import { meterKey, type TrafficMeter } from './traffic-meter.js';

/** Running numbers of one vhost, app or stream. */
interface ScopeStats {
  createdAt: number;
  /** In/out bytes of what has ended (streams, removed pushes) inside this scope. */
  retiredIn: number;
  retiredOut: number;
  maxConnections: number;
  maxConnectionsAt: number;
}

/** What ServerStats reads. */
export interface ServerStatsContext {
  registry: PushRegistry;
  hub: StreamHub;
  meter: TrafficMeter;
  /** Whether a vhost / app is configured. */
  hasVhost(vhost: string): boolean;
  hasApp(vhost: string, app: string): boolean;
  now?: () => number;
}

/** A vhost (`app` absent), an application (`stream` absent) or a stream. */
export type StatsScope = { vhost: string; app?: string | undefined; stream?: string | undefined };
type Scope = StatsScope;

/**
 * The stats of one scope as numbers (times in ms since the epoch, 0 = never): what a
 * StatsView renders, and what a cluster node publishes for the others to add up.
 */
export interface StatsFigures {
  createdAt: number;
  updatedAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Connections now by kind (`push` and each ingest protocol). */
  connections: Record<string, number>;
  maxConnections: number;
  maxConnectionsAt: number;
  recvAt: number;
  sentAt: number;
}

/** OvenMediaEngine's stats object of some figures. */
export function renderStats(f: StatsFigures): StatsView {
  return {
    createdTime: formatPushTime(f.createdAt),
    lastUpdatedTime: formatPushTime(f.updatedAt),
    totalBytesIn: f.bytesIn,
    totalBytesOut: f.bytesOut,
    totalConnections: totalConnections(f.connections),
    maxTotalConnections: f.maxConnections,
    maxTotalConnectionTime: formatPushTime(f.maxConnectionsAt),
    lastRecvTime: formatPushTime(f.recvAt),
    lastSentTime: formatPushTime(f.sentAt),
    connections: f.connections,
  };
}

const scopeKey = (s: Scope): string =>
  s.stream !== undefined
    ? `s/${s.vhost}/${s.app ?? ''}/${s.stream}`
    : s.app !== undefined
      ? `a/${s.vhost}/${s.app}`
      : `v/${s.vhost}`;

/** The stats of a server; subscribe() wires it to the registry and the hub. */
export class ServerStats implements StatsSource {
  private readonly scopes = new Map<string, ScopeStats>();
  /** Per push: its totalsentBytes when its stream's current publication began. */
  private readonly baselines = new Map<string, number>();
  private readonly now: () => number;
  /** When the server's stats began: the createdTime of every vhost and app. */
  private readonly startedAt: number;

  constructor(private readonly ctx: ServerStatsContext) {
    this.now = ctx.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** Follows the registry and the hub; returns the function that stops it. */
  subscribe(): () => void {
    const { registry, hub } = this.ctx;
    const onChange = ({ record }: { record: PushRecord }): void => this.countConnections(recordScope(record));
    const onRemoved = (record: PushRecord): void => this.retirePush(record);
    registry.on('change', onChange);
    registry.on('removed', onRemoved);
    const stop = hub.listen({
      onStreamStart: (info) => this.streamStarted(info),
      onStreamEnd: (info) => this.streamEnded(info),
    });
    return () => {
      registry.off('change', onChange);
      registry.off('removed', onRemoved);
      stop();
    };
  }

  vhost(vhost: string): StatsView | undefined {
    return this.ctx.hasVhost(vhost) ? renderStats(this.figures({ vhost })) : undefined;
  }

  app(vhost: string, app: string): StatsView | undefined {
    return this.ctx.hasApp(vhost, app) ? renderStats(this.figures({ vhost, app })) : undefined;
  }

  stream(vhost: string, app: string, stream: string): StatsView | undefined {
    return this.ctx.hub.stream({ vhost, app, name: stream }) === undefined
      ? undefined
      : renderStats(this.figures({ vhost, app, stream }));
  }

  /** Whether a scope exists here: a configured vhost or app, a stream live on this server. */
  has(scope: StatsScope): boolean {
    if (scope.app === undefined) return this.ctx.hasVhost(scope.vhost);
    if (scope.stream === undefined) return this.ctx.hasApp(scope.vhost, scope.app);
    return this.ctx.hub.stream({ vhost: scope.vhost, app: scope.app, name: scope.stream }) !== undefined;
  }

  /**
   * The figures of a scope on this server. `allPushes`: the registry's listPushes()
   * when the caller reads many scopes at once (filtered here rather than listed again).
   */
  figures(scope: StatsScope, allPushes?: readonly PushRecord[]): StatsFigures {
    const streams = this.liveStreams(scope);
    const stats = this.scope(scope, scope.stream !== undefined ? streams[0]?.publishedAt.getTime() : undefined);
    const pushes = allPushes === undefined ? this.pushes(scope) : allPushes.filter((p) => inScope(p, scope));
    let bytesIn = stats.retiredIn;
    let recvAt = 0;
    for (const s of streams) {
      bytesIn += s.bytesReceived;
      recvAt = Math.max(recvAt, this.ctx.meter.streamMovedAt(meterKey(s.ref)));
    }
    let bytesOut = stats.retiredOut;
    let sentAt = 0;
    for (const p of pushes) {
      bytesOut += p.totalsentBytes - (scope.stream !== undefined ? (this.baselines.get(p.id) ?? 0) : 0);
      sentAt = Math.max(sentAt, this.ctx.meter.pushMovedAt(p.id));
    }
    const connections = connectionCounts(streams, pushes);
    this.noteMax(stats, totalConnections(connections));
    return {
      createdAt: stats.createdAt,
      updatedAt: this.ctx.meter.lastSampleAt || this.now(),
      bytesIn,
      bytesOut: Math.max(0, bytesOut),
      connections,
      maxConnections: stats.maxConnections,
      maxConnectionsAt: stats.maxConnectionsAt,
      recvAt,
      sentAt,
    };
  }

  private scope(scope: Scope, createdAt?: number): ScopeStats {
    const key = scopeKey(scope);
    let stats = this.scopes.get(key);
    if (stats === undefined) {
      stats = {
        createdAt: createdAt ?? this.startedAt,
        retiredIn: 0,
        retiredOut: 0,
        maxConnections: 0,
        maxConnectionsAt: 0,
      };
      this.scopes.set(key, stats);
    }
    return stats;
  }

  private liveStreams(scope: Scope): LiveStreamInfo[] {
    if (scope.stream !== undefined) {
      const one = this.ctx.hub.stream({ vhost: scope.vhost, app: scope.app ?? '', name: scope.stream });
      return one === undefined ? [] : [one];
    }
    return this.ctx.hub.liveStreams(
      scope.app === undefined ? { vhost: scope.vhost } : { vhost: scope.vhost, app: scope.app },
    );
  }

  private pushes(scope: Scope): PushRecord[] {
    const records = this.ctx.registry.listPushes(
      scope.app === undefined ? { vhost: scope.vhost } : { vhost: scope.vhost, app: scope.app },
    );
    return scope.stream === undefined ? records : records.filter((r) => r.stream.name === scope.stream);
  }

  /** The scopes a stream or push belongs to, narrowest last. */
  private static chain(ref: StreamRef): Scope[] {
    return [
      { vhost: ref.vhost },
      { vhost: ref.vhost, app: ref.app },
      { vhost: ref.vhost, app: ref.app, stream: ref.name },
    ];
  }

  private countConnections(ref: StreamRef): void {
    for (const scope of ServerStats.chain(ref)) {
      if (scope.stream !== undefined && this.ctx.hub.stream({ ...ref }) === undefined) continue;
      this.noteMax(this.scope(scope), totalConnections(connectionCounts(this.liveStreams(scope), this.pushes(scope))));
    }
  }

  private noteMax(stats: ScopeStats, total: number): void {
    if (total <= stats.maxConnections) return;
    stats.maxConnections = total;
    stats.maxConnectionsAt = this.now();
  }

  private streamStarted(info: LiveStreamInfo): void {
    // a new publication: the stream's stats start over, its pushes count from here
    this.scopes.delete(scopeKey({ vhost: info.ref.vhost, app: info.ref.app, stream: info.ref.name }));
    this.scope({ vhost: info.ref.vhost, app: info.ref.app, stream: info.ref.name }, info.publishedAt.getTime());
    for (const p of this.pushes({ vhost: info.ref.vhost, app: info.ref.app, stream: info.ref.name }))
      this.baselines.set(p.id, p.totalsentBytes);
    this.countConnections(info.ref);
  }

  private streamEnded(info: LiveStreamInfo): void {
    for (const scope of ServerStats.chain(info.ref).slice(0, 2)) this.scope(scope).retiredIn += info.bytesReceived;
    this.scopes.delete(scopeKey({ vhost: info.ref.vhost, app: info.ref.app, stream: info.ref.name }));
    this.countConnections(info.ref);
  }

  private retirePush(record: PushRecord): void {
    const ref = recordScope(record);
    const baseline = this.baselines.get(record.id) ?? 0;
    this.baselines.delete(record.id);
    for (const scope of ServerStats.chain(ref)) {
      if (scope.stream === undefined) this.scope(scope).retiredOut += record.totalsentBytes;
      else if (this.ctx.hub.stream(ref) !== undefined) this.scope(scope).retiredOut += record.totalsentBytes - baseline;
    }
  }
}

function inScope(push: PushRecord, scope: StatsScope): boolean {
  return (
    push.vhost === scope.vhost &&
    (scope.app === undefined || push.app === scope.app) &&
    (scope.stream === undefined || push.stream.name === scope.stream)
  );
}

function recordScope(record: PushRecord): StreamRef {
  return { vhost: record.vhost, app: record.app, name: record.stream.name };
}

/** `push`: pushes in state `pushing`; one entry per ingest protocol: its live streams. */
function connectionCounts(streams: readonly LiveStreamInfo[], pushes: readonly PushRecord[]): Record<string, number> {
  const counts: Record<string, number> = { push: 0 };
  for (const p of pushes) if (p.state === 'pushing') counts['push'] = (counts['push'] ?? 0) + 1;
  for (const s of streams) counts[s.sourceType] = (counts[s.sourceType] ?? 0) + 1;
  return counts;
}

/** The total of some counts. */
export function totalConnections(counts: Record<string, number>): number {
  let total = 0;
  for (const key in counts) total += counts[key] ?? 0;
  return total;
}
