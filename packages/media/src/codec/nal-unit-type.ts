/** NAL unit types of H.264 (ITU-T H.264 Table 7-1) and H.265 (ITU-T H.265 Table 7-1). */

/** H.264 nal_unit_type values Sluice cares about. */
export const H264NalUnitType = {
  NonIdrSlice: 1,
  IdrSlice: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  Aud: 9,
  EndOfSequence: 10,
  EndOfStream: 11,
  Filler: 12,
  SpsExtension: 13,
} as const;

/** H.265 nal_unit_type values Sluice cares about. */
export const H265NalUnitType = {
  TrailN: 0,
  TrailR: 1,
  BlaWLp: 16,
  BlaWRadl: 17,
  BlaNLp: 18,
  IdrWRadl: 19,
  IdrNLp: 20,
  Cra: 21,
  Vps: 32,
  Sps: 33,
  Pps: 34,
  Aud: 35,
  EndOfSequence: 36,
  EndOfBitstream: 37,
  Filler: 38,
  PrefixSei: 39,
  SuffixSei: 40,
} as const;

/** nal_unit_type of an H.264 NAL unit (low 5 bits of its first byte); -1 when empty. */
export function h264NalUnitType(nal: Uint8Array): number {
  const b = nal[0];
  return b === undefined ? -1 : b & 0x1f;
}

/** nal_unit_type of an H.265 NAL unit (bits 1..6 of its first byte); -1 when empty. */
export function h265NalUnitType(nal: Uint8Array): number {
  const b = nal[0];
  return b === undefined ? -1 : (b >> 1) & 0x3f;
}

/** True for an H.264 IDR slice (nal_unit_type 5). */
export function isH264IdrType(type: number): boolean {
  return type === H264NalUnitType.IdrSlice;
}

/** True for an H.265 IRAP picture (BLA, IDR, CRA: nal_unit_type 16..23). */
export function isH265IrapType(type: number): boolean {
  return type >= 16 && type <= 23;
}

/**
 * An H.264 access unit delimiter NAL unit (no start code): nal_unit_type=9,
 * primary_pic_type=7 (any slice type), rbsp_stop_one_bit. Shared: do not modify.
 */
export const H264_AUD_NAL: Uint8Array = new Uint8Array([0x09, 0xf0]);

/**
 * An H.265 access unit delimiter NAL unit (no start code): nal_unit_type=35,
 * nuh_layer_id=0, nuh_temporal_id_plus1=1, pic_type=2 (I, P, B), rbsp_stop_one_bit.
 * Shared: do not modify.
 */
export const H265_AUD_NAL: Uint8Array = new Uint8Array([0x46, 0x01, 0x50]);
