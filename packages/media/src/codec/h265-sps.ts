/**
 * H.265 sequence parameter set parser (ITU-T H.265 7.3.2.2 and E.2.1 up to the timing
 * info): profile/tier/level (with sub-layers), chroma format, bit depth, frame size with
 * the conformance window, and frame rate from the VUI when present.
 */
import { BitReader } from './bit-reader.js';
import { readWindowOffsets, type WindowOffsets } from './sps-window.js';
import { readVuiPictureInfo, type VuiPictureInfo } from './vui.js';
import { MalformedCodecData } from './errors.js';
import { H265NalUnitType, h265NalUnitType } from './nal-unit-type.js';

const FORMAT = 'h265-sps';

/** general_* fields of profile_tier_level() (7.3.3), as hvcC carries them. */
export interface H265ProfileTierLevel {
  /** general_profile_space (0..3). */
  profileSpace: number;
  /** general_tier_flag: 0 Main tier, 1 High tier. */
  tier: number;
  /** general_profile_idc (1 Main, 2 Main 10, 3 Main Still Picture, 4 RExt, ...). */
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31] as a 32-bit unsigned number (flag 0 is the MSB). */
  profileCompatibilityFlags: number;
  /** The 48 bits from general_progressive_source_flag to general_inbld_flag/reserved, as a number. */
  constraintIndicatorFlags: number;
  /** general_level_idc (30 × level number, e.g. 93 = level 3.1). */
  levelIdc: number;
}

/** A parsed H.265 SPS (sample aspect ratio 1:1 when its VUI signals none). */
export interface H265Sps extends H265ProfileTierLevel, VuiPictureInfo {
  vpsId: number;
  /** sps_max_sub_layers_minus1 + 1. */
  maxSubLayers: number;
  temporalIdNesting: boolean;
  spsId: number;
  /** 0 (monochrome), 1 (4:2:0), 2 (4:2:2), 3 (4:4:4). */
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  /** pic_width/height_in_luma_samples (before the conformance window). */
  codedWidth: number;
  codedHeight: number;
  /** conf_win_*_offset in chroma sample units (0 without a window). */
  conformanceWindow: WindowOffsets;
  /** Frame size after the conformance window, in luma samples. */
  width: number;
  height: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** VUI timing when present. */
  timing?: { numUnitsInTick: number; timeScale: number } | undefined;
  /** Frames per second (vui_time_scale / vui_num_units_in_tick) when present. */
  frameRate?: number | undefined;
  /** min_spatial_segmentation_idc from VUI bitstream_restriction (0 when absent or not reached). */
  minSpatialSegmentationIdc: number;
}

/** Reads profile_tier_level(1, maxSubLayersMinus1) and returns its general_* fields. */
export function readH265ProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): H265ProfileTierLevel {
  const profileSpace = r.readBits(2);
  const tier = r.readBits(1);
  const profileIdc = r.readBits(5);
  const profileCompatibilityFlags = r.readBits(32);
  const constraintIndicatorFlags = r.readBits(16) * 2 ** 32 + r.readBits(32);
  const levelIdc = r.readBits(8);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.readFlag());
    levelPresent.push(r.readFlag());
  }
  if (maxSubLayersMinus1 > 0) r.skipBits(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.skipBits(88); // sub_layer profile space .. constraint flags
    if (levelPresent[i]) r.skipBits(8); // sub_layer_level_idc
  }
  return { profileSpace, tier, profileIdc, profileCompatibilityFlags, constraintIndicatorFlags, levelIdc };
}

function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.readFlag()) {
        r.readUeMax(matrixId, 'scaling_list_pred_matrix_id_delta');
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.readSeRange(-7, 247, 'scaling_list_dc_coef_minus8');
        for (let i = 0; i < coefNum; i++) r.readSeRange(-128, 127, 'scaling_list_delta_coef');
      }
    }
  }
}

/** Reads st_ref_pic_set(idx) (7.3.7) given NumDeltaPocs of the previous sets; returns NumDeltaPocs[idx]. */
function readShortTermRefPicSet(r: BitReader, idx: number, numDeltaPocs: number[]): number {
  if (idx !== 0 && r.readFlag()) {
    // inter_ref_pic_set_prediction_flag (delta_idx_minus1 only appears in slice headers)
    r.skipBits(1); // delta_rps_sign
    r.readUeMax(2 ** 15 - 1, 'abs_delta_rps_minus1');
    const ref = numDeltaPocs[idx - 1] as number;
    let count = 0;
    for (let j = 0; j <= ref; j++) {
      const usedByCurrPic = r.readFlag();
      const useDelta = usedByCurrPic ? true : r.readFlag();
      if (useDelta) count++;
    }
    return count;
  }
  const negative = r.readUeMax(16, 'num_negative_pics');
  const positive = r.readUeMax(16, 'num_positive_pics');
  for (let i = 0; i < negative + positive; i++) {
    r.readUeMax(2 ** 15 - 1, 'delta_poc_minus1');
    r.skipBits(1); // used_by_curr_pic_flag
  }
  return negative + positive;
}

