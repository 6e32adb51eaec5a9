import { describe, expect, it } from 'vitest';
import {
  Amf0EcmaArray,
  FLV_AUDIO_TRACK_ID,
  FLV_VIDEO_TRACK_ID,
  FlvParseError,
  FlvTagDemuxer,
  FlvTagMuxer,
  FlvTagType,
  buildAudioTagBody,
  buildOnMetaDataBody,
  buildVideoTagBody,
  decodeAmf0Values,
  encodeAmf0Values,
  parseScriptTagBody,
  parseVideoTagBody,
  amf0Properties,
  type MediaPacket,
  type TrackInfo,
} from '../index.js';
import { hex } from '../test-support/hex.js';

describe('FlvTagDemuxer', () => {
  it('turns sequence headers into tracks and frames into packets with pts = dts + cts', () => {
    const d = new FlvTagDemuxer();
    const meta = encodeAmf0Values([
      '@setDataFrame',
      'onMetaData',
      new Amf0EcmaArray({
        width: 640,
        height: 360,
        framerate: 30,
        videodatarate: 1500,
        audiosamplerate: 48000,
        stereo: false,
      }),
    ]);
    expect(d.demux(FlvTagType.Script, 0, meta)).toMatchObject({
      kind: 'metadata',
      name: 'onMetaData',
      properties: { width: 640 },
    });
    const v = d.demux(FlvTagType.Video, 0, buildVideoTagBody({ kind: 'config', codec: 'h264' }, hex('0164001f')));
    expect(v).toEqual({
      kind: 'track',
      track: {
        id: 0,
        kind: 'video',
        codec: 'h264',
        timescale: 1000,
        config: hex('0164001f'),
        width: 640,
        height: 360,
        frameRate: 30,
        bitrate: 1_500_000,
      },
    });
    const a = d.demux(FlvTagType.Audio, 0, buildAudioTagBody({ kind: 'config', codec: 'aac' }, hex('1188')));
    expect(a).toMatchObject({
      kind: 'track',
      track: { id: 1, kind: 'audio', codec: 'aac', sampleRate: 48000, channels: 1, config: hex('1188') },
    });
    const f = d.demux(
      FlvTagType.Video,
      100,
      buildVideoTagBody({ kind: 'frame', codec: 'h264', key: true, cts: 67 }, hex('00000001 65')),
    );
    expect(f).toEqual({
      kind: 'packet',
      packet: { trackId: FLV_VIDEO_TRACK_ID, dts: 100, pts: 167, key: true, data: hex('00000001 65') },
      newTrack: undefined,
    });
    expect(d.demux(FlvTagType.Audio, 110, buildAudioTagBody({ kind: 'frame', codec: 'aac' }, hex('21')))).toMatchObject(
      { kind: 'packet', packet: { trackId: FLV_AUDIO_TRACK_ID, dts: 110, pts: 110, key: true } },
    );
    expect(d.demux(FlvTagType.Video, 200, buildVideoTagBody({ kind: 'end', codec: 'h264' }))).toEqual({
      kind: 'end',
      trackId: 0,
    });
    expect(d.tracks.map((t) => t.id)).toEqual([0, 1]);
  });

  it('creates a track on the first frame of a codec without sequence header (mp3)', () => {
    const d = new FlvTagDemuxer();
    const ev = d.demux(FlvTagType.Audio, 0, hex('2f fffb'));
    expect(ev).toMatchObject({ kind: 'packet', newTrack: { id: 1, codec: 'mp3', channels: 2 } });
    expect(d.demux(FlvTagType.Audio, 26, hex('2e fffb'))).toMatchObject({ kind: 'packet', newTrack: undefined });
  });

  it('unwraps 32-bit timestamps so that long streams keep increasing', () => {
    const d = new FlvTagDemuxer();
    const body = buildAudioTagBody({ kind: 'frame', codec: 'mp3' }, hex('ff'));
    const dts = [2 ** 32 - 20, 2 ** 32 - 1, 3, 2 ** 32 - 5, 30].map((t) => {
      const ev = d.demux(FlvTagType.Audio, t, body);
      return ev.kind === 'packet' ? ev.packet.dts : -1;
    });
    expect(dts).toEqual([2 ** 32 - 20, 2 ** 32 - 1, 2 ** 32 + 3, 2 ** 32 - 5, 2 ** 32 + 30]);
  });

  it('ignores what it does not carry, and throws FlvParseError for malformed bodies', () => {
    const d = new FlvTagDemuxer();
    expect(d.demux(FlvTagType.Video, 0, hex('12 00'))).toEqual({ kind: 'ignored', reason: 'video CodecID 2' });
    expect(d.demux(FlvTagType.Video, 0, hex('57 00'))).toEqual({ kind: 'ignored', reason: 'video command frame' });
    expect(d.demux(FlvTagType.Audio, 0, hex('32 00'))).toEqual({ kind: 'ignored', reason: 'audio SoundFormat 3' });
    expect(d.demux(7, 0, hex('00'))).toEqual({ kind: 'ignored', reason: 'tag type 7' });
    expect(() => d.demux(FlvTagType.Video, 0, hex('17'))).toThrow(FlvParseError);
    expect(() => d.demux(FlvTagType.Script, 0, hex('02 0005 61'))).toThrow(FlvParseError);
    expect(() => d.demux(FlvTagType.Script, 0, hex('00 3ff0000000000000'))).toThrow(
      'script data does not start with a string name',
    );
  });
});

