/**
 * AVCDecoderConfigurationRecord ("avcC", ISO/IEC 14496-15 5.3.3.1): parse and build,
 * including the chroma format / bit depth / SPS extension fields of High profiles.
 */
import type { NalLengthSize } from './annexb.js';
import { MalformedCodecData } from './errors.js';
import { parseH264Sps } from './h264-sps.js';
import { H264NalUnitType, h264NalUnitType } from './nal-unit-type.js';

const FORMAT = 'avcC';

/**
 * Profiles whose avcC carries the chroma/bit-depth extension: all but Baseline, Main and
 * Extended (the rule of ISO/IEC 14496-15:2019; earlier editions listed 100, 110, 122, 144).
 */
function hasExtension(profile: number): boolean {
  return profile !== 66 && profile !== 77 && profile !== 88;
}

/** The High-profile extension of an avcC. */
export interface AvcConfigExtension {
  /** chroma_format (chroma_format_idc of the SPS). */
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** SPS extension NAL units (usually none). */
  spsExt: Uint8Array[];
}

/** A parsed AVCDecoderConfigurationRecord; NAL units are views into the parsed bytes. */
export interface AvcDecoderConfig {
  /** AVCProfileIndication (profile_idc). */
  profile: number;
  /** profile_compatibility (the constraint flags byte). */
  profileCompatibility: number;
  /** AVCLevelIndication (level_idc). */
  level: number;
  /** NAL unit length field size of the samples (lengthSizeMinusOne + 1). */
  lengthSize: NalLengthSize;
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** Present when the record carries the High-profile extension. */
  extension?: AvcConfigExtension | undefined;
}

function readNalArray(data: Uint8Array, pos: number, count: number, what: string): { nals: Uint8Array[]; pos: number } {
  const nals: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (pos + 2 > data.length) throw new MalformedCodecData(FORMAT, `truncated ${what} length at byte ${pos}`);
    const len = ((data[pos] as number) << 8) | (data[pos + 1] as number);
    pos += 2;
    if (pos + len > data.length)
      throw new MalformedCodecData(
        FORMAT,
        `${what} of ${len} bytes at byte ${pos} runs past the end of ${data.length}`,
      );
    nals.push(data.subarray(pos, pos + len));
    pos += len;
  }
  return { nals, pos };
}

/** Parses an avcC. Throws MalformedCodecData when it is truncated or not version 1. */
export function parseAvcDecoderConfig(data: Uint8Array): AvcDecoderConfig {
  if (data.length < 7) throw new MalformedCodecData(FORMAT, `needs at least 7 bytes, got ${data.length}`);
  if (data[0] !== 1) throw new MalformedCodecData(FORMAT, `configurationVersion ${data[0]} is not 1`);
  const lengthSizeMinusOne = (data[4] as number) & 3;
  if (lengthSizeMinusOne === 2)
    throw new MalformedCodecData(FORMAT, 'lengthSizeMinusOne 2 (3-byte NAL lengths) is not supported');
  const spsCount = (data[5] as number) & 0x1f;
  const sps = readNalArray(data, 6, spsCount, 'sequenceParameterSet');
  let pos = sps.pos;
  if (pos >= data.length) throw new MalformedCodecData(FORMAT, 'truncated numOfPictureParameterSets');
  const ppsCount = data[pos++] as number;
  const pps = readNalArray(data, pos, ppsCount, 'pictureParameterSet');
  pos = pps.pos;
  const config: AvcDecoderConfig = {
    profile: data[1] as number,
    profileCompatibility: data[2] as number,
    level: data[3] as number,
    lengthSize: (lengthSizeMinusOne + 1) as NalLengthSize,
    sps: sps.nals,
    pps: pps.nals,
  };
  // The extension is optional in practice (many writers omit it): read it when present.
  if (hasExtension(config.profile) && pos + 4 <= data.length) {
    const chromaFormat = (data[pos] as number) & 3;
    const bitDepthLuma = ((data[pos + 1] as number) & 7) + 8;
    const bitDepthChroma = ((data[pos + 2] as number) & 7) + 8;
    const ext = readNalArray(data, pos + 4, data[pos + 3] as number, 'sequenceParameterSetExt');
    config.extension = { chromaFormat, bitDepthLuma, bitDepthChroma, spsExt: ext.nals };
  }
  return config;
}

