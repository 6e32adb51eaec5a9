/**
 * Parameter sets and NAL length size of an AVCDecoderConfigurationRecord (parsed by
 * @sluice/media) or an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3; read here
 * until @sluice/media has an hvcC parser), as the muxer needs them.
 */
import type { NalLengthSize } from '@sluice/media';
import { parseAvcDecoderConfig } from '@sluice/media';
import { TsMuxError } from './errors.js';

/** What the muxer takes from a video configuration record. */
export interface VideoParameterSets {
  lengthSize: NalLengthSize;
  /** VPS, SPS, PPS (in record order), as views of the record. */
  nalUnits: Uint8Array[];
}

function lengthSizeOf(minusOne: number): NalLengthSize {
  if (minusOne === 2) throw new TsMuxError('lengthSizeMinusOne 2 (3-byte NAL lengths) is not allowed');
  return (minusOne + 1) as NalLengthSize;
}

/** Reads the parameter sets of an avcC / hvcC record; throws TsMuxError when it is malformed. */
export function parameterSetsOf(codec: 'h264' | 'h265', record: Uint8Array): VideoParameterSets {
  const nalUnits: Uint8Array[] = [];
  let p: number;
  const take = (): void => {
    if (p + 2 > record.length) throw new TsMuxError(`${codec} configuration record truncated at byte ${p}`);
    const len = (record[p]! << 8) | record[p + 1]!;
    p += 2;
    if (p + len > record.length) throw new TsMuxError(`${codec} configuration record: parameter set of ${len} bytes runs past the end`);
    if (len > 0) nalUnits.push(record.subarray(p, p + len));
    p += len;
  };
  if (codec === 'h264') {
    try {
      const avc = parseAvcDecoderConfig(record);
      return { lengthSize: avc.lengthSize, nalUnits: [...avc.sps, ...avc.pps] };
    } catch (error) {
      throw new TsMuxError(`h264 configuration record: ${(error as Error).message}`);
    }
  }
  // 22 bytes of profile/level/format fields, lengthSizeMinusOne in the low bits of byte 21, numOfArrays at 22
  if (record.length < 23 || record[0] !== 1) throw new TsMuxError('h265 configuration record is not an HEVCDecoderConfigurationRecord');
  const lengthSize = lengthSizeOf(record[21]! & 0x03);
  const arrays = record[22]!;
  p = 23;
  for (let a = 0; a < arrays; a++) {
    // array_completeness(1) reserved(1) NAL_unit_type(6), numNalus(16)
    if (p + 3 > record.length) throw new TsMuxError(`h265 configuration record truncated at array ${a}`);
    const count = (record[p + 1]! << 8) | record[p + 2]!;
    p += 3;
    for (let i = 0; i < count; i++) take();
  }
  return { lengthSize, nalUnits };
}