describe('FlvTagMuxer', () => {
  const video: TrackInfo = {
    id: 0,
    kind: 'video',
    codec: 'h265',
    timescale: 90_000,
    config: hex('01'),
    width: 1280,
    height: 720,
    frameRate: 30,
  };
  const audio: TrackInfo = {
    id: 1,
    kind: 'audio',
    codec: 'opus',
    timescale: 90_000,
    config: hex('4f707573'),
    sampleRate: 48_000,
    channels: 2,
  };

  it('writes enhanced headers for h265/opus and rescales 90 kHz to ms', () => {
    const m = new FlvTagMuxer([video, audio]);
    const seq = m.sequenceHeaderTags();
    expect(seq.map((t) => [t.type, Buffer.from(t.header).toString('hex')])).toEqual([
      [9, '9068766331'],
      [8, '904f707573'],
    ]);
    const p: MediaPacket = {
      trackId: 0,
      dts: 90_000 * 3600 * 24 * 60,
      pts: 90_000 * 3600 * 24 * 60 + 6000,
      key: false,
      data: hex('00'),
    };
    const t = m.packetTag(p)!;
    expect(t.timestamp).toBe(1000 * 3600 * 24 * 60);
    expect(t.data).toBe(p.data);
    expect(parseVideoTagBody(Buffer.concat([t.header, t.data]))).toMatchObject({
      kind: 'frame',
      codec: 'h265',
      key: false,
      cts: 67,
      enhanced: true,
    });
    expect(m.packetTag({ ...p, trackId: 5 })).toBeUndefined();
    expect(m.flags).toEqual({ hasAudio: true, hasVideo: true });
  });

  it('writes legacy HEVC on request and an onMetaData body describing the tracks', () => {
    const m = new FlvTagMuxer([video, { ...audio, codec: 'aac', config: hex('1190') }], { legacyHevc: true });
    expect(Buffer.from(m.sequenceHeaderTags()[0]!.header).toString('hex')).toBe('1c00000000');
    const meta = parseScriptTagBody(m.metadataTag(0, { encoder: 'Sluice' }).header);
    expect(meta.name).toBe('onMetaData');
    expect({ ...meta.properties }).toEqual({
      width: 1280,
      height: 720,
      framerate: 30,
      videocodecid: 0x68766331,
      audiosamplerate: 48000,
      audiosamplesize: 16,
      stereo: true,
      audiocodecid: 10,
      encoder: 'Sluice',
    });
    expect(decodeAmf0Values(buildOnMetaDataBody([]))[1]).toBeInstanceOf(Amf0EcmaArray);
    expect(amf0Properties(decodeAmf0Values(buildOnMetaDataBody([]))[1])).toEqual({});
  });
});
