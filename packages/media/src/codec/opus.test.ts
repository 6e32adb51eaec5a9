import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeWithPeers,
  fixturePath,
  listFixtures,
  readExpectedPackets,
  readFixture,
  runCommand,
} from '@sluice/test-support';
import { MalformedCodecData } from './errors.js';
import { opusHeadFromTsChannelConfig, tsChannelConfigOfOpusHead } from './opus-ts.js';
import {
  buildOpusHead,
  isOpusControlHeader,
  opusControlHeaderSize,
  parseOpusControlHeader,
  parseOpusHead,
  writeOpusControlHeader,
} from './opus.js';

const fixture = listFixtures('ts').find((f) => f === 'opus.ts');

// OpusHead as libopus/ffmpeg writes it for stereo 48 kHz: version 1, 2 channels, pre-skip 312
const stereoHead = [
  0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x02, 0x38, 0x01, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00,
];

describe('OpusHead', () => {
  it('parses a hand-checked stereo header and builds it back byte for byte', () => {
    const head = parseOpusHead(new Uint8Array(stereoHead));
    expect(head).toEqual({
      version: 1,
      channelCount: 2,
      preSkip: 312,
      inputSampleRate: 48000,
      outputGain: 0,
      mappingFamily: 0,
    });
    expect([...buildOpusHead(head)]).toEqual(stereoHead);
  });

  it('round-trips mapping family 1 (5.1) with negative gain', () => {
    const head = {
      version: 1,
      channelCount: 6,
      preSkip: 3840,
      inputSampleRate: 44100,
      outputGain: -256,
      mappingFamily: 1,
      streamCount: 4,
      coupledCount: 2,
      channelMapping: new Uint8Array([0, 4, 1, 2, 3, 5]),
    };
    const bytes = buildOpusHead(head);
    expect(bytes.length).toBe(27);
    expect(parseOpusHead(bytes)).toEqual(head);
  });

  it('rejects malformed heads with MalformedCodecData and bad arguments with RangeError', () => {
    expect(() => parseOpusHead(new Uint8Array(stereoHead.slice(0, 18)))).toThrow(/at least 19 bytes/);
    expect(() => parseOpusHead(new Uint8Array([...stereoHead.slice(0, 7), 0x65, ...stereoHead.slice(8)]))).toThrow(
      /magic/,
    );
    const fam1 = [...stereoHead];
    fam1[18] = 1;
    expect(() => parseOpusHead(new Uint8Array(fam1))).toThrow(/needs 23 bytes/);
    const three = [...stereoHead];
    three[9] = 3;
    expect(() => parseOpusHead(new Uint8Array(three))).toThrow(/family 0 allows 1 or 2/);
    expect(() =>
      buildOpusHead({ version: 1, channelCount: 0, preSkip: 0, inputSampleRate: 0, outputGain: 0, mappingFamily: 0 }),
    ).toThrow(RangeError);
  });

  it('property: random bytes give a head or MalformedCodecData; parse∘build is the identity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (d, magic) => {
        if (magic && d.length >= 8) d.set(stereoHead.slice(0, 8));
        try {
          const head = parseOpusHead(d);
          const rebuilt = buildOpusHead(head);
          expect(rebuilt).toEqual(d.subarray(0, rebuilt.length));
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Opus control header (MPEG-TS)', () => {
  it('writes prefix, au_size as 0xFF chain and trims', () => {
    const d = new Uint8Array(16);
    expect(writeOpusControlHeader(d, 0, 100)).toBe(3);
    expect([...d.subarray(0, 3)]).toEqual([0x7f, 0xe0, 100]);
    expect(writeOpusControlHeader(d, 0, 255)).toBe(4);
    expect([...d.subarray(0, 4)]).toEqual([0x7f, 0xe0, 0xff, 0x00]);
    expect(writeOpusControlHeader(d, 1, 600, { startTrim: 312, endTrim: 8191 })).toBe(9);
    expect([...d.subarray(1, 10)]).toEqual([0x7f, 0xf8, 0xff, 0xff, 90, 0x01, 0x38, 0x1f, 0xff]);
    expect(parseOpusControlHeader(d, 1)).toEqual({ auSize: 600, startTrim: 312, endTrim: 8191, headerLength: 9 });
    expect(opusControlHeaderSize(600, { startTrim: 0 })).toBe(7);
    expect(() => writeOpusControlHeader(new Uint8Array(2), 0, 10)).toThrow(RangeError);
    expect(() => writeOpusControlHeader(d, 0, 10, { endTrim: 9000 })).toThrow(/endTrim/);
  });

  it('round-trips every size and rejects truncation with MalformedCodecData', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.option(fc.integer({ min: 0, max: 8191 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 8191 }), { nil: undefined }),
        (auSize, startTrim, endTrim) => {
          const size = opusControlHeaderSize(auSize, { startTrim, endTrim });
          const d = new Uint8Array(size);
          expect(writeOpusControlHeader(d, 0, auSize, { startTrim, endTrim })).toBe(size);
          expect(isOpusControlHeader(d)).toBe(true);
          expect(parseOpusControlHeader(d)).toEqual({ auSize, startTrim, endTrim, headerLength: size });
          expect(() => parseOpusControlHeader(d.subarray(0, size - 1))).toThrow(MalformedCodecData);
        },
      ),
    );
    expect(() => parseOpusControlHeader(new Uint8Array([0x7f, 0xc0, 1]))).toThrow(/prefix/);
  });

  it.skipIf(fixture === undefined)('finds in the ffmpeg-made opus.ts fixture exactly the packets ffprobe lists', () => {
    const ts = readFixture('opus.ts');
    const expected = readExpectedPackets('opus.ts').packets.map((p) => Number(p.size));
    const es = pesPayloadOfFirstAudioPid(ts);
    const sizes: number[] = [];
    let pos = 0;
    while (pos < es.length) {
      const h = parseOpusControlHeader(es, pos);
      sizes.push(h.auSize);
      pos += h.headerLength + h.auSize;
    }
    expect(pos).toBe(es.length);
    expect(sizes).toEqual(expected);
  });
});

