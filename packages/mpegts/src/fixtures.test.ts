/**
 * Every fixture muxed by TsMuxer: demux(mux(packets)) gives the packets back, ffprobe
 * lists the source's timestamps and flags, ffmpeg decodes it without a word, and the
 * analyzer (our demuxer's stats) finds no continuity errors, PCR gaps ≤ 40 ms and
 * PAT/PMT gaps ≤ 100 ms.
 */
import { expect, it } from 'vitest';
import { describeWithPeers, fixtureRewrites, listFixtures, readFixture } from '@sluice/test-support';
import { comparableVideoPayload, muxToBytes, readFlv, readTs, type MediaSource } from './test-support/media-source.js';

const fixtures = [...listFixtures('flv'), ...listFixtures('ts')];
const rewrite = fixtureRewrites('sluice-mpegts-');

function load(name: string): MediaSource {
  const bytes = readFixture(name);
  return name.endsWith('.flv') ? readFlv(bytes) : readTs(bytes);
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'TsMuxer on every fixture', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const name of fixtures) {
    it(`${name}: round trip, analyzer, ffprobe timestamps and flags, clean decode`, async () => {
      const source = load(name);
      expect(source.packets.length).toBeGreaterThan(0);
      const { bytes } = muxToBytes(source);

      // demux(mux(packets)) in strict mode, pushed in odd-sized pieces
      const back = readTs(bytes, { strict: true, chunkSize: 1013 });
      expect(back.errors).toEqual([]);
      expect(back.tracks.map((t) => t.codec)).toEqual(source.tracks.map((t) => t.codec));
      // configuration learnt from the stream (avcC, hvcC, AudioSpecificConfig, OpusHead; none for MP3)
      for (const t of back.tracks) if (t.codec !== 'mp3') expect(t.config, `${t.codec} config`).toBeDefined();
      source.tracks.forEach((track, i) => {
        const scale = 90000 / track.timescale;
        const want = source.packets.filter((p) => p.trackId === track.id);
        const got = back.packets.filter((p) => p.trackId === back.tracks[i]!.id);
        expect(got.length, `${track.codec} packets`).toBe(want.length);
        want.forEach((w, j) => {
          const g = got[j]!;
          expect([g.dts, g.pts, g.key], `${track.codec} packet ${j}`).toEqual([w.dts * scale, w.pts * scale, w.key]);
          if (track.kind === 'video')
            expect(comparableVideoPayload(track.codec, g.data)).toBe(comparableVideoPayload(track.codec, w.data));
          else expect(hex(g.data)).toBe(hex(w.data));
        });
      });

      // analyzer figures
      const s = back.stats;
      expect(s.continuityErrors).toBe(0);
      expect(s.syncLosses).toBe(0);
      expect(s.crcErrors).toBe(0);
      expect(s.pcrAheadOfDts).toBe(0);
      expect(s.maxPcrGapMs).toBeLessThanOrEqual(40);
      expect(s.maxPatGapMs).toBeLessThanOrEqual(100);
      expect(s.maxPmtGapMs).toBeLessThanOrEqual(100);

      // ffprobe lists the source's timestamps and flags
      const { probe: probed, expected, decodeErrors } = await rewrite(name, bytes, `${name}.ts`);
      for (const type of ['video', 'audio']) {
        const want = expected.packets.filter((p) => p.codec_type === type);
        const got = probed.packets.filter((p) => p.codec_type === type);
        expect(got.length, `${type} packets listed by ffprobe`).toBe(want.length);
        want.forEach((w, j) => {
          const g = got[j]!;
          expect(Math.abs(Number(g.pts_time) - Number(w.pts_time)), `${type} ${j} pts_time`).toBeLessThan(0.00002);
          expect(Math.abs(Number(g.dts_time) - Number(w.dts_time)), `${type} ${j} dts_time`).toBeLessThan(0.00002);
          expect(g.flags[0], `${type} ${j} flags`).toBe(String(w.flags)[0]);
        });
      }

      expect(decodeErrors).toBe('');
    });
  }
});
