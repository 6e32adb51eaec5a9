/**
 * HEVCDecoderConfigurationRecord ("hvcC", ISO/IEC 14496-15 8.3.3.1): parse, build, and
 * build from Annex B VPS/SPS/PPS NAL units.
 */
import type { NalLengthSize } from './annexb.js';
import { MalformedCodecData } from './errors.js';
import { parseH265Sps, type H265ProfileTierLevel } from './h265-sps.js';
import { H265NalUnitType, h265NalUnitType } from './nal-unit-type.js';

const FORMAT = 'hvcC';

/** One array of NAL units of one type in an hvcC. */
export interface HevcNalArray {
  /** array_completeness: all NAL units of this type are here (none in-band). */
  completeness: boolean;
  /** NAL_unit_type of every unit in the array (32 VPS, 33 SPS, 34 PPS, 39/40 SEI). */
  nalUnitType: number;
  /** The NAL units (with their 2-byte headers); views into the parsed bytes. */
  nalUnits: Uint8Array[];
}

/** A parsed HEVCDecoderConfigurationRecord. */
export interface HevcDecoderConfig extends H265ProfileTierLevel {
  /** min_spatial_segmentation_idc (0..4095). */
  minSpatialSegmentationIdc: number;
  /** parallelismType (0 unknown/mixed, 1 slices, 2 tiles, 3 wavefront). */
  parallelismType: number;
  /** chromaFormat (chroma_format_idc). */
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** avgFrameRate in frames per 256 seconds (0: unspecified). */
  avgFrameRate: number;
  /** constantFrameRate (0..2). */
  constantFrameRate: number;
  /** numTemporalLayers (0..7; 0: unknown). */
  numTemporalLayers: number;
  temporalIdNested: boolean;
  /** NAL unit length field size of the samples (lengthSizeMinusOne + 1). */
  lengthSize: NalLengthSize;
  arrays: HevcNalArray[];
}

/** Size of the fixed part of an hvcC before numOfArrays. */
const FIXED_SIZE = 23;

/** Parses an hvcC. Throws MalformedCodecData when it is truncated or not version 1. */
export function parseHevcDecoderConfig(data: Uint8Array): HevcDecoderConfig {
  if (data.length < FIXED_SIZE)
    throw new MalformedCodecData(FORMAT, `needs at least ${FIXED_SIZE} bytes, got ${data.length}`);
  if (data[0] !== 1) throw new MalformedCodecData(FORMAT, `configurationVersion ${data[0]} is not 1`);
  const b = (i: number): number => data[i] as number;
  const lengthSizeMinusOne = b(21) & 3;
  if (lengthSizeMinusOne === 2)
    throw new MalformedCodecData(FORMAT, 'lengthSizeMinusOne 2 (3-byte NAL lengths) is not supported');
  const config: HevcDecoderConfig = {
    profileSpace: b(1) >> 6,
    tier: (b(1) >> 5) & 1,
    profileIdc: b(1) & 0x1f,
    profileCompatibilityFlags: b(2) * 0x1000000 + ((b(3) << 16) | (b(4) << 8) | b(5)),
    constraintIndicatorFlags: ((b(6) << 8) | b(7)) * 2 ** 32 + b(8) * 0x1000000 + ((b(9) << 16) | (b(10) << 8) | b(11)),
    levelIdc: b(12),
    minSpatialSegmentationIdc: ((b(13) & 0x0f) << 8) | b(14),
    parallelismType: b(15) & 3,
    chromaFormat: b(16) & 3,
    bitDepthLuma: (b(17) & 7) + 8,
    bitDepthChroma: (b(18) & 7) + 8,
    avgFrameRate: (b(19) << 8) | b(20),
    constantFrameRate: b(21) >> 6,
    numTemporalLayers: (b(21) >> 3) & 7,
    temporalIdNested: ((b(21) >> 2) & 1) === 1,
    lengthSize: (lengthSizeMinusOne + 1) as NalLengthSize,
    arrays: [],
  };
  const numArrays = b(22);
  let pos = FIXED_SIZE;
  for (let a = 0; a < numArrays; a++) {
    if (pos + 3 > data.length) throw new MalformedCodecData(FORMAT, `truncated array header ${a} at byte ${pos}`);
    const completeness = (b(pos) & 0x80) !== 0;
    const nalUnitType = b(pos) & 0x3f;
    const numNalus = (b(pos + 1) << 8) | b(pos + 2);
    pos += 3;
    const nalUnits: Uint8Array[] = [];
    for (let i = 0; i < numNalus; i++) {
      if (pos + 2 > data.length) throw new MalformedCodecData(FORMAT, `truncated nalUnitLength at byte ${pos}`);
      const len = (b(pos) << 8) | b(pos + 1);
      pos += 2;
      if (pos + len > data.length)
        throw new MalformedCodecData(
          FORMAT,
          `NAL unit of ${len} bytes at byte ${pos} runs past the end of ${data.length}`,
        );
      nalUnits.push(data.subarray(pos, pos + len));
      pos += len;
    }
    config.arrays.push({ completeness, nalUnitType, nalUnits });
  }
  return config;
}

