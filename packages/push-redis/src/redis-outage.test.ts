import {
  describeWithPeers,
  freeTcpPort,
  removeRedisServer,
  startRedisServer,
  waitFor,
  type RedisServer,
} from '@sluice/test-support';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RegistryUnavailable } from './errors.js';
import type { LivePush } from './live-codec.js';
import type { Lease, LeaseLoss } from './lease.js';
import { FAST, definition, nextEvent, startNode, uniqueCluster, type TestNode } from './test-support/redis-fixture.js';

/** A node that claims `p` and reports it as pushing under its lease (what the server integration will do). */
async function runningNode(url: string, cluster: string, name: string): Promise<TestNode> {
  const holder: { node?: TestNode } = {};
  const live = (): LivePush[] => {
    const lease = holder.node?.leases.lease('p');
    if (lease === undefined) return [];
    return [
      {
        token: lease.token,
        record: {
          ...definition('p'),
          stream: { name: 'cam-p', tracks: [] },
          state: 'pushing',
          sequence: 0,
          sentBytes: 1,
          sentTime: 1,
          totalsentBytes: 1,
          totalsentTime: 1,
          createdTime: 'c',
          startTime: 's',
          finishTime: 'f',
        },
      },
    ];
  };
  // Leases of 4 s: a Redis crash and restart fits well inside one even on a busy machine.
  holder.node = await startNode(url, cluster, name, { live, leases: { ...FAST.leases, ttlMs: 4000 } });
  return holder.node;
}

const rejectsUnavailable = async (what: string, p: Promise<unknown>): Promise<RegistryUnavailable> => {
  const error = await p.then(
    () => new Error(`${what} resolved`),
    (e: unknown) => e,
  );
  expect(error, what).toBeInstanceOf(RegistryUnavailable);
  return error as RegistryUnavailable;
};

