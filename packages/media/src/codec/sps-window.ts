/** The frame window an H.264 or H.265 SPS may signal: frame cropping (H.264) or the conformance window (H.265). */
import type { BitReader } from './bit-reader.js';

/** Offsets of the frame's edges in the units the spec gives them (crop units, chroma samples); 0 without a window. */
export interface WindowOffsets {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * Reads a window flag (frame_cropping_flag, conformance_window_flag) and, when it is set, the four
 * ue(v) offsets after it (`<prefix>_left_offset`, right, top, bottom), each at most `max`.
 */
export function readWindowOffsets(r: BitReader, max: number, prefix: 'frame_crop' | 'conf_win'): WindowOffsets {
  const win = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.readFlag()) {
    win.left = r.readUeMax(max, `${prefix}_left_offset`);
    win.right = r.readUeMax(max, `${prefix}_right_offset`);
    win.top = r.readUeMax(max, `${prefix}_top_offset`);
    win.bottom = r.readUeMax(max, `${prefix}_bottom_offset`);
  }
  return win;
}
