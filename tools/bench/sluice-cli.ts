/** The built Sluice CLI as a benchmark runs it: the default Server.xml, free ports, and a startPush helper. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, startProcess, waitForTcpPort, type PeerProcess } from '@sluice/test-support';

/** A running `packages/server/dist/cli.js`. */
export interface SluiceCli {
  process: PeerProcess;
  apiPort: number;
  rtmpPort: number;
  /** `http://127.0.0.1:PORT/v1/vhosts/default/apps/app` */
  api: string;
  /** The default configuration's access token as a Basic authorization header. */
  auth: { authorization: string };
  /** `POST :startPush` with `body`; throws unless 200. */
  startPush: (body: unknown) => Promise<void>;
  /** Stops the process (as PeerProcess.stop) and removes its config and data directory. */
  stop: (...args: Parameters<PeerProcess['stop']>) => Promise<void>;
  /** Starts `count` RTMP pushes of stream `src` to `url`: ids p0, p1, … with stream keys s0, s1, … */
  startRtmpPushes: (count: number, url: string) => Promise<void>;
}

/** Starts the built CLI (pnpm build first) and waits for its API port. */
export async function startSluiceCli(): Promise<SluiceCli> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const config = join(dir, 'Server.xml');
  writeFileSync(config, readFileSync('packages/server/conf/Server.xml', 'utf8'));
  const apiPort = await freeTcpPort();
  const rtmpPort = await freeTcpPort();
  const sluice = startProcess(
    process.execPath,
    ['packages/server/dist/cli.js', '--config', config, '--data-dir', join(dir, 'data'), '--log-level', 'warn'],
    { env: { ...process.env, SLUICE_API_PORT: String(apiPort), SLUICE_RTMP_PORT: String(rtmpPort) } },
  );
  await waitForTcpPort(apiPort, 20_000);
  const auth = { authorization: `Basic ${Buffer.from('ome-access-token').toString('base64')}` };
  const api = `http://127.0.0.1:${apiPort}/v1/vhosts/default/apps/app`;
  const startPush = async (body: unknown): Promise<void> => {
    const res = await fetch(`${api}:startPush`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`startPush: ${res.status} ${await res.text()}`);
  };
  return {
    process: sluice,
    apiPort,
    rtmpPort,
    api,
    auth,
    startPush,
    stop: async (...args) => {
      try {
        await sluice.stop(...args);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    startRtmpPushes: async (count, url) => {
      for (let i = 0; i < count; i++)
        await startPush({ id: `p${i}`, stream: { name: 'src' }, protocol: 'rtmp', url, streamKey: `s${i}` });
    },
  };
}
