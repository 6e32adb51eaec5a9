/**
 * The server under soak: a real Sluice server in this process (createSluiceServer, as the
 * e2e harness runs it) on 127.0.0.1 with free ports, app `app` taking RTMP, with the REST
 * API the soak drives it through; and the live sources: ffmpeg publishers looping a
 * fixture in real time into its RTMP ingest.
 */
import { join } from 'node:path';
import type { PushRecord } from '@sluice/push';
import { createSluiceServer, type SluiceServer } from '@sluice/server';
import { waitFor, type PeerProcess } from '@sluice/test-support';
import { callApi, startFfmpegPublisher, stopFfmpeg, type ApiAnswer } from '../../packages/server/src/e2e/peers.js';
import { writeTestConfig } from '../../packages/server/src/e2e/test-config.js';

const TOKEN = 'soak-token';
export const APP = '/v1/vhosts/default/apps/app';

/** The running server and the API calls the soak makes. */
export interface SoakServer {
  server: SluiceServer;
  apiPort: number;
  rtmpPort: number;
  /** `rtmp://127.0.0.1:PORT/app/NAME`. */
  ingestUrl: (name: string) => string;
  api: <T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<ApiAnswer<T>>;
  /** `POST :startPush`; throws unless 200. */
  startPush: (body: Record<string, unknown>) => Promise<PushRecord>;
  /** `POST :stopPush`; throws unless 200. */
  stopPush: (id: string) => Promise<void>;
  /** Every push record of `default/app` (`POST :pushes`). */
  pushes: () => Promise<PushRecord[]>;
  /** Resolves once stream `NAME` is live in the hub. */
  waitForLive: (name: string, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** Starts the server (its Server.xml in a fresh temp folder; its data dir, the push store, there too unless `store` is false). */
export async function startSoakServer(options: { store?: boolean } = {}): Promise<SoakServer> {
  const { dir, file: configFile } = writeTestConfig({
    dirPrefix: 'sluice-soak-',
    token: TOKEN,
    crossDomains: false,
    shortPushTimeouts: false,
    // the fuzz seeds' application (bad-rtmp.ts)
    applicationsXml: '\n        <Application><Name>live</Name><Providers><RTMP/></Providers></Application>',
  });
  const dataDir = options.store === false ? undefined : join(dir, 'data');
  const server = createSluiceServer({ configFile, host: '127.0.0.1', dataDir });
  const { apiPort, rtmpPort } = await server.listen();
  if (apiPort === undefined) throw new Error('the API did not open');
  const api = <T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> =>
    callApi<T>(apiPort, TOKEN, method, path, body);
  const checked = async <T>(path: string, body: unknown): Promise<T | undefined> => {
    const answer = await api<T>('POST', path, body);
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body?.response;
  };
  return {
    server,
    apiPort,
    rtmpPort,
    ingestUrl: (name) => `rtmp://127.0.0.1:${rtmpPort}/app/${name}`,
    api,
    startPush: async (body) => ((await checked<PushRecord[]>(`${APP}:startPush`, body)) ?? [])[0] as PushRecord,
    stopPush: async (id) => {
      await checked(`${APP}:stopPush`, { id });
    },
    pushes: async () => {
      const answer = await api<PushRecord[]>('POST', `${APP}:pushes`);
      if (answer.status === 204) return [];
      if (answer.status !== 200) throw new Error(`:pushes answered ${answer.status}`);
      return answer.body?.response ?? [];
    },
    waitForLive: (name, timeoutMs = 20_000) =>
      waitFor(
        () => server.hub.stream({ vhost: 'default', app: 'app', name }) !== undefined,
        timeoutMs,
        `stream ${name} live`,
      ),
    close: () => server.close(),
  };
}

/** Live sources: ffmpeg publishing `names` (the fixture looped with -re); resolves once all are live. */
export async function startPublishers(s: SoakServer, names: string[]): Promise<PeerProcess[]> {
  const publishers = names.map((name) => startFfmpegPublisher(s.ingestUrl(name)));
  try {
    await Promise.all(names.map((name) => s.waitForLive(name)));
  } catch (e) {
    await stopPublishers(publishers);
    throw e;
  }
  return publishers;
}

/** Stops publishers (SIGINT, SIGKILL after 5 s). */
export async function stopPublishers(publishers: PeerProcess[]): Promise<void> {
  await Promise.all(publishers.map((p) => stopFfmpeg(p)));
}

/** Stops every push of `default/app` and waits until none is listed. */
export async function stopAllPushes(s: SoakServer, timeoutMs = 30_000): Promise<void> {
  for (const p of await s.pushes()) {
    // one stopped already may still be listed while it is torn down (the API answers 404 to it)
    const answer = await s.api('POST', `${APP}:stopPush`, { id: p.id });
    if (answer.status !== 200 && answer.status !== 404) throw new Error(`:stopPush ${p.id} answered ${answer.status}`);
  }
  await waitFor(async () => (await s.pushes()).length === 0, timeoutMs, 'every push torn down', 100);
}
