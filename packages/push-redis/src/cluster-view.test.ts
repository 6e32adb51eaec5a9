import { IDLE_PUSH_COUNTERS, type PushRecord } from '@sluice/push';
import { describeWithPeers, waitFor } from '@sluice/test-support';
import { expect, it } from 'vitest';
import { NodeNameInUse } from './errors.js';
import type { LivePush } from './live-codec.js';
import type { Lease } from './lease.js';
import {
  FAST,
  callsBetween,
  commandCalls,
  definition,
  nextEvent,
  uniqueCluster,
  useRedisServer,
  useNodes,
} from './test-support/redis-fixture.js';

/** The record a node's registry would render for a push it runs. */
function liveRecord(id: string, overrides: Partial<PushRecord> = {}): PushRecord {
  const def = definition(id);
  return {
    id,
    vhost: def.vhost,
    app: def.app,
    stream: { name: def.stream.name, tracks: [1, 2] },
    protocol: def.protocol,
    url: def.url,
    streamKey: def.streamKey,
    state: 'pushing',
    sequence: 2,
    sentBytes: 1000,
    sentTime: 400,
    totalsentBytes: 5000,
    totalsentTime: 2000,
    createdTime: '2023-11-14T22:13:20.000+0000',
    startTime: '2023-11-14T22:20:00.000+0000',
    finishTime: '1970-01-01T00:00:00.000+0000',
    isConfig: false,
    droppedFrames: 3,
    ...overrides,
  };
}

