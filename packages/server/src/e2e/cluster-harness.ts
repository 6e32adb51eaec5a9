/**
 * Cluster end-to-end harness: Sluice nodes as real child processes (the CLI from
 * source through tsx, so SIGKILL / SIGSTOP are real), each with its own Server.xml
 * holding `<Cluster>`, optionally inside a network namespace; a REST client per node;
 * the node's JSON log lines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PushRecord } from '@sluice/push';
import { freeTcpPort, startProcess, waitFor, type PeerProcess } from '@sluice/test-support';
import type { ApiAnswer } from './peers.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

export const CLUSTER_TOKEN = 'cluster-e2e-token';
/** The `<MaxPushes>` of the application `capped` every node has. */
export const CAPPED_APP_MAX_PUSHES = 3;
const APP = '/v1/vhosts/default/apps/app';

/** A push record as a cluster lists it. */
export type ClusterRecord = PushRecord & { node?: string; leaseToken?: number };

/** One JSON log line of a node. */
export interface NodeLogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** Options of one node. */
export interface NodeOptions {
  name: string;
  redisUrl: string;
  /** `<LeaseTimeout>` (default 3000 for tests). */
  leaseMs?: number;
  /** Address the node listens on and is called at (default 127.0.0.1). */
  host?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** StreamMap file content (push-map.xml). */
  streamMapXml?: string;
}

/** A node process. */
export interface ClusterNode {
  readonly name: string;
  readonly host: string;
  readonly apiPort: number;
  readonly rtmpPort: number;
  /** `rtmp://host:port/app/{stream}`. */
  ingestUrl(stream: string): string;
  api<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** Every push through `POST :pushes` ([] on 204; throws on another status). */
  pushes(): Promise<ClusterRecord[]>;
  push(id: string): Promise<ClusterRecord | undefined>;
  /** POST :startPush of an RTMP push to `url` (nginx) with `streamKey`. */
  startPush(id: string, stream: string, url: string, streamKey: string): Promise<ApiAnswer<ClusterRecord[]>>;
  stopPush(id: string): Promise<ApiAnswer<ClusterRecord[]>>;
  /** True when the stream is live on this node (discovery API). */
  hasStream(stream: string): Promise<boolean>;
  pid(): number;
  /** Log lines parsed so far (this run and earlier ones of the same node). */
  logs(): NodeLogLine[];
  logText(): string;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** SIGTERM (clean leave), waits. */
  stop(): Promise<void>;
  /** Starts it again with the same configuration and ports; resolves once its API answers. */
  restart(): Promise<void>;
  running(): boolean;
}

/** Server.xml of a cluster node. */
export function clusterServerXml(o: {
  name: string;
  redisUrl: string;
  leaseMs: number;
  host: string;
  apiPort: number;
  rtmpPort: number;
  streamMap: boolean;
}): string {
  const streamMap = o.streamMap ? '<StreamMap><Enable>true</Enable><Path>push-map.xml</Path></StreamMap>' : '';
  return `<?xml version="1.0"?>
<Server version="8">
  <IP>${o.host}</IP>
  <Bind>
    <Managers><API><Port>${o.apiPort}</Port></API></Managers>
    <Providers><RTMP><Port>${o.rtmpPort}</Port></RTMP></Providers>
  </Bind>
  <Managers><API><AccessToken>${CLUSTER_TOKEN}</AccessToken></API></Managers>
  <VirtualHosts>
    <VirtualHost>
      <Name>default</Name>
      <Applications>
        <Application>
          <Name>app</Name>
          <Providers><RTMP/></Providers>
          <Publishers><Push><ConnectionTimeout>3000</ConnectionTimeout><SendTimeout>2000</SendTimeout>${streamMap}</Push></Publishers>
        </Application>
        <Application>
          <Name>capped</Name>
          <Providers><RTMP/></Providers>
          <Publishers><Push><MaxPushes>${CAPPED_APP_MAX_PUSHES}</MaxPushes></Push></Publishers>
        </Application>
      </Applications>
    </VirtualHost>
  </VirtualHosts>
  <Cluster>
    <Name>e2e</Name>
    <NodeName>${o.name}</NodeName>
    <Redis><Url>${o.redisUrl}</Url></Redis>
    <LeaseTimeout>${o.leaseMs}</LeaseTimeout>
  </Cluster>
</Server>
`;
}

