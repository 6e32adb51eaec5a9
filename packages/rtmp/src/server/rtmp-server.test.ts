import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import {
  describeWithPeers,
  ffmpegCopyArgs,
  fixturePath,
  listFixtures,
  makeSelfSignedCert,
  runCommand,
  waitFor,
} from '@sluice/test-support';
import { RtmpServer } from './rtmp-server.js';
import type { RtmpIngestSession, PublishInfo } from './rtmp-ingest-session.js';
import { splitTcUrl } from './rtmp-ingest-session.js';
import { comparable, demuxFixture, expectedPackets, ofKind } from '../test-support/fixtures.js';

interface Received {
  info: PublishInfo;
  tracks: TrackInfo[];
  packets: MediaPacket[];
  unpublished: boolean;
  closed: boolean;
  session: RtmpIngestSession;
}

/** A plain Uint8Array view (socket data arrives as Buffer). */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function record(server: RtmpServer): Received[] {
  const out: Received[] = [];
  server.on('publish', (session, info) => {
    const r: Received = { info, tracks: [], packets: [], unpublished: false, closed: false, session };
    out.push(r);
    session.on('tracks', (t) => (r.tracks = [...t]));
    session.on('packet', (p) => r.packets.push(p));
    session.on('unpublish', () => (r.unpublished = true));
    session.on('close', () => (r.closed = true));
  });
  return out;
}

/** An RtmpServer on a free port for the tests of the enclosing describe, recording what is published. */
function recordingServer(): { server: RtmpServer; port: number; received: Received[] } {
  const ingest = { server: new RtmpServer(), port: 0, received: [] as Received[] };
  beforeAll(async () => {
    ingest.port = await ingest.server.listen(0);
    ingest.received = record(ingest.server);
  });
  afterAll(async () => {
    await ingest.server.close();
  });
  return ingest;
}

describe('splitTcUrl', () => {
  it('takes the host and the first path segment', () => {
    expect(splitTcUrl('rtmp://example.com:1935/live/inst?x=1')).toEqual({ host: 'example.com', app: 'live' });
    expect(splitTcUrl('rtmp://[::1]/app')).toEqual({ host: '[::1]', app: 'app' });
    expect(splitTcUrl('nonsense')).toEqual({ host: '', app: '' });
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'RtmpServer ingest from ffmpeg', () => {
  const ingest = recordingServer();

  const fixtures = listFixtures('flv');
  it('has FLV fixtures', () => expect(fixtures.length).toBeGreaterThan(0));

  for (const [i, name] of fixtures.entries()) {
    it(`receives exactly the packets of ${name} (ffmpeg ${i === 0 ? '-re ' : ''}-c copy -f flv)`, async () => {
      const stream = `s${i}`;
      const r = await runCommand(
        'ffmpeg',
        ffmpegCopyArgs(fixturePath(name), `rtmp://127.0.0.1:${ingest.port}/live/${stream}?token=abc`, {
          inputOptions: i === 0 ? ['-re'] : [],
          format: 'flv',
        }),
        30_000,
      );
      expect(r.code, r.stderr).toBe(0);
      await waitFor(() => ingest.received.some((x) => x.info.name === stream && x.closed), 5000, 'session close');
      const got = ingest.received.find((x) => x.info.name === stream)!;
      expect(got.info).toMatchObject({ app: 'live', name: stream, query: 'token=abc', type: 'live' });
      expect(got.session.handshakeKind).toBe('digest'); // ffmpeg's client uses the Flash-style handshake
      expect(got.unpublished).toBe(true);
      const expected = expectedPackets(name);
      const ours = comparable(got.packets, got.tracks);
      for (const kind of ['video', 'audio']) expect(ofKind(ours, kind), kind).toEqual(ofKind(expected, kind));
      const fixture = demuxFixture(name);
      for (const kind of ['video', 'audio']) {
        const mine = got.packets.filter((p) => got.tracks.find((t) => t.id === p.trackId)?.kind === kind);
        const theirs = fixture.packets.filter((p) => fixture.tracks.find((t) => t.id === p.trackId)?.kind === kind);
        mine.forEach((p, k) => expect(plain(p.data), `${kind} #${k} payload`).toEqual(plain(theirs[k]!.data)));
      }
      for (const t of got.tracks)
        if (t.codec !== 'mp3') expect(t.config?.length, `${t.codec} config`).toBeGreaterThan(0);
    });
  }

  it('runs sessions on TLS sockets too (RTMPS ingest via server.accept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rtmps-'));
    const { certFile, keyFile } = await makeSelfSignedCert(dir);
    const tlsServer = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (socket) =>
      ingest.server.accept(socket),
    );
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
    const tlsPort = (tlsServer.address() as { port: number }).port;
    const name = listFixtures('flv').find((f) => f.startsWith('h264'))!;
    const r = await runCommand(
      'ffmpeg',
      ffmpegCopyArgs(fixturePath(name), `rtmps://127.0.0.1:${tlsPort}/live/tls`, {
        format: 'flv',
        outputOptions: ['-tls_verify', '0'],
      }),
      30_000,
    );
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => ingest.received.some((x) => x.info.name === 'tls' && x.closed), 5000, 'tls session close');
    const got = ingest.received.find((x) => x.info.name === 'tls')!;
    expect(got.packets.length).toBe(expectedPackets(name).length);
    await new Promise((res) => tlsServer.close(res));
    rmSync(dir, { recursive: true, force: true });
  });
});

