import { describeWithPeers, waitFor } from '@sluice/test-support';
import { describe, expect, it } from 'vitest';
import { FreezableClock } from './test-support/freezable-clock.js';
import { claimWatched } from './test-support/lease-claim.js';
import {
  FAST,
  nextEvent,
  uniqueCluster,
  useRedisServer,
  useNodes,
  type TestNode,
} from './test-support/redis-fixture.js';
import type { Lease, LeaseHolder, LeaseLoss } from './lease.js';
import { PushLeases } from './push-leases.js';

const isLease = (r: Lease | LeaseHolder): r is Lease => typeof (r as Lease).valid === 'function';
describe('PushLeases options', () => {
  it('refuses timings under which a lease could not be renewed before it is given up', () => {
    const args = [{} as never, {} as never, { node: 'a', instance: 'i' }] as const;
    expect(() => new PushLeases(...args, { ttlMs: 1000, marginMs: 1000 })).toThrow(RangeError);
    expect(() => new PushLeases(...args, { ttlMs: 1000, marginMs: 300, renewIntervalMs: 700 })).toThrow(RangeError);
    expect(() => new PushLeases({} as never, {} as never, { node: 'a b', instance: 'i' })).toThrow(TypeError);
  });
});

describeWithPeers(['redis-server'], 'PushLeases against a real redis-server', () => {
  const server = useRedisServer();
  const nodes = useNodes(() => server().url);
  const two = async (overrides: Parameters<typeof nodes.start>[2] = {}): Promise<[TestNode, TestNode, string]> => {
    const cluster = uniqueCluster();
    return [await nodes.start(cluster, 'a', overrides), await nodes.start(cluster, 'b', overrides), cluster];
  };

  it('two nodes racing for the same lease: exactly one wins, the other learns who holds it', async () => {
    const [a, b] = await two();
    for (let i = 0; i < 25; i++) {
      const [ra, rb] = await Promise.all([a.leases.tryAcquire(`p${i}`), b.leases.tryAcquire(`p${i}`)]);
      expect([ra, rb].filter(isLease)).toHaveLength(1);
      const winner = isLease(ra) ? a : b;
      const loser = (isLease(ra) ? rb : ra) as LeaseHolder;
      expect(loser.node).toBe(winner.identity.node);
      expect(loser.instance).toBe(winner.identity.instance);
      expect(loser.ttlMs).toBeGreaterThan(0);
      expect(loser.token).toBe((isLease(ra) ? ra : (rb as Lease)).token);
    }
  });

  it('renewal keeps a lease for several TTLs; a second node cannot take it meanwhile', async () => {
    const [a, b] = await two();
    const lease = (await a.leases.tryAcquire('p')) as Lease;
    expect(isLease(lease)).toBe(true);
    const lost: LeaseLoss[] = [];
    a.leases.on('lost', (l) => lost.push(l));
    const until = Date.now() + 2.5 * FAST.leases.ttlMs;
    while (Date.now() < until) {
      const r = await b.leases.tryAcquire('p');
      expect(isLease(r)).toBe(false);
      expect(lease.valid()).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lost).toEqual([]);
    expect(a.leases.lease('p')).toBe(lease);
  });

  it('an owner that stops renewing loses the lease at its deadline, before the other node can acquire it', async () => {
    const [a, b] = await two();
    const sent = performance.now();
    const lease = (await a.leases.tryAcquire('p')) as Lease;
    expect(lease.deadline).toBeLessThanOrEqual(sent + FAST.leases.ttlMs - FAST.leases.marginMs + 50);
    const events: string[] = [];
    let lostAt = 0;
    let acquiredAt = 0;
    a.leases.on('lost', (l) => {
      lostAt = performance.now();
      events.push(`a lost ${l.reason}`);
    });
    b.leases.on('acquired', (l) => {
      acquiredAt = performance.now();
      events.push(`b acquired ${l.token}`);
    });
    b.leases.claim('p');
    // A's connection goes away without releasing: no more renewals.
    await a.connection.close();
    await waitFor(
      () => events.length === 2,
      10_000,
      () => `lost + acquired, got ${events.join(', ')}`,
    );
    expect(events).toEqual(['a lost expired', `b acquired ${lease.token + 1}`]);
    expect(lease.valid()).toBe(false);
    // B could only acquire once Redis had expired the key: at least the TTL after A's request.
    expect(acquiredAt - sent).toBeGreaterThanOrEqual(FAST.leases.ttlMs - 5);
    expect(acquiredAt - lostAt).toBeGreaterThan(0);
    console.log(
      `lease takeover after the owner stopped renewing: ${(acquiredAt - sent).toFixed(0)} ms after its last acquisition (TTL ${FAST.leases.ttlMs} ms); owner gave up ${(acquiredAt - lostAt).toFixed(0)} ms before`,
    );
  });

  it('a paused owner (timers frozen, clock running) sees its lease invalid before the other acquires; on resume it gives up before renewing', async () => {
    const clock = new FreezableClock();
    const cluster = uniqueCluster();
    const leases = { ...FAST.leases, ttlMs: 2000, marginMs: 600 };
    const a = await nodes.start(cluster, 'a', { clock, leases });
    const b = await nodes.start(cluster, 'b', { leases });
    const lease = (await a.leases.tryAcquire('p')) as Lease;
    const lost: LeaseLoss[] = [];
    a.leases.on('lost', (l) => lost.push(l));
    clock.freeze(); // A stops running timers: no renewal, no expiry timer
    const claim = claimWatched(b.leases, 'p', () => performance.now());
    let invalidAt = 0;
    while (claim.acquired === undefined) {
      if (invalidAt === 0 && !lease.valid()) invalidAt = performance.now();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(invalidAt).toBeGreaterThan(0);
    expect(claim.acquiredAt - invalidAt).toBeGreaterThan(0);
    expect(claim.acquired.token).toBeGreaterThan(lease.token);
    // Resume: the frozen renewal tick runs now; it expires the lease first and sends nothing for it.
    const ops: string[] = [];
    const run = a.connection.run.bind(a.connection);
    a.connection.run = (operation, fn) => {
      ops.push(operation);
      return run(operation, fn);
    };
    clock.thaw();
    await waitFor(() => lost.length > 0, 5000, 'lost');
    expect(lost[0]).toMatchObject({ id: 'p', token: lease.token, reason: 'expired' });
    expect(a.leases.heldIds()).toEqual([]);
    expect(ops.filter((o) => o.startsWith('renew'))).toEqual([]);
    expect((await a.leases.holder('p'))?.node).toBe('b');
    console.log(
      `paused owner: valid() false ${(claim.acquiredAt - invalidAt).toFixed(0)} ms before the other node acquired (margin ${leases.marginMs} ms)`,
    );
  });

  it('fencing tokens strictly increase across holders, pushes and releases', async () => {
    const [a, b] = await two();
    const tokens: number[] = [];
    for (let i = 0; i < 12; i++) {
      const n = i % 2 === 0 ? a : b;
      const id = i % 3 === 0 ? 'x' : 'y';
      const lease = await n.leases.tryAcquire(id);
      expect(isLease(lease)).toBe(true);
      tokens.push((lease as Lease).token);
      expect(await n.leases.release(id)).toBe(true);
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
  });

  it('a claim is served at once when the holder releases (the released message, not a retry)', async () => {
    // Retries at most every 5 s: the first one is due ~TTL after the claim, so a quick acquisition is the message's doing.
    const [a, b] = await two({ leases: { ...FAST.leases, claimRetryMaxMs: 5000 } });
    await a.leases.tryAcquire('p');
    b.leases.claim('p');
    await new Promise((r) => setTimeout(r, 100));
    expect(b.leases.lease('p')).toBeUndefined();
    const acquired = nextEvent<Lease>(b.leases, 'acquired');
    const releasedAt = performance.now();
    expect(await a.leases.release('p')).toBe(true);
    const lease = await acquired;
    const latency = performance.now() - releasedAt;
    expect(lease.valid()).toBe(true);
    expect(latency).toBeLessThan(FAST.leases.ttlMs / 2);
    console.log(`claim served ${latency.toFixed(1)} ms after the holder released`);
    // Unclaim releases and stops trying.
    expect(await b.leases.release('p')).toBe(true);
    expect(await a.leases.holder('p')).toBeNull();
  });

  it('learns it lost a lease another holder took (renewal sees the other value), and writes back one Redis lost', async () => {
    const [a, , cluster] = await two();
    const r = nodes.raw();
    const taken = (await a.leases.tryAcquire('taken')) as Lease;
    const restored = (await a.leases.tryAcquire('restored')) as Lease;
    await r.set(`sluice:{${cluster}}:lease:taken`, `${taken.token + 100} z zz`, 'PX', 10_000);
    await r.del(`sluice:{${cluster}}:lease:restored`);
    const lost = nextEvent<LeaseLoss>(a.leases, 'lost');
    const back = nextEvent<Lease>(a.leases, 'restored');
    expect(await lost).toMatchObject({ id: 'taken', reason: 'taken', lateMs: 0 });
    expect(await back).toBe(restored);
    expect(restored.valid()).toBe(true);
    expect(await r.get(`sluice:{${cluster}}:lease:restored`)).toBe(`${restored.token} a ${a.identity.instance}`);
    expect(Number(await r.get(`sluice:{${cluster}}:fence`))).toBeGreaterThanOrEqual(restored.token);
  });

  it('a listener that throws is logged; the other listeners and the renewals go on', async () => {
    const [a, , cluster] = await two();
    const r = nodes.raw();
    const lease = (await a.leases.tryAcquire('p')) as Lease;
    const seen: string[] = [];
    a.leases.on('lost', () => {
      throw new Error('listener bug');
    });
    a.leases.on('lost', (l) => seen.push(l.id));
    await r.set(`sluice:{${cluster}}:lease:p`, `${lease.token + 1} z zz`, 'PX', 10_000);
    await waitFor(() => seen.length === 1, 5000, 'second listener');
    expect(a.log.lines.some((l) => l.includes("a 'lost' listener failed: listener bug"))).toBe(true);
    expect(isLease(await a.leases.tryAcquire('q'))).toBe(true);
  });

  it('close() releases every lease it holds', async () => {
    const [a, b] = await two();
    await a.leases.tryAcquire('p1');
    await a.leases.tryAcquire('p2');
    await a.leases.close();
    expect(await b.leases.holder('p1')).toBeNull();
    expect(await b.leases.holder('p2')).toBeNull();
  });
});
