import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithPeers,
  ffmpegCopyArgs,
  ffprobe,
  freeTcpPort,
  listFixtures,
  nginxRtmpForSuite,
  startProcess,
  type ProbeResult,
} from '@sluice/test-support';
import { RtmpPublisher } from './rtmp-publisher.js';
import { PayloadChunkCache } from './payload-chunk-cache.js';
import { publishAll } from '../test-support/publish-all.js';
import { RtmpUnsupportedCodec } from '../errors.js';
import { demuxFixture, expectedPackets, ofKind, type ComparablePacket } from '../test-support/fixtures.js';

/** Checks a recording against the fixture: same codecs, frame counts within 1, timestamps within 1 ms. */
function checkRecording(probe: ProbeResult, fixture: string): void {
  const expected = expectedPackets(fixture);
  const fixtureTracks = demuxFixture(fixture).tracks;
  expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(fixtureTracks.map((t) => t.codec).sort());
  const got: ComparablePacket[] = probe.packets.map((p) => ({
    kind: p.codec_type,
    dts: Number(p.dts),
    pts: Number(p.pts),
    size: Number(p.size),
    key: p.flags.startsWith('K'),
  }));
  for (const kind of ['video', 'audio']) {
    const want = ofKind(expected, kind);
    const have = ofKind(got, kind);
    expect(
      Math.abs(have.length - want.length),
      `${kind} frame count ${have.length} vs ${want.length}`,
    ).toBeLessThanOrEqual(1);
    const n = Math.min(have.length, want.length);
    const offset = n > 0 ? have[0]!.dts - want[0]!.dts : 0; // a recorder may start its clock at the first tag
    for (let i = 0; i < n; i++) {
      expect(Math.abs(have[i]!.dts - offset - want[i]!.dts), `${kind} #${i} dts`).toBeLessThanOrEqual(1);
      expect(Math.abs(have[i]!.pts - offset - want[i]!.pts), `${kind} #${i} pts`).toBeLessThanOrEqual(1);
      expect(have[i]!.size, `${kind} #${i} size`).toBe(want[i]!.size);
    }
  }
}

async function publishFixture(
  url: string,
  key: string,
  fixture: string,
  extra: Partial<ConstructorParameters<typeof RtmpPublisher>[0]> = {},
): Promise<RtmpPublisher> {
  const { tracks, packets } = demuxFixture(fixture);
  const publisher = new RtmpPublisher({ url, streamKey: key, ...extra });
  await publisher.open(tracks);
  await publishAll(publisher, packets);
  await publisher.close();
  return publisher;
}

const fixtures = listFixtures('flv');