function checkField(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new RangeError(`buildHevcDecoderConfig: ${name} must be an integer in 0..${max}, got ${v}`);
}

/** Builds an hvcC (configurationVersion 1). */
export function buildHevcDecoderConfig(config: HevcDecoderConfig): Uint8Array {
  const c = config;
  checkField('profileSpace', c.profileSpace, 3);
  checkField('tier', c.tier, 1);
  checkField('profileIdc', c.profileIdc, 31);
  checkField('profileCompatibilityFlags', c.profileCompatibilityFlags, 0xffffffff);
  checkField('constraintIndicatorFlags', c.constraintIndicatorFlags, 2 ** 48 - 1);
  checkField('levelIdc', c.levelIdc, 255);
  checkField('minSpatialSegmentationIdc', c.minSpatialSegmentationIdc, 4095);
  checkField('parallelismType', c.parallelismType, 3);
  checkField('chromaFormat', c.chromaFormat, 3);
  checkField('bitDepthLuma - 8', c.bitDepthLuma - 8, 7);
  checkField('bitDepthChroma - 8', c.bitDepthChroma - 8, 7);
  checkField('avgFrameRate', c.avgFrameRate, 0xffff);
  checkField('constantFrameRate', c.constantFrameRate, 3);
  checkField('numTemporalLayers', c.numTemporalLayers, 7);
  if (c.lengthSize !== 1 && c.lengthSize !== 2 && c.lengthSize !== 4)
    throw new RangeError(`buildHevcDecoderConfig: lengthSize must be 1, 2 or 4, got ${String(c.lengthSize)}`);
  if (c.arrays.length > 255) throw new RangeError(`buildHevcDecoderConfig: at most 255 arrays, got ${c.arrays.length}`);
  let size = FIXED_SIZE;
  for (const a of c.arrays) {
    checkField('nalUnitType', a.nalUnitType, 63);
    if (a.nalUnits.length > 0xffff)
      throw new RangeError(`buildHevcDecoderConfig: at most 65535 NAL units per array, got ${a.nalUnits.length}`);
    size += 3;
    for (const n of a.nalUnits) {
      if (n.length > 0xffff)
        throw new RangeError(`buildHevcDecoderConfig: NAL unit of ${n.length} bytes exceeds 65535`);
      size += 2 + n.length;
    }
  }
  const out = new Uint8Array(size);
  out[0] = 1; // configurationVersion
  out[1] = (c.profileSpace << 6) | (c.tier << 5) | c.profileIdc; // general_profile_space, general_tier_flag, general_profile_idc
  const compat = c.profileCompatibilityFlags;
  out[2] = Math.floor(compat / 0x1000000); // general_profile_compatibility_flags
  out[3] = Math.floor(compat / 0x10000) % 256;
  out[4] = Math.floor(compat / 0x100) % 256;
  out[5] = compat % 256;
  const cif = c.constraintIndicatorFlags; // general_constraint_indicator_flags (48 bits)
  for (let i = 0; i < 6; i++) out[6 + i] = Math.floor(cif / 2 ** (8 * (5 - i))) % 256;
  out[12] = c.levelIdc; // general_level_idc
  out[13] = 0xf0 | (c.minSpatialSegmentationIdc >> 8); // reserved=1111, min_spatial_segmentation_idc
  out[14] = c.minSpatialSegmentationIdc & 0xff;
  out[15] = 0xfc | c.parallelismType; // reserved=111111, parallelismType
  out[16] = 0xfc | c.chromaFormat; // reserved=111111, chromaFormat
  out[17] = 0xf8 | (c.bitDepthLuma - 8); // reserved=11111, bitDepthLumaMinus8
  out[18] = 0xf8 | (c.bitDepthChroma - 8); // reserved=11111, bitDepthChromaMinus8
  out[19] = c.avgFrameRate >> 8; // avgFrameRate
  out[20] = c.avgFrameRate & 0xff;
  // constantFrameRate, numTemporalLayers, temporalIdNested, lengthSizeMinusOne
  out[21] = (c.constantFrameRate << 6) | (c.numTemporalLayers << 3) | (c.temporalIdNested ? 4 : 0) | (c.lengthSize - 1);
  out[22] = c.arrays.length; // numOfArrays
  let pos = FIXED_SIZE;
  for (const a of c.arrays) {
    out[pos] = (a.completeness ? 0x80 : 0) | a.nalUnitType; // array_completeness, reserved=0, NAL_unit_type
    out[pos + 1] = a.nalUnits.length >> 8; // numNalus
    out[pos + 2] = a.nalUnits.length & 0xff;
    pos += 3;
    for (const n of a.nalUnits) {
      out[pos] = n.length >> 8; // nalUnitLength
      out[pos + 1] = n.length & 0xff;
      out.set(n, pos + 2);
      pos += 2 + n.length;
    }
  }
  return out;
}