/** Concatenated PES payloads of the first PID carrying PES stream_id 0xBD/0xC0 (test-only mini demuxer). */
function pesPayloadOfFirstAudioPid(ts: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let pid = -1;
  for (let p = 0; p + 188 <= ts.length; p += 188) {
    const pusi = ((ts[p + 1] as number) & 0x40) !== 0;
    const thisPid = (((ts[p + 1] as number) & 0x1f) << 8) | (ts[p + 2] as number);
    const afc = ((ts[p + 3] as number) >> 4) & 3;
    let s = p + 4;
    if (afc & 2) s += 1 + (ts[s] as number);
    if (!(afc & 1) || s >= p + 188) continue;
    if (pusi && ts[s] === 0 && ts[s + 1] === 0 && ts[s + 2] === 1) {
      const sid = ts[s + 3] as number;
      if (pid < 0 && (sid === 0xbd || (sid & 0xe0) === 0xc0)) pid = thisPid;
      if (thisPid !== pid) continue;
      s += 9 + (ts[s + 8] as number);
    } else if (thisPid !== pid) continue;
    parts.push(ts.subarray(s, p + 188));
  }
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

describe('Opus channel_config_code (MPEG-TS)', () => {
  it('maps codes to OpusHeads and back', () => {
    expect(opusHeadFromTsChannelConfig(2)).toEqual({
      version: 1,
      channelCount: 2,
      preSkip: 0,
      inputSampleRate: 48000,
      outputGain: 0,
      mappingFamily: 0,
    });
    const six = opusHeadFromTsChannelConfig(6, 312);
    expect(six).toMatchObject({ channelCount: 6, mappingFamily: 1, streamCount: 4, coupledCount: 2, preSkip: 312 });
    expect([...(six?.channelMapping ?? [])]).toEqual([0, 4, 1, 2, 3, 5]);
    for (let code = 1; code <= 8; code++)
      expect(
        tsChannelConfigOfOpusHead(
          opusHeadFromTsChannelConfig(code) as NonNullable<ReturnType<typeof opusHeadFromTsChannelConfig>>,
        ),
      ).toBe(code);
    expect(opusHeadFromTsChannelConfig(0)).toMatchObject({ channelCount: 2, mappingFamily: 255 });
    expect(opusHeadFromTsChannelConfig(0x80)).toBeUndefined();
    expect(
      tsChannelConfigOfOpusHead({
        ...(opusHeadFromTsChannelConfig(6) as NonNullable<ReturnType<typeof opusHeadFromTsChannelConfig>>),
        channelMapping: new Uint8Array([0, 1, 2, 3, 4, 5]),
      }),
    ).toBeUndefined();
  });

  it('gives for stereo the OpusHead ffmpeg derives from a TS stream', () => {
    // `ffprobe -show_data test-fixtures/opus.ts` prints this extradata (ffmpeg's TS demuxer)
    expect([
      ...buildOpusHead(opusHeadFromTsChannelConfig(2) as NonNullable<ReturnType<typeof opusHeadFromTsChannelConfig>>),
    ]).toEqual([
      0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x02, 0x00, 0x00, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]);
  });
});

describeWithPeers(['ffprobe'], 'OpusHead interop with ffprobe', () => {
  it.skipIf(fixture === undefined)(
    'the OpusHead for channel_config_code 2 equals the extradata ffmpeg derives from opus.ts',
    async () => {
      const r = await runCommand('ffprobe', [
        '-v',
        'error',
        '-show_streams',
        '-show_data',
        '-of',
        'json',
        fixturePath('opus.ts'),
      ]);
      const extradata =
        (JSON.parse(r.stdout) as { streams: Array<{ extradata?: string }> }).streams[0]?.extradata ?? '';
      const bytes = extradata
        .split('\n')
        .map((line) => /^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)/.exec(line)?.[1] ?? '')
        .join('')
        .replace(/ /g, '');
      const head = parseOpusHead(new Uint8Array(Buffer.from(bytes, 'hex')));
      expect(head).toEqual(opusHeadFromTsChannelConfig(2));
    },
  );
});
