/**
 * End-to-end fixture of the publish-access tests: a Sluice server whose virtual host
 * `default` carries the given access-control elements (apps `app` and `moved`), the
 * refusals it reported, and helpers to ask the REST API which streams are live.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RefusedPublishEvent } from '../access/publish-admission.js';
import { createLogger } from '../log/logger.js';
import { createSluiceServer, type SluiceServer } from '../sluice-server.js';
import type { PeerProcess } from '@sluice/test-support';
import { callApi, startFfmpegPublisher, stopFfmpeg } from './peers.js';

const TOKEN = 'access-token';

/** A running server for access tests. */
export interface AccessServer {
  server: SluiceServer;
  rtmpPort: number;
  refusals: RefusedPublishEvent[];
  /** `publish.refused` entries of the event bus (what /v1/events sends), parsed. */
  busRefusals: Array<Record<string, unknown>>;
  /** `rtmp://127.0.0.1:PORT/APP/NAME` (the port always written). */
  url: (name: string, app?: string) => string;
  /** Names listed by `GET /v1/vhosts/default/apps/{app}/streams`. */
  streams: (app?: string) => Promise<string[]>;
  close: () => Promise<void>;
}

/** Starts a server on 127.0.0.1 with `vhostExtra` (AdmissionWebhooks / SignedPolicy) in vhost `default`. */
export async function startAccessServer(vhostExtra: string): Promise<AccessServer> {
  const app = (name: string): string =>
    `<Application><Name>${name}</Name><Providers><RTMP/></Providers><Publishers><Push/></Publishers></Application>`;
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-access-')), 'Server.xml');
  writeFileSync(
    file,
    `<Server version="8">
  <Bind><Managers><API><Port>0</Port></API></Managers><Providers><RTMP><Port>0</Port></RTMP></Providers></Bind>
  <Managers><API><AccessToken>${TOKEN}</AccessToken></API></Managers>
  <VirtualHosts>
    <VirtualHost>
      <Name>default</Name>
      <Host><Names><Name>*</Name></Names></Host>
      ${vhostExtra}
      <Applications>${app('app')}${app('moved')}</Applications>
    </VirtualHost>
  </VirtualHosts>
</Server>`,
  );
  const server = createSluiceServer({
    configFile: file,
    host: '127.0.0.1',
    logger: process.env['SLUICE_E2E_LOGS'] === '1' ? createLogger({ level: 'debug' }) : undefined,
  });
  if (server.config.warnings.length > 0)
    throw new Error(`config warnings: ${server.config.warnings.map((w) => w.message).join('; ')}`);
  const refusals: RefusedPublishEvent[] = [];
  server.events.on('publishRefused', (e) => refusals.push(e));
  const busRefusals: Array<Record<string, unknown>> = [];
  server.eventBus.subscribe((entry) => {
    if (entry.type === 'publish.refused') busRefusals.push(JSON.parse(entry.data) as Record<string, unknown>);
  });
  const { apiPort, rtmpPort } = await server.listen();
  return {
    server,
    rtmpPort,
    refusals,
    busRefusals,
    url: (name, appName = 'app') => `rtmp://127.0.0.1:${rtmpPort}/${appName}/${name}`,
    streams: async (appName = 'app') =>
      (await callApi<string[]>(apiPort as number, TOKEN, 'GET', `/v1/vhosts/default/apps/${appName}/streams`)).body
        ?.response ?? [],
    close: () => server.close(),
  };
}

/** The ffmpeg publishers a test starts (`publish(url)`), stopped together (`stopAll()`, in afterEach). */
export function ffmpegPublishers(): { publish: (url: string) => PeerProcess; stopAll: () => Promise<void> } {
  const started: PeerProcess[] = [];
  return {
    publish: (url) => {
      const p = startFfmpegPublisher(url);
      started.push(p);
      return p;
    },
    stopAll: async () => {
      await Promise.all(started.splice(0).map((p) => stopFfmpeg(p)));
    },
  };
}
