import { describe, expect, it } from 'vitest';
import { describeWithPeers } from '@sluice/test-support';
import { annexBNalUnits } from './annexb.js';
import { buildAvcConfigFromNalUnits, buildAvcDecoderConfig, parseAvcDecoderConfig } from './avc.js';
import { BitWriter } from './bit-writer.js';
import { MalformedCodecData } from './errors.js';
import { parseH264Sps } from './h264-sps.js';
import { H264NalUnitType, h264NalUnitType } from './nal-unit-type.js';
import { encodeClip, expectSpsMatchesProbe, findMp4Box } from '../test-support/codec-interop.js';
import { expectMutatedRecordsParseOrThrow, expectMutatedSpsParseOrThrow } from '../test-support/codec-properties.js';
import { hex } from '../test-support/hex.js';

// avcC and SPS written by ffmpeg/libx264 for testsrc2 320x180 at 30 fps, High profile
const AVCC_320x180 = hex(
  '0164000dffe1001a6764000dacd941419f9f0110000003001000000303c0f142996001000668ebe3cb22c0fdf8f800',
);

/** Inserts emulation prevention bytes (the inverse of their removal). */
function escape(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return new Uint8Array(out);
}

interface SpsFields {
  profileIdc: number;
  levelIdc: number;
  chromaFormatIdc: number;
  widthInMbs: number;
  heightInMapUnits: number;
  frameMbsOnly: boolean;
  crop: [number, number, number, number];
  timing: [number, number] | null;
}

/** Writes an SPS NAL unit (test-only encoder) with the given fields. */
function writeSps(f: SpsFields): Uint8Array {
  const w = new BitWriter();
  w.writeBits(8, 0x67);
  w.writeBits(8, f.profileIdc);
  w.writeBits(8, 0);
  w.writeBits(8, f.levelIdc);
  w.writeUe(0);
  if (f.profileIdc === 100) {
    w.writeUe(f.chromaFormatIdc);
    if (f.chromaFormatIdc === 3) w.writeBits(1, 0);
    w.writeUe(0);
    w.writeUe(0);
    w.writeBits(2, 0);
  }
  w.writeUe(0); // log2_max_frame_num_minus4
  w.writeUe(2); // pic_order_cnt_type
  w.writeUe(1); // max_num_ref_frames
  w.writeBits(1, 0);
  w.writeUe(f.widthInMbs - 1);
  w.writeUe(f.heightInMapUnits - 1);
  w.writeBits(1, f.frameMbsOnly ? 1 : 0);
  if (!f.frameMbsOnly) w.writeBits(1, 0);
  w.writeBits(1, 1);
  const cropping = f.crop.some((c) => c > 0);
  w.writeBits(1, cropping ? 1 : 0);
  if (cropping) f.crop.forEach((c) => w.writeUe(c));
  w.writeBits(1, f.timing ? 1 : 0);
  if (f.timing) {
    w.writeBits(4, 0); // aspect_ratio_info, overscan_info, video_signal_type, chroma_loc_info: absent
    w.writeBits(1, 1); // timing_info_present_flag
    w.writeBits(32, f.timing[0]);
    w.writeBits(32, f.timing[1]);
    w.writeBits(1, 1); // fixed_frame_rate_flag
    w.writeBits(5, 0); // hrd, pic_struct, bitstream_restriction: absent
  }
  w.writeBits(1, 1); // rbsp_stop_one_bit
  return escape(w.finish());
}