describeWithPeers(['gstreamer'], 'RtmpServer ingest from GStreamer rtmp2sink', () => {
  const ingest = recordingServer();

  const parsers: Record<string, string> = { h264: 'h264parse', aac: 'aacparse', mp3: 'mpegaudioparse' };
  for (const [i, name] of listFixtures('flv').entries()) {
    it(`receives the packets of ${name} (flvdemux ! flvmux ! rtmp2sink)`, async () => {
      const { tracks, packets } = demuxFixture(name);
      const stream = `g${i}`;
      const branches = tracks.map((t) => `d.${t.kind} ! queue ! ${parsers[t.codec]} ! m.`).join(' ');
      const pipeline = `filesrc location=${fixturePath(name)} ! flvdemux name=d flvmux name=m streamable=true ! rtmp2sink sync=false location=rtmp://127.0.0.1:${ingest.port}/live/${stream} ${branches}`;
      const r = await runCommand('gst-launch-1.0', ['-q', ...pipeline.split(' ')], 30_000);
      expect(r.code, r.stderr).toBe(0);
      await waitFor(() => ingest.received.some((x) => x.info.name === stream && x.closed), 5000, 'session close');
      const got = ingest.received.find((x) => x.info.name === stream)!;
      expect(got.tracks.map((t) => t.codec)).toEqual(tracks.map((t) => t.codec));
      for (const t of got.tracks) {
        if (t.codec === 'mp3') continue;
        // h264parse rewrites avcC without the High-profile extension bytes; the rest is the fixture's
        const want = plain(tracks.find((x) => x.kind === t.kind)!.config!);
        expect(plain(t.config!)).toEqual(want.subarray(0, t.config!.length));
        expect(t.config!.length).toBeGreaterThanOrEqual(want.length - 4);
      }
      // GStreamer's flvmux restarts the clock at the first presentation time and clamps
      // what falls before it to 0; payloads, order, and key flags are the fixture's.
      for (const kind of ['video', 'audio'] as const) {
        const trackId = tracks.find((t) => t.kind === kind)?.id;
        const want = packets.filter((p) => p.trackId === trackId);
        const have = got.packets.filter((p) => got.tracks.find((t) => t.id === p.trackId)?.kind === kind);
        expect(have.length, kind).toBe(want.length);
        if (want.length === 0) continue;
        const shift = want[want.length - 1]!.pts - have[have.length - 1]!.pts;
        for (const [k, p] of have.entries()) {
          const w = want[k]!;
          expect(plain(p.data), `${kind} #${k} payload`).toEqual(plain(w.data));
          expect(p.key, `${kind} #${k} key`).toBe(w.key);
          expect(Math.abs(p.pts - Math.max(0, w.pts - shift)), `${kind} #${k} pts`).toBeLessThanOrEqual(1);
        }
      }
    });
  }
});