describeWithPeers(
  ['nginx-rtmp', 'ffprobe'],
  'RtmpPublisher -> nginx-rtmp (record all, RTMPS via stream TLS proxy)',
  () => {
    const nginx = nginxRtmpForSuite({ tls: true });

    it('publishes every FLV fixture; nginx records them intact', async () => {
      expect(fixtures.length).toBeGreaterThan(0);
      for (const [i, fixture] of fixtures.entries()) {
        const p = await publishFixture(nginx().url(), `f${i}?token=x${i}`, fixture);
        expect(p.bytesSent).toBeGreaterThan(demuxFixture(fixture).bytes.length * 0.8);
      }
      await nginx().stop(); // finishes the recordings
      const files = nginx().recordings();
      for (const [i, fixture] of fixtures.entries()) {
        const file = files.find((f) => f.includes(`/f${i}-`));
        expect(file, `recording of ${fixture} in ${files.join(', ')}`).toBeDefined();
        checkRecording(await ffprobe(file!), fixture);
      }
      await nginx().restart();
    });

    it('publishes over RTMPS (self-signed: rejected by default, accepted with rejectUnauthorized false)', async () => {
      const fixture = fixtures.find((f) => f.startsWith('h264'))!;
      const url = `rtmps://127.0.0.1:${nginx().tlsPort}/live`;
      await expect(publishFixture(url, 'tls-checked', fixture)).rejects.toThrow(/self[- ]signed|certificate/i);
      await publishFixture(url, 'tls', fixture, { rejectUnauthorized: false });
      await nginx().stop();
      const file = nginx()
        .recordings()
        .find((f) => f.includes('/tls-'));
      expect(file).toBeDefined();
      checkRecording(await ffprobe(file!), fixture);
      await nginx().restart();
    });

    it('fan-out: chunk-once bytes shared by publishers that joined at different keyframes are recorded intact', async () => {
      const fixture = 'h264-high-aac.flv';
      const { tracks, packets } = demuxFixture(fixture);
      const keyframes = packets.map((p, i) => (p.trackId === 0 && p.key ? i : -1)).filter((i) => i >= 0);
      const joins = [0, keyframes[1] ?? 0, keyframes[2] ?? keyframes[1] ?? 0];
      const cache = new PayloadChunkCache();
      const pubs = await Promise.all(
        joins.map(async (_, i) => {
          const p = new RtmpPublisher({ url: nginx().url(), streamKey: `fan${i}`, sharedChunks: cache });
          await p.open(tracks);
          return p;
        }),
      );
      const bases: Array<number | undefined> = joins.map(() => undefined);
      for (const [k, packet] of packets.entries()) {
        for (const [i, p] of pubs.entries()) {
          if (k < joins[i]!) continue;
          const base = (bases[i] ??= packet.dts);
          p.send({ ...packet, dts: packet.dts - base, pts: packet.pts - base });
        }
      }
      expect(cache.sharedWrites).toBeGreaterThan(0);
      await Promise.all(pubs.map((p) => p.close()));
      await nginx().stop();
      for (const [i, join] of joins.entries()) {
        const file = nginx()
          .recordings()
          .find((f) => f.includes(`/fan${i}-`));
        expect(file).toBeDefined();
        const probe = await ffprobe(file!);
        const want = packets.slice(join);
        const t0 = want[0]!.dts;
        for (const [trackId, kind] of [
          [0, 'video'],
          [1, 'audio'],
        ] as const) {
          const w = want.filter((p) => p.trackId === trackId);
          const h = probe.packets.filter((p) => p.codec_type === kind);
          expect(h.length, `fan${i} ${kind} count`).toBe(w.length);
          h.forEach((p, k) => {
            expect(Math.abs(Number(p.dts) - (w[k]!.dts - t0)), `fan${i} ${kind} #${k} dts`).toBeLessThanOrEqual(1);
            expect(Number(p.size)).toBe(w[k]!.data.length);
          });
        }
      }
      await nginx().restart();
    });

    it('publishes with the Flash-style digest handshake too', async () => {
      const fixture = fixtures.find((f) => f.startsWith('h264'))!;
      await publishFixture(nginx().url(), 'digest', fixture, { handshake: 'digest' });
      await nginx().stop();
      const file = nginx()
        .recordings()
        .find((f) => f.includes('/digest-'));
      expect(file).toBeDefined();
      checkRecording(await ffprobe(file!), fixture);
      await nginx().restart();
    });

    it('refuses H.265 to a server that did not announce Enhanced RTMP, with a typed error', async () => {
      const publisher = new RtmpPublisher({ url: nginx().url(), streamKey: 'hevc' });
      const err = await publisher
        .open([{ id: 0, kind: 'video', codec: 'h265', timescale: 1000, config: new Uint8Array(30) }])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RtmpUnsupportedCodec);
      expect((err as Error).message).toMatch(/did not announce Enhanced RTMP support for hvc1/);
    });
  },
);

describeWithPeers(['ffmpeg', 'ffprobe'], 'RtmpPublisher -> ffmpeg -listen 1', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-rtmp-listen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const fixture of fixtures) {
    it(`ffmpeg records ${fixture} intact`, async () => {
      const port = await freeTcpPort();
      const out = join(dir, `${fixture}.out.flv`);
      const ffmpeg = startProcess(
        'ffmpeg',
        ffmpegCopyArgs(`rtmp://127.0.0.1:${port}/app/stream`, out, {
          inputOptions: ['-listen', '1'],
          outputOptions: ['-y'],
        }),
      );
      // ffmpeg accepts one connection: retry until it listens instead of probing the port
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await publishFixture(`rtmp://127.0.0.1:${port}/app`, 'stream', fixture);
          break;
        } catch (e) {
          if (Date.now() > deadline || !/ECONNREFUSED/.test(String((e as Error).message))) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const code = await Promise.race([ffmpeg.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code, ffmpeg.stderr()).toBe(0);
      checkRecording(await ffprobe(out), fixture);
    });
  }
});
