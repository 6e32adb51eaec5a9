import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { PushProtocolModule, PushRecord, PushSink } from '@sluice/push';
import { waitFor } from '@sluice/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { callApi } from './e2e/peers.js';
import { createSluiceServer, type SluiceServer } from './sluice-server.js';
import { AAC_TRACK } from './test-support/tracks.js';

/** A push protocol (named mpegts, udp:// urls) whose sinks accept everything and count it. */
function countingProtocol(received: MediaPacket[]): PushProtocolModule {
  return {
    name: 'mpegts',
    urlForms: '`udp://host:port`',
    requiresStreamKey: false,
    streamKeyUse: 'Not used.',
    cannotCarry: () => null,
    checkUrl: (url) => (url.startsWith('udp://') ? null : 'udp:// only'),
    create: (): PushSink => {
      let bytes = 0;
      return {
        open: async () => undefined,
        send: (p) => {
          received.push({ ...p });
          bytes += p.data.byteLength;
          return true;
        },
        get bytesSent() {
          return bytes;
        },
        bufferedBytes: 0,
        onDrain: () => undefined,
        onError: () => undefined,
        close: async () => undefined,
      };
    },
  };
}

const tracks: TrackInfo[] = [
  {
    id: 0,
    kind: 'video',
    codec: 'h264',
    timescale: 1000,
    config: new Uint8Array([1, 0x42, 0, 0x1e, 0xff, 0xe0, 0]),
    width: 320,
    height: 240,
  },
  AAC_TRACK,
];

const token = 'ome-access-token';

describe('createSluiceServer', () => {
  const servers: SluiceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function start(dataDir?: string, received: MediaPacket[] = []): SluiceServer {
    const server = createSluiceServer({
      host: '127.0.0.1',
      apiPort: 0,
      rtmpPort: 0,
      dataDir,
      ingestProtocols: [],
      pushProtocols: [countingProtocol(received)],
    });
    servers.push(server);
    return server;
  }

  it('serves the push API over the hub: reserved push starts when the stream is published', async () => {
    const received: MediaPacket[] = [];
    const server = start(undefined, received);
    const { apiPort } = await server.listen();
    const started = await callApi<PushRecord[]>(apiPort!, token, 'POST', '/v1/vhosts/default/apps/app:startPush', {
      id: 'p1',
      stream: { name: 's' },
      protocol: 'mpegts',
      url: 'udp://127.0.0.1:5000',
    });
    expect(started.status).toBe(200);
    expect(started.body?.response?.[0]?.state).toBe('ready');
    const pub = server.hub.publish({ vhost: 'default', app: 'app', name: 's' }, 'rtmp');
    pub.setTracks(tracks);
    pub.write({ trackId: 0, dts: 1000, pts: 1000, key: true, data: new Uint8Array(100) });
    pub.write({ trackId: 1, dts: 1010, pts: 1010, key: true, data: new Uint8Array(10) });
    await waitFor(() => server.pushes()[0]?.state === 'pushing', 5000, 'pushing');
    pub.write({ trackId: 0, dts: 1033, pts: 1033, key: false, data: new Uint8Array(50) });
    await waitFor(() => received.length >= 3, 5000, 'packets at the sink');
    expect(received[0]).toMatchObject({ trackId: 0, dts: 0, key: true });
    const streams = await callApi<unknown>(apiPort!, token, 'GET', '/v1/vhosts/default/apps/app/streams/s');
    expect(streams.body?.response).toMatchObject({
      name: 's',
      tracks: [
        { id: 0, type: 'video', codec: 'h264', width: 320 },
        { id: 1, type: 'audio' },
      ],
    });
    const unauthorized = await callApi(apiPort!, 'wrong', 'POST', '/v1/vhosts/default/apps/app:pushes');
    expect(unauthorized.status).toBe(401);
    const stopped = await callApi<PushRecord[]>(apiPort!, token, 'POST', '/v1/vhosts/default/apps/app:stopPush', {
      id: 'p1',
    });
    expect(stopped.status).toBe(200);
    await waitFor(() => server.pushes().length === 0, 5000, 'push removed');
  });

  it('persists pushes in the data dir across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-data-'));
    const first = start(dataDir);
    await first.listen();
    first.registry.startPush({
      id: 'keep',
      vhost: 'default',
      app: 'app',
      stream: { name: 's' },
      protocol: 'mpegts',
      url: 'udp://127.0.0.1:5000',
    });
    await first.close();
    const second = start(dataDir);
    await second.listen();
    expect(second.pushes().map((p) => [p.id, p.state])).toEqual([['keep', 'ready']]);
  });
});
