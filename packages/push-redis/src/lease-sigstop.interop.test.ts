import { fileURLToPath } from 'node:url';
import { describeWithPeers, startProcess, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterEach, expect, it } from 'vitest';
import type { RedisPushCluster } from './redis-push-cluster.js';
import { claimWatched } from './test-support/lease-claim.js';
import { startNode, uniqueCluster, useRedisServer } from './test-support/redis-fixture.js';

const CHILD = fileURLToPath(new URL('./test-support/lease-holder-child.ts', import.meta.url));

describeWithPeers(['redis-server'], 'a lease holder stopped with SIGSTOP past its lease (real process)', () => {
  const server = useRedisServer();
  let child: PeerProcess | undefined;
  let node: RedisPushCluster | undefined;
  afterEach(async () => {
    await child?.stop(1000, 'SIGKILL');
    await node?.close();
  });

  it('never works after the other node acquired, and on SIGCONT reports the lease lost before anything else', async () => {
    const cluster = uniqueCluster();
    const ttlMs = 3000;
    child = startProcess(process.execPath, [
      '--import',
      'tsx',
      CHILD,
      server().url,
      cluster,
      'p',
      String(ttlMs),
      '400',
    ]);
    const lines = (): string[] => (child as PeerProcess).stdout().split('\n').filter(Boolean);
    await waitFor(
      () => lines().some((l) => l.startsWith('acquired')),
      20_000,
      () => `child acquired: ${child?.stderr()}`,
    );
    const childToken = Number(lines()[0]?.split(' ')[1]);
    await waitFor(() => lines().filter((l) => l.startsWith('work')).length >= 5, 5000, 'child working');

    node = await startNode(server().url, cluster, 'b');
    child.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const claim = claimWatched(node.leases, 'p', () => Date.now());
    await waitFor(() => claim.acquired !== undefined, 10_000, 'b acquired');
    await new Promise((r) => setTimeout(r, 300));
    const before = lines().length;
    const resumedAt = Date.now();
    child.child.kill('SIGCONT');
    await waitFor(
      () => lines().some((l) => l.startsWith('lost')),
      5000,
      () => `child lost: ${lines().slice(-3).join(' | ')}`,
    );
    await new Promise((r) => setTimeout(r, 200));

    const all = lines();
    const afterResume = all.slice(before);
    const works = all.filter((l) => l.startsWith('work')).map((l) => Number(l.split(' ')[1]));
    const lost = all.find((l) => l.startsWith('lost'))?.split(' ') ?? [];
    // Every check that passed happened before B acquired (indeed before the child was stopped).
    expect(Math.max(...works)).toBeLessThan(claim.acquiredAt);
    expect(Math.max(...works)).toBeLessThanOrEqual(stoppedAt + 20);
    // After SIGCONT the first thing the child says is that its lease expired; it does no work after.
    expect(afterResume[0]?.startsWith('lost expired')).toBe(true);
    expect(afterResume.filter((l) => l.startsWith('work'))).toEqual([]);
    expect(Number(lost[2])).toBeGreaterThan(0); // noticed late: it was paused past its deadline
    expect(Number(lost[3])).toBeGreaterThanOrEqual(resumedAt);
    expect(claim.acquired?.token).toBeGreaterThan(childToken);
    expect((await node.leases.holder('p'))?.node).toBe('b');
    console.log(
      `SIGSTOP: B acquired ${claim.acquiredAt - stoppedAt} ms after the child was stopped (TTL ${ttlMs} ms); the child noticed its loss ${lost[2]} ms past its deadline, ${Number(lost[3]) - resumedAt} ms after SIGCONT`,
    );
  });
});
