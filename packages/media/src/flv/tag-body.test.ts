import { describe, expect, it } from 'vitest';
import {
  FlvParseError,
  buildAudioTagBody,
  buildAudioTagHeader,
  buildVideoTagBody,
  buildVideoTagHeader,
  flvSoundFlags,
  parseAudioTagBody,
  parseVideoTagBody,
  type FlvVideoCodec,
} from '../index.js';
import { hex } from '../test-support/hex.js';

const payload = hex('00000002 6588');

describe('video tag bodies', () => {
  it('parses legacy AVC sequence header, NALU with negative/positive composition time, end of sequence', () => {
    expect(parseVideoTagBody(hex('17 00 000000 01640016'))).toEqual({
      kind: 'config',
      codec: 'h264',
      config: hex('01640016'),
      enhanced: false,
    });
    const f = parseVideoTagBody(hex('27 01 ffffdf 00000002 6588'));
    expect(f).toEqual({
      kind: 'frame',
      codec: 'h264',
      key: false,
      frameType: 2,
      cts: -33,
      data: payload,
      enhanced: false,
    });
    expect(parseVideoTagBody(hex('17 01 000043 00'))).toMatchObject({ kind: 'frame', key: true, cts: 67 });
    expect(parseVideoTagBody(hex('17 02 000000'))).toEqual({ kind: 'end', codec: 'h264', enhanced: false });
  });
  it('parses legacy HEVC with CodecID 12', () => {
    expect(parseVideoTagBody(hex('1c 01 000000 00'))).toMatchObject({
      kind: 'frame',
      codec: 'h265',
      key: true,
      enhanced: false,
    });
  });
  it('parses Enhanced RTMP ExVideoTagHeader for hvc1, av01, vp09 and avc1', () => {
    expect(parseVideoTagBody(hex('90 68766331 01'))).toEqual({
      kind: 'config',
      codec: 'h265',
      config: hex('01'),
      enhanced: true,
    });
    expect(parseVideoTagBody(hex('91 68766331 000021 00000002 6588'))).toEqual({
      kind: 'frame',
      codec: 'h265',
      key: true,
      frameType: 1,
      cts: 33,
      data: payload,
      enhanced: true,
    });
    expect(parseVideoTagBody(hex('a3 68766331 00000002 6588'))).toMatchObject({
      kind: 'frame',
      key: false,
      cts: 0,
      data: payload,
    });
    expect(parseVideoTagBody(hex('91 61763031 0a0b'))).toMatchObject({
      kind: 'frame',
      codec: 'av1',
      cts: 0,
      data: hex('0a0b'),
    });
    expect(parseVideoTagBody(hex('a1 76703039 0a0b'))).toMatchObject({
      kind: 'frame',
      codec: 'vp9',
      key: false,
      data: hex('0a0b'),
    });
    expect(parseVideoTagBody(hex('91 61766331 000000 00'))).toMatchObject({ kind: 'frame', codec: 'h264' });
    expect(parseVideoTagBody(hex('92 76703039'))).toEqual({ kind: 'end', codec: 'vp9', enhanced: true });
    expect(parseVideoTagBody(hex('94 61763031 02 0009 636f6c6f72496e666f 06'))).toMatchObject({
      kind: 'metadata',
      codec: 'av1',
    });
  });
  it('reports command frames and unsupported codecs and packet types', () => {
    expect(parseVideoTagBody(hex('57 01'))).toEqual({ kind: 'command', command: 1, enhanced: false });
    expect(parseVideoTagBody(hex('d1 68766331 00'))).toEqual({ kind: 'command', command: 0, enhanced: true });
    expect(parseVideoTagBody(hex('12 00'))).toMatchObject({ kind: 'unsupported', reason: 'video CodecID 2' });
    expect(parseVideoTagBody(hex('91 61626364'))).toMatchObject({ kind: 'unsupported', reason: 'video FourCC "abcd"' });
    expect(parseVideoTagBody(hex('96 61763031'))).toMatchObject({
      kind: 'unsupported',
      reason: 'enhanced video PacketType 6',
    });
    expect(parseVideoTagBody(hex('9f 61763031'))).toMatchObject({ kind: 'unsupported' });
  });
  it('throws FlvParseError for truncated headers and bad AVCPacketType', () => {
    for (const bad of ['', '17', '17 01 0000', '91 6876', '91 68766331 0000', '17 03 000000']) {
      expect(() => parseVideoTagBody(hex(bad)), bad).toThrow(FlvParseError);
    }
  });
  it('builds what it parses, for every codec, legacy and enhanced', () => {
    const cases: Array<[FlvVideoCodec, boolean]> = [
      ['h264', false],
      ['h264', true],
      ['h265', false],
      ['h265', true],
      ['av1', true],
      ['vp9', true],
    ];
    for (const [codec, enhanced] of cases) {
      for (const cts of [0, 67, -33]) {
        if (cts !== 0 && (codec === 'av1' || codec === 'vp9')) continue;
        for (const key of [true, false]) {
          const body = buildVideoTagBody({ kind: 'frame', codec, key, cts, enhanced }, payload);
          expect(parseVideoTagBody(body), `${codec} ${enhanced} ${cts} ${key}`).toMatchObject({
            kind: 'frame',
            codec,
            key,
            cts,
            data: payload,
            enhanced,
          });
        }
      }
      expect(parseVideoTagBody(buildVideoTagBody({ kind: 'config', codec, enhanced }, hex('0102')))).toEqual({
        kind: 'config',
        codec,
        config: hex('0102'),
        enhanced,
      });
      expect(parseVideoTagBody(buildVideoTagBody({ kind: 'end', codec, enhanced }))).toEqual({
        kind: 'end',
        codec,
        enhanced,
      });
    }
  });
  it('builds the exact legacy and enhanced bytes', () => {
    expect(buildVideoTagHeader({ kind: 'frame', codec: 'h264', key: true, cts: 67 })).toEqual(hex('17 01 000043'));
    expect(buildVideoTagHeader({ kind: 'frame', codec: 'h264', key: false, cts: -1 })).toEqual(hex('27 01 ffffff'));
    expect(buildVideoTagHeader({ kind: 'config', codec: 'h265' })).toEqual(hex('90 68766331'));
    expect(buildVideoTagHeader({ kind: 'frame', codec: 'h265', key: true, cts: 0 })).toEqual(hex('93 68766331'));
    expect(buildVideoTagHeader({ kind: 'frame', codec: 'h265', key: false, cts: 40 })).toEqual(
      hex('a1 68766331 000028'),
    );
    expect(buildVideoTagHeader({ kind: 'frame', codec: 'h265', key: true, enhanced: false })).toEqual(
      hex('1c 01 000000'),
    );
    expect(buildVideoTagHeader({ kind: 'metadata', codec: 'av1' })).toEqual(hex('94 61763031'));
  });
  it('validates builder arguments', () => {
    expect(() => buildVideoTagHeader({ kind: 'frame', codec: 'h264', key: true, cts: 0x800000 })).toThrow(
      'composition time must be an integer in [-8388608, 8388607], got 8388608',
    );
    expect(() => buildVideoTagHeader({ kind: 'frame', codec: 'av1', key: true, enhanced: false })).toThrow(
      'av1 can only be written with the enhanced header',
    );
    expect(() => buildVideoTagHeader({ kind: 'config', codec: 'mpeg2' as FlvVideoCodec })).toThrow(
      'unknown video codec mpeg2',
    );
  });
});

