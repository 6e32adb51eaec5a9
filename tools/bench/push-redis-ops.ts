/**
 * @sluice/push-redis with its default timings against a real redis-server: Redis
 * commands per node and per push per minute (INFO commandstats), bytes sent to Redis,
 * change-notification latency between two nodes, lease takeover time (holder released
 * / holder died), and the latency of the cluster-wide reads and writes the API uses.
 *
 * Usage: node --import tsx tools/bench/push-redis-ops.ts [--seconds 60] [--pushes 1,100]
 * Prints one JSON line per measurement.
 */
import { performance } from 'node:perf_hooks';
import type { PushRecord } from '@sluice/push';
import { RedisConnection, RedisPushCluster, silentLogger, type Lease, type LivePush } from '@sluice/push-redis';
import { removeRedisServer, startRedisServer, waitFor } from '@sluice/test-support';
import { definition } from '../../packages/push-redis/src/test-support/definitions.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('--seconds', '60'));
const PUSH_COUNTS = arg('--pushes', '1,100').split(',').map(Number);

const print = (what: string, values: Record<string, unknown>): void => console.log(JSON.stringify({ what, ...values }));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

function record(id: string, bytes: number): PushRecord {
  return {
    ...definition(id),
    stream: { name: `cam-${id}`, tracks: [100, 101] },
    state: 'pushing',
    sequence: 0,
    sentBytes: bytes,
    sentTime: bytes / 1000,
    totalsentBytes: bytes,
    totalsentTime: bytes / 1000,
    createdTime: '2026-01-01T00:00:00.000+0000',
    startTime: '2026-01-01T00:00:01.000+0000',
    finishTime: '1970-01-01T00:00:00.000+0000',
    isConfig: false,
    droppedFrames: 0,
  };
}

async function stats(r: RedisConnection): Promise<{ calls: Map<string, number>; inputBytes: number }> {
  const [commandstats, info] = await r.run('read INFO', (c) => Promise.all([c.info('commandstats'), c.info('stats')]));
  const calls = new Map<string, number>();
  for (const m of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1] as string, Number(m[2]));
  const inputBytes = Number(/^total_net_input_bytes:(\d+)/m.exec(info)?.[1] ?? 0);
  return { calls, inputBytes };
}

/** A node running `ids` (each claimed, reported live under its lease), default timings. */
function runningNode(url: string, cluster: string, node: string, ids: string[]): RedisPushCluster {
  let bytes = 0;
  const holder: { n?: RedisPushCluster } = {};
  const live = (): LivePush[] => {
    bytes += 625_000; // 5 Mb/s
    const out: LivePush[] = [];
    for (const id of ids) {
      const lease = holder.n?.leases.lease(id);
      if (lease !== undefined) out.push({ record: record(id, bytes), token: lease.token });
    }
    return out;
  };
  holder.n = new RedisPushCluster({ url, cluster, node, live, logger: silentLogger });
  return holder.n;
}

const server = await startRedisServer();
const raw = new RedisConnection({ url: server.url, logger: silentLogger });
raw.start();
await raw.whenAvailable(10_000);
try {
  // 1. Steady state: commands per minute for one node running N pushes.
  for (const n of PUSH_COUNTS) {
    const cluster = `ops${n}`;
    const ids = Array.from({ length: n }, (_, i) => `p${i}`);
    const node = runningNode(server.url, cluster, 'a', ids);
    node.start();
    await waitFor(() => node.connection.available && node.feed.synced, 10_000, 'node up');
    for (const id of ids) await node.store.create(definition(id));
    for (const id of ids) node.leases.claim(id);
    await waitFor(() => node.leases.heldIds().length === n, 10_000, 'leases held');
    await sleep(3000); // past start-up
    const before = await stats(raw);
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const after = await stats(raw);
    const minutes = (performance.now() - t0) / 60_000;
    const delta = new Map<string, number>();
    for (const [k, v] of after.calls) {
      const d = v - (before.calls.get(k) ?? 0);
      if (d > 0 && k !== 'info') delta.set(k, d);
    }
    const scripts = (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0);
    const total = [...delta.values()].reduce((a, b) => a + b, 0);
    print('steady-state', {
      pushes: n,
      minutes: round(minutes),
      roundTripsPerMinute: round(scripts / minutes, 1),
      commandsPerMinute: round(total / minutes, 1),
      commandsPerPushPerMinute: round(total / minutes / n, 1),
      bytesToRedisPerMinute: Math.round((after.inputBytes - before.inputBytes) / minutes),
      byCommandPerMinute: Object.fromEntries([...delta].map(([k, v]) => [k, round(v / minutes, 1)])),
    });
    await node.close();
  }

  // 2. Change notifications and API latency: two nodes, B writes, A hears.
  {
    const a = runningNode(server.url, 'notify', 'a', []);
    const b = runningNode(server.url, 'notify', 'b', []);
    a.start();
    b.start();
    await waitFor(() => a.feed.synced && b.feed.synced, 10_000, 'feeds');
    const latencies: number[] = [];
    const creates: number[] = [];
    for (let i = 0; i < 200; i++) {
      const heard = new Promise<void>((resolve) => a.feed.once('put', () => resolve()));
      const t0 = performance.now();
      await b.store.create(definition(`n${i}`));
      creates.push(performance.now() - t0);
      await heard;
      latencies.push(performance.now() - t0);
    }
    latencies.sort((x, y) => x - y);
    creates.sort((x, y) => x - y);
    print('change-notification', {
      samples: latencies.length,
      medianMs: round(quantile(latencies, 0.5)),
      p99Ms: round(quantile(latencies, 0.99)),
      maxMs: round(latencies[latencies.length - 1] ?? NaN),
    });
    const lists: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await a.view.list();
      lists.push(performance.now() - t0);
    }
    lists.sort((x, y) => x - y);
    print('api-latency', {
      pushes: 200,
      createMedianMs: round(quantile(creates, 0.5)),
      createP99Ms: round(quantile(creates, 0.99)),
      listMedianMs: round(quantile(lists, 0.5)),
      listP99Ms: round(quantile(lists, 0.99)),
    });
    await Promise.all([a.close(), b.close()]);
  }

  // 3. Lease takeover with the default TTL: after a release, and after the holder died.
  {
    const released: number[] = [];
    const died: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const cluster = `takeover${trial}`;
      const a = runningNode(server.url, cluster, 'a', []);
      const b = runningNode(server.url, cluster, 'b', []);
      a.start();
      b.start();
      await waitFor(() => a.connection.available && b.connection.available, 10_000, 'up');
      await a.leases.tryAcquire('p');
      b.leases.claim('p');
      const acquired = (): Promise<Lease> => new Promise((resolve) => b.leases.once('acquired', resolve));
      let next = acquired();
      let t0 = performance.now();
      await a.leases.release('p');
      await next;
      released.push(performance.now() - t0);
      await b.leases.release('p');
      await a.leases.tryAcquire('p');
      b.leases.claim('p');
      await sleep(1000 + trial * 1000); // different phases of A's renewal cycle
      next = acquired();
      t0 = performance.now();
      await a.connection.close(); // A dies: no release, no renewal
      await next;
      died.push(performance.now() - t0);
      await Promise.all([a.leases.close(), b.close()]);
    }
    print('lease-takeover', {
      ttlMs: 10_000,
      afterReleaseMs: released.map((v) => round(v, 1)),
      afterHolderDiedMs: died.map((v) => Math.round(v)),
    });
  }
} finally {
  await raw.close();
  await removeRedisServer(server);
}
