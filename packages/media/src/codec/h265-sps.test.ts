import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, ffmpegGenerate, ffprobe } from '@sluice/test-support';
import { annexBNalUnits } from './annexb.js';
import { MalformedCodecData } from './errors.js';
import { parseH265Sps } from './h265-sps.js';
import { buildHevcConfigFromNalUnits, buildHevcDecoderConfig, parseHevcDecoderConfig } from './hevc.js';
import { H265NalUnitType, h265NalUnitType } from './nal-unit-type.js';
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

describe('H.265 SPS', () => {
  it("parses libx265's SPS (hand-checked against ffprobe: Main, level 60, 320x180, 30 fps)", () => {
    const sps = parseH265Sps(SPS);
    expect(sps).toMatchObject({
      profileSpace: 0,
      tier: 0,
      profileIdc: 1,
      profileCompatibilityFlags: 0x60000000,
      levelIdc: 60,
      maxSubLayers: 1,
      temporalIdNesting: true,
      chromaFormatIdc: 1,
      codedWidth: 320,
      codedHeight: 184,
      width: 320,
      height: 180,
      bitDepthLuma: 8,
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
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(50),
        (muts, cut) => {
          const d = SPS.slice(0, Math.max(2, SPS.length - (cut % SPS.length)));
          for (const [i, v] of muts) if (i % d.length > 1) d[i % d.length] = v;
          try {
            const p = parseH265Sps(d);
            expect(p.width).toBeGreaterThan(0);
          } catch (e) {
            expect(e).toBeInstanceOf(MalformedCodecData);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('HEVCDecoderConfigurationRecord', () => {
  it('builds from VPS/SPS/PPS the hvcC ffmpeg writes, and round-trips it', () => {
    expect(buildHevcConfigFromNalUnits([VPS, SPS, PPS, VPS])).toEqual(HVCC);
    const parsed = parseHevcDecoderConfig(HVCC);
    expect(parsed).toMatchObject({
      profileIdc: 1,
      levelIdc: 60,
      chromaFormat: 1,
      bitDepthLuma: 8,
      numTemporalLayers: 1,
      temporalIdNested: true,
      lengthSize: 4,
    });
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
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(80),
        (muts, cut) => {
          const d = HVCC.slice(0, HVCC.length - (cut % HVCC.length));
          for (const [i, v] of muts) d[i % d.length] = v;
          try {
            const c = parseHevcDecoderConfig(d);
            expect(parseHevcDecoderConfig(buildHevcDecoderConfig(c))).toEqual(c);
          } catch (e) {
            expect(e).toBeInstanceOf(MalformedCodecData);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'H.265 SPS and hvcC interop with ffmpeg', () => {
  const cases = [
    { name: 'main', size: '320x180', rate: '30', args: ['-pix_fmt', 'yuv420p'], profile: 'Main', params: '' },
    {
      name: 'main10-ntsc',
      size: '352x288',
      rate: '30000/1001',
      args: ['-pix_fmt', 'yuv420p10le'],
      profile: 'Main 10',
      params: '',
    },
    { name: 'rext444', size: '200x120', rate: '25', args: ['-pix_fmt', 'yuv444p'], profile: 'Rext', params: '' },
    {
      name: 'temporal-layers',
      size: '256x144',
      rate: '50',
      args: ['-pix_fmt', 'yuv420p'],
      profile: 'Main',
      params: ':temporal-layers=1',
    },
  ];
  it.each(cases)('SPS of $name matches ffprobe and our hvcC equals the one ffmpeg writes in MP4', async (c) => {
    const mp4 = await ffmpegGenerate(`h265-${c.name}.mp4`, [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${c.size}:rate=${c.rate}:duration=0.3`,
      '-c:v',
      'libx265',
      '-x265-params',
      `log-level=error${c.params}`,
      ...c.args,
    ]);
    const es = await ffmpegGenerate(`h265-${c.name}.hevc`, [
      '-i',
      mp4.path,
      '-c',
      'copy',
      '-bsf:v',
      'hevc_mp4toannexb',
      '-f',
      'hevc',
    ]);
    const stream = (await ffprobe(mp4.path)).streams[0];
    const head: Uint8Array[] = [];
    for (const nal of annexBNalUnits(es.data)) {
      if (h265NalUnitType(nal) < 32) break; // parameter sets and SEI before the first picture
      head.push(nal);
    }
    const sps = parseH265Sps(head.find((n) => h265NalUnitType(n) === H265NalUnitType.Sps) as Uint8Array);
    expect(sps.width).toBe(stream?.width);
    expect(sps.height).toBe(stream?.height);
    expect(sps.levelIdc).toBe(stream?.level);
    expect(stream?.profile).toBe(c.profile);
    const [num, den] = String(stream?.r_frame_rate).split('/').map(Number);
    expect(sps.frameRate).toBeCloseTo((num as number) / (den as number), 6);
    const box = findBox(mp4.data, 'hvcC');
    expect(buildHevcConfigFromNalUnits(head, { includeSei: true })).toEqual(box);
    expect(buildHevcDecoderConfig(parseHevcDecoderConfig(box))).toEqual(box);
    if (c.name === 'temporal-layers') expect(sps.maxSubLayers).toBeGreaterThan(1);
  });
});

/** Payload of the first MP4 box of this type (found by its fourcc; test-only). */
function findBox(file: Uint8Array, type: string): Uint8Array {
  const code = [...type].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 <= file.length; i++) {
    if (file[i] === code[0] && file[i + 1] === code[1] && file[i + 2] === code[2] && file[i + 3] === code[3]) {
      const size =
        ((file[i - 4] as number) << 24) |
        ((file[i - 3] as number) << 16) |
        ((file[i - 2] as number) << 8) |
        (file[i - 1] as number);
      return file.subarray(i + 4, i - 4 + size);
    }
  }
  throw new Error(`no ${type} box`);
}
