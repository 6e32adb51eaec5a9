/**
 * REST API benchmark through node:http: `:pushes` answering 1,000 records, a filtered
 * `:pushes` (one record: the per-request cost of the API), and startPush/stopPush pairs,
 * each beside a Node `http` hello-world measured in the same run (the ceiling of any
 * node:http handler on this machine). The server runs in a child process; the load
 * comes from this process over keep-alive connections on 127.0.0.1.
 *
 * Usage: node --import tsx tools/bench/http-api.ts [--seconds 5] [--connections 16]
 * Prints a Markdown table and one JSON line per scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createApiHandler, createNodeHandler } from '@sluice/http';
import { MemoryCatalogue } from '../../packages/http/src/test-support/memory-catalogue.js';
import { createRegistryService } from '../../packages/http/src/test-support/registry-service.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const AUTH = `Basic ${Buffer.from('bench-token').toString('base64')}`;
const RECORDS = 1000;

/** Child: a hello-world server, or the API (`api` native path, `api-fetch` through Request/Response). */
function serve(mode: string): void {
  let listener: Parameters<typeof createServer>[1];
  if (mode === 'hello') {
    const body = '{"statusCode":200,"message":"OK","response":"hello"}';
    listener = (_req, res) => {
      res.setHeader('content-type', 'application/json;charset=UTF-8');
      res.end(body);
    };
  } else {
    const catalogue = new MemoryCatalogue({ default: { big: { pushEnabled: true }, small: { pushEnabled: true }, app: { pushEnabled: true } } });
    const push = createRegistryService(catalogue);
    for (let i = 0; i < RECORDS; i++) {
      push.startPush({ id: `push-${String(i).padStart(4, '0')}`, vhost: 'default', app: 'big', stream: { name: `stream${i}`, tracks: [101, 102] }, protocol: 'rtmp', url: 'rtmp://a.rtmp.youtube.com/live2', streamKey: '2u5w-rt7q-tepj-91qa-4yft' });
    }
    push.startPush({ id: 'one', vhost: 'default', app: 'small', stream: { name: 's' }, protocol: 'mpegts', url: 'udp://127.0.0.1:5000' });
    const handler = createApiHandler({ push, catalogue, accessToken: 'bench-token', version: 'bench', crossDomains: ['*'] });
    listener = createNodeHandler(mode === 'api-fetch' ? (r) => handler(r) : handler, { prefix: '/media-api' });
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, listener);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`));
  // exit normally on kill, so that --cpu-prof (BENCH_SERVER_NODE_ARGS) can write its profile
  process.once('SIGTERM', () => process.exit(0));
}

interface Call {
  method: string;
  path: string;
  body?: string;
}

interface Scenario {
  name: string;
  server: 'hello' | 'api' | 'api-fetch';
  /** Calls one unit of work makes (a pair is two calls). */
  calls: (worker: number, i: number) => Call[];
  expect: number[];
}

const scenarios: Scenario[] = [
  { name: 'node:http hello-world (ceiling)', server: 'hello', calls: () => [{ method: 'GET', path: '/' }], expect: [200] },
  { name: 'POST :pushes, 1,000 records', server: 'api', calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/big:pushes' }], expect: [200] },
  { name: 'POST :pushes {"id"} (1 record)', server: 'api', calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/small:pushes', body: '{"id":"one"}' }], expect: [200] },
  { name: 'POST :pushes {"id"} via generic Fetch path', server: 'api-fetch', calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/small:pushes', body: '{"id":"one"}' }], expect: [200] },
  {
    name: 'startPush + stopPush pair',
    server: 'api',
    calls: (w, i) => [
      { method: 'POST', path: '/media-api/v1/vhosts/default/apps/app:startPush', body: JSON.stringify({ id: `w${w}-${i}`, stream: { name: 'live' }, protocol: 'rtmp', url: 'rtmp://127.0.0.1/app', streamKey: 'key' }) },
      { method: 'POST', path: '/media-api/v1/vhosts/default/apps/app:stopPush', body: `{"id":"w${w}-${i}"}` },
    ],
    expect: [200],
  },
];

async function main(): Promise<void> {
  const seconds = option('--seconds', 5);
  const connections = option('--connections', 16);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${connections} keep-alive connections, ${seconds} s per scenario (+1 s warm-up)\n`);
  console.log('| scenario | units/s | requests/s | p50 ms | p99 ms | response MB/s | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const results: unknown[] = [];
  for (const scenario of scenarios) {
    const child = spawn(process.execPath, [...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', scenario.server], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await portOf(child);
      await run(port, scenario, connections, 1); // warm-up
      const r = await run(port, scenario, connections, seconds);
      const row = { scenario: scenario.name, unitsPerSecond: Math.round(r.units / r.seconds), requestsPerSecond: Math.round(r.requests / r.seconds), p50Ms: r.p50, p99Ms: r.p99, mbPerSecond: +(r.bytes / r.seconds / 1e6).toFixed(1), errors: r.errors };
      results.push(row);
      console.log(`| ${row.scenario} | ${row.unitsPerSecond} | ${row.requestsPerSecond} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.mbPerSecond} | ${row.errors} |`);
    } finally {
      child.kill();
    }
  }
  console.log('');
  for (const r of results) console.log(JSON.stringify(r));
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Drives `connections` workers for `seconds`; each unit is the scenario's calls in order. */
async function run(port: number, scenario: Scenario, connections: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let units = 0;
  let requests = 0;
  let bytes = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; performance.now() < deadline; i++) {
      const unitStart = performance.now();
      for (const call of scenario.calls(w, i)) {
        const { status, length } = await send(agent, port, call);
        requests++;
        bytes += length;
        if (!scenario.expect.includes(status)) errors++;
      }
      latencies.push(performance.now() - unitStart);
      units++;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { units, requests, bytes, errors, seconds: elapsed, p50: pick(0.5), p99: pick(0.99) };
}

function send(agent: Agent, port: number, call: Call): Promise<{ status: number; length: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: AUTH };
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = request({ host: '127.0.0.1', port, method: call.method, path: call.path, agent, headers }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.byteLength));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

if (args[0] === '--serve') serve(args[1] ?? 'hello');
else await main();
