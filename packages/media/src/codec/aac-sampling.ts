/** MPEG-4 audio sampling frequency table (ISO/IEC 14496-3 Table 1.18). */

/** Sampling frequencies by samplingFrequencyIndex 0..12 (13, 14 reserved; 15 = explicit). */
export const AAC_SAMPLING_FREQUENCIES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** samplingFrequencyIndex of a sample rate, or -1 when it has none (needs the explicit form). */
export function aacSamplingFrequencyIndex(sampleRate: number): number {
  return AAC_SAMPLING_FREQUENCIES.indexOf(sampleRate);
}

/** Channel count of channelConfiguration 1..7 (ISO/IEC 14496-3 Table 1.19); 0 for 0 (PCE) or reserved. */
export function aacChannelCount(channelConfiguration: number): number {
  if (channelConfiguration >= 1 && channelConfiguration <= 6) return channelConfiguration;
  if (channelConfiguration === 7) return 8;
  return 0;
}
