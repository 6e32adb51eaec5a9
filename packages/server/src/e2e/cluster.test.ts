/**
 * Several nodes, one push registry on Redis — end to end with real processes: a
 * redis-server on a free port, three Sluice nodes (the CLI, child processes), ffmpeg
 * publishers and nginx-rtmp as the destination, watched from nginx's side (its publish
 * hooks: never two publishers of one stream at once).
 */
import { execFileSync } from 'node:child_process';
import { freeTcpPort, removeRedisServer, startRedisServer, waitFor } from '@sluice/test-support';
import type { PeerProcess, RedisServer } from '@sluice/test-support';
import { describeWithPeers } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CAPPED_APP_MAX_PUSHES, eventually, startClusterNode } from './cluster-harness.js';
import type { ClusterNode, ClusterRecord } from './cluster-harness.js';
import { startFfmpegPublisher, type ApiAnswer } from './peers.js';
import { startWatchedNginx } from './watched-nginx.js';
import type { WatchedNginx } from './watched-nginx.js';

const LEASE_MS = 3000;
const STATS = '/v1/stats/current/vhosts/default';

/** The OvenMediaEngine stats object of the API (the fields the tests read). */
interface Stats {
  totalBytesIn: number;
  totalBytesOut: number;
  totalConnections: number;
  maxTotalConnections: number;
  lastSentTime: string;
  connections: Record<string, number>;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Local ports of the established TCP connections to `port`, by owning process id (ss -p). */
function connectionsByPid(port: number): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  let text = '';
  try {
    text = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  } catch {
    return out;
  }
  for (const match of text.matchAll(/:(\d+)\s+\S+:\d+\s+users:\(\("[^"]*",pid=(\d+)/g)) {
    const pid = Number(match[2]);
    const ports = out.get(pid) ?? new Set<number>();
    ports.add(Number(match[1]));
    out.set(pid, ports);
  }
  return out;
}

describeWithPeers(['redis-server', 'nginx-rtmp', 'ffmpeg'], 'cluster: three nodes, one Redis, nginx-rtmp', () => {
  let redis: RedisServer;
  let sink: WatchedNginx;
  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;
  const publishers: PeerProcess[] = [];
  const publish = (node: ClusterNode, stream: string): PeerProcess => {
    const p = startFfmpegPublisher(node.ingestUrl(stream));
    publishers.push(p);
    return p;
  };
  const live = (node: ClusterNode, stream: string): Promise<void> =>
    waitFor(() => node.hasStream(stream).catch(() => false), 20_000, `${stream} live on ${node.name}`, 100);
  /** The record of `id` through `via` once it is pushing on `node`. */
  /** `node` undefined: on any node. */
  const pushingOn = (
    via: ClusterNode,
    id: string,
    node: string | undefined,
    timeoutMs = 20_000,
  ): Promise<ClusterRecord> =>
    eventually(
      async () => {
        const r = await via.push(id);
        return r?.state === 'pushing' && (node === undefined || r.node === node) ? r : undefined;
      },
      timeoutMs,
      () => `push ${id} pushing on ${node ?? 'some node'} (through ${via.name})`,
    );

  beforeAll(async () => {
    redis = await startRedisServer();
    sink = await startWatchedNginx();
    const map = `<PushInfo><Push><Enable>true</Enable><StreamName>auto*</StreamName><Protocol>rtmp</Protocol><Url>${sink.url()}</Url><StreamKey>\${Stream}</StreamKey></Push></PushInfo>`;
    const nodes = await Promise.all(
      ['node-a', 'node-b', 'node-c'].map((name) =>
        startClusterNode({ name, redisUrl: redis.url, leaseMs: LEASE_MS, streamMapXml: map }),
      ),
    );
    [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  }, 90_000);

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.stop(500)));
    await Promise.all([a, b, c].filter((n) => n !== undefined).map((n) => n.stop()));
    await sink?.close();
    if (redis !== undefined) await removeRedisServer(redis);
  });