/**
 * Parses an H.265 SPS NAL unit (with its 2-byte NAL header, emulation prevention bytes
 * allowed). Throws MalformedCodecData when it is not an SPS, is truncated, or a field is
 * out of its legal range. A truncated or unusual VUI keeps the fields read before it.
 */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 4) throw new MalformedCodecData(FORMAT, `SPS of ${nal.length} bytes is too short`);
  const type = h265NalUnitType(nal);
  if (type !== H265NalUnitType.Sps) throw new MalformedCodecData(FORMAT, `nal_unit_type ${type} is not an SPS (33)`);
  const r = new BitReader(nal.subarray(2), { emulationPrevention: true, format: FORMAT });
  const vpsId = r.readBits(4);
  const maxSubLayersMinus1 = r.readBits(3);
  if (maxSubLayersMinus1 > 6)
    throw new MalformedCodecData(FORMAT, `sps_max_sub_layers_minus1=${maxSubLayersMinus1} exceeds 6`);
  const temporalIdNesting = r.readFlag();
  const ptl = readH265ProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.readUeMax(15, 'sps_seq_parameter_set_id');
  const chromaFormatIdc = r.readUeMax(3, 'chroma_format_idc');
  const separateColourPlane = chromaFormatIdc === 3 ? r.readFlag() : false;
  const codedWidth = r.readUeMax(65535, 'pic_width_in_luma_samples');
  const codedHeight = r.readUeMax(65535, 'pic_height_in_luma_samples');
  const win = readWindowOffsets(r, 65535, 'conf_win');
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const width = codedWidth - subWidthC * (win.left + win.right);
  const height = codedHeight - subHeightC * (win.top + win.bottom);
  if (width <= 0 || height <= 0)
    throw new MalformedCodecData(FORMAT, `conformance window leaves an empty frame (${width}x${height})`);
  const bitDepthLuma = 8 + r.readUeMax(8, 'bit_depth_luma_minus8');
  const bitDepthChroma = 8 + r.readUeMax(8, 'bit_depth_chroma_minus8');
  const sps: H265Sps = {
    ...ptl,
    vpsId,
    maxSubLayers: maxSubLayersMinus1 + 1,
    temporalIdNesting,
    spsId,
    chromaFormatIdc,
    separateColourPlane,
    codedWidth,
    codedHeight,
    conformanceWindow: win,
    width,
    height,
    bitDepthLuma,
    bitDepthChroma,
    sarWidth: 1,
    sarHeight: 1,
    minSpatialSegmentationIdc: 0,
  };
  try {
    readRest(r, sps, maxSubLayersMinus1);
  } catch (e) {
    // fields after the frame size only feed optional values (frame rate, SAR)
    if (!(e instanceof MalformedCodecData)) throw e;
  }
  return sps;
}

function readRest(r: BitReader, sps: H265Sps, maxSubLayersMinus1: number): void {
  const log2MaxPocLsb = 4 + r.readUeMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  const orderingInfoPresent = r.readFlag();
  for (let i = orderingInfoPresent ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.readUe(); // sps_max_dec_pic_buffering_minus1
    r.readUe(); // sps_max_num_reorder_pics
    r.readUe(); // sps_max_latency_increase_plus1
  }
  r.readUe(); // log2_min_luma_coding_block_size_minus3
  r.readUe(); // log2_diff_max_min_luma_coding_block_size
  r.readUe(); // log2_min_luma_transform_block_size_minus2
  r.readUe(); // log2_diff_max_min_luma_transform_block_size
  r.readUe(); // max_transform_hierarchy_depth_inter
  r.readUe(); // max_transform_hierarchy_depth_intra
  if (r.readFlag() && r.readFlag()) skipScalingListData(r); // scaling_list_enabled, sps_scaling_list_data_present
  r.skipBits(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.readFlag()) {
    // pcm_enabled_flag
    r.skipBits(8); // pcm_sample_bit_depth_luma/chroma_minus1
    r.readUe(); // log2_min_pcm_luma_coding_block_size_minus3
    r.readUe(); // log2_diff_max_min_pcm_luma_coding_block_size
    r.skipBits(1); // pcm_loop_filter_disabled_flag
  }
  const numShortTermRefPicSets = r.readUeMax(64, 'num_short_term_ref_pic_sets');
  const numDeltaPocs: number[] = [];
  for (let i = 0; i < numShortTermRefPicSets; i++) numDeltaPocs.push(readShortTermRefPicSet(r, i, numDeltaPocs));
  if (r.readFlag()) {
    // long_term_ref_pics_present_flag
    const n = r.readUeMax(32, 'num_long_term_ref_pics_sps');
    for (let i = 0; i < n; i++) r.skipBits(log2MaxPocLsb + 1); // lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag
  }
  r.skipBits(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (r.readFlag()) readVui(r, sps);
}

/** vui_parameters() (E.2.1) up to timing info, then bitstream_restriction when no HRD precedes it. */
function readVui(r: BitReader, sps: H265Sps): void {
  readVuiPictureInfo(r, sps);
  r.skipBits(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
  if (r.readFlag()) {
    // default_display_window_flag
    for (let i = 0; i < 4; i++) r.readUe();
  }
  if (r.readFlag()) {
    // vui_timing_info_present_flag
    const numUnitsInTick = r.readBits(32);
    const timeScale = r.readBits(32);
    sps.timing = { numUnitsInTick, timeScale };
    if (numUnitsInTick > 0 && timeScale > 0) sps.frameRate = timeScale / numUnitsInTick;
    if (r.readFlag()) r.readUe(); // vui_poc_proportional_to_timing_flag, vui_num_ticks_poc_diff_one_minus1
    if (r.readFlag()) return; // vui_hrd_parameters_present_flag: hrd_parameters() not parsed
  }
  if (r.readFlag()) {
    // bitstream_restriction_flag
    r.skipBits(3); // tiles_fixed_structure, motion_vectors_over_pic_boundaries, restricted_ref_pic_lists
    sps.minSpatialSegmentationIdc = r.readUeMax(4095, 'min_spatial_segmentation_idc');
  }
}
