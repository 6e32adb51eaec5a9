/**
 * ADTS (Audio Data Transport Stream, ISO/IEC 14496-3 1.A.2) headers: build into a
 * caller's buffer, parse, and split a byte stream (e.g. MPEG-TS PES payloads) into frames.
 */
import { AAC_SAMPLING_FREQUENCIES, aacChannelCount } from './aac-sampling.js';
import { buildAudioSpecificConfig, type AudioSpecificConfig } from './aac.js';
import { MalformedCodecData } from './errors.js';
import { SyncFrameSplitter, type SyncFrame, type SyncFrameFormat } from './sync-frame-splitter.js';

/** Size of an ADTS header without CRC. */
export const ADTS_HEADER_SIZE = 7;
/** Largest aac_frame_length (13 bits). */
export const ADTS_MAX_FRAME_LENGTH = 8191;

/** The ADTS stream is invalid (bad sync word, layer, frequency index or frame length). */
export class AdtsError extends MalformedCodecData {
  constructor(message: string) {
    super('adts', message);
    this.name = 'AdtsError';
  }
}

/** What an ADTS header needs from the audio configuration. */
export interface AdtsConfig {
  /** MPEG-4 audioObjectType 1..4 (AAC Main, LC, SSR, LTP); profile_ObjectType = this - 1. */
  audioObjectType: number;
  /** samplingFrequencyIndex 0..12. */
  samplingFrequencyIndex: number;
  /** channel_configuration 0..7 (0: a PCE in the raw data). */
  channelConfiguration: number;
}

/** A parsed ADTS header. */
export interface AdtsHeader extends AdtsConfig {
  /** ID: 4 (MPEG-4, ID=0) or 2 (MPEG-2, ID=1). */
  mpegVersion: 2 | 4;
  /** True when a CRC follows the fixed and variable header (protection_absent=0). */
  hasCrc: boolean;
  sampleRate: number;
  /** Channels of channelConfiguration (0 when configured by a PCE). */
  channels: number;
  /** aac_frame_length: header + payload bytes. */
  frameLength: number;
  /** Header bytes before the raw data: 7, or 9 with CRC (more with CRC and several blocks). */
  headerLength: number;
  /** adts_buffer_fullness (0x7FF: variable rate). */
  bufferFullness: number;
  /** number_of_raw_data_blocks_in_frame + 1 (1..4); each block is 1024 samples. */
  rawDataBlocks: number;
}

/**
 * Writes a 7-byte ADTS header (MPEG-4, no CRC, buffer fullness 0x7FF) for a raw AAC frame
 * of `payloadLength` bytes at `dest[offset]`; returns 7.
 */
