import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeWithPeers, ffmpegGenerate } from '@sluice/test-support';
import { aacCodecString, avcCodecString, codecStringOfTrack, hevcCodecString } from './codec-string.js';
import { parseAudioSpecificConfig } from './aac.js';

describe('codec strings', () => {
  it('formats H.264, H.265, AAC, MP3 and Opus', () => {
    expect(avcCodecString(100, 0, 31)).toBe('avc1.64001f');
    expect(avcCodecString(66, 0xc0, 30)).toBe('avc1.42c01e');
    // Main, compat flags 1 and 2 set (0x60000000 -> reversed 0x6), level 93, progressive + frame-only
    expect(
      hevcCodecString({
        profileSpace: 0,
        tier: 0,
        profileIdc: 1,
        profileCompatibilityFlags: 0x60000000,
        constraintIndicatorFlags: 0xb00000000000,
        levelIdc: 93,
      }),
    ).toBe('hvc1.1.6.L93.B0');
    expect(
      hevcCodecString(
        {
          profileSpace: 0,
          tier: 1,
          profileIdc: 2,
          profileCompatibilityFlags: 0x20000000,
          constraintIndicatorFlags: 0,
          levelIdc: 120,
        },
        'hev1',
      ),
    ).toBe('hev1.2.4.H120');
    expect(aacCodecString(parseAudioSpecificConfig(new Uint8Array([0x12, 0x10])))).toBe('mp4a.40.2');
    expect(aacCodecString(parseAudioSpecificConfig(new Uint8Array([0x2b, 0x11, 0x88, 0x00])))).toBe('mp4a.40.5');
    expect(codecStringOfTrack({ codec: 'opus' })).toBe('opus');
    expect(codecStringOfTrack({ codec: 'mp3' })).toBe('mp4a.40.34');
    expect(codecStringOfTrack({ codec: 'h264', config: new Uint8Array([1, 2]) })).toBeUndefined();
    expect(
      codecStringOfTrack({
        codec: 'h265',
        config: new Uint8Array(Buffer.from('0101600000009000000000003cf000fcfdf8f800000f00', 'hex')),
      }),
    ).toBe('hvc1.1.6.L60.90');
  });
});

describeWithPeers(['ffmpeg'], 'codec strings interop with ffmpeg', () => {
  it.each([
    ['main', '320x240', []],
    ['high', '1280x720', ['-ac', '1', '-ar', '22050']],
  ])("match the CODECS ffmpeg's HLS muxer writes for H.264 %s + AAC", async (profile, size, audio) => {
    const out = await ffmpegGenerate(`codec-string-${profile}.m3u8`, [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${size}:rate=25:duration=0.5`,
      '-f',
      'lavfi',
      '-i',
      'sine=duration=0.5',
      '-c:v',
      'libx264',
      '-profile:v',
      profile,
      '-c:a',
      'aac',
      ...audio,
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      `codec-string-${profile}-init.mp4`,
      '-master_pl_name',
      `codec-string-${profile}-master.m3u8`,
    ]);
    const dir = dirname(out.path);
    const master = readFileSync(join(dir, `codec-string-${profile}-master.m3u8`), 'utf8');
    const codecs = /CODECS="([^"]+)"/.exec(master)?.[1]?.split(',') ?? [];
    const init = new Uint8Array(readFileSync(join(dir, `codec-string-${profile}-init.mp4`)));
    expect(codecs).toEqual([
      codecStringOfTrack({ codec: 'h264', config: findBox(init, 'avcC') }),
      codecStringOfTrack({ codec: 'aac', config: ascOfEsds(findBox(init, 'esds')) }),
    ]);
  });
});

/** Payload of the first MP4 box of this type (found by its fourcc; test-only). */
function findBox(file: Uint8Array, type: string): Uint8Array {
  const at = Buffer.from(file).indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box`);
  return file.subarray(at + 4, at - 4 + Buffer.from(file).readUInt32BE(at - 4));
}

/** The DecoderSpecificInfo (AudioSpecificConfig) inside an esds payload (test-only descriptor walk). */
function ascOfEsds(esds: Uint8Array): Uint8Array {
  let p = 4; // version, flags
  const descriptor = (): { tag: number; len: number } => {
    const tag = esds[p++] as number;
    let len = 0;
    let b: number;
    do {
      b = esds[p++] as number;
      len = len * 128 + (b & 0x7f);
    } while (b & 0x80);
    return { tag, len };
  };
  descriptor(); // ES_Descriptor
  p += 3; // ES_ID, flags
  descriptor(); // DecoderConfigDescriptor
  p += 13; // objectTypeIndication .. avgBitrate
  const dsi = descriptor();
  return esds.subarray(p, p + dsi.len);
}
