import { describe, expect, it } from 'vitest';
import {
  describeWithPeers,
  fixtureRewrites,
  listFixtures,
  readExpectedPackets,
  readFixture,
} from '@sluice/test-support';
import {
  FLV_AUDIO_TRACK_ID,
  FLV_VIDEO_TRACK_ID,
  FlvTagType,
  FlvWriter,
  parseVideoTagBody,
  type MediaPacket,
} from '../index.js';
import { concatBytes, demuxFlvFile, readFlvTags, writeFlvFile } from './test-support/flv-file.js';

const fixtures = listFixtures('flv');

interface Expected {
  trackId: number;
  dts: number;
  pts: number;
  key: boolean;
  size: number;
}

function expectedPackets(name: string): Expected[] {
  return readExpectedPackets(name).packets.map((p) => ({
    trackId: p.codec_type === 'video' ? FLV_VIDEO_TRACK_ID : FLV_AUDIO_TRACK_ID,
    dts: Number(p.dts),
    pts: Number(p.pts),
    key: String(p.flags).includes('K'),
    size: Number(p.size),
  }));
}

function summary(packets: readonly MediaPacket[]): Expected[] {
  return packets.map((p) => ({ trackId: p.trackId, dts: p.dts, pts: p.pts, key: p.key, size: p.data.length }));
}

describe('FLV fixtures', () => {
  it('are present', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(fixtures)('%s', (name) => {
    const bytes = readFixture(name);
    const { tracks, packets } = demuxFlvFile(bytes);

    it('reads exactly the packets ffprobe lists (count, dts, pts, key, size)', () => {
      expect(summary(packets)).toEqual(expectedPackets(name));
    });

    it('finds the tracks ffprobe lists, with their codec configuration', () => {
      const streams = readExpectedPackets(name).streams;
      expect(tracks.map((t) => t.kind)).toEqual(streams.map((s) => s.codec_type));
      expect(tracks.map((t) => t.codec)).toEqual(streams.map((s) => s.codec_name));
      for (const t of tracks) {
        if (t.codec === 'h264' || t.codec === 'aac') expect(t.config?.length).toBeGreaterThan(0);
        if (t.kind === 'video') {
          expect(t.width).toBe(320);
          expect(t.height).toBe(240);
        }
      }
    });

    it('reads the same tags whatever the piece sizes', () => {
      const whole = readFlvTags(bytes);
      for (const pieces of [[1], [7, 13, 1], [4096], [65_536, 3]]) {
        const split = readFlvTags(bytes, pieces);
        expect(split.length).toBe(whole.length);
        split.forEach((t, i) => {
          const w = whole[i]!;
          expect([t.type, t.timestamp, t.position]).toEqual([w.type, w.timestamp, w.position]);
          expect(Buffer.from(t.data).equals(Buffer.from(w.data))).toBe(true);
        });
      }
    });

    it('gives payloads as views into the input, not copies', () => {
      for (const p of packets) expect(p.data.buffer).toBe(bytes.buffer);
    });

    it('tag-level write(read(x)) is byte-identical to the input', () => {
      const chunks: Uint8Array[] = [];
      const writer = new FlvWriter((c) => chunks.push(c));
      const flags = bytes[4]!;
      writer.writeHeader({ hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0 });
      for (const tag of readFlvTags(bytes)) writer.writeTag(tag.type, tag.timestamp, tag.data);
      expect(Buffer.from(concatBytes(chunks)).equals(Buffer.from(bytes))).toBe(true);
    });

    it('packet-level write(read(x)) keeps every payload and timestamp', () => {
      const written = writeFlvFile(tracks, packets);
      const again = demuxFlvFile(written);
      expect(summary(again.packets)).toEqual(summary(packets));
      again.packets.forEach((p, i) => expect(Buffer.from(p.data).equals(Buffer.from(packets[i]!.data))).toBe(true));
      expect(again.tracks.map((t) => [t.codec, Buffer.from(t.config ?? []).toString('hex')])).toEqual(
        tracks.map((t) => [t.codec, Buffer.from(t.config ?? []).toString('hex')]),
      );
      // the written file ends the video with an end-of-sequence tag
      const last = readFlvTags(written).at(-1)!;
      if (tracks.some((t) => t.kind === 'video')) {
        expect(last.type).toBe(FlvTagType.Video);
        expect(parseVideoTagBody(last.data).kind).toBe('end');
      }
    });
  });
});

describeWithPeers(['ffprobe', 'ffmpeg'], 'FLV writer interop (ffprobe/ffmpeg read what we write)', () => {
  const rewrite = fixtureRewrites('sluice-flv-');

  it.each(fixtures)('%s: ffprobe lists the same packets in our rewrite, ffmpeg decodes it cleanly', async (name) => {
    const { tracks, packets } = demuxFlvFile(readFixture(name));
    const { probe, expected, decodeErrors } = await rewrite(name, writeFlvFile(tracks, packets));
    expect(probe.streams.map((s) => s.codec_name)).toEqual(expected.streams.map((s) => s.codec_name));
    const got = probe.packets.map((p) => ({
      trackId: p.codec_type === 'video' ? FLV_VIDEO_TRACK_ID : FLV_AUDIO_TRACK_ID,
      dts: Number(p.dts),
      pts: Number(p.pts),
      key: String(p.flags).includes('K'),
      size: Number(p.size),
    }));
    expect(got).toEqual(expectedPackets(name));
    expect(decodeErrors).toBe('');
  });
});
