/** Builds an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) from one SPS and one PPS found in-band. */

/** The record for `sps` and `pps` (NAL units without start codes), with 4-byte NAL lengths. */
export function buildAvcConfigurationRecord(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  const profile = sps[1] ?? 0;
  // High profiles carry chroma_format/bit depth fields; absent here (readers default to 4:2:0 8-bit)
  const out = new Uint8Array(6 + 2 + sps.length + 1 + 2 + pps.length);
  out[0] = 1; // configurationVersion
  out[1] = profile; // AVCProfileIndication
  out[2] = sps[2] ?? 0; // profile_compatibility
  out[3] = sps[3] ?? 0; // AVCLevelIndication
  out[4] = 0xfc | 3; // reserved=111111, lengthSizeMinusOne=3
  out[5] = 0xe0 | 1; // reserved=111, numOfSequenceParameterSets=1
  out[6] = sps.length >> 8;
  out[7] = sps.length & 0xff;
  out.set(sps, 8);
  let p = 8 + sps.length;
  out[p++] = 1; // numOfPictureParameterSets
  out[p++] = pps.length >> 8;
  out[p++] = pps.length & 0xff;
  out.set(pps, p);
  return out;
}
