import { describe, expect, it } from 'vitest';
import {
  FlvParseError,
  FlvReader,
  FlvTagType,
  FlvWriter,
  buildFlvHeader,
  parseFlvHeader,
  parseFlvTagHeader,
  writeFlvTagHeader,
} from '../index.js';
import { concatBytes } from './test-support/flv-file.js';
import { hex } from '../test-support/hex.js';

function file(tags: Array<[number, number, Uint8Array]>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new FlvWriter((c) => chunks.push(c));
  w.writeHeader({ hasAudio: true, hasVideo: true });
  for (const [type, ts, body] of tags) w.writeTag(type as FlvTagType, ts, body);
  return concatBytes(chunks);
}

describe('FLV header and tag header', () => {
  it('builds and parses the file header', () => {
    const h = buildFlvHeader({ hasAudio: true, hasVideo: false });
    expect(h).toEqual(hex('464c5601 04 00000009 00000000'));
    expect(parseFlvHeader(h)).toEqual({ version: 1, hasAudio: true, hasVideo: false, dataOffset: 9 });
    expect(() => parseFlvHeader(hex('464c56'))).toThrow('truncated FLV header: 3 of 9 bytes');
    expect(() => parseFlvHeader(hex('464c5801 05 00000009'))).toThrow('not an FLV file');
    expect(() => parseFlvHeader(hex('464c5601 05 00000008'))).toThrow('DataOffset 8 is smaller than the header');
  });
  it('writes and parses extended timestamps, wrapping modulo 2^32', () => {
    const b = new Uint8Array(11);
    writeFlvTagHeader(b, 0, FlvTagType.Video, 0x123456, 0x12345678);
    expect(b).toEqual(hex('09 123456 345678 12 000000'));
    expect(parseFlvTagHeader(b)).toEqual({ type: 9, dataSize: 0x123456, timestamp: 0x12345678, streamId: 0 });
    writeFlvTagHeader(b, 0, FlvTagType.Audio, 1, 2 ** 32 + 5);
    expect(parseFlvTagHeader(b).timestamp).toBe(5);
    writeFlvTagHeader(b, 0, FlvTagType.Audio, 1, 0xffffffff);
    expect(parseFlvTagHeader(b).timestamp).toBe(0xffffffff);
    expect(() => writeFlvTagHeader(b, 0, FlvTagType.Audio, 2 ** 24, 0)).toThrow(
      'FLV tag data size must be an integer in [0, 16777215], got 16777216',
    );
    expect(() => writeFlvTagHeader(b, 0, FlvTagType.Audio, 1, -1)).toThrow(
      'FLV timestamp must be a non-negative integer, got -1',
    );
  });
  it('rejects reserved bits, filtered tags and unknown types', () => {
    expect(() => parseFlvTagHeader(hex('49 000000 000000 00 000000'))).toThrow('reserved bits');
    expect(() => parseFlvTagHeader(hex('29 000000 000000 00 000000'))).toThrow('filtered (encrypted)');
    expect(() => parseFlvTagHeader(hex('07 000000 000000 00 000000'))).toThrow('unknown FLV tag type 7');
    expect(() => parseFlvTagHeader(hex('09 0000'))).toThrow('truncated FLV tag header');
  });
});

