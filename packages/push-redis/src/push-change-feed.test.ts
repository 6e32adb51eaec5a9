import type { StoredPush } from '@sluice/push';
import { describeWithPeers, waitFor } from '@sluice/test-support';
import { describe, expect, it } from 'vitest';
import { parseChangeMessage } from './definition-scripts.js';
import type { FeedResync } from './push-change-feed.js';
import { definition, nextEvent, uniqueCluster, useRedisServer, useNodes } from './test-support/redis-fixture.js';

describe('change messages', () => {
  it('parse `{version} put {json}` and `{version} del {id}`, nothing else', () => {
    expect(parseChangeMessage('7 put {"id":"a b"}')).toEqual({ version: 7, op: 'put', json: '{"id":"a b"}' });
    expect(parseChangeMessage('8 del a b')).toEqual({ version: 8, op: 'del', id: 'a b' });
    for (const bad of ['', 'put x', '0 put {}', '-1 del a', 'x del a', '3 mov a', '3 delx', '3 del'])
      expect(parseChangeMessage(bad)).toBeNull();
  });
});

const sortedIds = (m: ReadonlyMap<string, StoredPush>): string[] => [...m.keys()].sort();

describeWithPeers(['redis-server'], 'PushChangeFeed against a real redis-server', () => {
  const server = useRedisServer();
  const nodes = useNodes(() => server().url);
  const start = (cluster: string, name: string) => nodes.start(cluster, name);

  it('starts with every stored definition (put events), then follows creates, replacements and deletes of other nodes promptly', async () => {
    const cluster = uniqueCluster();
    const b = await start(cluster, 'b');
    await b.store.create(definition('old1'));
    await b.store.create(definition('old2'));
    const a = await nodes.start(cluster, 'a', {}, false);
    const puts: string[] = [];
    const deletes: string[] = [];
    a.feed.on('put', (p) => puts.push(`${p.id}@${p.url}`));
    a.feed.on('delete', (id) => deletes.push(id));
    await waitFor(() => a.feed.synced, 10_000, 'synced');
    expect(puts.sort()).toEqual(['old1@rtmp://127.0.0.1:1935/live', 'old2@rtmp://127.0.0.1:1935/live']);

    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const seen = nextEvent<StoredPush>(a.feed, 'put');
      const t0 = performance.now();
      await b.store.create(definition(`n${i}`));
      expect((await seen).id).toBe(`n${i}`);
      latencies.push(performance.now() - t0);
    }
    const replaced = nextEvent<StoredPush>(a.feed, 'put');
    await b.store.put(definition('n0', { url: 'rtmp://elsewhere/live' }));
    expect((await replaced).url).toBe('rtmp://elsewhere/live');
    const removed = nextEvent<string>(a.feed, 'delete');
    await b.store.delete('old1');
    expect(await removed).toBe('old1');
    expect(sortedIds(a.feed.definitions)).toEqual(sortedIds(new Map((await b.store.load()).map((p) => [p.id, p]))));
    latencies.sort((x, y) => x - y);
    // "Within a fraction of a second": generous bound for a busy machine; the figures are printed.
    expect(latencies[latencies.length - 1]).toBeLessThan(1000);
    console.log(
      `change notification (create on B -> put event on A): median ${latencies[10]?.toFixed(1)} ms, max ${latencies[19]?.toFixed(1)} ms over 20`,
    );
    expect(deletes).toEqual(['old1']);
  });

  it('loses nothing published while its pub/sub connection was down: it reloads on resubscribing', async () => {
    const cluster = uniqueCluster();
    const a = await start(cluster, 'a');
    const b = await start(cluster, 'b');
    await b.store.create(definition('keep'));
    await b.store.create(definition('drop'));
    await waitFor(() => a.feed.definitions.size === 2, 5000, 'two known');
    const r = nodes.raw();
    const puts: string[] = [];
    const deletes: string[] = [];
    a.feed.on('put', (p) => puts.push(p.id));
    a.feed.on('delete', (id) => deletes.push(id));
    const resynced = nextEvent<FeedResync>(a.feed, 'resynced');
    // Kill A's subscriber connection and change things before it is back.
    await r.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await Promise.all([b.store.create(definition('new')), b.store.delete('drop')]);
    await resynced;
    await waitFor(() => a.feed.synced && a.feed.definitions.size === 2, 5000, 'caught up');
    expect(sortedIds(a.feed.definitions)).toEqual(['keep', 'new']);
    expect(puts).toContain('new');
    expect(deletes).toContain('drop');
  });

  it('a message that skips a version triggers a reload; a change whose message was lost is caught by the heartbeat version', async () => {
    const cluster = uniqueCluster();
    const a = await start(cluster, 'a');
    const r = nodes.raw();
    // A change written without its message (as if the message were lost in flight).
    await r.hset(a.keys.pushes, 'silent', JSON.stringify(definition('silent')));
    await r.incr(a.keys.version);
    const seen = nextEvent<StoredPush>(a.feed, 'put', 5000);
    expect((await seen).id).toBe('silent'); // the next heartbeat's version is ahead: reload
    // A message from the future: version gap, reload (which finds the real state).
    const resynced = nextEvent<FeedResync>(a.feed, 'resynced');
    await r.publish(a.keys.changes, `${a.feed.appliedVersion + 5} put ${JSON.stringify(definition('ghost'))}`);
    await resynced;
    expect(sortedIds(a.feed.definitions)).toEqual(['silent']);
  });

  it('malformed messages and a throwing listener are logged, never thrown', async () => {
    const cluster = uniqueCluster();
    const a = await start(cluster, 'a');
    const b = await start(cluster, 'b');
    const r = nodes.raw();
    a.feed.on('put', () => {
      throw new Error('listener bug');
    });
    const ok: string[] = [];
    a.feed.on('put', (p) => ok.push(p.id));
    await r.publish(a.keys.changes, 'garbage');
    await b.store.create(definition('x'));
    await waitFor(() => ok.includes('x'), 5000, 'x');
    expect(a.log.lines.some((l) => l.includes('ignored a malformed change message'))).toBe(true);
    expect(a.log.lines.some((l) => l.includes("a 'put' listener failed: listener bug"))).toBe(true);
  });
});
