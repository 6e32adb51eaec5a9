/**
 * MPEG audio (MPEG-1/2/2.5 Layer I/II/III, ISO/IEC 11172-3 and 13818-3) frame headers:
 * parse, and split a byte stream (e.g. MPEG-TS PES payloads) into frames.
 */
import { MalformedCodecData } from './errors.js';
import { SyncFrameSplitter, type SyncFrame, type SyncFrameFormat } from './sync-frame-splitter.js';

/** Size of an MPEG audio frame header (without CRC). */
export const MPEG_AUDIO_HEADER_SIZE = 4;
/** Largest MPEG audio frame (Layer II at 384 kbit/s and 8 kHz is 6913 bytes, with padding). */
export const MPEG_AUDIO_MAX_FRAME_LENGTH = 6913;

/** The MPEG audio data is invalid (bad sync, reserved version/layer/bitrate/rate, free format). */
export class MpegAudioError extends MalformedCodecData {
  constructor(message: string) {
    super('mpeg-audio', message);
    this.name = 'MpegAudioError';
  }
}

/** A parsed MPEG audio frame header. */
export interface MpegAudioHeader {
  /** 1 (MPEG-1), 2 (MPEG-2 LSF), 2.5 (MPEG-2.5). */
  version: 1 | 2 | 2.5;
  /** 1, 2 or 3. */
  layer: 1 | 2 | 3;
  /** protection_bit = 0: a 16-bit CRC follows the header. */
  hasCrc: boolean;
  /** Bits per second. */
  bitrate: number;
  sampleRate: number;
  padding: boolean;
  /** mode: 0 stereo, 1 joint stereo, 2 dual channel, 3 single channel. */
  channelMode: number;
  channels: 1 | 2;
  /** Bytes of the whole frame, header included. */
  frameLength: number;
  /** Samples per channel in the frame (384, 576 or 1152). */
  samplesPerFrame: number;
}

// kbit/s by bitrate_index 1..14
const BITRATES_V1: Record<number, readonly number[]> = {
  1: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  2: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  3: [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
};
const BITRATES_V2_L1 = [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
const BITRATES_V2_L23 = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES_V1 = [44100, 48000, 32000];

function problemOrHeader(data: Uint8Array, offset: number): string | MpegAudioHeader {
  if (offset < 0 || offset + 4 > data.length)
    return `header needs 4 bytes, ${Math.max(0, data.length - offset)} available`;
  const b1 = data[offset + 1] as number;
  const b2 = data[offset + 2] as number;
  const b3 = data[offset + 3] as number;
  if (data[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return `no frame sync at byte ${offset}`;
  const versionBits = (b1 >> 3) & 3;
  if (versionBits === 1) return 'reserved version ID';
  const layerBits = (b1 >> 1) & 3;
  if (layerBits === 0) return 'reserved layer';
  const bitrateIndex = b2 >> 4;
  if (bitrateIndex === 15) return 'bad bitrate_index 15';
  if (bitrateIndex === 0) return 'free-format bitrate is not supported';
  const rateIndex = (b2 >> 2) & 3;
  if (rateIndex === 3) return 'reserved sampling_frequency 3';
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const table =
    version === 1 ? (BITRATES_V1[layer] as readonly number[]) : layer === 1 ? BITRATES_V2_L1 : BITRATES_V2_L23;
  const bitrate = (table[bitrateIndex - 1] as number) * 1000;
  const sampleRate = (SAMPLE_RATES_V1[rateIndex] as number) / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const padding = ((b2 >> 1) & 1) === 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const frameLength =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + (padding ? 1 : 0)) * 4
      : Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + (padding ? 1 : 0);
  const channelMode = b3 >> 6;
  return {
    version,
    layer,
    hasCrc: (b1 & 1) === 0,
    bitrate,
    sampleRate,
    padding,
    channelMode,
    channels: channelMode === 3 ? 1 : 2,
    frameLength,
    samplesPerFrame,
  };
}

/** True when a valid MPEG audio frame header starts at `data[offset]`. */
export function isMpegAudioHeader(data: Uint8Array, offset = 0): boolean {
  return typeof problemOrHeader(data, offset) !== 'string';
}

/** Parses the MPEG audio frame header at `data[offset]`; throws MpegAudioError when invalid. */
export function parseMpegAudioHeader(data: Uint8Array, offset = 0): MpegAudioHeader {
  const r = problemOrHeader(data, offset);
  if (typeof r === 'string') throw new MpegAudioError(r);
  return r;
}

/** One MPEG audio frame found by {@link MpegAudioFrameSplitter}. */
export type MpegAudioFrame = SyncFrame<MpegAudioHeader>;

const MPEG_AUDIO_FRAMING: SyncFrameFormat<MpegAudioHeader> = {
  headerSize: MPEG_AUDIO_HEADER_SIZE,
  maxFrameLength: MPEG_AUDIO_MAX_FRAME_LENGTH,
  probe: (data, offset) => {
    const r = problemOrHeader(data, offset);
    return typeof r === 'string' ? undefined : r;
  },
  frameLength: (h) => h.frameLength,
  headerLength: (h) => (h.hasCrc ? 6 : 4),
  error: (message) => new MpegAudioError(message),
};

/**
 * Splits a stream of MPEG audio bytes arriving in arbitrary pieces into frames (views
 * when within one chunk; see {@link SyncFrameSplitter}). ID3 tags and other non-frame
 * bytes are skipped and reported to onError.
 */
export class MpegAudioFrameSplitter extends SyncFrameSplitter<MpegAudioHeader, MpegAudioError> {
  constructor(onFrame: (frame: MpegAudioFrame) => void, options: { onError?: (error: MpegAudioError) => void } = {}) {
    super(MPEG_AUDIO_FRAMING, onFrame, options.onError);
  }
}
