/** MPEG-1/2/2.5 audio frame headers (ISO/IEC 11172-3 §2.4.2.3): just what frame splitting needs. */

/** Size and timing of one MPEG audio frame. */
export interface MpegAudioFrameInfo {
  frameLength: number;
  /** Samples per channel in the frame. */
  samples: number;
  sampleRate: number;
  channels: number;
}

const BITRATES_V1 = [
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // layer I
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // layer II
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // layer III
];
const BITRATES_V2 = [
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256], // layer I
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], // layers II, III
];
const RATES = [44100, 48000, 32000];

/** Parses the 4-byte header at `data[offset]`; undefined when it is not a valid frame header. */
export function mpegAudioFrameInfo(data: Uint8Array, offset: number): MpegAudioFrameInfo | undefined {
  if (offset + 4 > data.length) return undefined;
  const b1 = data[offset + 1]!;
  const b2 = data[offset + 2]!;
  // frame sync (11 bits)
  if (data[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3; // 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
  const layerBits = (b1 >> 1) & 3; // 01 III, 10 II, 11 I
  if (versionBits === 1 || layerBits === 0) return undefined;
  const layer = 4 - layerBits;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const mpeg1 = versionBits === 3;
  const sampleRate = RATES[rateIndex]! / (mpeg1 ? 1 : versionBits === 2 ? 2 : 4);
  const kbps = mpeg1 ? BITRATES_V1[layer - 1]![bitrateIndex]! : BITRATES_V2[layer === 1 ? 0 : 1]![bitrateIndex]!;
  const padding = (b2 >> 1) & 1;
  const channels = (data[offset + 3]! >> 6) === 3 ? 1 : 2;
  let samples: number;
  let frameLength: number;
  if (layer === 1) {
    samples = 384;
    frameLength = (Math.floor((12 * kbps * 1000) / sampleRate) + padding) * 4;
  } else {
    samples = layer === 3 && !mpeg1 ? 576 : 1152;
    frameLength = Math.floor(((samples / 8) * kbps * 1000) / sampleRate) + padding;
  }
  return { frameLength, samples, sampleRate, channels };
}
