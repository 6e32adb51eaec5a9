/**
 * The start of vui_parameters() that H.264 (ITU-T H.264 E.1.1) and H.265 (ITU-T H.265
 * E.2.1) share: aspect_ratio_info, overscan_info, video_signal_type and chroma_loc_info.
 */
import type { BitReader } from './bit-reader.js';

/** Sample aspect ratios of aspect_ratio_idc 0..16 (Table E-1 in both specs; 0 = unspecified). */
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

/** The picture fields the shared VUI prefix fills in. */
export interface VuiPictureInfo {
  /** Sample aspect ratio (left as is when not signalled: the SPS parsers start it at 1:1). */
  sarWidth: number;
  sarHeight: number;
  videoFullRange?: boolean | undefined;
  colourPrimaries?: number | undefined;
  transferCharacteristics?: number | undefined;
  matrixCoefficients?: number | undefined;
}

/** Reads the VUI fields common to H.264 and H.265, up to and including chroma_loc_info, into `out`. */
export function readVuiPictureInfo(r: BitReader, out: VuiPictureInfo): void {
  if (r.readFlag()) {
    // aspect_ratio_info_present_flag
    const idc = r.readBits(8); // aspect_ratio_idc
    if (idc === 255) {
      // Extended_SAR: sar_width, sar_height
      out.sarWidth = r.readBits(16);
      out.sarHeight = r.readBits(16);
    } else {
      const sar = SAR_TABLE[idc];
      if (sar && idc > 0) [out.sarWidth, out.sarHeight] = sar;
    }
  }
  if (r.readFlag()) r.skipBits(1); // overscan_info_present_flag, overscan_appropriate_flag
  if (r.readFlag()) {
    // video_signal_type_present_flag
    r.skipBits(3); // video_format
    out.videoFullRange = r.readFlag(); // video_full_range_flag
    if (r.readFlag()) {
      // colour_description_present_flag
      out.colourPrimaries = r.readBits(8);
      out.transferCharacteristics = r.readBits(8);
      out.matrixCoefficients = r.readBits(8);
    }
  }
  if (r.readFlag()) {
    // chroma_loc_info_present_flag
    r.readUe(); // chroma_sample_loc_type_top_field
    r.readUe(); // chroma_sample_loc_type_bottom_field
  }
}
