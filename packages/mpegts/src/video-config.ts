/**
 * Parameter sets (VPS, SPS, PPS order) and NAL length size of an avcC or hvcC record
 * (parsed by @sluice/media), as the muxer needs them to insert on keyframes.
 */
import type { NalLengthSize } from '@sluice/media';
import { H265NalUnitType, parseAvcDecoderConfig, parseHevcDecoderConfig } from '@sluice/media';
import { TsMuxError } from './errors.js';

/** What the muxer takes from a video configuration record. */
export interface VideoParameterSets {
  lengthSize: NalLengthSize;
  /** VPS, SPS, PPS in that order, as views of the record. */
  nalUnits: Uint8Array[];
}

/** Reads the parameter sets of an avcC / hvcC record; throws TsMuxError when it is malformed. */
export function parameterSetsOf(codec: 'h264' | 'h265', record: Uint8Array): VideoParameterSets {
  if (codec === 'h264') {
    try {
      const avc = parseAvcDecoderConfig(record);
      return { lengthSize: avc.lengthSize, nalUnits: [...avc.sps, ...avc.pps] };
    } catch (error) {
      throw new TsMuxError(`h264 configuration record: ${(error as Error).message}`);
    }
  }
  try {
    const hevc = parseHevcDecoderConfig(record);
    const nalUnits: Uint8Array[] = [];
    for (const type of [H265NalUnitType.Vps, H265NalUnitType.Sps, H265NalUnitType.Pps])
      for (const array of hevc.arrays) if (array.nalUnitType === type) nalUnits.push(...array.nalUnits);
    return { lengthSize: hevc.lengthSize, nalUnits };
  } catch (error) {
    throw new TsMuxError(`h265 configuration record: ${(error as Error).message}`);
  }
}
