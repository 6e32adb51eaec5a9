import type { PushSink } from '@sluice/push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { buildOpusHead, opusHeadFromTsChannelConfig } from '@sluice/media';
import { waitFor } from '@sluice/test-support';
import { RtmpPublisher } from './rtmp-publisher.js';
import { PayloadChunkCache } from './payload-chunk-cache.js';
import { publishAll } from '../test-support/publish-all.js';
import { parseRtmpUrl, checkRtmpUrl } from './rtmp-url.js';
import { rtmpCannotCarry } from './track-support.js';
import { RtmpServer } from '../server/rtmp-server.js';
import type { RtmpIngestSession } from '../server/rtmp-ingest-session.js';
import { ServerHandshake } from '../handshake/server-handshake.js';
import { RtmpConnectError, RtmpPublishRejected, RtmpTimeoutError, RtmpUnsupportedCodec } from '../errors.js';
import { demuxFixture } from '../test-support/fixtures.js';

describe('parseRtmpUrl', () => {
  it('splits host, port, app and key; passes query strings in keys through', () => {
    expect(parseRtmpUrl('rtmp://a.example/live2/inst', 'key?token=1&x=2')).toEqual({
      secure: false,
      host: 'a.example',
      port: 1935,
      app: 'live2/inst',
      tcUrl: 'rtmp://a.example/live2/inst',
      streamName: 'key?token=1&x=2',
    });
    expect(parseRtmpUrl(' RTMPS://[::1]:4443/app/ ', 'k')).toMatchObject({
      secure: true,
      host: '::1',
      port: 4443,
      app: 'app',
      tcUrl: 'rtmps://[::1]:4443/app',
    });
    expect(parseRtmpUrl('rtmps://live.twitch.tv/app', 'k').port).toBe(443);
    expect(parseRtmpUrl('rtmp://h/app/stream', '')).toMatchObject({ app: 'app', streamName: 'stream' });
  });
  it('rejects what cannot be published to', () => {
    expect(checkRtmpUrl('http://h/app')).toMatch(/^Invalid RTMP URL \[http:\/\/h\/app\]/);
    expect(checkRtmpUrl('rtmp://h:99999/app')).toMatch(/bad port/);
    expect(checkRtmpUrl('rtmp://h/')).toMatch(/no stream key|no application/);
    expect(() => parseRtmpUrl('rtmp://h/app', '')).toThrow(/no stream key/);
    expect(checkRtmpUrl('rtmp://h/app')).toBeNull();
    expect(checkRtmpUrl('rtmp://h/app', '')).toMatch(/no stream key/);
    expect(checkRtmpUrl('rtmp://h/app/key', '')).toBeNull();
  });
  it('knows which codecs RTMP carries', () => {
    expect(rtmpCannotCarry({ id: 0, kind: 'video', codec: 'h265', timescale: 1000 })).toBeNull();
    expect(rtmpCannotCarry({ id: 2, kind: 'data', codec: 'id3', timescale: 1000 })).toMatch(
      /cannot carry data codec id3/,
    );
  });
});

describe('RtmpPublisher shape', () => {
  it('fits PushSink as is, and closes without opening', async () => {
    const sink: PushSink = new RtmpPublisher({ url: 'rtmp://127.0.0.1/app', streamKey: 'k' });
    expect([sink.bytesSent, sink.bufferedBytes]).toEqual([0, 0]);
    expect(sink.send({ trackId: 0, dts: 0, pts: 0, key: true, data: new Uint8Array(1) })).toBe(false);
    await sink.close();
    expect(() => new RtmpPublisher({ url: 'rtmp://h/app', streamKey: 'k', sendTimeoutMs: -1 })).toThrow(
      'sendTimeoutMs must be an integer >= 0, got -1',
    );
    // 0: the caller keeps the deadlines (a push session does)
    expect(
      () => new RtmpPublisher({ url: 'rtmp://h/app', streamKey: 'k', connectTimeoutMs: 0, sendTimeoutMs: 0 }),
    ).not.toThrow();
  });
});