describe('audio tag bodies', () => {
  it('parses legacy AAC and MP3', () => {
    expect(parseAudioTagBody(hex('af 00 1210'))).toEqual({
      kind: 'config',
      codec: 'aac',
      config: hex('1210'),
      enhanced: false,
      soundFlags: 15,
    });
    expect(parseAudioTagBody(hex('af 01 2100'))).toEqual({
      kind: 'frame',
      codec: 'aac',
      data: hex('2100'),
      enhanced: false,
      soundFlags: 15,
    });
    expect(parseAudioTagBody(hex('2e fffb'))).toEqual({
      kind: 'frame',
      codec: 'mp3',
      data: hex('fffb'),
      enhanced: false,
      soundFlags: 14,
    });
    expect(parseAudioTagBody(hex('e2 fff3'))).toMatchObject({ kind: 'frame', codec: 'mp3' });
  });
  it('parses Enhanced RTMP v2 ExAudioTagHeader (Opus, mp4a, .mp3)', () => {
    expect(parseAudioTagBody(hex('90 4f707573 4f707573486561640102'))).toMatchObject({
      kind: 'config',
      codec: 'opus',
      enhanced: true,
    });
    expect(parseAudioTagBody(hex('91 4f707573 fc'))).toEqual({
      kind: 'frame',
      codec: 'opus',
      data: hex('fc'),
      enhanced: true,
      soundFlags: undefined,
    });
    expect(parseAudioTagBody(hex('90 6d703461 1210'))).toMatchObject({
      kind: 'config',
      codec: 'aac',
      config: hex('1210'),
    });
    expect(parseAudioTagBody(hex('91 2e6d7033 fffb'))).toMatchObject({ kind: 'frame', codec: 'mp3' });
    expect(parseAudioTagBody(hex('92 4f707573'))).toEqual({ kind: 'end', codec: 'opus', enhanced: true });
  });
  it('reports unsupported formats and packet types', () => {
    expect(parseAudioTagBody(hex('b2 00'))).toMatchObject({ kind: 'unsupported', reason: 'audio SoundFormat 11' });
    expect(parseAudioTagBody(hex('91 664c6143 00'))).toMatchObject({
      kind: 'unsupported',
      reason: 'audio FourCC "fLaC"',
    });
    expect(parseAudioTagBody(hex('94 4f707573 00'))).toMatchObject({
      kind: 'unsupported',
      reason: 'enhanced audio AudioPacketType 4',
    });
    expect(parseAudioTagBody(hex('95'))).toMatchObject({ kind: 'unsupported' });
  });
  it('throws FlvParseError for truncated headers and bad AACPacketType', () => {
    for (const bad of ['', 'af', '91 4f70', 'af 02'])
      expect(() => parseAudioTagBody(hex(bad)), bad).toThrow(FlvParseError);
  });
  it('builds what it parses', () => {
    const data = hex('0102');
    for (const [codec, enhanced] of [
      ['aac', false],
      ['aac', true],
      ['mp3', false],
      ['mp3', true],
      ['opus', true],
    ] as const) {
      expect(parseAudioTagBody(buildAudioTagBody({ kind: 'frame', codec, enhanced }, data))).toMatchObject({
        kind: 'frame',
        codec,
        data,
        enhanced,
      });
      if (codec !== 'mp3' || enhanced) {
        expect(parseAudioTagBody(buildAudioTagBody({ kind: 'config', codec, enhanced }, data))).toMatchObject({
          kind: 'config',
          codec,
          config: data,
          enhanced,
        });
      }
    }
    expect(buildAudioTagHeader({ kind: 'frame', codec: 'aac' })).toEqual(hex('af 01'));
    expect(buildAudioTagHeader({ kind: 'config', codec: 'aac' })).toEqual(hex('af 00'));
    expect(buildAudioTagHeader({ kind: 'frame', codec: 'mp3', soundFlags: flvSoundFlags(22_050, 1) })).toEqual(
      hex('2a'),
    );
    expect(buildAudioTagHeader({ kind: 'config', codec: 'opus' })).toEqual(hex('90 4f707573'));
    expect(buildAudioTagHeader({ kind: 'end', codec: 'opus' })).toEqual(hex('92 4f707573'));
  });
  it('validates builder arguments', () => {
    expect(() => buildAudioTagHeader({ kind: 'frame', codec: 'opus', enhanced: false })).toThrow(
      'opus can only be written with the enhanced header',
    );
    expect(() => buildAudioTagHeader({ kind: 'config', codec: 'mp3' })).toThrow('mp3 has no sequence header');
    expect(() => buildAudioTagHeader({ kind: 'end', codec: 'aac' })).toThrow(
      'a legacy audio tag has no end-of-sequence form',
    );
    expect(() => buildAudioTagHeader({ kind: 'frame', codec: 'aac', soundFlags: 16 })).toThrow(
      'soundFlags must be an integer in [0, 15], got 16',
    );
  });
});
