/**
 * API latency with and without `<Cluster>`: the same server (createSluiceServer, real
 * HTTP on 127.0.0.1) holding 20 pushes, asked `POST :pushes` (all records) and
 * `:startPush` + `:stopPush` pairs one after the other; once as a single node (memory
 * store), once as a cluster node on a redis-server started here (Debian's, free port).
 *
 * Usage: node --import tsx tools/bench/cluster-api-latency.ts [--calls 200] [--rounds 3]
 * Prints a Markdown table (median / p99 per operation and round; the two kinds alternate).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSluiceServer } from '@sluice/server';
import { removeRedisServer, startRedisServer } from '@sluice/test-support';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const CALLS = option('--calls', 200);
const ROUNDS = option('--rounds', 3);
const TOKEN = 'bench-token';
const AUTH = `Basic ${Buffer.from(TOKEN).toString('base64')}`;
const APP = '/v1/vhosts/default/apps/app';

function serverXml(cluster: string): string {
  return `<Server version="8">
  <Bind><Managers><API><Port>0</Port></API></Managers><Providers><RTMP><Port>0</Port></RTMP></Providers></Bind>
  <Managers><API><AccessToken>${TOKEN}</AccessToken></API></Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications><Application><Name>app</Name>
    <Publishers><Push/></Publishers></Application></Applications></VirtualHost></VirtualHosts>
  ${cluster}
</Server>`;
}

async function call(port: number, action: string, body: unknown): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${APP}:${action}`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<{ median: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

async function measure(label: string, cluster: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cluster-'));
  const file = join(dir, 'Server.xml');
  writeFileSync(file, serverXml(cluster));
  const server = createSluiceServer({ configFile: file, host: '127.0.0.1' });
  const { apiPort } = await server.listen();
  const port = apiPort as number;
  const push = (id: string): unknown => ({
    id,
    stream: { name: `s-${id}` },
    protocol: 'rtmp',
    url: 'rtmp://127.0.0.1:1/live',
    streamKey: id,
  });
  for (let i = 0; i < 20; i++) {
    // a cluster node answers 503 until Redis is connected: retry the first ones
    while ((await call(port, 'startPush', push(`bench-${i}`))) === 503) await new Promise((r) => setTimeout(r, 50));
  }
  await timed(20, () => call(port, 'pushes', {})); // warm-up
  const list = await timed(CALLS, () => call(port, 'pushes', {}));
  const pair = await timed(CALLS, async (i) => {
    await call(port, 'startPush', push(`pair-${i}`));
    await call(port, 'stopPush', { id: `pair-${i}` });
  });
  await server.close();
  const ms = (v: number): string => v.toFixed(2);
  return [
    `| ${label} | :pushes (20 records) | ${ms(list.median)} | ${ms(list.p99)} |`,
    `| ${label} | :startPush + :stopPush | ${ms(pair.median)} | ${ms(pair.p99)} |`,
  ];
}

const redis = await startRedisServer({ persistence: 'none' });
try {
  const rows: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    rows.push(...(await measure(`single node (${round})`, '')));
    rows.push(
      ...(await measure(
        `cluster node (${round})`,
        `<Cluster><NodeName>bench-${round}</NodeName><Redis><Url>${redis.url}</Url></Redis></Cluster>`,
      )),
    );
  }
  console.log(`${CALLS} calls each, one at a time, ms\n\n| server | call | median | p99 |\n|---|---|---|---|`);
  for (const row of rows) console.log(row);
} finally {
  await removeRedisServer(redis);
}