  it('a push created on B of a stream published on A runs on A, and C lists it with A live state', async () => {
    publish(a, 'cam1');
    await live(a, 'cam1');
    const created = await b.startPush('p1', 'cam1', sink.url(), 'k1');
    expect(created.status).toBe(200);
    expect(created.body?.response?.[0]).toMatchObject({ id: 'p1', state: 'ready', stream: { name: 'cam1' } });
    const seen = await eventually(
      async () => {
        const r = await c.push('p1');
        return r?.state === 'pushing' && r.node === 'node-a' && r.sentBytes > 0 ? r : undefined;
      },
      20_000,
      'p1 pushing on node-a with bytes sent, seen from node-c',
    );
    expect(seen.leaseToken).toBeGreaterThan(0);
    await waitFor(() => sink.publishers('k1').length === 1, 10_000, 'nginx has the publisher of k1');
    const fromB = await b.push('p1');
    expect(fromB).toMatchObject({ node: 'node-a', state: 'pushing' });
    const duplicate = await c.startPush('p1', 'cam1', sink.url(), 'other');
    expect(duplicate).toMatchObject({ status: 400, body: { message: 'Duplicate ID already exists [p1] (400)' } });
  });

  it('stats from any node add up every node: its streams and the pushes each runs (published each second)', async () => {
    // cam1 on A with p1 pushing (above); cam3 on C with p4, created on A; B has nothing of its own
    const encoder = publish(c, 'cam3');
    await live(c, 'cam3');
    expect((await a.startPush('p4', 'cam3', sink.url(), 'k4')).status).toBe(200);
    await pushingOn(b, 'p4', 'node-c');
    const stats = async (node: ClusterNode, path: string): Promise<Stats | undefined> => {
      const answer = await node.api<Stats>('GET', `${STATS}${path}`);
      if (answer.status === 404) return undefined;
      expect(answer.status).toBe(200);
      return answer.body?.response;
    };
    const app = await eventually(
      async () => {
        const s = await stats(b, '/apps/app');
        return s?.connections['push'] === 2 && s.connections['rtmp'] === 2 && s.totalBytesOut > 0 ? s : undefined;
      },
      15_000,
      'the app stats on B count the pushes of A and C and their streams',
    );
    expect(app.totalConnections).toBe(4);
    expect(app.maxTotalConnections).toBeGreaterThanOrEqual(4);
    expect(app.totalBytesIn).toBeGreaterThan(0);
    const vhost = await stats(b, '');
    expect(vhost?.connections).toMatchObject({ push: 2, rtmp: 2 });
    // A stream's stats from a node that does not have it: those of the node that has it
    const cam3 = await stats(a, '/apps/app/streams/cam3');
    expect(cam3?.connections).toEqual({ push: 1, rtmp: 1 });
    expect(cam3?.totalBytesOut).toBeGreaterThan(0);
    expect((await stats(b, '/apps/app/streams/cam1'))?.connections).toEqual({ push: 1, rtmp: 1 });
    expect(await stats(b, '/apps/app/streams/nowhere')).toBeUndefined();
    // The counters follow the owners' heartbeats: bytes out keep growing, seen from any node
    await eventually(
      async () => ((await stats(c, '/apps/app'))?.totalBytesOut ?? 0) > app.totalBytesOut + 10_000 || undefined,
      10_000,
      'the app bytes out growing',
    );
    // the last send time: from the owners' traffic meters (sampled each second), seen from a third node
    await eventually(
      async () => ((await stats(b, '/apps/app'))?.lastSentTime.startsWith('1970') === false ? true : undefined),
      10_000,
      'the app last send time set',
    );
    // The stream ends and its push stops: the counts drop on every node
    expect((await b.stopPush('p4')).status).toBe(200);
    await encoder.stop(500);
    await eventually(
      async () => {
        const s = await stats(a, '/apps/app');
        return s?.connections['push'] === 1 && s.connections['rtmp'] === 1 ? s : undefined;
      },
      15_000,
      'the app stats back to one stream and one push',
    );
    expect(await stats(b, '/apps/app/streams/cam3')).toBeUndefined();
  });

