/**
 * H.264 sequence parameter set parser (ITU-T H.264 7.3.2.1.1 and E.1.1 up to the timing
 * info): profile, constraint flags, level, chroma format, bit depth, frame size with
 * cropping, sample aspect ratio and frame rate from the VUI when present.
 */
import { BitReader } from './bit-reader.js';
import { readWindowOffsets, type WindowOffsets } from './sps-window.js';
import { readVuiPictureInfo, type VuiPictureInfo } from './vui.js';
import { MalformedCodecData } from './errors.js';
import { H264NalUnitType, h264NalUnitType } from './nal-unit-type.js';

const FORMAT = 'h264-sps';

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** A parsed H.264 SPS (sample aspect ratio 1:1 when its VUI signals none). */
export interface H264Sps extends VuiPictureInfo {
  profileIdc: number;
  /** The byte after profile_idc: constraint_set0_flag (0x80) .. constraint_set5_flag (0x04), reserved_zero_2bits. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  /** 0 (monochrome), 1 (4:2:0), 2 (4:2:2), 3 (4:4:4). */
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  maxNumRefFrames: number;
  frameMbsOnly: boolean;
  mbAdaptiveFrameField: boolean;
  direct8x8Inference: boolean;
  /** frame_crop_*_offset in crop units (0 when frame_cropping_flag is 0). */
  crop: WindowOffsets;
  /** Decoded frame size before cropping, in luma samples. */
  codedWidth: number;
  codedHeight: number;
  /** Displayed frame size after cropping, in luma samples. */
  width: number;
  height: number;
  /** VUI timing_info when present. */
  timing?: { numUnitsInTick: number; timeScale: number; fixedFrameRate: boolean } | undefined;
  /** Frames per second from timing_info (time_scale / (2 × num_units_in_tick)), when present. */
  frameRate?: number | undefined;
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.readSeRange(-128, 127, 'delta_scale');
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

/**
 * Parses an H.264 SPS NAL unit (with its 1-byte NAL header, emulation prevention bytes
 * allowed). Throws MalformedCodecData when it is not an SPS, is truncated, or a field is
 * out of its legal range.
 */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4) throw new MalformedCodecData(FORMAT, `SPS of ${nal.length} bytes is too short`);
  const type = h264NalUnitType(nal);
  if (type !== H264NalUnitType.Sps) throw new MalformedCodecData(FORMAT, `nal_unit_type ${type} is not an SPS (7)`);
  const r = new BitReader(nal.subarray(1), { emulationPrevention: true, format: FORMAT });
  const profileIdc = r.readBits(8);
  const constraintFlags = r.readBits(8);
  const levelIdc = r.readBits(8);
  const spsId = r.readUeMax(31, 'seq_parameter_set_id');
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.readUeMax(3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.readFlag();
    bitDepthLuma = 8 + r.readUeMax(6, 'bit_depth_luma_minus8');
    bitDepthChroma = 8 + r.readUeMax(6, 'bit_depth_chroma_minus8');
    r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
    if (r.readFlag()) {
      // seq_scaling_matrix_present_flag
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.readFlag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  const log2MaxFrameNum = 4 + r.readUeMax(12, 'log2_max_frame_num_minus4');
  const picOrderCntType = r.readUeMax(2, 'pic_order_cnt_type');
  if (picOrderCntType === 0) {
    r.readUeMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (picOrderCntType === 1) {
    r.skipBits(1); // delta_pic_order_always_zero_flag
    r.readSe(); // offset_for_non_ref_pic
    r.readSe(); // offset_for_top_to_bottom_field
    const cycle = r.readUeMax(255, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < cycle; i++) r.readSe(); // offset_for_ref_frame
  }
  const maxNumRefFrames = r.readUeMax(16, 'max_num_ref_frames');
  r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.readUeMax(1023, 'pic_width_in_mbs_minus1') + 1;
  const heightInMapUnits = r.readUeMax(1023, 'pic_height_in_map_units_minus1') + 1;
  const frameMbsOnly = r.readFlag();
  const mbAdaptiveFrameField = frameMbsOnly ? false : r.readFlag();
  const direct8x8Inference = r.readFlag();
  const crop = readWindowOffsets(r, 8192, 'frame_crop');
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 3 ? 1 : 2;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
  const codedWidth = widthInMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
  const width = codedWidth - cropUnitX * (crop.left + crop.right);
  const height = codedHeight - cropUnitY * (crop.top + crop.bottom);
  if (width <= 0 || height <= 0)
    throw new MalformedCodecData(FORMAT, `cropping leaves an empty frame (${width}x${height})`);
  const sps: H264Sps = {
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    separateColourPlane,
    bitDepthLuma,
    bitDepthChroma,
    log2MaxFrameNum,
    picOrderCntType,
    maxNumRefFrames,
    frameMbsOnly,
    mbAdaptiveFrameField,
    direct8x8Inference,
    crop,
    codedWidth,
    codedHeight,
    width,
    height,
    sarWidth: 1,
    sarHeight: 1,
  };
  if (r.readFlag()) {
    try {
      readVui(r, sps);
    } catch (e) {
      // a truncated VUI (seen in the wild) does not invalidate the fields before it
      if (!(e instanceof MalformedCodecData)) throw e;
    }
  }
  return sps;
}

/** vui_parameters() up to timing_info (E.1.1). */
function readVui(r: BitReader, sps: H264Sps): void {
  readVuiPictureInfo(r, sps);
  if (r.readFlag()) {
    // timing_info_present_flag
    const numUnitsInTick = r.readBits(32);
    const timeScale = r.readBits(32);
    const fixedFrameRate = r.readFlag();
    sps.timing = { numUnitsInTick, timeScale, fixedFrameRate };
    if (numUnitsInTick > 0 && timeScale > 0) sps.frameRate = timeScale / (2 * numUnitsInTick);
  }
}
