import { DuplicatePushId, PushLimitReached, PushRegistry, type PushSinkFactory } from '@sluice/push';
import { describeWithPeers, freeTcpPort } from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKeys } from './cluster-keys.js';
import { RegistryUnavailable } from './errors.js';
import { RedisConnection } from './redis-connection.js';
import { RedisPushStore } from './redis-push-store.js';
import { definition, recordingLogger, uniqueCluster, useNodes, useRedisServer } from './test-support/redis-fixture.js';

describe('ClusterKeys', () => {
  it('puts every key of a cluster under sluice:{cluster}: (a Redis Cluster hash tag) and checks names', () => {
    const keys = new ClusterKeys('prod');
    expect(keys.pushes).toBe('sluice:{prod}:pushes');
    expect(keys.lease('a b')).toBe('sluice:{prod}:lease:a b');
    expect(keys.live('node-a')).toBe('sluice:{prod}:live:node-a');
    expect(new ClusterKeys('x', 'acme').version).toBe('acme:{x}:version');
    expect(() => new ClusterKeys('has space')).toThrow(TypeError);
    expect(() => new ClusterKeys('')).toThrow(TypeError);
    expect(() => new ClusterKeys('a{b}')).toThrow(TypeError);
  });
});

describeWithPeers(['redis-server'], 'RedisPushStore against a real redis-server', () => {
  const server = useRedisServer();
  const nodes = useNodes(() => server().url);
  const node = (cluster: string, name: string) => nodes.start(cluster, name);

  it('round-trips definitions: create, get, load sorted, replace, remove; JSON in one hash under the cluster prefix', async () => {
    const cluster = uniqueCluster();
    const a = await node(cluster, 'a');
    const b = await node(cluster, 'b');
    const full = definition('p2', {
      stream: { name: 'cam', tracks: [1, 2], variantNames: ['hd'] },
      protocol: 'mpegts',
      url: 'udp://127.0.0.1:4000',
      streamKey: '',
    });
    await a.store.create(full);
    await a.store.put(definition('p1'));
    expect(await b.store.get('p2')).toEqual(full);
    expect((await b.store.load()).map((p) => p.id)).toEqual(['p1', 'p2']);

    await b.store.put({ ...full, url: 'udp://127.0.0.1:5000' });
    expect((await a.store.get('p2'))?.url).toBe('udp://127.0.0.1:5000');

    const raw = nodes.raw();
    const stored = await raw.hgetall(`sluice:{${cluster}}:pushes`);
    expect(Object.keys(stored).sort()).toEqual(['p1', 'p2']);
    expect(JSON.parse(stored['p1'] as string)).toEqual(definition('p1'));

    expect(await a.store.remove('p1')).toBe(true);
    expect(await a.store.remove('p1')).toBe(false);
    await a.store.delete('never-existed');
    expect(await b.store.get('p1')).toBeUndefined();
    expect((await b.store.load()).map((p) => p.id)).toEqual(['p2']);
  });

  it('create() is atomic across nodes: of two nodes creating one id at the same moment exactly one succeeds', async () => {
    const cluster = uniqueCluster();
    const a = await node(cluster, 'a');
    const b = await node(cluster, 'b');
    for (let i = 0; i < 10; i++) {
      const results = await Promise.allSettled([
        a.store.create(definition(`d${i}`, { url: 'rtmp://a/live' })),
        b.store.create(definition(`d${i}`, { url: 'rtmp://b/live' })),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(DuplicatePushId);
      expect((lost[0]?.reason as Error).message).toBe(`Duplicate ID already exists [d${i}]`);
    }
  });

  it('create() with maxPushes counts the application cluster-wide: two nodes racing never pass the cap', async () => {
    const cluster = uniqueCluster();
    const a = await node(cluster, 'a');
    const b = await node(cluster, 'b');
    const cap = 5;
    await a.store.create(definition('other-app', { app: 'other' }), { maxPushes: cap });
    for (let round = 0; round < 5; round++) {
      // 8 creates from each node at once, interleaved on two connections: exactly `cap` get through
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 === 0 ? a : b).store.create(definition(`r${round}-${i}`), { maxPushes: cap }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(cap);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(PushLimitReached);
        expect((r.reason as Error).message).toBe(
          `The application [default/app] already has ${cap} pushes, the most its MaxPushes allows`,
        );
      }
      const stored = await b.store.load();
      expect(stored.filter((p) => p.app === 'app')).toHaveLength(cap);
      // a duplicate id is still a duplicate at the cap; another application has its own count
      await expect(a.store.create(definition(stored[0]?.id ?? ''), { maxPushes: cap })).rejects.toBeInstanceOf(
        DuplicatePushId,
      );
      await b.store.create(definition(`x${round}`, { app: 'other' }), { maxPushes: 2 * cap });
      // stopping one frees a place for the other node
      expect(await a.store.remove(stored.find((p) => p.app === 'app')?.id ?? '')).toBe(true);
      await b.store.create(definition(`again${round}`), { maxPushes: cap });
      await expect(a.store.create(definition(`over${round}`), { maxPushes: cap })).rejects.toBeInstanceOf(
        PushLimitReached,
      );
      for (const p of await a.store.load()) if (p.app === 'app') await a.store.remove(p.id);
    }
    expect((await a.store.load()).filter((p) => p.app === 'other')).toHaveLength(6);
    // without a cap, create is unlimited as before
    for (let i = 0; i < cap + 2; i++) await a.store.create(definition(`free${i}`));
  });

  it('skips (and reports) an entry that is not a valid definition, keeps clusters apart', async () => {
    const cluster = uniqueCluster();
    const other = uniqueCluster();
    const a = await node(cluster, 'a');
    const o = await node(other, 'a');
    await a.store.put(definition('good'));
    await o.store.put(definition('elsewhere'));
    const raw = nodes.raw();
    await raw.hset(`sluice:{${cluster}}:pushes`, 'bad', '{"id":"bad"', 'wrong-key', JSON.stringify(definition('x')));
    const reported: string[] = [];
    const store = new RedisPushStore(a.connection, a.keys, {
      onInvalid: (id, reason) => reported.push(`${id}: ${reason}`),
    });
    expect((await store.load()).map((p) => p.id)).toEqual(['good']);
    expect(reported.sort()).toEqual([
      expect.stringMatching(/^bad: not JSON/),
      'wrong-key: its id [x] is not its key [wrong-key]',
    ]);
    expect((await o.store.load()).map((p) => p.id)).toEqual(['elsewhere']);
    await expect(store.put({ ...definition('y'), createdTime: Number.NaN })).rejects.toThrow(TypeError);
  });

  it('serves as the store of a PushRegistry: start() restores what another node stored', async () => {
    const cluster = uniqueCluster();
    const a = await node(cluster, 'a');
    const sink: PushSinkFactory = {
      cannotCarry: () => null,
      checkUrl: () => null,
      create: () => {
        throw new Error('no media in this test');
      },
    };
    const source = { subscribe: () => () => undefined, tracksOf: () => undefined };
    const first = new PushRegistry({ source, sinks: { rtmp: sink }, store: a.store });
    first.startPush({
      vhost: 'default',
      app: 'app',
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://h/live',
      streamKey: 'k',
      id: 'r1',
    });
    await first.flush();
    const b = await node(cluster, 'b');
    const second = new PushRegistry({ source, sinks: { rtmp: sink }, store: b.store });
    expect(await second.start()).toEqual({ restored: ['r1'], rejected: [] });
    expect(second.getPush('r1')?.url).toBe('rtmp://h/live');
    await Promise.all([first.close(), second.close()]);
  });
});

describe('RedisPushStore without Redis', () => {
  let connection: RedisConnection;
  beforeAll(async () => {
    connection = new RedisConnection({
      url: `redis://127.0.0.1:${await freeTcpPort()}`,
      logger: recordingLogger(),
      commandTimeoutMs: 5000,
    });
    connection.start();
  });
  afterAll(() => connection.close());

  it('fails at once with RegistryUnavailable naming the operation and the address (never waits for a reconnection)', async () => {
    const store = new RedisPushStore(connection, new ClusterKeys('c'));
    const started = performance.now();
    const attempts: Array<Promise<unknown>> = [
      store.load(),
      store.put(definition('x')),
      store.create(definition('x')),
      store.get('x'),
      store.delete('x'),
    ];
    const results = await Promise.allSettled(attempts);
    const elapsed = performance.now() - started;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as RegistryUnavailable;
      expect(error).toBeInstanceOf(RegistryUnavailable);
      expect(error.message).toMatch(
        /^Push registry unavailable: cannot \w+ .*Redis at 127\.0\.0\.1:\d+: not connected/,
      );
    }
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toContain('cannot load the pushes');
    // Well under the 5 s command timeout: nothing waited for Redis.
    expect(elapsed).toBeLessThan(2000);
  });

  it('a PushRegistry over it reports the outage through storeError and keeps running', async () => {
    const store = new RedisPushStore(connection, new ClusterKeys('c'));
    const sink: PushSinkFactory = { cannotCarry: () => null, checkUrl: () => null, create: () => ({}) as never };
    const registry = new PushRegistry({
      source: { subscribe: () => () => undefined, tracksOf: () => undefined },
      sinks: { rtmp: sink },
      store,
    });
    const errors: Error[] = [];
    registry.on('storeError', (e) => errors.push(e));
    expect(await registry.start()).toEqual({ restored: [], rejected: [] });
    expect(errors[0]).toBeInstanceOf(RegistryUnavailable);
    await registry.close();
  });
});
