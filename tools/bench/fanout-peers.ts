/**
 * The processes of the one-process-per-core fan-out benchmark (cluster-fanout.ts): the
 * nginx-rtmp sink with its rtmp_stat page, Sluice (one process, or several in a cluster on
 * one Redis) from the built CLI, and nginx-rtmp with several workers as the peer. Configs
 * follow the shared fan-out harness (../shared/bench/fanout.sh): a `live on` sink that
 * discards, `chunk_size 4096`, static `push` directives for nginx.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, NGINX_RTMP_MODULE, startProcess, waitForTcpPort, type PeerProcess } from '@sluice/test-support';

const HOST = '127.0.0.1';
const TOKEN = 'bench-token';

/** The sink: one nginx-rtmp worker, application `live` (discards), stat page. */
export interface Sink {
  port: number;
  process: PeerProcess;
  /** bytes_in of every stream of `live`, by name. */
  bytesIn: () => Promise<Map<string, number>>;
  stop: () => Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-fanout-sink-'));
  const port = await freeTcpPort();
  const httpPort = await freeTcpPort();
  const conf = `load_module ${NGINX_RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
rtmp { server { listen ${HOST}:${port}; chunk_size 4096; application live { live on; } } }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen ${HOST}:${httpPort}; location /stat { rtmp_stat all; } }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const process = startProcess('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
  await waitForTcpPort(port, 10_000);
  await waitForTcpPort(httpPort, 10_000);
  return {
    port,
    process,
    bytesIn: async () => {
      const xml = await (await fetch(`http://${HOST}:${httpPort}/stat`)).text();
      const out = new Map<string, number>();
      for (const m of xml.matchAll(/<stream>\s*<name>([^<]*)<\/name>[\s\S]*?<bytes_in>(\d+)<\/bytes_in>/g))
        out.set(m[1] as string, Number(m[2]));
      return out;
    },
    stop: async () => {
      await process.stop(3000, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A system under test: its processes, where each stream is published, and how its pushes are made. */
export interface SystemUnderTest {
  /** The processes whose CPU is the system's (nginx: the master and its workers). */
  pids: () => number[];
  /** The publish URL of stream `index` (0 or 1). */
  publishUrl: (index: number) => string;
  /** Creates the pushes (before the streams are published). */
  createPushes: () => Promise<void>;
  /** What the system says about its pushes (Sluice: the states counted, once refreshed by createPushes). */
  diagnosis: () => string;
  stop: () => Promise<void>;
}

/** One push: its stream (0/1) and the sink's stream key. */
export interface PushPlan {
  stream: number;
  key: string;
}

const STREAMS = ['a', 'b'];

function sluiceXml(apiPort: number, rtmpPort: number, cluster: string): string {
  return `<?xml version="1.0"?>
<Server version="8">
  <IP>${HOST}</IP>
  <Bind>
    <Managers><API><Port>${apiPort}</Port></API></Managers>
    <Providers><RTMP><Port>${rtmpPort}</Port></RTMP></Providers>
  </Bind>
  <Managers><API><AccessToken>${TOKEN}</AccessToken></API></Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications><Application>
    <Name>app</Name><Providers><RTMP/></Providers><Publishers><Push/></Publishers>
  </Application></Applications></VirtualHost></VirtualHosts>
  ${cluster}
</Server>
`;
}

/**
 * Sluice from packages/server/dist/cli.js: `processes` = 1, one server with both streams;
 * more, a cluster on `redisUrl`, stream i published on process i % processes.
 */
export async function startSluice(
  processes: number,
  plan: readonly PushPlan[],
  sinkUrl: string,
  redisUrl?: string,
): Promise<SystemUnderTest> {
  const nodes: Array<{ process: PeerProcess; apiPort: number; rtmpPort: number; dir: string }> = [];
  for (let i = 0; i < processes; i++) {
    const dir = mkdtempSync(join(tmpdir(), `cluster-fanout-sluice${i}-`));
    const apiPort = await freeTcpPort();
    const rtmpPort = await freeTcpPort();
    const cluster =
      processes === 1
        ? ''
        : `<Cluster><Name>bench${process.pid}</Name><NodeName>node-${i}</NodeName><Redis><Url>${redisUrl}</Url></Redis></Cluster>`;
    writeFileSync(join(dir, 'Server.xml'), sluiceXml(apiPort, rtmpPort, cluster));
    const child = startProcess(process.execPath, [
      'packages/server/dist/cli.js',
      '--config',
      join(dir, 'Server.xml'),
      '--data-dir',
      join(dir, 'data'),
      '--log-level',
      'warn',
    ]);
    nodes.push({ process: child, apiPort, rtmpPort, dir });
  }
  for (const n of nodes) await waitForTcpPort(n.apiPort, 30_000);
  const first = nodes[0] as (typeof nodes)[number];
  const api = `http://${HOST}:${first.apiPort}/v1/vhosts/default/apps/app`;
  const headers = { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` };
  let diagnosis = '';
  const poll = setInterval(() => {
    fetch(`${api}:pushes`, { method: 'POST', headers, body: '{}' })
      .then((res) => res.json() as Promise<{ response?: Array<{ state: string; lastError?: string }> }>)
      .then((body) => {
        const states = new Map<string, number>();
        for (const r of body.response ?? []) states.set(r.state, (states.get(r.state) ?? 0) + 1);
        const error = body.response?.find((r) => r.lastError !== undefined && r.lastError !== '')?.lastError;
        diagnosis = `${JSON.stringify(Object.fromEntries(states))}${error === undefined ? '' : `, e.g. ${error}`}`;
      })
      .catch(() => undefined);
  }, 2000);
  poll.unref();
  return {
    diagnosis: () => diagnosis,
    pids: () => nodes.map((n) => n.process.child.pid ?? -1),
    publishUrl: (index) => {
      const node = nodes[index % nodes.length] as (typeof nodes)[number];
      return `rtmp://${HOST}:${node.rtmpPort}/app/${STREAMS[index]}`;
    },
    createPushes: async () => {
      for (const [i, p] of plan.entries()) {
        const body = {
          id: `p${i}`,
          stream: { name: STREAMS[p.stream] },
          protocol: 'rtmp',
          url: sinkUrl,
          streamKey: p.key,
        };
        for (let attempt = 0; ; attempt++) {
          const res = await fetch(`${api}:startPush`, { method: 'POST', headers, body: JSON.stringify(body) });
          if (res.status === 200) break;
          // a cluster node answers 503 until it has joined Redis
          if (res.status !== 503 || attempt > 100) throw new Error(`startPush: ${res.status} ${await res.text()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    stop: async () => {
      clearInterval(poll);
      await Promise.all(nodes.map((n) => n.process.stop(8000)));
      for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
    },
  };
}

/** nginx-rtmp with `workers` worker processes: application s0/s1 per stream, each with its streams' push directives. */
export async function startNginxWorkers(
  workers: number,
  plan: readonly PushPlan[],
  sinkPort: number,
): Promise<SystemUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-fanout-nginx-'));
  const port = await freeTcpPort();
  const apps = STREAMS.map(
    (_, s) =>
      `application s${s} { live on; ${plan
        .filter((p) => p.stream === s)
        .map((p) => `push rtmp://${HOST}:${sinkPort}/live/${p.key};`)
        .join(' ')} }`,
  ).join('\n');
  const conf = `load_module ${NGINX_RTMP_MODULE};
daemon off;
master_process on;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
rtmp { server { listen ${HOST}:${port}; chunk_size 4096;
${apps}
} }
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const master = startProcess('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
  await waitForTcpPort(port, 10_000);
  const masterPid = master.child.pid ?? -1;
  return {
    pids: () => [masterPid, ...childrenOf(masterPid)],
    publishUrl: (index) => `rtmp://${HOST}:${port}/s${index}/stream`,
    createPushes: () => Promise.resolve(),
    diagnosis: () => '',
    stop: async () => {
      await master.stop(5000, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Child process ids of `pid` (from /proc/PID/task/PID/children). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}
