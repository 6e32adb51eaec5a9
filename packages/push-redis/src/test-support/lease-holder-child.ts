/**
 * A child process that holds one lease and "works" under it, for the SIGSTOP test.
 * Args: redis url, cluster, push id, ttl ms, margin ms. Prints one line per event on
 * stdout (synchronous on a pipe, so a line printed is in the pipe before the process
 * can be stopped):
 *   acquired {token} {wall ms}
 *   work {wall ms}          every 10 ms while lease.valid() (wall time read before the check)
 *   lost {reason} {lateMs} {wall ms}
 */
import { writeSync } from 'node:fs';
import { ClusterKeys } from '../cluster-keys.js';
import { silentLogger } from '../logger.js';
import type { Lease } from '../lease.js';
import { PushLeases } from '../push-leases.js';
import { RedisConnection } from '../redis-connection.js';

const [url, cluster, id, ttl, margin] = process.argv.slice(2) as [string, string, string, string, string];
const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};
const connection = new RedisConnection({ url, logger: silentLogger });
const ttlMs = Number(ttl);
const leases = new PushLeases(
  connection,
  new ClusterKeys(cluster),
  { node: 'child', instance: String(process.pid) },
  { ttlMs, marginMs: Number(margin), renewIntervalMs: ttlMs / 4, renewRetryMs: 50, logger: silentLogger },
);
leases.on('lost', (l) => say(`lost ${l.reason} ${l.lateMs} ${Date.now()}`));
connection.start();
leases.start();
await connection.whenAvailable(10_000);
const lease = (await leases.tryAcquire(id)) as Lease;
if (typeof lease.valid !== 'function') {
  say('refused');
  process.exit(1);
}
say(`acquired ${lease.token} ${Date.now()}`);
setInterval(() => {
  const now = Date.now();
  if (lease.valid()) say(`work ${now}`);
}, 10);