export function writeAdtsHeader(dest: Uint8Array, offset: number, config: AdtsConfig, payloadLength: number): number {
  const { audioObjectType, samplingFrequencyIndex, channelConfiguration } = config;
  if (!Number.isInteger(audioObjectType) || audioObjectType < 1 || audioObjectType > 4) {
    throw new RangeError(`writeAdtsHeader: audioObjectType must be 1..4, got ${audioObjectType}`);
  }
  if (!Number.isInteger(samplingFrequencyIndex) || samplingFrequencyIndex < 0 || samplingFrequencyIndex > 12) {
    throw new RangeError(`writeAdtsHeader: samplingFrequencyIndex must be 0..12, got ${samplingFrequencyIndex}`);
  }
  if (!Number.isInteger(channelConfiguration) || channelConfiguration < 0 || channelConfiguration > 7) {
    throw new RangeError(`writeAdtsHeader: channelConfiguration must be 0..7, got ${channelConfiguration}`);
  }
  const frameLength = payloadLength + ADTS_HEADER_SIZE;
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || frameLength > ADTS_MAX_FRAME_LENGTH) {
    throw new RangeError(
      `writeAdtsHeader: payloadLength must be 0..${ADTS_MAX_FRAME_LENGTH - ADTS_HEADER_SIZE}, got ${payloadLength}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + ADTS_HEADER_SIZE > dest.length) {
    throw new RangeError(`writeAdtsHeader: 7 bytes do not fit at offset ${offset} of ${dest.length}`);
  }
  const fullness = 0x7ff;
  // syncword=0xFFF
  dest[offset] = 0xff;
  // syncword (low 4), ID=0 (MPEG-4), layer=00, protection_absent=1
  dest[offset + 1] = 0xf1;
  // profile_ObjectType(2), sampling_frequency_index(4), private_bit=0, channel_configuration high bit
  dest[offset + 2] = ((audioObjectType - 1) << 6) | (samplingFrequencyIndex << 2) | (channelConfiguration >> 2);
  // channel_configuration low 2 bits, original_copy=0, home=0, copyright_identification_bit=0,
  // copyright_identification_start=0, aac_frame_length high 2 bits
  dest[offset + 3] = ((channelConfiguration & 3) << 6) | (frameLength >> 11);
  // aac_frame_length bits 10..3
  dest[offset + 4] = (frameLength >> 3) & 0xff;
  // aac_frame_length low 3 bits, adts_buffer_fullness high 5 bits
  dest[offset + 5] = ((frameLength & 7) << 5) | (fullness >> 6);
  // adts_buffer_fullness low 6 bits, number_of_raw_data_blocks_in_frame=0
  dest[offset + 6] = (fullness & 0x3f) << 2;
  return ADTS_HEADER_SIZE;
}

/**
 * The ADTS fields of an AudioSpecificConfig: the core object type and frequency (HE-AAC is
 * carried as AAC-LC with implicit SBR). Throws MalformedCodecData when ADTS cannot carry it
 * (object type above 4, explicit frequency, channelConfiguration above 7).
 */
export function adtsConfigFromAudioSpecificConfig(asc: AudioSpecificConfig): AdtsConfig {
  if (asc.objectType < 1 || asc.objectType > 4)
    throw new AdtsError(`audioObjectType ${asc.objectType} cannot be carried in ADTS (1..4 only)`);
  if (asc.samplingFrequencyIndex > 12)
    throw new AdtsError(`sample rate ${asc.sampleRate} has no samplingFrequencyIndex and cannot be carried in ADTS`);
  if (asc.channelConfiguration > 7)
    throw new AdtsError(`channelConfiguration ${asc.channelConfiguration} cannot be carried in ADTS`);
  return {
    audioObjectType: asc.objectType,
    samplingFrequencyIndex: asc.samplingFrequencyIndex,
    channelConfiguration: asc.channelConfiguration,
  };
}

/**
 * Builds the AudioSpecificConfig (track configuration) equivalent to an ADTS header, e.g.
 * for a track demuxed from MPEG-TS. Throws AdtsError for channelConfiguration 0 (PCE).
 */
export function audioSpecificConfigFromAdts(header: AdtsConfig): Uint8Array {
  if (header.channelConfiguration === 0)
    throw new AdtsError('channel_configuration 0 (PCE in the raw data) is not supported');
  const sampleRate = AAC_SAMPLING_FREQUENCIES[header.samplingFrequencyIndex];
  if (sampleRate === undefined)
    throw new AdtsError(`reserved sampling_frequency_index ${header.samplingFrequencyIndex}`);
  return buildAudioSpecificConfig({
    objectType: header.audioObjectType,
    sampleRate,
    channelConfiguration: header.channelConfiguration,
  });
}

/** Reason an ADTS header at `offset` is invalid, or undefined when it is valid and complete. */
function headerProblem(data: Uint8Array, offset: number): string | undefined {
  if (offset < 0 || offset + ADTS_HEADER_SIZE > data.length)
    return `header needs 7 bytes, ${Math.max(0, data.length - offset)} available`;
  const b1 = data[offset + 1] as number;
  if (data[offset] !== 0xff || (b1 & 0xf0) !== 0xf0) return `no syncword 0xFFF at byte ${offset}`;
  if ((b1 & 0x06) !== 0) return `layer ${(b1 >> 1) & 3} is not 0`;
  const freq = ((data[offset + 2] as number) >> 2) & 0x0f;
  if (freq > 12) return `reserved sampling_frequency_index ${freq}`;
  const frameLength =
    (((data[offset + 3] as number) & 3) << 11) |
    ((data[offset + 4] as number) << 3) |
    ((data[offset + 5] as number) >> 5);
  const headerLength = adtsHeaderLength(data, offset);
  if (frameLength < headerLength)
    return `aac_frame_length ${frameLength} is shorter than the ${headerLength}-byte header`;
  return undefined;
}

function adtsHeaderLength(data: Uint8Array, offset: number): number {
  const protectionAbsent = (data[offset + 1] as number) & 1;
  if (protectionAbsent) return ADTS_HEADER_SIZE;
  const blocks = ((data[offset + 6] as number) & 3) + 1;
  // adts_header_error_check: raw_data_block_position per extra block, then crc_check
  return ADTS_HEADER_SIZE + (blocks > 1 ? 2 * (blocks - 1) : 0) + 2;
}

/** True when a valid ADTS header (7 bytes) starts at `data[offset]`. */
export function isAdtsHeader(data: Uint8Array, offset = 0): boolean {
  return headerProblem(data, offset) === undefined;
}

/** Parses the ADTS header at `data[offset]`; throws AdtsError when it is invalid or truncated. */
export function parseAdtsHeader(data: Uint8Array, offset = 0): AdtsHeader {
  const problem = headerProblem(data, offset);
  if (problem !== undefined) throw new AdtsError(problem);
  const b1 = data[offset + 1] as number;
  const b2 = data[offset + 2] as number;
  const b3 = data[offset + 3] as number;
  const b5 = data[offset + 5] as number;
  const b6 = data[offset + 6] as number;
  const samplingFrequencyIndex = (b2 >> 2) & 0x0f;
  const channelConfiguration = ((b2 & 1) << 2) | (b3 >> 6);
  return {
    mpegVersion: b1 & 0x08 ? 2 : 4,
    hasCrc: (b1 & 1) === 0,
    audioObjectType: (b2 >> 6) + 1,
    samplingFrequencyIndex,
    sampleRate: AAC_SAMPLING_FREQUENCIES[samplingFrequencyIndex] as number,
    channelConfiguration,
    channels: aacChannelCount(channelConfiguration),
    frameLength: ((b3 & 3) << 11) | ((data[offset + 4] as number) << 3) | (b5 >> 5),
    headerLength: adtsHeaderLength(data, offset),
    bufferFullness: ((b5 & 0x1f) << 6) | (b6 >> 2),
    rawDataBlocks: (b6 & 3) + 1,
  };
}

/** One ADTS frame found by {@link AdtsFrameSplitter}. */
export type AdtsFrame = SyncFrame<AdtsHeader>;

/** Options of {@link AdtsFrameSplitter}. */
export interface AdtsFrameSplitterOptions {
  /** Told about bytes skipped while looking for a sync word, and truncated frames at flush. */
  onError?: (error: AdtsError) => void;
}

const ADTS_FRAMING: SyncFrameFormat<AdtsHeader> = {
  headerSize: ADTS_HEADER_SIZE,
  maxFrameLength: ADTS_MAX_FRAME_LENGTH,
  probe: (data, offset) => (headerProblem(data, offset) === undefined ? parseAdtsHeader(data, offset) : undefined),
  frameLength: (h) => h.frameLength,
  headerLength: (h) => h.headerLength,
  error: (message) => new AdtsError(message),
};

/**
 * Splits a stream of ADTS bytes arriving in arbitrary pieces into frames. Frames that lie
 * within one pushed chunk are views into it; a frame spanning chunks is assembled in an
 * internal 8 KiB buffer (views into it are valid only during the callback). Bytes that
 * are not ADTS are skipped (reported to onError) until the next valid header.
 */
export class AdtsFrameSplitter extends SyncFrameSplitter<AdtsHeader, AdtsError> {
  constructor(onFrame: (frame: AdtsFrame) => void, options: AdtsFrameSplitterOptions = {}) {
    super(ADTS_FRAMING, onFrame, options.onError);
  }
}