describe('RtmpPublisher -> RtmpServer (our own two ends)', () => {
  let server: RtmpServer;
  let port: number;
  const sessions: Array<{ session: RtmpIngestSession; tracks: TrackInfo[]; packets: MediaPacket[]; closed: boolean }> =
    [];
  beforeAll(async () => {
    // The server keeps no name table: authorize and release keep it (as the Sluice server's hub
    // does). release also hears refused publishes, so only the holder frees a name.
    const holders = new Map<string, RtmpIngestSession>();
    server = new RtmpServer({
      authorize: (info, session) => {
        if (info.name === 'forbidden') return { code: 'NetStream.Publish.Rejected', description: 'not on the list' };
        const key = `${info.app}/${info.name}`;
        if (holders.has(key)) return { code: 'NetStream.Publish.BadName', description: `${key} is already published` };
        holders.set(key, session);
        return null;
      },
      release: (info, session) => {
        const key = `${info.app}/${info.name}`;
        if (holders.get(key) === session) holders.delete(key);
      },
    });
    port = await server.listen(0);
    server.on('publish', (session) => {
      const r = { session, tracks: [] as TrackInfo[], packets: [] as MediaPacket[], closed: false };
      sessions.push(r);
      session.on('tracks', (t) => (r.tracks = [...t]));
      session.on('packet', (p) => r.packets.push(p));
      session.on('close', () => (r.closed = true));
    });
  });
  afterAll(() => server.close());

  it('round-trips a fixture (simple handshake) and closes cleanly with FCUnpublish/deleteStream', async () => {
    const { tracks, packets } = demuxFixture('h264-high-aac.flv');
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'own?k=1' });
    await p.open(tracks);
    await publishAll(p, packets);
    await p.close();
    await waitFor(
      () => sessions.some((s) => s.session.publishInfo === undefined && s.closed),
      5000,
      'server session end',
    );
    const s = sessions.find((x) => x.packets.length === packets.length)!;
    expect(s).toBeDefined();
    expect(s.session.handshakeKind).toBe('simple');
    expect(s.packets.map((x) => [x.trackId, x.dts, x.pts, x.key, x.data.length])).toEqual(
      packets.map((x) => [x.trackId, x.dts, x.pts, x.key, x.data.length]),
    );
  });

  it('sends H.265 and Opus as Enhanced RTMP when the server announces them', async () => {
    const hvcc = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    const opusHead = buildOpusHead(opusHeadFromTsChannelConfig(2, 312)!); // stereo, mapping family 0
    const tracks: TrackInfo[] = [
      { id: 0, kind: 'video', codec: 'h265', timescale: 1000, config: hvcc, width: 640, height: 360 },
      { id: 1, kind: 'audio', codec: 'opus', timescale: 1000, config: opusHead, sampleRate: 48000, channels: 2 },
    ];
    const packets: MediaPacket[] = [];
    for (let i = 0; i < 20; i++) {
      packets.push({
        trackId: 0,
        dts: i * 40,
        pts: i * 40 + 80,
        key: i % 10 === 0,
        data: Uint8Array.of(0, 0, 0, 3, 0x26, 1, i),
      });
      packets.push({ trackId: 1, dts: i * 20, pts: i * 20, key: true, data: Uint8Array.of(0xfc, i) });
    }
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'ertmp' });
    await p.open(tracks);
    expect(p.serverFourCcs.has('hvc1')).toBe(true);
    await publishAll(p, packets);
    await p.close();
    await waitFor(
      () => sessions.some((s) => s.session.publishInfo === undefined && s.packets.length === 40),
      5000,
      'E-RTMP session',
    );
    const s = sessions.find((x) => x.packets.length === 40)!;
    expect(s.tracks.map((t) => [t.codec, t.config?.length])).toEqual([
      ['h265', 40],
      ['opus', opusHead.length],
    ]);
    expect(s.packets.filter((x) => x.trackId === 0).map((x) => x.pts - x.dts)).toEqual(Array(20).fill(80));
  });

  it('rejects a second publisher of a name with RtmpPublishRejected(NetStream.Publish.BadName); authorize can reject too', async () => {
    const { tracks } = demuxFixture('audio-only.flv');
    const first = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'taken' });
    await first.open(tracks);
    const second = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'taken?other=1' });
    const err = await second.open(tracks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RtmpPublishRejected);
    expect((err as RtmpPublishRejected).code).toBe('NetStream.Publish.BadName');
    expect(first.isOpen).toBe(true);
    await first.close();
    const third = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'forbidden' });
    const err3 = await third.open(tracks).catch((e: unknown) => e);
    expect(err3).toMatchObject({
      name: 'RtmpPublishRejected',
      code: 'NetStream.Publish.Rejected',
      description: 'not on the list',
    });
  });

  it('fan-out: one PayloadChunkCache feeds several publishers that joined at different times', async () => {
    const { tracks, packets } = demuxFixture('h264-baseline-aac.flv');
    const cache = new PayloadChunkCache(4096);
    const pubs = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const p = new RtmpPublisher({
          url: `rtmp://127.0.0.1:${port}/live`,
          streamKey: `fan${i}`,
          sharedChunks: cache,
        });
        await p.open(tracks);
        return p;
      }),
    );
    const joinAt = [0, 60, 120];
    const base: Array<number | undefined> = [undefined, undefined, undefined];
    let total = 0;
    for (const [k, packet] of packets.entries()) {
      for (const [i, p] of pubs.entries()) {
        if (k < joinAt[i]!) continue;
        const b = (base[i] ??= packet.dts);
        p.send({ ...packet, dts: packet.dts - b, pts: packet.pts - b });
        total++;
      }
    }
    const shared = cache.sharedWrites;
    expect(shared / total).toBeGreaterThan(0.9);
    await Promise.all(pubs.map((p) => p.close()));
    await waitFor(
      () => [0, 1, 2].every((i) => sessions.some((s) => s.closed && s.packets.length === packets.length - joinAt[i]!)),
      5000,
      'fan-out sessions',
    );
    for (const i of [1, 2]) {
      const s = sessions.find((x) => x.packets.length === packets.length - joinAt[i]!)!;
      const want = packets.slice(joinAt[i]);
      const t0 = want[0]!.dts;
      expect(s.packets.map((x) => [x.trackId, x.dts, x.pts, x.data.length])).toEqual(
        want.map((x) => [x.trackId, x.dts - t0, x.pts - t0, x.data.length]),
      );
    }
  });
});