describe('H.264 SPS', () => {
  it("parses libx264's SPS (hand-checked against ffprobe: High, level 1.3, 320x180, 30 fps)", () => {
    const avcc = parseAvcDecoderConfig(AVCC_320x180);
    const sps = parseH264Sps(avcc.sps[0] as Uint8Array);
    expect(sps).toMatchObject({
      profileIdc: 100,
      constraintFlags: 0,
      levelIdc: 13,
      chromaFormatIdc: 1,
      bitDepthLuma: 8,
      frameMbsOnly: true,
      codedWidth: 320,
      codedHeight: 192,
      width: 320,
      height: 180,
      crop: { left: 0, right: 0, top: 0, bottom: 6 },
    });
    expect(sps.frameRate).toBe(30);
    expect(sps.timing).toEqual({ numUnitsInTick: 1, timeScale: 60, fixedFrameRate: false });
  });

  it('computes cropping for 4:2:0, 4:4:4 and field coding (writer round trip)', () => {
    const base: SpsFields = {
      profileIdc: 100,
      levelIdc: 40,
      chromaFormatIdc: 1,
      widthInMbs: 120,
      heightInMapUnits: 68,
      frameMbsOnly: true,
      crop: [0, 0, 0, 4],
      timing: null,
    };
    expect(parseH264Sps(writeSps(base))).toMatchObject({ width: 1920, height: 1080 });
    expect(parseH264Sps(writeSps({ ...base, chromaFormatIdc: 3, crop: [1, 1, 0, 8] }))).toMatchObject({
      width: 1918,
      height: 1080,
    });
    expect(
      parseH264Sps(writeSps({ ...base, frameMbsOnly: false, heightInMapUnits: 34, crop: [0, 0, 0, 2] })),
    ).toMatchObject({ width: 1920, height: 1080, frameMbsOnly: false });
    expect(parseH264Sps(writeSps({ ...base, profileIdc: 66 }))).toMatchObject({
      profileIdc: 66,
      chromaFormatIdc: 1,
      width: 1920,
      height: 1080,
    });
    expect(parseH264Sps(writeSps({ ...base, timing: [1001, 60000] })).frameRate).toBeCloseTo(29.97, 2);
  });

  it('rejects non-SPS, truncated and out-of-range input with MalformedCodecData', () => {
    expect(() => parseH264Sps(hex('68ce3c80'))).toThrow(/not an SPS/);
    const sps = parseAvcDecoderConfig(AVCC_320x180).sps[0] as Uint8Array;
    expect(() => parseH264Sps(sps.subarray(0, 8))).toThrow(MalformedCodecData);
    expect(() =>
      parseH264Sps(
        writeSps({
          profileIdc: 66,
          levelIdc: 30,
          chromaFormatIdc: 1,
          widthInMbs: 2,
          heightInMapUnits: 2,
          frameMbsOnly: true,
          crop: [20, 0, 0, 0],
          timing: null,
        }),
      ),
    ).toThrow(/empty frame/);
  });

  it('property: mutated SPS bytes parse or throw MalformedCodecData, never anything else', () => {
    const sps = parseAvcDecoderConfig(AVCC_320x180).sps[0] as Uint8Array;
    expectMutatedSpsParseOrThrow(sps, 1, 40, parseH264Sps, (p) => {
      expect(p.width).toBeGreaterThan(0);
      expect(p.height).toBeGreaterThan(0);
    });
  });
});