describe('FlvReader', () => {
  const bytes = file([
    [FlvTagType.Script, 0, hex('0200 0a')],
    [FlvTagType.Video, 0, hex('17 00 000000 01')],
    [FlvTagType.Audio, 2 ** 32 - 1, hex('af 01 aa')],
    [FlvTagType.Video, 40, new Uint8Array(0)],
  ]);

  it('reads tags with positions, from one chunk or byte by byte', () => {
    const r = new FlvReader();
    const tags = r.push(bytes);
    r.end();
    expect(tags.map((t) => [t.type, t.timestamp, t.data.length, t.position])).toEqual([
      [18, 0, 3, 13],
      [9, 0, 6, 31],
      [8, 2 ** 32 - 1, 3, 52],
      [9, 40, 0, 70],
    ]);
    expect(r.header).toEqual({ version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    const r2 = new FlvReader();
    const one = [];
    for (let i = 0; i < bytes.length; i++) one.push(...r2.push(bytes.subarray(i, i + 1)));
    r2.end();
    expect(one.map((t) => [t.type, t.timestamp, Array.from(t.data), t.position])).toEqual(
      tags.map((t) => [t.type, t.timestamp, Array.from(t.data), t.position]),
    );
  });

  it('returns views into the pushed chunk when a tag lies inside it', () => {
    const tags = new FlvReader().push(bytes);
    for (const t of tags) if (t.data.length > 0) expect(t.data.buffer).toBe(bytes.buffer);
  });

  it('skips to DataOffset', () => {
    const h = hex('464c5601 05 0000000c aabbcc');
    const tags = new FlvReader().push(concatBytes([h, bytes.subarray(9)]));
    expect(tags.length).toBe(4);
    expect(() => new FlvReader().push(hex('464c5601 05 00100000'))).toThrow(
      'FLV DataOffset 1048576 exceeds the limit 65536',
    );
  });

  it('end() accepts a missing final PreviousTagSize and rejects a partial tag', () => {
    const r = new FlvReader();
    r.push(bytes.subarray(0, bytes.length - 4));
    expect(() => r.end()).not.toThrow();
    const r2 = new FlvReader();
    r2.push(bytes.subarray(0, bytes.length - 6));
    expect(() => r2.end()).toThrow('truncated FLV tag: input ended with 13 bytes of an incomplete tag at offset 66');
    const r3 = new FlvReader();
    r3.push(bytes.subarray(0, 5));
    expect(() => r3.end()).toThrow('truncated FLV header');
  });

  it('waits without allocating for an absurd DataSize and stays bounded; rejects it above maxTagSize', () => {
    const huge = concatBytes([bytes.subarray(0, 13), hex('09 ffffff 000000 00 000000 17')]);
    const r = new FlvReader();
    expect(r.push(huge)).toEqual([]);
    expect(r.bufferedBytes).toBe(huge.length - 9);
    expect(() => r.end()).toThrow(FlvParseError);
    const small = new FlvReader({ maxTagSize: 1000 });
    expect(() => small.push(huge)).toThrow('FLV tag DataSize 16777215 exceeds the limit 1000 at offset 13');
  });

  it('stays failed after an error', () => {
    const r = new FlvReader();
    expect(() => r.push(hex('00112233445566778899'))).toThrow('not an FLV file');
    expect(() => r.push(bytes)).toThrow('not an FLV file');
    expect(() => r.end()).toThrow('not an FLV file');
  });

  it('validates its options and input', () => {
    expect(() => new FlvReader({ maxTagSize: 2 ** 24 })).toThrow(
      'maxTagSize must be an integer in [0, 16777215], got 16777216',
    );
    expect(() => new FlvReader({ maxDataOffset: 3 })).toThrow('maxDataOffset must be an integer >= 9, got 3');
    expect(() => new FlvReader().push('x' as unknown as Uint8Array)).toThrow('FlvReader.push expects a Uint8Array');
  });
});

describe('FlvWriter', () => {
  it('writes header, tag header, body pieces and PreviousTagSize without copying the body', () => {
    const chunks: Uint8Array[] = [];
    const w = new FlvWriter((c) => chunks.push(c));
    const body = hex('aabb');
    w.writeHeader({ hasAudio: false, hasVideo: true });
    w.writeTag(FlvTagType.Video, 0x01020304, [hex('17'), body]);
    expect(chunks[3]).toBe(body);
    expect(concatBytes(chunks)).toEqual(
      hex('464c5601 01 00000009 00000000  09 000003 020304 01 000000 17 aabb 0000000e'),
    );
    expect(w.bytesWritten).toBe(13 + 11 + 3 + 4);
    expect(() => w.writeTag(FlvTagType.Video, 0, new Uint8Array(2 ** 24))).toThrow(
      'FLV tag body of 16777216 bytes exceeds 16777215',
    );
  });
});
