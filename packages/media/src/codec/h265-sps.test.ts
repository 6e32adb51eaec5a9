import { describe, expect, it } from 'vitest';
import { describeWithPeers } from '@sluice/test-support';
import { annexBNalUnits } from './annexb.js';
import { MalformedCodecData } from './errors.js';
import { parseH265Sps } from './h265-sps.js';
import { buildHevcConfigFromNalUnits, buildHevcDecoderConfig, parseHevcDecoderConfig } from './hevc.js';
import { H265NalUnitType, h265NalUnitType } from './nal-unit-type.js';
import { encodeClip, expectSpsMatchesProbe, findMp4Box } from '../test-support/codec-interop.js';
import { expectMutatedRecordsParseOrThrow, expectMutatedSpsParseOrThrow } from '../test-support/codec-properties.js';
import { hex } from '../test-support/hex.js';

// VPS/SPS/PPS written by libx265 for testsrc2 320x180 at 30 fps (Main, level 2), and the
// hvcC ffmpeg builds from them (without its SEI array)
const VPS = hex('40010c01ffff01600000030090000003000003003c959809');
const SPS = hex('42010101600000030090000003000003003ca00a080b9f796566924caf016808000003000800000300f040');
const PPS = hex('4401c172b46240');
const HVCC = hex(
  '0101600000009000000000003cf000fcfdf8f800000f03' +
    '2000010018' +
    '40010c01ffff01600000030090000003000003003c959809' +
    '210001002b' +
    '42010101600000030090000003000003003ca00a080b9f796566924caf016808000003000800000300f040' +
    '2200010007' +
    '4401c172b46240',
);

// what both the SPS and the hvcC say of that stream: [SPS field, hvcC field, value]
const STREAM_FIELDS = [
  ['profileIdc', 'profileIdc', 1],
  ['levelIdc', 'levelIdc', 60],
  ['chromaFormatIdc', 'chromaFormat', 1],
  ['bitDepthLuma', 'bitDepthLuma', 8],
  ['maxSubLayers', 'numTemporalLayers', 1],
  ['temporalIdNesting', 'temporalIdNested', true],
] as const;

/** STREAM_FIELDS as the object the SPS parser or the hvcC parser gives. */
function streamFields(of: 'sps' | 'hvcC'): Record<string, number | boolean> {
  return Object.fromEntries(STREAM_FIELDS.map(([sps, hvcc, value]) => [of === 'sps' ? sps : hvcc, value]));
}

describe('H.265 SPS', () => {
  it("parses libx265's SPS (hand-checked against ffprobe: Main, level 60, 320x180, 30 fps)", () => {
    const sps = parseH265Sps(SPS);
    expect(sps).toMatchObject({
      ...streamFields('sps'),
      profileSpace: 0,
      tier: 0,
      profileCompatibilityFlags: 0x60000000,
      codedWidth: 320,
      codedHeight: 184,
      width: 320,
      height: 180,
      bitDepthChroma: 8,
    });
    expect(sps.conformanceWindow).toEqual({ left: 0, right: 0, top: 0, bottom: 2 });
    expect(sps.constraintIndicatorFlags).toBe(0x900000000000);
    expect(sps.frameRate).toBe(30);
  });

  it('rejects non-SPS and truncated input with MalformedCodecData', () => {
    expect(() => parseH265Sps(PPS)).toThrow(/not an SPS/);
    expect(() => parseH265Sps(SPS.subarray(0, 12))).toThrow(MalformedCodecData);
  });

  it('property: mutated SPS bytes parse or throw MalformedCodecData', () => {
    expectMutatedSpsParseOrThrow(SPS, 2, 50, parseH265Sps, (p) => expect(p.width).toBeGreaterThan(0));
  });
});

describe('HEVCDecoderConfigurationRecord', () => {
  it('builds from VPS/SPS/PPS the hvcC ffmpeg writes, and round-trips it', () => {
    expect(buildHevcConfigFromNalUnits([VPS, SPS, PPS, VPS])).toEqual(HVCC);
    const parsed = parseHevcDecoderConfig(HVCC);
    expect(parsed).toMatchObject({ ...streamFields('hvcC'), lengthSize: 4 });
    expect(parsed.arrays.map((a) => [a.nalUnitType, a.nalUnits.length, a.completeness])).toEqual([
      [32, 1, false],
      [33, 1, false],
      [34, 1, false],
    ]);
    expect(buildHevcDecoderConfig(parsed)).toEqual(HVCC);
    const complete = parseHevcDecoderConfig(buildHevcConfigFromNalUnits([VPS, SPS, PPS], { completeness: true }));
    expect(complete.arrays.every((a) => a.completeness)).toBe(true);
  });

  it('rejects missing parameter sets and malformed records', () => {
    expect(() => buildHevcConfigFromNalUnits([SPS, PPS])).toThrow(/no VPS/);
    expect(() => buildHevcConfigFromNalUnits([VPS, SPS])).toThrow(/no PPS/);
    expect(() => parseHevcDecoderConfig(HVCC.subarray(0, 22))).toThrow(MalformedCodecData);
    expect(() => parseHevcDecoderConfig(HVCC.subarray(0, 40))).toThrow(/runs past the end/);
  });

  it('property: mutated records parse or throw MalformedCodecData; build∘parse is stable', () => {
    expectMutatedRecordsParseOrThrow(HVCC, 80, parseHevcDecoderConfig, buildHevcDecoderConfig);
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'H.265 SPS and hvcC interop with ffmpeg', () => {
  const cases: { name: string; size: string; rate: string; pixFmt: string; profile: string; params?: string }[] = [
    { name: 'main', size: '320x180', rate: '30', pixFmt: 'yuv420p', profile: 'Main' },
    { name: 'main10-ntsc', size: '352x288', rate: '30000/1001', pixFmt: 'yuv420p10le', profile: 'Main 10' },
    { name: 'rext444', size: '200x120', rate: '25', pixFmt: 'yuv444p', profile: 'Rext' },
    {
      name: 'temporal-layers',
      size: '256x144',
      rate: '50',
      pixFmt: 'yuv420p',
      profile: 'Main',
      params: ':temporal-layers=1',
    },
  ];
  it.each(cases)('SPS of $name matches ffprobe and our hvcC equals the one ffmpeg writes in MP4', async (c) => {
    const { mp4, annexB, stream } = await encodeClip(
      `h265-${c.name}`,
      c,
      ['-c:v', 'libx265', '-x265-params', `log-level=error${c.params ?? ''}`, '-pix_fmt', c.pixFmt],
      { bsf: 'hevc_mp4toannexb', format: 'hevc' },
    );
    const head: Uint8Array[] = [];
    for (const nal of annexBNalUnits(annexB)) {
      if (h265NalUnitType(nal) < 32) break; // parameter sets and SEI before the first picture
      head.push(nal);
    }
    const sps = parseH265Sps(head.find((n) => h265NalUnitType(n) === H265NalUnitType.Sps) as Uint8Array);
    expectSpsMatchesProbe(sps, stream, { profile: c.profile, frameRate: true });
    const box = findMp4Box(mp4, 'hvcC');
    expect(buildHevcConfigFromNalUnits(head, { includeSei: true })).toEqual(box);
    expect(buildHevcDecoderConfig(parseHevcDecoderConfig(box))).toEqual(box);
    if (c.name === 'temporal-layers') expect(sps.maxSubLayers).toBeGreaterThan(1);
  });
});