/** Starts a node process and resolves once its API answers. */
export async function startClusterNode(options: NodeOptions): Promise<ClusterNode> {
  const host = options.host ?? '127.0.0.1';
  const [apiPort, rtmpPort] = options.netns === undefined ? [await freeTcpPort(), await freeTcpPort()] : [8081, 1935];
  const dir = mkdtempSync(join(tmpdir(), `sluice-cluster-${options.name}-`));
  if (options.streamMapXml !== undefined) writeFileSync(join(dir, 'push-map.xml'), options.streamMapXml);
  const file = join(dir, 'Server.xml');
  writeFileSync(
    file,
    clusterServerXml({
      name: options.name,
      redisUrl: options.redisUrl,
      leaseMs: options.leaseMs ?? 3000,
      host,
      apiPort,
      rtmpPort,
      streamMap: options.streamMapXml !== undefined,
    }),
  );
  const args = ['--import', 'tsx', CLI, '--config', file, '--data-dir', join(dir, 'data'), '--log-json'];
  const [cmd, argv] =
    options.netns === undefined
      ? [process.execPath, args]
      : ['ip', ['netns', 'exec', options.netns, process.execPath, ...args]];
  let proc: PeerProcess | undefined;
  let earlier = '';
  const running = (): boolean => proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const res = await fetch(`http://${host}:${apiPort}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(CLUSTER_TOKEN).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as ApiAnswer<T>['body']) };
  };
  const launch = async (): Promise<void> => {
    if (proc !== undefined) earlier += proc.stderr();
    const started = startProcess(cmd, argv, { cwd: REPO });
    proc = started;
    await waitFor(
      async () => {
        if (!running()) throw new Error(`node ${options.name} exited:\n${started.stderr().slice(-3000)}`);
        try {
          return (await call('GET', '/v1/version')).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
      `node ${options.name} answering on ${host}:${apiPort}`,
      100,
    );
  };
  const logText = (): string => earlier + (proc?.stderr() ?? '');
  const node: ClusterNode = {
    name: options.name,
    host,
    apiPort,
    rtmpPort,
    ingestUrl: (stream) => `rtmp://${host}:${rtmpPort}/app/${stream}`,
    api: call,
    pushes: async () => {
      const answer = await call<ClusterRecord[]>('POST', `${APP}:pushes`, {});
      if (answer.status === 204) return [];
      if (answer.status !== 200) throw new Error(`pushes on ${options.name}: ${answer.status} ${answer.body?.message}`);
      return answer.body?.response ?? [];
    },
    push: async (id) => {
      const answer = await call<ClusterRecord[]>('POST', `${APP}:pushes`, { id });
      if (answer.status === 204) return undefined;
      if (answer.status !== 200) throw new Error(`push on ${options.name}: ${answer.status} ${answer.body?.message}`);
      return answer.body?.response?.[0];
    },
    startPush: (id, stream, url, streamKey) =>
      call<ClusterRecord[]>('POST', `${APP}:startPush`, {
        id,
        stream: { name: stream },
        protocol: 'rtmp',
        url,
        streamKey,
      }),
    stopPush: (id) => call<ClusterRecord[]>('POST', `${APP}:stopPush`, { id }),
    hasStream: async (stream) => {
      const answer = await call<string[]>('GET', `${APP}/streams`);
      return answer.body?.response?.includes(stream) === true;
    },
    pid: () => proc?.child.pid ?? -1,
    logs: () => parseLogLines(logText()),
    logText,
    kill: async () => {
      if (proc !== undefined && running()) await proc.stop(100, 'SIGKILL');
    },
    pause: () => {
      if (running()) proc?.child.kill('SIGSTOP');
    },
    resume: () => {
      if (running()) proc?.child.kill('SIGCONT');
    },
    stop: async () => {
      if (proc === undefined || !running()) return;
      proc.child.kill('SIGCONT');
      await proc.stop(8000, 'SIGTERM');
    },
    restart: launch,
    running,
  };
  await launch();
  return node;
}

/** The JSON lines of a log (other lines skipped). */
export function parseLogLines(text: string): NodeLogLine[] {
  const out: NodeLogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as NodeLogLine);
    } catch {
      // a line cut by the process's end
    }
  }
  return out;
}

/** Polls `fn` until it returns a value (not undefined), or throws after timeoutMs. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 100,
): Promise<T> {
  let value: T | undefined;
  await waitFor(
    async () => {
      try {
        value = await fn();
      } catch {
        value = undefined;
      }
      return value !== undefined;
    },
    timeoutMs,
    what,
    intervalMs,
  );
  return value as T;
}