describe('AVCDecoderConfigurationRecord', () => {
  it("round-trips libx264/ffmpeg's avcC with the High-profile extension byte for byte", () => {
    const c = parseAvcDecoderConfig(AVCC_320x180);
    expect(c).toMatchObject({ profile: 100, profileCompatibility: 0, level: 13, lengthSize: 4 });
    expect(c.sps).toHaveLength(1);
    expect(c.pps).toHaveLength(1);
    expect(c.extension).toEqual({ chromaFormat: 1, bitDepthLuma: 8, bitDepthChroma: 8, spsExt: [] });
    expect(buildAvcDecoderConfig(c)).toEqual(AVCC_320x180);
    expect(buildAvcConfigFromNalUnits([...c.sps, ...c.pps])).toEqual(AVCC_320x180);
  });

  it('handles Baseline records without extension and 1/2-byte length sizes', () => {
    const sps = writeSps({
      profileIdc: 66,
      levelIdc: 30,
      chromaFormatIdc: 1,
      widthInMbs: 40,
      heightInMapUnits: 30,
      frameMbsOnly: true,
      crop: [0, 0, 0, 0],
      timing: null,
    });
    const pps = hex('68ce3c80');
    const built = buildAvcConfigFromNalUnits([new Uint8Array([0x09, 0xf0]), sps, pps, sps]);
    const parsed = parseAvcDecoderConfig(built);
    expect(parsed).toMatchObject({ profile: 66, level: 30, lengthSize: 4 });
    expect(parsed.extension).toBeUndefined();
    expect(parsed.sps).toEqual([sps]);
    const two = buildAvcDecoderConfig({ ...parsed, lengthSize: 2 });
    expect(parseAvcDecoderConfig(two).lengthSize).toBe(2);
    expect(() => buildAvcConfigFromNalUnits([pps])).toThrow(/no SPS/);
    expect(() => buildAvcConfigFromNalUnits([sps])).toThrow(/no PPS/);
  });

  it('rejects malformed records with MalformedCodecData', () => {
    expect(() => parseAvcDecoderConfig(hex('0164000d'))).toThrow(MalformedCodecData);
    expect(() => parseAvcDecoderConfig(hex('0264000dffe1'.padEnd(16, '0')))).toThrow(/configurationVersion 2/);
    expect(() => parseAvcDecoderConfig(AVCC_320x180.subarray(0, 20))).toThrow(/runs past the end/);
    expect(() => parseAvcDecoderConfig(hex('0164000dfee100'))).toThrow(/lengthSizeMinusOne 2/);
  });

  it('property: random and mutated records parse or throw MalformedCodecData; parse∘build∘parse is stable', () => {
    expectMutatedRecordsParseOrThrow(AVCC_320x180, 60, parseAvcDecoderConfig, buildAvcDecoderConfig);
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'H.264 SPS and avcC interop with ffmpeg', () => {
  const cases = [
    {
      name: 'high-420-cropped',
      size: '320x180',
      rate: '30',
      args: ['-profile:v', 'high', '-pix_fmt', 'yuv420p'],
      profile: 'High',
      idc: 100,
    },
    {
      name: 'baseline',
      size: '352x288',
      rate: '25',
      args: ['-profile:v', 'baseline', '-pix_fmt', 'yuv420p'],
      profile: 'Constrained Baseline',
      idc: 66,
    },
    {
      name: 'high444-ntsc',
      size: '200x120',
      rate: '30000/1001',
      args: ['-profile:v', 'high444', '-pix_fmt', 'yuv444p'],
      profile: 'High 4:4:4 Predictive',
      idc: 244,
    },
    {
      name: 'high10-interlaced',
      size: '640x360',
      rate: '50',
      args: ['-profile:v', 'high10', '-pix_fmt', 'yuv420p10le', '-flags', '+ildct+ilme', '-x264-params', 'tff=1'],
      profile: 'High 10',
      idc: 110,
    },
  ];
  it.each(cases)('SPS of $name matches ffprobe and our avcC equals the one ffmpeg writes in MP4', async (c) => {
    const { mp4, annexB, stream } = await encodeClip(`sps-${c.name}`, c, ['-c:v', 'libx264', ...c.args], {
      bsf: 'h264_mp4toannexb',
      format: 'h264',
    });
    const nals = [...annexBNalUnits(annexB)].filter(
      (n) => h264NalUnitType(n) === H264NalUnitType.Sps || h264NalUnitType(n) === H264NalUnitType.Pps,
    );
    const sps = parseH264Sps(nals.find((n) => h264NalUnitType(n) === H264NalUnitType.Sps) as Uint8Array);
    expectSpsMatchesProbe(sps, stream, { profile: c.profile, frameRate: sps.frameMbsOnly });
    expect(sps.profileIdc).toBe(c.idc);
    const box = findMp4Box(mp4, 'avcC');
    expect(buildAvcConfigFromNalUnits(nals)).toEqual(box);
    expect(buildAvcDecoderConfig(parseAvcDecoderConfig(box))).toEqual(box);
  });
});