describeWithPeers(['redis-server'], 'Redis going away and coming back (real redis-server restarts)', () => {
  let durable: RedisServer;
  let volatile: RedisServer;
  let nodes: TestNode[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => {
    unhandled.push(e);
  };
  beforeAll(async () => {
    [durable, volatile] = await Promise.all([startRedisServer(), startRedisServer({ persistence: 'none' })]);
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all([removeRedisServer(durable), removeRedisServer(volatile)]);
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    expect(unhandled).toEqual([]);
  });

  it('restarted mid-run: typed errors at once while down; after, leases kept (short outage) or sorted out (long one), state re-published', async () => {
    const cluster = uniqueCluster();
    const a = await runningNode(durable.url, cluster, 'a');
    const b = await runningNode(durable.url, cluster, 'b');
    nodes.push(a, b);
    await b.store.create(definition('p'));
    a.leases.claim('p');
    const first = await nextEvent<Lease>(a.leases, 'acquired');
    b.leases.claim('p');
    await waitFor(async () => (await b.view.get('p'))?.state === 'pushing', 5000, 'p pushing on a');
    const lost: LeaseLoss[] = [];
    a.leases.on('lost', (l) => lost.push(l));

    // Short outage (a crash, shorter than the lease): every operation fails fast, the lease survives.
    await durable.kill();
    await waitFor(() => !a.connection.available && !b.connection.available, 5000, 'both see it down');
    const t0 = performance.now();
    const error = await rejectsUnavailable('list', b.view.list());
    await rejectsUnavailable('load', a.store.load());
    await rejectsUnavailable('create', b.store.create(definition('q')));
    await rejectsUnavailable('acquire', b.leases.tryAcquire('q'));
    await rejectsUnavailable('heartbeat', b.heartbeat.publishNow());
    expect(performance.now() - t0).toBeLessThan(FAST.connection.commandTimeoutMs);
    expect(error.message).toMatch(
      new RegExp(
        `^Push registry unavailable: cannot list the pushes: Redis at 127\\.0\\.0\\.1:${durable.port}: not connected \\(`,
      ),
    );
    await durable.restart();
    await waitFor(() => a.connection.available && b.connection.available, 10_000, 'reconnected');
    await waitFor(async () => (await b.view.get('p'))?.node === 'a', 5000, 'live state re-published');
    expect(first.valid()).toBe(true);
    expect(lost).toEqual([]);
    expect((await b.view.get('p'))?.leaseToken).toBe(first.token);
    await waitFor(() => a.feed.synced && b.feed.synced, 5000, 'feeds reloaded');
    expect(a.log.lines.some((l) => l.startsWith('warn push-redis: lost the connection to Redis'))).toBe(true);
    expect(a.log.lines.some((l) => l.startsWith('info push-redis: reconnected to Redis'))).toBe(true);

    // Long outage (past the lease): A gives up at its deadline while Redis is down; after, one node holds it.
    await durable.kill();
    const lostEvent = await nextEvent<LeaseLoss>(a.leases, 'lost', 10_000);
    expect(lostEvent).toMatchObject({ id: 'p', token: first.token, reason: 'expired' });
    expect(first.valid()).toBe(false);
    await new Promise((r) => setTimeout(r, FAST.leases.marginMs + 100)); // the key has expired in Redis's clock too
    await durable.restart();
    await waitFor(() => [a, b].some((n) => n.leases.lease('p') !== undefined), 10_000, 'someone re-acquired');
    await new Promise((r) => setTimeout(r, 2 * FAST.leases.renewIntervalMs));
    const holders = [a, b].filter((n) => n.leases.lease('p') !== undefined);
    expect(holders).toHaveLength(1);
    const now = holders[0]?.leases.lease('p') as Lease;
    expect(now.token).toBeGreaterThan(first.token);
    expect((await a.leases.holder('p'))?.node).toBe(holders[0]?.identity.node);
    await waitFor(async () => (await a.view.get('p'))?.leaseToken === now.token, 5000, 'new owner published');
    expect((await a.store.load()).map((p) => p.id)).toEqual(['p']); // the append-only file kept it
  });

  it('lost its data (restart without persistence): definitions re-created by the nodes, leases written back, tokens still increase', async () => {
    const cluster = uniqueCluster();
    const a = await startNode(volatile.url, cluster, 'a');
    const b = await startNode(volatile.url, cluster, 'b');
    nodes.push(a, b);
    await b.store.create(definition('d1'));
    await b.store.create(definition('d2'));
    for (let i = 0; i < 5; i++) await a.leases.release(((await a.leases.tryAcquire('warm')) as Lease).id);
    const held = (await a.leases.tryAcquire('d1')) as Lease;
    await waitFor(() => a.feed.definitions.size === 2 && b.feed.definitions.size === 2, 5000, 'both know d1, d2');

    const restored = nextEvent<Lease>(a.leases, 'restored', 10_000);
    await volatile.kill();
    await volatile.restart();
    expect(await restored).toBe(held);
    expect(held.valid()).toBe(true);
    await waitFor(async () => (await b.store.load().catch(() => [])).length === 2, 10_000, 'definitions re-created');
    expect(a.log.lines.concat(b.log.lines).some((l) => l.includes("Redis lost the cluster's data"))).toBe(true);
    expect(sortedKeys(a.feed.definitions)).toEqual(['d1', 'd2']);
    const next = (await b.leases.tryAcquire('d2')) as Lease;
    expect(next.token).toBeGreaterThan(held.token);
    await waitFor(async () => (await b.view.nodes()).length === 2, 5000, 'presence re-published');
  });

  it('unreachable at start: the node retries and logs, operations fail fast, and it joins once Redis appears', async () => {
    const port = await freeTcpPort();
    const cluster = uniqueCluster();
    const url = `redis://127.0.0.1:${port}`;
    const a = await startNode(url, cluster, 'a', {}, false);
    nodes.push(a);
    a.leases.claim('p');
    await waitFor(() => a.log.lines.some((l) => l.includes(`cannot reach Redis at 127.0.0.1:${port}`)), 5000, 'logged');
    await rejectsUnavailable('list', a.view.list());
    await rejectsUnavailable('load', a.store.load());
    await new Promise((r) => setTimeout(r, 800));
    // Logged once per outage, not per retry.
    expect(a.log.lines.filter((l) => l.includes('cannot reach Redis')).length).toBe(1);
    const acquired = nextEvent<Lease>(a.leases, 'acquired', 15_000);
    const server = await startRedisServer({ port });
    try {
      await acquired;
      await waitFor(() => a.feed.synced, 5000, 'feed synced');
      await waitFor(async () => (await a.view.nodes()).some((n) => n.node === 'a'), 5000, 'presence');
      expect(a.log.lines.some((l) => l.includes(`connected to Redis at 127.0.0.1:${port}`))).toBe(true);
    } finally {
      await a.close();
      await removeRedisServer(server);
    }
  });

  it('a Redis that hangs (SIGSTOP): commands time out as RegistryUnavailable, then fail at once; all back once resumed', async () => {
    const cluster = uniqueCluster();
    const a = await startNode(durable.url, cluster, 'a');
    const b = await startNode(durable.url, cluster, 'b');
    nodes.push(a, b);
    durable.pause();
    try {
      const first = await rejectsUnavailable('list', a.view.list());
      expect(first.reason).toMatch(/no reply within 1000 ms/);
      await rejectsUnavailable('list', a.view.list());
      // Two timeouts in a row: the connection is remade, and fails fast while Redis stays silent.
      await waitFor(() => !a.connection.available, 5000, 'connection dropped');
      const t0 = performance.now();
      const fast = await rejectsUnavailable('list', a.view.list());
      expect(performance.now() - t0).toBeLessThan(FAST.connection.commandTimeoutMs / 2);
      expect(fast.reason).toMatch(/^not connected/);
      expect(a.log.lines.some((l) => l.includes('does not answer (commands timed out); reconnecting'))).toBe(true);
      // The pub/sub connection expects nothing, so only its PING tells it is dead.
      await waitFor(() => a.log.lines.some((l) => l.includes('does not answer PING')), 5000, 'subscriber PING');
    } finally {
      durable.resume();
    }
    await waitFor(() => [a, b].every((n) => n.connection.available && n.feed.synced), 10_000, 'both back');
    await b.store.create(definition('after'));
    await waitFor(() => a.feed.definition('after') !== undefined, 5000, 'changes flow again');
  });
});

function sortedKeys(m: ReadonlyMap<string, unknown>): string[] {
  return [...m.keys()].sort();
}
