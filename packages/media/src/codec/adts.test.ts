import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, ffmpegGenerate, ffprobe, runCommand } from '@sluice/test-support';
import { writeFileSync } from 'node:fs';
import { parseAudioSpecificConfig } from './aac.js';
import {
  ADTS_HEADER_SIZE,
  AdtsError,
  adtsConfigFromAudioSpecificConfig,
  audioSpecificConfigFromAdts,
  AdtsFrameSplitter,
  isAdtsHeader,
  parseAdtsHeader,
  writeAdtsHeader,
  type AdtsFrame,
} from './adts.js';
import { MalformedCodecData } from './errors.js';

/** ADTS frames of `sizes` payload bytes (payload byte = frame index). */
function makeAdts(sizes: number[]): Uint8Array {
  const total = sizes.reduce((a, s) => a + s + ADTS_HEADER_SIZE, 0);
  const out = new Uint8Array(total);
  let p = 0;
  sizes.forEach((s, i) => {
    p += writeAdtsHeader(out, p, { audioObjectType: 2, samplingFrequencyIndex: 4, channelConfiguration: 2 }, s);
    out.fill(i & 0x7f, p, p + s);
    p += s;
  });
  return out;
}

function split(chunks: Uint8Array[]): { frames: number[][]; errors: AdtsError[]; splitter: AdtsFrameSplitter } {
  const frames: number[][] = [];
  const errors: AdtsError[] = [];
  const splitter = new AdtsFrameSplitter((f: AdtsFrame) => frames.push([...f.payload]), {
    onError: (e) => errors.push(e),
  });
  for (const c of chunks) splitter.push(c);
  splitter.flush();
  return { frames, errors, splitter };
}

describe('ADTS header', () => {
  it('writes the hand-checked header of ffmpeg for AAC-LC 44.1 kHz stereo, 364-byte payload', () => {
    const h = new Uint8Array(7);
    expect(writeAdtsHeader(h, 0, { audioObjectType: 2, samplingFrequencyIndex: 4, channelConfiguration: 2 }, 364)).toBe(
      7,
    );
    // frame length 371 = 0x173
    expect([...h]).toEqual([0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]);
    expect(parseAdtsHeader(h)).toEqual({
      mpegVersion: 4,
      hasCrc: false,
      audioObjectType: 2,
      samplingFrequencyIndex: 4,
      sampleRate: 44100,
      channelConfiguration: 2,
      channels: 2,
      frameLength: 371,
      headerLength: 7,
      bufferFullness: 0x7ff,
      rawDataBlocks: 1,
    });
  });

  it('parses CRC, MPEG-2 and several raw data blocks', () => {
    const h = new Uint8Array([0xff, 0xf8, 0x58, 0x80, 0x2e, 0x7f, 0xfd, 0x12, 0x34]);
    const parsed = parseAdtsHeader(h);
    expect(parsed.mpegVersion).toBe(2);
    expect(parsed.hasCrc).toBe(true);
    expect(parsed.sampleRate).toBe(24000);
    expect(parsed.rawDataBlocks).toBe(2);
    expect(parsed.headerLength).toBe(7 + 2 + 2);
  });

  it('rejects bad headers with AdtsError and bad arguments with RangeError', () => {
    expect(() => parseAdtsHeader(new Uint8Array([0xff, 0xf1, 0x50]))).toThrow(AdtsError);
    expect(() => parseAdtsHeader(new Uint8Array([0xff, 0xe1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]))).toThrow(/syncword/);
    expect(() => parseAdtsHeader(new Uint8Array([0xff, 0xf3, 0x50, 0x80, 0x2e, 0x7f, 0xfc]))).toThrow(/layer/);
    expect(() => parseAdtsHeader(new Uint8Array([0xff, 0xf1, 0x74, 0x80, 0x2e, 0x7f, 0xfc]))).toThrow(
      /sampling_frequency_index 13/,
    );
    expect(() => parseAdtsHeader(new Uint8Array([0xff, 0xf1, 0x50, 0x80, 0x00, 0x7f, 0xfc]))).toThrow(/shorter than/);
    expect(isAdtsHeader(new Uint8Array([0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]))).toBe(true);
    const cfg = { audioObjectType: 2, samplingFrequencyIndex: 4, channelConfiguration: 2 };
    expect(() => writeAdtsHeader(new Uint8Array(7), 0, cfg, 8185)).toThrow(RangeError);
    expect(() => writeAdtsHeader(new Uint8Array(7), 1, cfg, 10)).toThrow(/do not fit/);
    expect(() => writeAdtsHeader(new Uint8Array(7), 0, { ...cfg, audioObjectType: 5 }, 10)).toThrow(
      /audioObjectType must be 1..4/,
    );
    expect(() => writeAdtsHeader(new Uint8Array(7), 0, { ...cfg, samplingFrequencyIndex: 15 }, 10)).toThrow(
      /samplingFrequencyIndex/,
    );
  });
});