function checkNals(nals: Uint8Array[], max: number, what: string): void {
  if (nals.length > max) throw new RangeError(`buildAvcDecoderConfig: at most ${max} ${what}, got ${nals.length}`);
  for (const n of nals)
    if (n.length > 0xffff) throw new RangeError(`buildAvcDecoderConfig: ${what} of ${n.length} bytes exceeds 65535`);
}

/** Builds an avcC (configurationVersion 1). */
export function buildAvcDecoderConfig(config: AvcDecoderConfig): Uint8Array {
  const { profile, profileCompatibility, level, lengthSize, sps, pps, extension } = config;
  for (const [name, v] of [
    ['profile', profile],
    ['profileCompatibility', profileCompatibility],
    ['level', level],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 255)
      throw new RangeError(`buildAvcDecoderConfig: ${name} must be 0..255, got ${v}`);
  }
  if (lengthSize !== 1 && lengthSize !== 2 && lengthSize !== 4)
    throw new RangeError(`buildAvcDecoderConfig: lengthSize must be 1, 2 or 4, got ${String(lengthSize)}`);
  checkNals(sps, 31, 'SPS');
  checkNals(pps, 255, 'PPS');
  if (extension) checkNals(extension.spsExt, 255, 'SPS extensions');
  let size = 7 + sps.reduce((a, n) => a + 2 + n.length, 0) + pps.reduce((a, n) => a + 2 + n.length, 0);
  if (extension) size += 4 + extension.spsExt.reduce((a, n) => a + 2 + n.length, 0);
  const out = new Uint8Array(size);
  out[0] = 1; // configurationVersion
  out[1] = profile; // AVCProfileIndication
  out[2] = profileCompatibility; // profile_compatibility
  out[3] = level; // AVCLevelIndication
  out[4] = 0xfc | (lengthSize - 1); // reserved=111111, lengthSizeMinusOne
  out[5] = 0xe0 | sps.length; // reserved=111, numOfSequenceParameterSets
  let pos = 6;
  const put = (n: Uint8Array): void => {
    out[pos] = n.length >> 8;
    out[pos + 1] = n.length & 0xff;
    out.set(n, pos + 2);
    pos += 2 + n.length;
  };
  sps.forEach(put);
  out[pos++] = pps.length; // numOfPictureParameterSets
  pps.forEach(put);
  if (extension) {
    out[pos++] = 0xfc | (extension.chromaFormat & 3); // reserved=111111, chroma_format
    out[pos++] = 0xf8 | ((extension.bitDepthLuma - 8) & 7); // reserved=11111, bit_depth_luma_minus8
    out[pos++] = 0xf8 | ((extension.bitDepthChroma - 8) & 7); // reserved=11111, bit_depth_chroma_minus8
    out[pos++] = extension.spsExt.length; // numOfSequenceParameterSetExt
    extension.spsExt.forEach(put);
  }
  return out;
}

/**
 * Builds an avcC (4-byte NAL lengths) from NAL units that include at least one SPS and
 * one PPS (e.g. those of an Annex B keyframe); other NAL units are ignored. Profile, level
 * and the High-profile extension come from the first SPS. Throws MalformedCodecData when
 * the SPS or PPS is missing or the SPS is invalid.
 */
export function buildAvcConfigFromNalUnits(nalUnits: Iterable<Uint8Array>): Uint8Array {
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  const spsExt: Uint8Array[] = [];
  for (const nal of nalUnits) {
    const type = h264NalUnitType(nal);
    if (type === H264NalUnitType.Sps && !sps.some((s) => equalBytes(s, nal))) sps.push(nal);
    else if (type === H264NalUnitType.Pps && !pps.some((s) => equalBytes(s, nal))) pps.push(nal);
    else if (type === H264NalUnitType.SpsExtension) spsExt.push(nal);
  }
  const first = sps[0];
  if (first === undefined) throw new MalformedCodecData(FORMAT, 'no SPS among the NAL units');
  if (pps.length === 0) throw new MalformedCodecData(FORMAT, 'no PPS among the NAL units');
  const parsed = parseH264Sps(first);
  return buildAvcDecoderConfig({
    profile: parsed.profileIdc,
    profileCompatibility: parsed.constraintFlags,
    level: parsed.levelIdc,
    lengthSize: 4,
    sps,
    pps,
    extension: hasExtension(parsed.profileIdc)
      ? {
          chromaFormat: parsed.chromaFormatIdc,
          bitDepthLuma: parsed.bitDepthLuma,
          bitDepthChroma: parsed.bitDepthChroma,
          spsExt,
        }
      : undefined,
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