describeWithPeers(['redis-server'], 'NodeHeartbeat and ClusterPushView against a real redis-server', () => {
  const server = useRedisServer();
  const nodes = useNodes(() => server().url);
  const start = (cluster: string, name: string, overrides: Parameters<typeof nodes.start>[2] = {}) =>
    nodes.start(cluster, name, { utcOffsetMinutes: 0, ...overrides });

  it('lists every push with the live state of the node holding its lease, and idle ones as ready', async () => {
    const cluster = uniqueCluster();
    const live: LivePush[] = [];
    const a = await start(cluster, 'a', {
      live: () => live,
      streams: () => [{ vhost: 'default', app: 'app', name: 'cam-run' }],
      apiUrl: 'http://127.0.0.1:8081',
      stats: () => ({ apps: { 'default/app': { bytesOut: 42 } } }),
    });
    const c = await start(cluster, 'c');
    await c.store.create(definition('run'));
    await c.store.create(definition('idle', { stream: { name: 'x', tracks: [3] } }));
    const lease = (await a.leases.tryAcquire('run')) as Lease;
    live.push({ record: liveRecord('run'), token: lease.token });
    await a.heartbeat.publishNow();

    const records = await c.view.list();
    expect(records.map((r) => r.id)).toEqual(['idle', 'run']);
    expect(records[1]).toEqual({ ...liveRecord('run'), node: 'a', leaseToken: lease.token });
    expect(records[0]).toEqual({
      id: 'idle',
      vhost: 'default',
      app: 'app',
      stream: { name: 'x', tracks: [3] },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:1935/live',
      streamKey: 'key-idle',
      ...IDLE_PUSH_COUNTERS,
      createdTime: '2023-11-14T22:13:20.000+0000',
      startTime: '1970-01-01T00:00:00.000+0000',
      finishTime: '1970-01-01T00:00:00.000+0000',
      isConfig: false,
      droppedFrames: 0,
    });
    expect(await c.view.get('run')).toEqual(records[1]);
    expect(await c.view.get('nope')).toBeUndefined();
    expect((await c.view.list({ app: 'other' })).length).toBe(0);

    const nodeList = await c.view.nodes();
    expect(nodeList.map((n) => n.node)).toEqual(['a', 'c']);
    expect(nodeList[0]).toMatchObject({
      instance: a.identity.instance,
      apiUrl: 'http://127.0.0.1:8081',
      pushes: 1,
      pid: process.pid,
      stats: { apps: { 'default/app': { bytesOut: 42 } } },
    });
    expect(nodeList[1]?.stats).toBeUndefined();
    expect(
      (await c.view.nodesWithStream({ vhost: 'default', app: 'app', name: 'cam-run' })).map((n) => n.node),
    ).toEqual(['a']);
    expect(await c.view.nodesWithStream({ vhost: 'default', app: 'app', name: 'other' })).toEqual([]);
  });

  it("never shows an old owner's leftover state: only the entry written under the current lease token", async () => {
    const cluster = uniqueCluster();
    const aLive: LivePush[] = [];
    const a = await start(cluster, 'a', { live: () => aLive });
    const b = await start(cluster, 'b');
    await b.store.create(definition('p'));
    const first = (await a.leases.tryAcquire('p')) as Lease;
    aLive.push({ record: liveRecord('p', { sentBytes: 111 }), token: first.token });
    await a.heartbeat.publishNow();
    // The lease moves to B (as after a takeover) while A's entry is still in Redis.
    await a.leases.release('p');
    const second = (await b.leases.tryAcquire('p')) as Lease;
    const record = await b.view.get('p');
    expect(record).toMatchObject({ state: 'ready', node: 'b', leaseToken: second.token, sentBytes: 0 });
    expect(record?.lastError).toBe(
      'Node [b] holds this push but has not published its state (starting, or down or cut off from Redis)',
    );
  });

  it("publishes at the heartbeat's bounded rate whatever the number of updates, one script call per tick for all pushes", async () => {
    const cluster = uniqueCluster();
    let reads = 0;
    const pushes = 25;
    const a = await start(cluster, 'a', {
      live: () => {
        reads++;
        return Array.from({ length: pushes }, (_, i) => ({
          record: liveRecord(`p${i}`, { sentBytes: reads * 1000 + i }),
          token: i + 1,
        }));
      },
    });
    const r = nodes.raw();
    const before = await commandCalls(r);
    const t0 = performance.now();
    await new Promise((res) => setTimeout(res, 2000));
    const calls = callsBetween(before, await commandCalls(r));
    const seconds = (performance.now() - t0) / 1000;
    const ticks = calls.get('sadd') ?? 0; // only the heartbeat script runs SADD
    const expected = seconds / (FAST.heartbeat.intervalMs / 1000);
    // One script call per tick, however many pushes and counter changes.
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(expected * 0.5));
    expect(ticks).toBeLessThanOrEqual(Math.ceil(expected) + 2);
    expect(calls.get('hset') ?? 0).toBe(ticks); // 25 pushes: one HSET per tick
    expect(calls.get('evalsha') ?? 0).toBeLessThanOrEqual(ticks + 1);
    const stored = await r.hgetall(a.keys.live('a'));
    expect(Object.keys(stored)).toHaveLength(pushes);
    console.log(
      `heartbeat: ${ticks} script calls in ${seconds.toFixed(1)} s for ${pushes} pushes (interval ${FAST.heartbeat.intervalMs} ms); ` +
        `commands run by Redis: ${[...calls].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `${(([...calls].filter(([k]) => k !== 'info').reduce((n, [, v]) => n + v, 0) / pushes / seconds) * 60).toFixed(1)} commands per push per minute at this interval (no leases held)`,
    );
  });

  it("a dead node's presence and live state expire after their TTL; a node that leaves removes them at once", async () => {
    const cluster = uniqueCluster();
    const live = [{ record: liveRecord('p'), token: 1 }];
    const dead = await start(cluster, 'dead', { live: () => live });
    const leaving = await start(cluster, 'leaving', { live: () => live });
    const c = await start(cluster, 'c');
    await c.store.create(definition('p'));
    await waitFor(async () => (await c.view.nodes()).length === 3, 5000, 'three nodes');
    const r = nodes.raw();
    expect(await r.pttl(c.keys.live('dead'))).toBeGreaterThan(0);
    expect(await r.pttl(c.keys.live('dead'))).toBeLessThanOrEqual(FAST.heartbeat.ttlMs);

    await leaving.heartbeat.stop(true);
    expect(await r.exists(c.keys.node('leaving'), c.keys.live('leaving'))).toBe(0);
    // "Kill" the other: its connection goes, nothing removes its keys.
    await dead.heartbeat.stop(false);
    await dead.connection.close();
    const killedAt = performance.now();
    await waitFor(async () => (await r.exists(c.keys.node('dead'), c.keys.live('dead'))) === 0, 5000, 'expired');
    const gone = performance.now() - killedAt;
    expect(gone).toBeLessThanOrEqual(FAST.heartbeat.ttlMs + 2000);
    expect((await c.view.nodes()).map((n) => n.node)).toEqual(['c']);
    await waitFor(async () => (await r.smembers(c.keys.nodes)).length === 1, 2000, 'dead node pruned');
    expect(await c.view.get('p')).toMatchObject({ state: 'ready', sentBytes: 0 });
    expect((await c.view.get('p'))?.node).toBeUndefined();
  });

  it('lists StreamMap pushes (not stored) from the node that runs them', async () => {
    const cluster = uniqueCluster();
    const cfg = liveRecord('cfg', { isConfig: true, state: 'pushing' });
    const a = await start(cluster, 'a', { live: () => [{ record: cfg, token: 7 }] });
    const b = await start(cluster, 'b', { live: () => [{ record: { ...cfg, state: 'ready', sentBytes: 0 } }] });
    await Promise.all([a.heartbeat.publishNow(), b.heartbeat.publishNow()]);
    const records = await b.view.list();
    expect(records).toEqual([{ ...cfg, node: 'a', leaseToken: 7 }]);
  });

  it('a second live process with the same node name publishes nothing and is told; it takes over once the name is free', async () => {
    const cluster = uniqueCluster();
    const first = await start(cluster, 'same', { live: () => [{ record: liveRecord('one') }] });
    const second = await start(cluster, 'same', { live: () => [{ record: liveRecord('two') }] });
    const refused = await nextEvent<NodeNameInUse>(second.heartbeat, 'nameInUse');
    expect(refused.message).toContain(
      `Node name [same] is in use by another live process (instance ${first.identity.instance})`,
    );
    await expect(second.heartbeat.publishNow()).rejects.toBeInstanceOf(NodeNameInUse);
    const r = nodes.raw();
    expect(Object.keys(await r.hgetall(first.keys.live('same')))).toEqual(['one']);
    await first.heartbeat.stop(true);
    await waitFor(
      async () => Object.keys(await r.hgetall(first.keys.live('same')))[0] === 'two',
      3000,
      'second took over',
    );
    expect(second.log.lines.filter((l) => l.includes('is in use')).length).toBe(1); // logged once, not every tick
  });
});
