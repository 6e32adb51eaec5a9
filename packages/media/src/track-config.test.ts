import { describe, expect, it } from 'vitest';
import { readFixture } from '@sluice/test-support';
import { FlvReader, FlvTagDemuxer, FlvTagType, parseVideoTagBody, trackFieldsFromConfig } from './index.js';

describe('trackFieldsFromConfig', () => {
  it('reads size and frame rate from an avcC and rate/channels from an AudioSpecificConfig', () => {
    const tags = new FlvReader().push(readFixture('h264-high-aac.flv'));
    const videoConfig = tags
      .map((t) => (t.type === FlvTagType.Video ? parseVideoTagBody(t.data) : undefined))
      .find((b) => b?.kind === 'config');
    if (videoConfig?.kind !== 'config') throw new Error('no video sequence header in the fixture');
    expect(trackFieldsFromConfig('h264', videoConfig.config)).toEqual({ width: 320, height: 240, frameRate: 30 });
    expect(trackFieldsFromConfig('aac', new Uint8Array([0x12, 0x10]))).toEqual({ sampleRate: 44_100, channels: 2 });
  });

  it('fills tracks without onMetaData from the sequence headers', () => {
    const demuxer = new FlvTagDemuxer();
    for (const t of new FlvReader().push(readFixture('h264-high-aac.flv'))) {
      if (t.type !== FlvTagType.Script) demuxer.demux(t.type, t.timestamp, t.data);
    }
    expect(demuxer.metadata).toBeUndefined();
    expect(demuxer.tracks.map((t) => [t.codec, t.width, t.height, t.frameRate, t.sampleRate, t.channels])).toEqual([
      ['h264', 320, 240, 30, undefined, undefined],
      ['aac', undefined, undefined, undefined, 44_100, 2],
    ]);
  });

  it('returns {} for malformed configurations and codecs without one', () => {
    expect(trackFieldsFromConfig('h264', new Uint8Array([1, 2, 3]))).toEqual({});
    expect(trackFieldsFromConfig('h265', new Uint8Array([1]))).toEqual({});
    expect(trackFieldsFromConfig('opus', new Uint8Array([1]))).toEqual({});
    expect(trackFieldsFromConfig('aac', new Uint8Array(0))).toEqual({});
    expect(trackFieldsFromConfig('mp3', undefined)).toEqual({});
  });
});
