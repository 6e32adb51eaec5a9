/**
 * A network partition: two Sluice nodes in network namespaces of their own (veth pairs
 * on a bridge, own addresses), Redis and nginx-rtmp on the bridge. The owner of a push
 * is cut off from Redis and from the other node (blackhole routes) while it still
 * reaches nginx and its encoder: it must stop pushing at its lease deadline, before the
 * other node (with a second encoder) takes over, and must not come back when healed.
 * nginx's publish hooks carry each publisher's address, so every publish is attributed.
 * Needs root and iproute2; skipped with the reason otherwise.
 */
import {
  missingPeer,
  peersRequired,
  removeRedisServer,
  startProcess,
  startRedisServer,
  waitFor,
} from '@sluice/test-support';
import type { PeerProcess, RedisServer } from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startClusterNode } from './cluster-harness.js';
import type { ClusterNode } from './cluster-harness.js';
import { ip, netnsUnavailable } from './netns.js';
import { loopingFfmpegArgs } from './peers.js';
import { startWatchedNginx } from './watched-nginx.js';
import type { WatchedNginx } from './watched-nginx.js';

const LEASE_MS = 3000;
const N = 10 + (process.pid % 240);
const NET = `10.213.${N}`;
const BRIDGE = `slbr${N}`;
const NODES = [
  { name: 'node-p', ns: `sl-p-${N}`, veth: `slvp${N}`, ip: `${NET}.2` },
  { name: 'node-q', ns: `sl-q-${N}`, veth: `slvq${N}`, ip: `${NET}.3` },
] as const;
const REDIS_IP = `${NET}.1`;
const NGINX_IP = `${NET}.100`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function whyNot(): string | null {
  return netnsUnavailable() ?? missingPeer('redis-server') ?? missingPeer('nginx-rtmp') ?? missingPeer('ffmpeg');
}

function buildNetwork(): void {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${REDIS_IP}/24`, 'dev', BRIDGE);
  ip('addr', 'add', `${NGINX_IP}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  for (const n of NODES) {
    ip('netns', 'add', n.ns);
    ip('link', 'add', n.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns);
    ip('link', 'set', n.veth, 'master', BRIDGE, 'up');
    ip('-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0');
    ip('-n', n.ns, 'link', 'set', 'eth0', 'up');
    ip('-n', n.ns, 'link', 'set', 'lo', 'up');
  }
}

function removeNetwork(): void {
  for (const n of NODES) {
    try {
      ip('netns', 'del', n.ns); // takes its veth pair along
    } catch {
      // not made
    }
  }
  try {
    ip('link', 'del', BRIDGE);
  } catch {
    // not made
  }
}

/** Cuts `ns` off from Redis and from the other node (not from nginx, nor its own encoder), or heals it. */
function partition(ns: string, cut: boolean, others: string[]): void {
  for (const target of [REDIS_IP, ...others]) ip('-n', ns, 'route', cut ? 'add' : 'del', 'blackhole', `${target}/32`);
}

const skip = whyNot();
if (skip !== null && peersRequired() && process.getuid?.() === 0) throw new Error(`required peer missing: ${skip}`);
if (skip !== null) console.warn(`[sluice] skipping "cluster partition": ${skip}`);

(skip === null ? describe : describe.skip)(
  `cluster partition: a node cut off from Redis and the other node${skip === null ? '' : ` [skipped: ${skip}]`}`,
  () => {
    let redis: RedisServer;
    let sink: WatchedNginx;
    let p: ClusterNode;
    let q: ClusterNode;
    const encoders: PeerProcess[] = [];
    /** An ffmpeg encoder inside the node's namespace, publishing to it. */
    const encode = (node: ClusterNode, ns: string, stream: string): void => {
      encoders.push(
        startProcess('ip', [
          'netns',
          'exec',
          ns,
          'ffmpeg',
          ...loopingFfmpegArgs(node.ingestUrl(stream), 'flv', 'h264-baseline-aac.flv'),
        ]),
      );
    };

    beforeAll(async () => {
      removeNetwork();
      buildNetwork();
      redis = await startRedisServer({ args: ['--bind', '127.0.0.1', REDIS_IP, '--protected-mode', 'no'] });
      sink = await startWatchedNginx({ alsoListenOn: [NGINX_IP] });
      const redisUrl = `redis://${REDIS_IP}:${redis.port}`;
      [p, q] = (await Promise.all(
        NODES.map((n) => startClusterNode({ name: n.name, redisUrl, leaseMs: LEASE_MS, netns: n.ns, host: n.ip })),
      )) as [ClusterNode, ClusterNode];
    }, 90_000);

    afterAll(async () => {
      await Promise.all(encoders.map((e) => e.stop(500)));
      await Promise.all([p, q].filter((n) => n !== undefined).map((n) => n.kill()));
      await sink?.close();
      if (redis !== undefined) await removeRedisServer(redis);
      removeNetwork();
    });

    it('the cut-off owner stops at its lease deadline, the other node takes over, healed it stays off', async () => {
      const [pn, qn] = NODES;
      encode(p, pn.ns, 'cam');
      await waitFor(() => p.hasStream('cam').catch(() => false), 20_000, 'cam live on node-p', 100);
      // (a node answers 503 until its Redis connection is up)
      await eventually(
        async () => ((await q.startPush('px', 'cam', sink.url(NGINX_IP), 'kx')).status === 200 ? true : undefined),
        15_000,
        () => `px created through node-q (${q.logText().slice(-1500)})`,
        250,
      );
      await eventually(
        async () => ((await q.push('px'))?.node === 'node-p' && sink.publishers('kx').length === 1 ? true : undefined),
        20_000,
        'px pushing from node-p',
      );
      expect(sink.publishers('kx').map((e) => e.addr)).toEqual([pn.ip]);
      encode(q, qn.ns, 'cam'); // the second encoder: node-q claims px and waits
      await waitFor(() => q.hasStream('cam').catch(() => false), 20_000, 'cam live on node-q', 100);

      const cutAt = Date.now();
      partition(pn.ns, true, [qn.ip]);
      const taken = await eventually(
        async () => sink.publishes('kx', cutAt).find((e) => e.addr === qn.ip),
        30_000,
        'node-q publishing kx at nginx',
      );
      const ownerDone = sink.events.find(
        (e) => e.name === 'kx' && e.call === 'publish_done' && e.addr === pn.ip && e.at >= cutAt,
      );
      console.log(
        `[cluster] partition: owner stopped ${ownerDone === undefined ? '?' : ownerDone.at - cutAt} ms after the cut, the other node published ${taken.at - cutAt} ms after it (lease ${LEASE_MS} ms)`,
      );
      expect(ownerDone, 'the cut-off owner unpublished before the other node published').toBeDefined();
      expect((ownerDone?.at ?? Infinity) <= taken.at).toBe(true);
      expect(sink.maxConcurrent('kx')).toBe(1);
      expect(await q.push('px')).toMatchObject({ node: 'node-q' });

      partition(pn.ns, false, [qn.ip]);
      const healedAt = Date.now();
      await eventually(
        async () => ((await p.api('GET', '/v1/version')).status === 200 ? true : undefined),
        10_000,
        'node-p reachable again',
      );
      await sleep(4000);
      expect(sink.publishes('kx', healedAt)).toEqual([]);
      expect(sink.maxConcurrent('kx')).toBe(1);
      expect(await p.push('px')).toMatchObject({ node: 'node-q', state: 'pushing' });
      expect(p.logs().some((l) => l.msg.startsWith('push stopped here: lease lost') && l['pushId'] === 'px')).toBe(
        true,
      );
    });
  },
);
