import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, ffmpegGenerate, ffprobe } from '@sluice/test-support';
import { MalformedCodecData } from './errors.js';
import {
  MpegAudioError,
  MpegAudioFrameSplitter,
  isMpegAudioHeader,
  parseMpegAudioHeader,
  type MpegAudioHeader,
} from './mp3.js';

const hdr = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('MPEG audio frame header', () => {
  it('parses hand-checked headers of MPEG-1 Layer III, MPEG-2 Layer III and Layer II', () => {
    // FF FB 90 64: MPEG-1 L3, no CRC, 128 kbit/s, 44.1 kHz, no padding, joint stereo
    expect(parseMpegAudioHeader(hdr(0xff, 0xfb, 0x90, 0x64))).toEqual({
      version: 1,
      layer: 3,
      hasCrc: false,
      bitrate: 128000,
      sampleRate: 44100,
      padding: false,
      channelMode: 1,
      channels: 2,
      frameLength: 417,
      samplesPerFrame: 1152,
    });
    // FF FB 92 C4: same with padding, mono -> 418 bytes
    expect(parseMpegAudioHeader(hdr(0xff, 0xfb, 0x92, 0xc4))).toMatchObject({
      padding: true,
      channels: 1,
      frameLength: 418,
    });
    // FF F3 40 C4: MPEG-2 L3, 32 kbit/s (index 4), 22.05 kHz -> 576 samples, 104 bytes
    expect(parseMpegAudioHeader(hdr(0xff, 0xf3, 0x40, 0xc4))).toMatchObject({
      version: 2,
      layer: 3,
      bitrate: 32000,
      sampleRate: 22050,
      samplesPerFrame: 576,
      frameLength: 104,
    });
    // FF FD 14 00: MPEG-1 L2, bitrate index 1 (32 kbit/s), rate index 1 (48 kHz) -> 96 bytes
    expect(parseMpegAudioHeader(hdr(0xff, 0xfd, 0x14, 0x00))).toMatchObject({
      version: 1,
      layer: 2,
      bitrate: 32000,
      sampleRate: 48000,
      frameLength: 96,
    });
    // FF E3 ..: MPEG-2.5 L3, 8 kbit/s, 11.025 kHz
    expect(parseMpegAudioHeader(hdr(0xff, 0xe3, 0x10, 0xc0))).toMatchObject({
      version: 2.5,
      sampleRate: 11025,
      bitrate: 8000,
      frameLength: 52,
    });
    // Layer I, MPEG-1, 32 kbit/s, 44.1 kHz: (12*32000/44100 + 0)*4 = 32
    expect(parseMpegAudioHeader(hdr(0xff, 0xff, 0x10, 0x00))).toMatchObject({
      layer: 1,
      samplesPerFrame: 384,
      frameLength: 32,
    });
  });

  it('rejects reserved fields and free format with MpegAudioError', () => {
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xeb, 0x90, 0x64))).toThrow(/reserved version/);
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xf9, 0x90, 0x64))).toThrow(/reserved layer/);
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xfb, 0xf0, 0x64))).toThrow(/bitrate_index 15/);
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xfb, 0x00, 0x64))).toThrow(/free-format/);
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xfb, 0x9c, 0x64))).toThrow(/sampling_frequency/);
    expect(() => parseMpegAudioHeader(hdr(0xff, 0xfb))).toThrow(MpegAudioError);
    expect(isMpegAudioHeader(hdr(0x00, 0xfb, 0x90, 0x64))).toBe(false);
  });

  it('property: random headers parse to sane values or throw MalformedCodecData', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (d) => {
        d[0] = 0xff;
        try {
          const h = parseMpegAudioHeader(d);
          expect(h.frameLength).toBeGreaterThan(4);
          expect(h.frameLength).toBeLessThanOrEqual(6913);
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'MPEG audio interop with ffmpeg', () => {
  it.each([
    ['44100', '128k', 'libmp3lame'],
    ['22050', '32k', 'libmp3lame'],
    ['48000', '192k', 'mp2'],
  ])('splits an ffmpeg stream at %s Hz %s (%s) into the packets ffprobe lists', async (rate, bitrate, codec) => {
    const ext = codec === 'mp2' ? 'mp2' : 'mp3';
    const { data, path } = await ffmpegGenerate(`mpa-${rate}-${codec}.${ext}`, [
      '-f',
      'lavfi',
      '-i',
      `sine=sample_rate=${rate}:duration=1`,
      '-c:a',
      codec,
      '-b:a',
      bitrate,
      '-write_xing',
      '0',
      '-id3v2_version',
      '0',
      '-f',
      ext === 'mp2' ? 'mp2' : 'mp3',
    ]);
    const probed = await ffprobe(path);
    const headers: MpegAudioHeader[] = [];
    const sizes: number[] = [];
    const splitter = new MpegAudioFrameSplitter((f) => {
      headers.push(f.header);
      sizes.push(f.frame.length);
    });
    for (let p = 0; p < data.length; p += 184) splitter.push(data.subarray(p, p + 184));
    splitter.flush();
    expect(sizes).toEqual(probed.packets.map((p) => Number(p.size)));
    expect(headers[0]?.sampleRate).toBe(Number(probed.streams[0]?.sample_rate));
    expect(headers[0]?.channels).toBe(probed.streams[0]?.channels);
    expect(headers[0]?.layer).toBe(codec === 'mp2' ? 2 : 3);
  });
});