/** Options of {@link buildHevcConfigFromNalUnits}. */
export interface HevcConfigFromNalUnitsOptions {
  /** array_completeness of the VPS/SPS/PPS arrays. Default false (parameter sets may also be in-band). */
  completeness?: boolean | undefined;
  /** Also carry prefix/suffix SEI NAL units in arrays. Default false. */
  includeSei?: boolean | undefined;
}

/**
 * Builds an hvcC (4-byte NAL lengths) from NAL units that include at least one VPS, SPS
 * and PPS (e.g. those of an Annex B keyframe); duplicates and other NAL units are ignored.
 * Profile/tier/level, chroma format, bit depths and temporal layers come from the first
 * SPS. Throws MalformedCodecData when a parameter set is missing or the SPS is invalid.
 */
export function buildHevcConfigFromNalUnits(
  nalUnits: Iterable<Uint8Array>,
  options: HevcConfigFromNalUnitsOptions = {},
): Uint8Array {
  const wanted = [H265NalUnitType.Vps, H265NalUnitType.Sps, H265NalUnitType.Pps] as number[];
  if (options.includeSei) wanted.push(H265NalUnitType.PrefixSei, H265NalUnitType.SuffixSei);
  const byType = new Map<number, Uint8Array[]>(wanted.map((t) => [t, []]));
  for (const nal of nalUnits) {
    const list = byType.get(h265NalUnitType(nal));
    if (list && !list.some((n) => equalBytes(n, nal))) list.push(nal);
  }
  for (const [type, name] of [
    [H265NalUnitType.Vps, 'VPS'],
    [H265NalUnitType.Sps, 'SPS'],
    [H265NalUnitType.Pps, 'PPS'],
  ] as const) {
    if (byType.get(type)?.length === 0) throw new MalformedCodecData(FORMAT, `no ${name} among the NAL units`);
  }
  const sps = parseH265Sps((byType.get(H265NalUnitType.Sps) as Uint8Array[])[0] as Uint8Array);
  const completeness = options.completeness ?? false;
  const arrays: HevcNalArray[] = [];
  for (const [type, list] of byType) {
    if (list.length > 0)
      arrays.push({ completeness: completeness && type <= H265NalUnitType.Pps, nalUnitType: type, nalUnits: list });
  }
  return buildHevcDecoderConfig({
    profileSpace: sps.profileSpace,
    tier: sps.tier,
    profileIdc: sps.profileIdc,
    profileCompatibilityFlags: sps.profileCompatibilityFlags,
    constraintIndicatorFlags: sps.constraintIndicatorFlags,
    levelIdc: sps.levelIdc,
    minSpatialSegmentationIdc: sps.minSpatialSegmentationIdc,
    // 0: unknown (deriving it needs the PPS tiles/wavefront flags)
    parallelismType: 0,
    chromaFormat: sps.chromaFormatIdc,
    bitDepthLuma: sps.bitDepthLuma,
    bitDepthChroma: sps.bitDepthChroma,
    avgFrameRate: 0,
    constantFrameRate: 0,
    numTemporalLayers: sps.maxSubLayers,
    temporalIdNested: sps.temporalIdNesting,
    lengthSize: 4,
    arrays,
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
