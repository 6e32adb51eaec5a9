/** Codec-specific muxing checked by ffmpeg: HEVC parameter sets from hvcC, ID3 timed metadata. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { MediaPacket } from '@sluice/media';
import { forEachNalUnit } from '@sluice/media';
import { describeWithPeers, ffmpegDecodeErrors, ffprobe, readFixture } from '@sluice/test-support';
import { muxToBytes, readFlv, readTs } from './test-support/media-source.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-mpegts-codecs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The payload without H.265 VPS/SPS/PPS (as an MP4/FLV source carries it: sets in the hvcC). */
function withoutParameterSets(data: Uint8Array): Uint8Array {
  const parts: number[] = [];
  forEachNalUnit(data, 4, (nal) => {
    const t = (nal[0]! >> 1) & 0x3f;
    if (t >= 32 && t <= 34) return;
    parts.push(nal.length >>> 24, (nal.length >> 16) & 0xff, (nal.length >> 8) & 0xff, nal.length & 0xff, ...nal);
  });
  return Uint8Array.from(parts);
}

function nalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  forEachNalUnit(data, 4, (nal) => types.push((nal[0]! >> 1) & 0x3f));
  return types;
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'TsMuxer codecs', () => {
  it('H.265 from an hvcC source: VPS/SPS/PPS put on keyframes, AUD 46 01 50 first, ffmpeg decodes cleanly', async () => {
    const source = readTs(readFixture('h265-aac.ts'));
    const video = source.tracks.find((t) => t.codec === 'h265')!;
    expect(video.config).toBeDefined(); // hvcC learnt by the demuxer
    const packets = source.packets.map((p) =>
      p.trackId === video.id ? { ...p, data: withoutParameterSets(p.data) } : p,
    );
    const { bytes } = muxToBytes({ tracks: source.tracks, packets });
    const back = readTs(bytes, { strict: true });
    for (const p of back.packets.filter((p) => p.trackId === 0x100 && p.key))
      expect(nalTypes(p.data).slice(0, 3)).toEqual([32, 33, 34]);
    const aud = bytes.indexOf(0x46);
    expect([...bytes.subarray(aud - 4, aud + 3)]).toEqual([0, 0, 0, 1, 0x46, 0x01, 0x50]);
    const file = join(dir, 'h265.ts');
    writeFileSync(file, bytes);
    expect(await ffmpegDecodeErrors(file)).toBe('');
  });

  it('ID3 timed metadata: stream_type 0x15 that ffprobe lists as timed_id3, round-tripped', async () => {
    const source = readFlv(readFixture('h264-baseline-aac.flv'));
    const tag = Uint8Array.from([
      0x49,
      0x44,
      0x33,
      4,
      0,
      0,
      0,
      0,
      0,
      0x0a,
      ...new TextEncoder().encode('TXXX\0\0\0\x02\0\0'),
    ]);
    const id3: MediaPacket[] = [500, 1500, 2500].map((t) => ({ trackId: 7, dts: t, pts: t, key: true, data: tag }));
    const { bytes } = muxToBytes({
      tracks: [...source.tracks, { id: 7, kind: 'data', codec: 'id3', timescale: 1000 }],
      packets: [...source.packets, ...id3],
    });
    const back = readTs(bytes, { strict: true });
    const meta = back.packets.filter((p) => p.trackId === 0x102);
    expect(meta.map((p) => p.pts)).toEqual([45000, 135000, 225000]);
    expect(Buffer.from(meta[0]!.data).equals(Buffer.from(tag))).toBe(true);
    const file = join(dir, 'id3.ts');
    writeFileSync(file, bytes);
    const probed = await ffprobe(file);
    expect(probed.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac', 'timed_id3']);
    expect(await ffmpegDecodeErrors(file)).toBe('');
  });
});
