/** Helpers of the push-redis tests: a redis-server per test file, nodes with fast timings, raw clients, counters. */
import {
  removeRedisServer,
  startRedisServer,
  waitFor,
  type RedisServer,
  type RedisServerOptions,
} from '@sluice/test-support';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RegistryLogger } from '../logger.js';
import { RedisPushCluster, type RedisPushClusterOptions } from '../redis-push-cluster.js';

export { definition } from './definitions.js';

/** Starts a redis-server for the file (beforeAll) and removes it (afterAll). */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    if (server !== undefined) await removeRedisServer(server);
  });
  return () => {
    if (server === undefined) throw new Error('redis-server not started');
    return server;
  };
}

/** A logger that keeps its lines (and can echo them with SLUICE_TEST_LOG=1). */
export interface RecordingLogger extends RegistryLogger {
  lines: string[];
}

export function recordingLogger(name = ''): RecordingLogger {
  const lines: string[] = [];
  const echo = process.env['SLUICE_TEST_LOG'] === '1';
  const add =
    (level: string) =>
    (message: string): void => {
      lines.push(`${level} ${message}`);
      if (echo) console.log(`[${name}] ${level} ${message}`);
    };
  return { lines, info: add('info'), warn: add('warn'), error: add('error') };
}

/**
 * Fast timings for tests: TTLs of a couple of seconds, with room for a busy machine (a
 * lease survives 1.1 s without a renewal, presence 1.3 s).
 */
export const FAST = {
  connection: { commandTimeoutMs: 1000, connectTimeoutMs: 1000, reconnectMaxDelayMs: 200, subscriberPingMs: 500 },
  leases: { ttlMs: 2000, marginMs: 500, renewIntervalMs: 400, renewRetryMs: 100, claimRetryMaxMs: 300 },
  heartbeat: { intervalMs: 200, ttlMs: 1500, minSpacingMs: 50 },
  feed: { retryMs: 200, lagGraceMs: 200 },
} satisfies Partial<RedisPushClusterOptions>;

let clusterSeq = 0;
/** A cluster name unique in this test process. */
export function uniqueCluster(prefix = 't'): string {
  return `${prefix}${process.pid}-${++clusterSeq}`;
}

/** A node of a test: a RedisPushCluster with its recorded log. */
export type TestNode = RedisPushCluster & { log: RecordingLogger };

/** A node with FAST timings and a recording logger, started; `waitUp` waits for its connection. */
export async function startNode(
  url: string,
  cluster: string,
  node: string,
  overrides: Partial<RedisPushClusterOptions> = {},
  waitUp = true,
): Promise<TestNode> {
  const log = recordingLogger(node);
  const n = new RedisPushCluster({ url, cluster, node, ...FAST, logger: log, ...overrides }) as TestNode;
  n.log = log;
  n.start();
  if (waitUp) {
    await waitFor(() => n.connection.available && n.connection.subscribed, 10_000, `${node} connected`);
    await waitFor(() => n.feed.synced, 10_000, `${node} feed synced`);
  }
  return n;
}

/**
 * Nodes and raw clients for the tests of one file: nodes are closed after each test,
 * raw clients after the file.
 */
export function useNodes(url: () => string): {
  start: (
    cluster: string,
    name: string,
    overrides?: Partial<RedisPushClusterOptions>,
    waitUp?: boolean,
  ) => Promise<TestNode>;
  raw: () => Redis;
} {
  let nodes: TestNode[] = [];
  const clients: Redis[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });
  return {
    start: async (cluster, name, overrides = {}, waitUp = true) => {
      const n = await startNode(url(), cluster, name, overrides, waitUp);
      nodes.push(n);
      return n;
    },
    raw: () => {
      const r = rawClient(url());
      clients.push(r);
      return r;
    },
  };
}

/** A plain ioredis client for looking at (and tampering with) what the nodes wrote. */
export function rawClient(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 50, 200) });
  r.on('error', () => undefined);
  return r;
}

/** `calls` per command from INFO commandstats (lower-case names: evalsha, eval, get, hset...). */
export async function commandCalls(r: Redis): Promise<Map<string, number>> {
  const text = await r.info('commandstats');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] as string, Number(m[2]));
  return out;
}

/** Difference of two commandCalls readings. */
export function callsBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, n] of after) {
    const d = n - (before.get(name) ?? 0);
    if (d > 0) out.set(name, d);
  }
  return out;
}

/** Resolves with the first emission of `event` on `emitter` (with a timeout naming it). */
export function nextEvent<T>(
  emitter: { once(event: string, listener: (value: T) => void): unknown },
  event: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
