/**
 * End-to-end: RTMP publishers land in the virtual host whose `<Host><Names>` match the
 * host of their tcUrl (first match wins), and the discovery API lists them there.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeers, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSluiceServer, type SluiceServer } from '../sluice-server.js';
import { callApi, startFfmpegPublisher, stopFfmpeg } from './peers.js';

const app = (name: string): string =>
  `<Application><Name>${name}</Name><Providers><RTMP/></Providers><Publishers><Push/></Publishers></Application>`;
const xml = `<Server version="8">
  <Bind><Managers><API><Port>0</Port></API></Managers><Providers><RTMP><Port>0</Port></RTMP></Providers></Bind>
  <Managers><API><AccessToken>t</AccessToken></API></Managers>
  <VirtualHosts>
    <VirtualHost><Name>named</Name><Host><Names><Name>localhost</Name><Name>*.localhost</Name></Names></Host><Applications>${app('app')}</Applications></VirtualHost>
    <VirtualHost><Name>fallback</Name><Host><Names><Name>*</Name></Names></Host><Applications>${app('app')}${app('other')}</Applications></VirtualHost>
  </VirtualHosts>
</Server>`;

describeWithPeers(['ffmpeg'], 'e2e: virtual hosts by host name', () => {
  let server: SluiceServer;
  let apiPort: number;
  let rtmpPort: number;
  const publishers: PeerProcess[] = [];

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-vhosts-')), 'Server.xml');
    writeFileSync(file, xml);
    server = createSluiceServer({ configFile: file, host: '127.0.0.1' });
    const ports = await server.listen();
    apiPort = ports.apiPort as number;
    rtmpPort = ports.rtmpPort;
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => stopFfmpeg(p)));
    await server?.close();
  });

  it('routes publishers by tcUrl host and lists their streams under that vhost', async () => {
    // the tcUrl host is what the encoder was given; the connection itself goes to 127.0.0.1
    publishers.push(startFfmpegPublisher(`rtmp://127.0.0.1:${rtmpPort}/app/by-address`));
    publishers.push(
      startFfmpegPublisher(`rtmp://127.0.0.1:${rtmpPort}/app/by-name`, 'h264-baseline-aac.flv', [
        '-rtmp_tcurl',
        `rtmp://cam.localhost:${rtmpPort}/app`,
      ]),
    );
    await waitFor(() => server.hub.liveStreams().length === 2, 15_000, 'two streams live');
    const where = server.hub
      .liveStreams()
      .map((s) => `${s.ref.vhost}/${s.ref.app}/${s.ref.name}`)
      .sort();
    expect(where).toEqual(['fallback/app/by-address', 'named/app/by-name']);
    const listed = await callApi<string[]>(apiPort, 't', 'GET', '/v1/vhosts/named/apps/app/streams');
    expect(listed.body?.response).toEqual(['by-name']);
    expect((await callApi<string[]>(apiPort, 't', 'GET', '/v1/vhosts')).body?.response).toEqual(['named', 'fallback']);
  });
});
