/**
 * REST API benchmark through node:http: `:pushes` answering 1,000 records, a filtered
 * `:pushes` (one record: the per-request cost of the API), and startPush/stopPush pairs,
 * each beside a Node `http` hello-world measured in the same run (the ceiling of any
 * node:http handler on this machine). The server runs in a child process; the load
 * comes from this process over keep-alive connections on 127.0.0.1.
 *
 * Usage: node --import tsx tools/bench/http-api.ts [--seconds 3] [--rounds 3] [--connections 16]
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
import { acceptingProtocols, createRegistryService } from '../../packages/http/src/test-support/registry-service.js';

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
    const catalogue = new MemoryCatalogue({
      default: { big: { pushEnabled: true }, small: { pushEnabled: true }, app: { pushEnabled: true } },
    });
    const push = createRegistryService(catalogue);
    for (let i = 0; i < RECORDS; i++) {
      push.startPush({
        id: `push-${String(i).padStart(4, '0')}`,
        vhost: 'default',
        app: 'big',
        stream: { name: `stream${i}`, tracks: [101, 102] },
        protocol: 'rtmp',
        url: 'rtmp://a.rtmp.youtube.com/live2',
        streamKey: '2u5w-rt7q-tepj-91qa-4yft',
      });
    }
    push.startPush({
      id: 'one',
      vhost: 'default',
      app: 'small',
      stream: { name: 's' },
      protocol: 'mpegts',
      url: 'udp://127.0.0.1:5000',
    });
    const handler = createApiHandler({
      push,
      protocols: acceptingProtocols(),
      catalogue,
      accessToken: 'bench-token',
      version: 'bench',
      crossDomains: ['*'],
    });
    listener = createNodeHandler(mode === 'api-fetch' ? (r) => handler(r) : handler, { prefix: '/media-api' });
  }
  const inner = listener;
  // GET /__cpu: the server process's CPU time so far (µs), so the client can report CPU per request
  listener = (req, res) => {
    if (req.url !== '/__cpu') return inner?.(req, res);
    const { user, system } = process.cpuUsage();
    res.end(String(user + system));
  };
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
  {
    name: 'node:http hello-world (ceiling)',
    server: 'hello',
    calls: () => [{ method: 'GET', path: '/' }],
    expect: [200],
  },
  {
    name: 'POST :pushes, 1,000 records',
    server: 'api',
    calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/big:pushes' }],
    expect: [200],
  },
  {
    name: 'POST :pushes {"id"} (1 record)',
    server: 'api',
    calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/small:pushes', body: '{"id":"one"}' }],
    expect: [200],
  },
  {
    name: 'POST :pushes {"id"} via generic Fetch path',
    server: 'api-fetch',
    calls: () => [{ method: 'POST', path: '/media-api/v1/vhosts/default/apps/small:pushes', body: '{"id":"one"}' }],
    expect: [200],
  },
  {
    name: 'startPush + stopPush pair',
    server: 'api',
    calls: (w, i) => [
      {
        method: 'POST',
        path: '/media-api/v1/vhosts/default/apps/app:startPush',
        body: JSON.stringify({
          id: `w${w}-${i}`,
          stream: { name: 'live' },
          protocol: 'rtmp',
          url: 'rtmp://127.0.0.1/app',
          streamKey: 'key',
        }),
      },
      { method: 'POST', path: '/media-api/v1/vhosts/default/apps/app:stopPush', body: `{"id":"w${w}-${i}"}` },
    ],
    expect: [200],
  },
];

async function main(): Promise<void> {
  const seconds = option('--seconds', 3);
  const rounds = option('--rounds', 3);
  const connections = option('--connections', 16);
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${connections} keep-alive connections, ${rounds} rounds × ${seconds} s per scenario, scenarios interleaved; medians of the rounds\n`,
  );
  const kinds = [...new Set(scenarios.map((s) => s.server))];
  const children = new Map<string, ChildProcess>();
  const ports = new Map<string, number>();
  try {
    for (const kind of kinds) {
      const child = spawn(
        process.execPath,
        [
          ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--serve',
          kind,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.set(kind, child);
      ports.set(kind, await portOf(child));
    }
    for (const scenario of scenarios) await run(ports.get(scenario.server) as number, scenario, connections, 1, -1); // warm-up
    const perScenario = new Map<Scenario, Awaited<ReturnType<typeof run>>[]>();
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        const r = await run(ports.get(scenario.server) as number, scenario, connections, seconds, round);
        perScenario.set(scenario, [...(perScenario.get(scenario) ?? []), r]);
      }
    }
    console.log('| scenario | units/s | requests/s | server CPU µs/unit | p50 ms | p99 ms | response MB/s | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const rows: unknown[] = [];
    for (const scenario of scenarios) {
      const all = perScenario.get(scenario) ?? [];
      const median = [...all].sort((a, b) => a.units / a.seconds - b.units / b.seconds)[Math.floor(all.length / 2)];
      if (median === undefined) continue;
      const cpu =
        [...all.map((r) => r.cpuMicros / Math.max(1, r.units))].sort((a, b) => a - b)[Math.floor(all.length / 2)] ?? 0;
      const row = {
        scenario: scenario.name,
        unitsPerSecond: Math.round(median.units / median.seconds),
        requestsPerSecond: Math.round(median.requests / median.seconds),
        serverCpuMicrosPerUnit: Math.round(cpu),
        p50Ms: +median.p50.toFixed(2),
        p99Ms: +median.p99.toFixed(2),
        mbPerSecond: +(median.bytes / median.seconds / 1e6).toFixed(1),
        errors: all.reduce((n, r) => n + r.errors, 0),
        rounds: all.map((r) => Math.round(r.units / r.seconds)),
      };
      rows.push(row);
      console.log(
        `| ${row.scenario} | ${row.unitsPerSecond} | ${row.requestsPerSecond} | ${row.serverCpuMicrosPerUnit} | ${row.p50Ms} | ${row.p99Ms} | ${row.mbPerSecond} | ${row.errors} |`,
      );
    }
    console.log('');
    for (const row of rows) console.log(JSON.stringify(row));
  } finally {
    for (const child of children.values()) child.kill();
  }
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
async function run(port: number, scenario: Scenario, connections: number, seconds: number, round: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let units = 0;
  let requests = 0;
  let bytes = 0;
  let errors = 0;
  const cpuBefore = await serverCpu(agent, port);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; performance.now() < deadline; i++) {
      const unitStart = performance.now();
      for (const call of scenario.calls(w, round * 1e7 + i)) {
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
  const cpuMicros = (await serverCpu(agent, port)) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { units, requests, bytes, errors, seconds: elapsed, cpuMicros, p50: pick(0.5), p99: pick(0.99) };
}

/** CPU time (µs) the server process has used so far. */
async function serverCpu(agent: Agent, port: number): Promise<number> {
  const { body } = await send(agent, port, { method: 'GET', path: '/__cpu' }, true);
  return Number(body);
}

function send(
  agent: Agent,
  port: number,
  call: Call,
  keepBody = false,
): Promise<{ status: number; length: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: AUTH };
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = request({ host: '127.0.0.1', port, method: call.method, path: call.path, agent, headers }, (res) => {
      let length = 0;
      let body = '';
      res.on('data', (chunk: Buffer) => {
        length += chunk.byteLength;
        if (keepBody) body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

if (args[0] === '--serve') serve(args[1] ?? 'hello');
else await main();