  it('MaxPushes holds cluster-wide: startPush racing on two nodes creates exactly the cap, the rest get 409', async () => {
    const capped = '/v1/vhosts/default/apps/capped';
    const start = (node: ClusterNode, id: string): Promise<ApiAnswer> =>
      node.api('POST', `${capped}:startPush`, {
        id,
        stream: { name: 'idle' },
        protocol: 'rtmp',
        url: sink.url(),
        streamKey: id,
      });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => start(i % 2 === 0 ? a : b, `cap${i}`)));
    const created = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status !== 200);
    expect(created).toHaveLength(CAPPED_APP_MAX_PUSHES);
    for (const r of refused)
      expect(r).toMatchObject({
        status: 409,
        body: {
          message: `The application [default/capped] already has ${CAPPED_APP_MAX_PUSHES} pushes, the most its MaxPushes allows (409)`,
        },
      });
    const listed = await c.api<ClusterRecord[]>('POST', `${capped}:pushes`, {});
    const ids = (listed.body?.response ?? []).map((r) => r.id);
    expect(ids).toHaveLength(CAPPED_APP_MAX_PUSHES);
    // stopping one on C frees one place, for whichever node asks first
    expect((await c.api('POST', `${capped}:stopPush`, { id: ids[0] })).status).toBe(200);
    expect((await start(b, 'cap-again')).status).toBe(200);
    expect((await start(a, 'cap-over')).status).toBe(409);
    for (const id of [...ids.slice(1), 'cap-again'])
      expect((await a.api('POST', `${capped}:stopPush`, { id })).status).toBe(200);
  });

  it('StreamMap: a stream published on two nodes makes one push, run by one of them', async () => {
    const encoders = [publish(a, 'auto1'), publish(b, 'auto1')];
    await Promise.all([live(a, 'auto1'), live(b, 'auto1')]);
    const record = await eventually(
      async () => (await c.pushes()).find((r) => r.stream.name === 'auto1' && r.state === 'pushing'),
      20_000,
      'the StreamMap push of auto1 pushing',
    );
    expect(record.id).toMatch(/^streammap:default\/app\/auto1:[0-9a-f]{12}$/);
    expect(record.isConfig).toBe(true);
    await sleep(1500);
    expect((await c.pushes()).filter((r) => r.stream.name === 'auto1')).toHaveLength(1);
    expect(sink.publishers('auto1')).toHaveLength(1);
    expect(sink.maxConcurrent('auto1')).toBe(1);
    // Its stream ends: the push waits in `ready` (and leaves nginx), so that later checks of connections see only theirs.
    await Promise.all(encoders.map((p) => p.stop(500)));
    await waitFor(() => sink.publishers('auto1').length === 0, 10_000, 'the auto1 push left nginx');
  });

  it('SIGKILL A, re-publish on B: the push resumes on B within a few seconds', async () => {
    await a.kill();
    const killedAt = Date.now();
    publish(b, 'cam1');
    await live(b, 'cam1');
    const liveAt = Date.now();
    await pushingOn(c, 'p1', 'node-b', 30_000);
    const takeoverMs = Date.now() - liveAt;
    console.log(
      `[cluster] takeover after SIGKILL: stream live on B ${liveAt - killedAt} ms after the kill, push pushing on B ${takeoverMs} ms after that (lease ${LEASE_MS} ms)`,
    );
    expect(takeoverMs).toBeLessThan(LEASE_MS + 12_000);
    await waitFor(() => sink.publishers('k1').length === 1, 10_000, 'nginx has one publisher of k1');
    expect(sink.maxConcurrent('k1')).toBe(1);
  });

  it('stopped from C, it stops on B; A restarted does not bring it back', async () => {
    const stopped = await c.stopPush('p1');
    expect(stopped.status).toBe(200);
    expect(stopped.body?.response?.[0]).toMatchObject({ id: 'p1', state: 'stopping', node: 'node-b' });
    await waitFor(async () => (await b.push('p1')) === undefined, 10_000, 'p1 gone');
    await waitFor(() => sink.publishers('k1').length === 0, 10_000, 'nginx lost the publisher of k1');
    expect((await c.stopPush('p1')).status).toBe(404);
    await a.restart();
    publish(a, 'cam1');
    await live(a, 'cam1');
    const since = Date.now();
    await sleep(2000);
    expect(await a.push('p1')).toBeUndefined();
    expect(sink.publishes('k1', since)).toEqual([]);
  });

  it('a node SIGSTOPped past its lease gives the push up; resumed, it never pushes beside the new owner', async () => {
    publish(b, 'cam2');
    await live(b, 'cam2');
    expect((await c.startPush('p2', 'cam2', sink.url(), 'k2')).status).toBe(200);
    await pushingOn(a, 'p2', 'node-b');
    publish(c, 'cam2'); // a second encoder on C: C claims p2 and waits for the lease
    await live(c, 'cam2');
    const pausedAt = Date.now();
    b.pause();
    let before: Set<number>;
    try {
      await pushingOn(a, 'p2', 'node-c', 30_000);
      console.log(`[cluster] takeover of a SIGSTOPped owner: ${Date.now() - pausedAt} ms (lease ${LEASE_MS} ms)`);
      await sleep(1000);
      before = connectionsByPid(sink.nginx.port).get(b.pid()) ?? new Set<number>();
    } finally {
      b.resume();
    }
    const resumedAt = Date.now();
    // Resumed, B opens no connection to nginx; the one it had when paused (if nginx has not dropped it) is closed.
    let after = new Set<number>();
    for (let i = 0; i < 40; i++) {
      after = connectionsByPid(sink.nginx.port).get(b.pid()) ?? new Set<number>();
      for (const port of after)
        expect(before.has(port), `B connected to nginx from port ${port} after resuming`).toBe(true);
      await sleep(100);
    }
    expect(after.size, 'B still connected to nginx 4 s after resuming').toBe(0);
    expect(await a.push('p2')).toMatchObject({ node: 'node-c', state: 'pushing' });
    expect(sink.publishes('k2', resumedAt)).toEqual([]);
    expect(sink.maxConcurrent('k2')).toBe(1);
    const lines = b.logs();
    expect(lines.some((l) => l.msg.includes('lost the lease of push [p2]'))).toBe(true);
    expect(lines.some((l) => l.msg.startsWith('push stopped here: lease lost') && l['pushId'] === 'p2')).toBe(true);
  });

  it('Redis restarted mid-run: 503 while it is down, pushes keep running, changes work again after', async () => {
    const before = await pushingOn(a, 'p2', 'node-c');
    const downAt = Date.now();
    await redis.kill();
    const refused = await a.startPush('p3', 'cam2', sink.url(), 'k3');
    expect(refused.status).toBe(503);
    expect(refused.body?.message).toMatch(/^Push registry unavailable: cannot .*Redis at 127\.0\.0\.1:\d+.* \(503\)$/);
    const list = await a.api('POST', '/v1/vhosts/default/apps/app:pushes', {});
    expect(list.status).toBe(503);
    const stats = await b.api('GET', `${STATS}/apps/app`);
    expect(stats.status).toBe(503);
    expect(stats.body?.message).toMatch(/^Push registry unavailable: cannot read the stats of the cluster: .*\(503\)$/);
    await sleep(1000);
    await redis.restart();
    const after = await pushingOn(a, 'p2', 'node-c', 20_000);
    console.log(
      `[cluster] Redis down ~1 s: p2 ${after.leaseToken === before.leaseToken ? 'kept its lease' : 'was re-acquired'} (token ${before.leaseToken} -> ${after.leaseToken}); nginx saw ${sink.publishes('k2', downAt).length} new publisher(s)`,
    );
    expect(sink.maxConcurrent('k2')).toBe(1);
    const created = await eventually(
      async () => {
        const r = await a.startPush('p3', 'cam2', sink.url(), 'k3');
        return r.status === 200 ? r : undefined;
      },
      15_000,
      'p3 created once Redis is back',
      250,
    );
    expect(created.body?.response?.[0]).toMatchObject({ id: 'p3' });
    await pushingOn(b, 'p3', undefined);
    expect((await b.stopPush('p3')).status).toBe(200);
  });

  it('a node started while Redis is unreachable keeps running, answers 503, and joins once Redis is there', async () => {
    const port = await freeTcpPort();
    const d = await startClusterNode({ name: 'node-d', redisUrl: `redis://127.0.0.1:${port}`, leaseMs: LEASE_MS });
    try {
      await sleep(1500);
      expect(d.running()).toBe(true);
      const answer = await d.api('POST', '/v1/vhosts/default/apps/app:pushes', {});
      expect(answer.status).toBe(503);
      expect(answer.body?.message).toContain(`Redis at 127.0.0.1:${port}`);
      expect(d.logText()).toContain(`127.0.0.1:${port}`);
      const late = await startRedisServer({ port, persistence: 'none' });
      try {
        await eventually(
          async () =>
            (await d.api('POST', '/v1/vhosts/default/apps/app:pushes', {})).status === 204 ? true : undefined,
          20_000,
          'node-d joined',
          200,
        );
      } finally {
        await removeRedisServer(late);
      }
    } finally {
      await d.stop();
    }
  });
});