describe('RtmpPublisher failures', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // accepts, completes the handshake, then never answers connect and never reads
    silent = createServer((socket) => {
      sockets.push(socket);
      const hs = new ServerHandshake();
      socket.on('data', (d) => {
        const step = hs.push(d);
        if (step.send) socket.write(step.send);
        if (step.done) socket.pause();
      });
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('times out a connect that gets no answer (RtmpTimeoutError, connect)', async () => {
    const p = new RtmpPublisher({
      url: `rtmp://127.0.0.1:${silentPort}/live`,
      streamKey: 'x',
      connectTimeoutMs: 300,
    });
    const t = Date.now();
    const err = await p
      .open([{ id: 1, kind: 'audio', codec: 'aac', timescale: 1000, config: Uint8Array.of(0x12, 0x10) }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RtmpTimeoutError);
    expect((err as RtmpTimeoutError).phase).toBe('connect');
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('reports a refused connection as RtmpConnectError', async () => {
    const closedPort = silentPort; // reuse: close a fresh server to get a dead port
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'x' });
    await expect(p.open([{ id: 1, kind: 'audio', codec: 'mp3', timescale: 1000 }])).rejects.toBeInstanceOf(
      RtmpConnectError,
    );
    expect(closedPort).toBeGreaterThan(0);
  });

  it('refuses tracks RTMP cannot carry before connecting', async () => {
    const p = new RtmpPublisher({ url: 'rtmp://127.0.0.1:1/live', streamKey: 'x' });
    await expect(p.open([{ id: 3, kind: 'data', codec: 'id3', timescale: 1000 }])).rejects.toBeInstanceOf(
      RtmpUnsupportedCodec,
    );
  });

  it('fails with RtmpTimeoutError(send) via onError when the server stops reading', async () => {
    // a real server that stops reading once publishing
    const server = new RtmpServer();
    const port = await server.listen(0);
    server.on('publish', (s) => s.connection.socket.pause());
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'stall', sendTimeoutMs: 300 });
    await p.open([
      { id: 0, kind: 'video', codec: 'h264', timescale: 1000, config: Uint8Array.of(1, 0x64, 0, 0x1f, 0xff, 0xe0, 0) },
    ]);
    const errors: Error[] = [];
    p.onError((e) => errors.push(e));
    const frame = new Uint8Array(256 * 1024);
    let full = 0;
    for (let i = 0; i < 2000 && p.isOpen && full === 0; i++)
      if (!p.send({ trackId: 0, dts: i * 33, pts: i * 33, key: i === 0, data: frame })) full++;
    expect(full).toBeGreaterThan(0);
    expect(p.bufferedBytes).toBeGreaterThan(0);
    await waitFor(() => errors.length > 0, 5000, 'send timeout');
    expect(errors[0]).toBeInstanceOf(RtmpTimeoutError);
    expect((errors[0] as RtmpTimeoutError).phase).toBe('send');
    expect(p.send({ trackId: 0, dts: 0, pts: 0, key: true, data: frame })).toBe(false);
    await p.close();
    await server.close();
  });
});