describe('ADTS <-> AudioSpecificConfig', () => {
  it('maps both ways, HE-AAC to its AAC-LC core', () => {
    const header = parseAdtsHeader(new Uint8Array([0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]));
    expect([...audioSpecificConfigFromAdts(header)]).toEqual([0x12, 0x10]);
    expect(adtsConfigFromAudioSpecificConfig(parseAudioSpecificConfig(new Uint8Array([0x12, 0x10])))).toEqual({
      audioObjectType: 2,
      samplingFrequencyIndex: 4,
      channelConfiguration: 2,
    });
    expect(
      adtsConfigFromAudioSpecificConfig(parseAudioSpecificConfig(new Uint8Array([0x2b, 0x11, 0x88, 0x00]))),
    ).toEqual({ audioObjectType: 2, samplingFrequencyIndex: 6, channelConfiguration: 2 });
    expect(() =>
      audioSpecificConfigFromAdts({ audioObjectType: 2, samplingFrequencyIndex: 4, channelConfiguration: 0 }),
    ).toThrow(AdtsError);
  });
});

describe('AdtsFrameSplitter', () => {
  it('splits frames within one chunk as views of it', () => {
    const data = makeAdts([10, 0, 300]);
    const views: Uint8Array[] = [];
    new AdtsFrameSplitter((f) => views.push(f.frame)).push(data);
    expect(views.map((v) => v.length)).toEqual([17, 7, 307]);
    expect(views[0]?.buffer).toBe(data.buffer);
  });

  it('reassembles frames split at every byte position and skips garbage with a report', () => {
    const data = makeAdts([5, 20, 1, 40]);
    const expected = [Array(5).fill(0), Array(20).fill(1), [2], Array(40).fill(3)];
    for (let cut = 0; cut <= data.length; cut++) {
      const { frames, errors } = split([data.subarray(0, cut), data.subarray(cut)]);
      expect(frames).toEqual(expected);
      expect(errors).toEqual([]);
    }
    const withGarbage = new Uint8Array([0x01, 0xff, 0xff, 0x02, ...data, 0xff, 0xf1]);
    const { frames, errors, splitter } = split([withGarbage.subarray(0, 3), withGarbage.subarray(3)]);
    expect(frames).toEqual(expected);
    expect(errors.map((e) => e.message)).toEqual([
      'adts: skipped 4 bytes that are not frames',
      'adts: truncated frame: 2 of 7 bytes at end of stream',
    ]);
    expect(splitter.skippedBytes).toBe(6);
  });

  it('property: any chunking of valid frames yields the same frames; random bytes never crash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 6 }),
        (sizes, cuts) => {
          const data = makeAdts(sizes);
          const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(data.subarray(last, p));
            last = p;
          }
          chunks.push(data.subarray(last));
          const { frames, errors } = split(chunks);
          expect(frames.map((f) => f.length)).toEqual(sizes);
          expect(errors).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.uint8Array({ maxLength: 300 }).map((a) => a.map((b) => (b > 200 ? 0xff : b))),
          { maxLength: 5 },
        ),
        (chunks) => {
          let total = 0;
          const splitter = new AdtsFrameSplitter((f) => (total += f.frame.length));
          for (const c of chunks) splitter.push(c);
          splitter.flush();
          expect(total + splitter.skippedBytes).toBe(chunks.reduce((a, c) => a + c.length, 0));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parse of random headers throws only AdtsError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 12 }), (d) => {
        try {
          const h = parseAdtsHeader(d);
          expect(h.frameLength).toBeGreaterThanOrEqual(h.headerLength);
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      }),
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'ADTS interop with ffmpeg', () => {
  it('splits an ffmpeg ADTS stream into the packets ffprobe sees, and ffmpeg decodes headers we rebuilt', async () => {
    const { data, path } = await ffmpegGenerate('adts-sine.aac', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=2',
      '-ac',
      '2',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-f',
      'adts',
    ]);
    const probed = await ffprobe(path);
    const frames: AdtsFrame[] = [];
    const splitter = new AdtsFrameSplitter((f) =>
      frames.push({ ...f, frame: f.frame.slice(), payload: f.payload.slice() }),
    );
    for (let p = 0; p < data.length; p += 188) splitter.push(data.subarray(p, p + 188));
    splitter.flush();
    expect(splitter.skippedBytes).toBe(0);
    expect(frames).toHaveLength(probed.packets.length);
    expect(frames[0]?.header).toMatchObject({ sampleRate: 48000, channels: 2, audioObjectType: 2, hasCrc: false });
    expect(frames.map((f) => f.frame.length)).toEqual(probed.packets.map((p) => Number(p.size)));

    // rebuild every header ourselves around the raw frames
    const total = frames.reduce((a, f) => a + f.payload.length + 7, 0);
    const rebuilt = new Uint8Array(total);
    let pos = 0;
    for (const f of frames) {
      pos += writeAdtsHeader(rebuilt, pos, f.header, f.payload.length);
      rebuilt.set(f.payload, pos);
      pos += f.payload.length;
    }
    const out = path.replace(/\.aac$/, '-rebuilt.aac');
    writeFileSync(out, rebuilt);
    const r = await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-i', out, '-f', 'null', '-']);
    expect(r.stderr).toBe('');
    expect((await ffprobe(out)).packets).toHaveLength(frames.length);
  });
});
