import { formatPushTime, PushRegistryUnavailable } from '@sluice/push';
import { describe, expect, it } from 'vitest';
import type { ServerStats, StatsFigures, StatsScope } from '../observe/server-stats.js';
import { ClusterStats, peerFigures, scopeKeyOf, type PeerStats } from './cluster-stats.js';

const figures = (overrides: Partial<StatsFigures> = {}): StatsFigures => ({
  createdAt: 1_000,
  updatedAt: 5_000,
  bytesIn: 100,
  bytesOut: 200,
  connections: { push: 1, rtmp: 1 },
  maxConnections: 2,
  maxConnectionsAt: 2_000,
  recvAt: 4_000,
  sentAt: 4_500,
  ...overrides,
});

/** The local stats of a node: configured vhost `default` and app `default/app`, live streams given. */
function localStats(live: string[], local: StatsFigures): ServerStats {
  return {
    has: (scope: StatsScope) =>
      scope.vhost === 'default' &&
      (scope.app === undefined || scope.app === 'app') &&
      (scope.stream === undefined || live.includes(scope.stream)),
    figures: () => local,
  } as unknown as ServerStats;
}

const digest = (scopes: Record<string, StatsFigures>): { scopes: Record<string, StatsFigures> } => ({ scopes });

describe('ClusterStats', () => {
  it('adds up every node: bytes and connections summed, latest times, earliest creation; its own digest skipped', async () => {
    const app = scopeKeyOf({ vhost: 'default', app: 'app' });
    const peers: PeerStats[] = [
      { node: 'a', stats: { scopes: { [app]: figures({ bytesOut: 999_999 }) } } }, // its own, stale: skipped
      {
        node: 'b',
        stats: digest({
          [app]: figures({
            createdAt: 500,
            bytesIn: 10,
            bytesOut: 20,
            connections: { push: 3, srt: 1 },
            sentAt: 9_000,
          }),
        }),
      },
      { node: 'c' }, // no digest (an older node): counts nothing
    ];
    const stats = new ClusterStats({
      local: localStats([], figures()),
      node: 'a',
      peers: () => Promise.resolve(peers),
      now: () => 7_000,
    });
    const view = await stats.app('default', 'app');
    expect(view).toEqual({
      createdTime: formatPushTime(500),
      lastUpdatedTime: formatPushTime(5_000),
      totalBytesIn: 110,
      totalBytesOut: 220,
      totalConnections: 6,
      maxTotalConnections: 6,
      maxTotalConnectionTime: formatPushTime(7_000),
      lastRecvTime: formatPushTime(4_000),
      lastSentTime: formatPushTime(9_000),
      connections: { push: 4, rtmp: 1, srt: 1 },
    });
    // b leaves: the total drops, the largest total seen stays
    peers.splice(1, 1);
    const later = await stats.app('default', 'app');
    expect(later).toMatchObject({ totalConnections: 2, maxTotalConnections: 6, totalBytesOut: 200 });
    expect(later?.maxTotalConnectionTime).toBe(formatPushTime(7_000));
    expect(await stats.app('default', 'nope')).toBeUndefined();
    expect(await stats.vhost('nope')).toBeUndefined();
  });

  it('a stream: from the node that has it, 404 (undefined) when none has', async () => {
    const cam = scopeKeyOf({ vhost: 'default', app: 'app', stream: 'cam' });
    const stats = new ClusterStats({
      local: localStats([], figures()),
      node: 'a',
      peers: () => Promise.resolve([{ node: 'b', stats: digest({ [cam]: figures({ bytesOut: 77 }) }) }]),
    });
    expect(await stats.stream('default', 'app', 'cam')).toMatchObject({ totalBytesOut: 77, totalConnections: 2 });
    expect(await stats.stream('default', 'app', 'other')).toBeUndefined();
  });

  it('rejects as the registry does while the other nodes cannot be read (the API answers 503)', async () => {
    const stats = new ClusterStats({
      local: localStats([], figures()),
      node: 'a',
      peers: () => Promise.reject(new PushRegistryUnavailable('Push registry unavailable: cannot read the stats')),
    });
    await expect(stats.vhost('default')).rejects.toBeInstanceOf(PushRegistryUnavailable);
  });
});

describe('peerFigures', () => {
  it('reads valid figures only: anything else a peer published counts as nothing', () => {
    const key = scopeKeyOf({ vhost: 'v' });
    expect(key).toBe('["v"]');
    expect(scopeKeyOf({ vhost: 'v', app: 'a/b', stream: 's' })).toBe('["v","a/b","s"]');
    expect(peerFigures({ scopes: { [key]: figures() } }, key)).toEqual(figures());
    for (const bad of [
      undefined,
      null,
      'text',
      { scopes: null },
      { scopes: {} },
      { scopes: { [key]: { ...figures(), bytesOut: -1 } } },
      { scopes: { [key]: { ...figures(), sentAt: 'now' } } },
      { scopes: { [key]: { ...figures(), connections: { push: 1.5 } } } },
      { scopes: { [key]: { ...figures(), connections: null } } },
      { scopes: Object.create({ [key]: figures() }) as object },
    ])
      expect(peerFigures(bad, key)).toBeUndefined();
  });
});
