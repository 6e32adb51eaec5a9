import type { MediaPacket } from '@sluice/media';
import type { PushProtocolModule, PushRecord } from '@sluice/push';
import { waitFor } from '@sluice/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config/server-config.js';
import { DEFAULT_CONFIG_FILE } from '../package-root.js';
import { ConfigError } from '../config/config-error.js';
import { callApi, type ApiAnswer } from '../e2e/peers.js';
import { createSluiceServer, type SluiceServer } from '../sluice-server.js';
import { builtInIngestProtocols, builtInPushProtocols, sinkFactoriesByName } from './index.js';
import type { IngestProtocol } from './ingest-protocol.js';

const token = 'ome-access-token';

/** A push protocol of its own (`memo://name`), recording what its sinks are sent. */
function memoProtocol(received: MediaPacket[]): PushProtocolModule {
  return {
    name: 'memo',
    urlForms: '`memo://name`',
    requiresStreamKey: true,
    streamKeyUse: 'Required; recorded with the packets.',
    cannotCarry: (track) => (track.kind === 'audio' ? 'audio is not remembered' : null),
    checkUrl: (url) => (/^memo:\/\/\w+$/.test(url) ? null : 'expected memo://name'),
    create: () => ({
      open: () => Promise.resolve(),
      send: (p) => {
        received.push({ ...p });
        return true;
      },
      bytesSent: 0,
      bufferedBytes: 0,
      onDrain: () => undefined,
      onError: () => undefined,
      close: () => Promise.resolve(),
    }),
  };
}

/** An ingest protocol of its own: publishes one video stream `default/app/fed` when it listens. */
const feedIngest: IngestProtocol = {
  name: 'feed',
  sourceType: 'feed',
  port: () => 0,
  create: (context) => ({
    listen: () => {
      const publication = context.publish({ vhost: 'default', app: 'app', name: 'fed' });
      publication.setTracks([{ id: 0, kind: 'video', codec: 'h264', timescale: 1000 }]);
      publication.write({ trackId: 0, dts: 0, pts: 0, key: true, data: new Uint8Array(10) });
      return Promise.resolve(4242);
    },
    close: () => Promise.resolve(),
  }),
};

describe('the protocol lists', () => {
  const servers: SluiceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('name the built-in protocols once each', () => {
    expect(builtInPushProtocols().map((p) => p.name)).toEqual(['rtmp', 'mpegts', 'srt']);
    expect(builtInIngestProtocols().map((p) => [p.name, p.sourceType])).toEqual([
      ['rtmp', 'rtmp'],
      ['srt', 'srt'],
    ]);
    const rtmp = builtInPushProtocols()[0]!;
    expect(() => sinkFactoriesByName([rtmp, rtmp])).toThrow('push protocol [rtmp] is registered twice');
    expect(() => sinkFactoriesByName([{ ...rtmp, name: 'RTMP' }])).toThrow('must be lower case');
  });

  it('a protocol added to the lists is served by the API, its OpenAPI text, StreamMap and the catalogue', async () => {
    const received: MediaPacket[] = [];
    const server = createSluiceServer({
      host: '127.0.0.1',
      apiPort: 0,
      pushProtocols: [memoProtocol(received)],
      ingestProtocols: [feedIngest],
    });
    servers.push(server);
    const { apiPort, ingestPorts } = await server.listen();
    expect(ingestPorts).toEqual({ feed: 4242 });
    // a good request (with an id), and two that differ from it in a field or two
    const memoPush = { stream: { name: 'fed' }, protocol: 'memo', url: 'memo://a', streamKey: 'k' };
    const startPush = <T = unknown>(body: Record<string, unknown>): Promise<ApiAnswer<T>> =>
      callApi<T>(apiPort!, token, 'POST', '/v1/vhosts/default/apps/app:startPush', body);
    const missingKey = await startPush({ ...memoPush, protocol: 'MEMO', streamKey: undefined });
    expect(missingKey.body?.message).toBe('There is no required parameter [streamKey] (400)');
    const rtmp = await startPush({ ...memoPush, protocol: 'rtmp', url: 'rtmp://h/app' });
    expect(rtmp.body?.message).toBe('Unsupported protocol [rtmp] (400)');
    const started = await startPush<PushRecord[]>({ id: 'm', ...memoPush });
    expect(started.status).toBe(200);
    await waitFor(() => received.length > 0, 5000, 'the GOP at the memo sink');
    expect(received[0]).toMatchObject({ trackId: 0, key: true });
    const stream = await callApi<{ sourceType: string }>(
      apiPort!,
      token,
      'GET',
      '/v1/vhosts/default/apps/app/streams/fed',
    );
    expect(stream.body?.response?.sourceType).toBe('feed');
    const doc = (await callApi<never>(apiPort!, token, 'GET', '/v1/openapi.json')).body as unknown as {
      components: {
        schemas: Record<string, { properties: Record<string, { description?: string; enum?: string[] }> }>;
      };
    };
    const request = doc.components.schemas['StartPushRequest']!.properties;
    expect(request['url']!.description).toContain('`memo://name` for memo');
    expect(request['streamKey']!.description).toContain('memo: Required; recorded with the packets.');
    expect(doc.components.schemas['PushRecord']!.properties['protocol']!.enum).toEqual(['memo']);
  });

  it('a StreamMap naming a protocol outside the list stops start-up naming the file and line', () => {
    const config = loadServerConfig(DEFAULT_CONFIG_FILE);
    const app = config.virtualHosts[0]!.applications[0]!;
    app.push = {
      connectTimeoutMs: 5000,
      sendTimeoutMs: 2000,
      streamMap: {
        path: 'map.xml',
        entries: [
          {
            streamName: '*',
            matches: () => true,
            variantNames: [],
            protocol: 'mpegts',
            protocolLine: 3,
            url: 'udp://127.0.0.1:5000',
            streamKey: '',
            index: 0,
            line: 2,
          },
        ],
      },
    };
    expect(() => createSluiceServer({ config, pushProtocols: [memoProtocol([])] })).toThrow(
      new ConfigError('unsupported protocol "mpegts" (memo)', 'map.xml', 'PushInfo.Push.Protocol', 3),
    );
  });
});
