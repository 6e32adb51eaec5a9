/**
 * FLV/RTMP audio tag bodies (RTMP message type 8 bodies): the legacy AudioTagHeader
 * (FLV spec v10.1 E.4.2.1: AAC with AACPacketType, MP3) and the Enhanced RTMP v2
 * ExAudioTagHeader (SoundFormat 9, FourCC `Opus`, `mp4a`, `.mp3`).
 * Parsed payloads are views into the body, never copies.
 */
import { FlvParseError } from './errors.js';
import { joinTagBody, readFourCc, writeFourCc } from './tag-body-bytes.js';

/** Audio codecs an FLV audio tag can carry in Sluice. */
export type FlvAudioCodec = 'aac' | 'mp3' | 'opus';

/** Legacy SoundFormat values (UB[4]) Sluice reads. */
export const FlvSoundFormat = { Mp3: 2, ExHeader: 9, Aac: 10, Mp3At8kHz: 14 } as const;

/** Enhanced RTMP AudioPacketType values. */
export const FlvAudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;

const FOURCC_TO_CODEC: Readonly<Record<string, FlvAudioCodec>> = { Opus: 'opus', mp4a: 'aac', '.mp3': 'mp3' };
const CODEC_TO_FOURCC: Readonly<Record<FlvAudioCodec, string>> = { opus: 'Opus', aac: 'mp4a', mp3: '.mp3' };

/**
 * The low nibble of a legacy audio tag's first byte: SoundRate UB[2] << 2 | SoundSize UB[1] << 1 | SoundType UB[1].
 * AAC always uses 0x0F (44 kHz, 16-bit, stereo) whatever the real format.
 */
export const FLV_AAC_SOUND_FLAGS = 0x0f;

/** A parsed audio tag body. `soundFlags` (legacy only) keeps SoundRate/SoundSize/SoundType. */
export type AudioTagBody =
  /** AAC sequence header (AudioSpecificConfig) / enhanced SequenceStart (AudioSpecificConfig or OpusHead). */
  | { kind: 'config'; codec: FlvAudioCodec; config: Uint8Array; enhanced: boolean; soundFlags: number | undefined }
  /** One coded frame (raw AAC, MP3 frame(s), Opus packet). */
  | { kind: 'frame'; codec: FlvAudioCodec; data: Uint8Array; enhanced: boolean; soundFlags: number | undefined }
  /** Enhanced SequenceEnd. */
  | { kind: 'end'; codec: FlvAudioCodec; enhanced: true }
  /** A format or packet type Sluice does not carry (PCM, Speex, FLAC, multitrack, ...). */
  | { kind: 'unsupported'; reason: string; enhanced: boolean };

/**
 * Parses an audio tag body (an FLV audio tag's data or an RTMP audio message's payload).
 * Throws `FlvParseError` when the body is too short for its header; formats Sluice does
 * not carry give `{ kind: 'unsupported' }`.
 */
export function parseAudioTagBody(body: Uint8Array): AudioTagBody {
  if (body.length < 1) throw new FlvParseError('empty audio tag body', 0);
  const b0 = body[0] as number;
  const soundFormat = b0 >> 4; // SoundFormat UB[4]
  const soundFlags = b0 & 0x0f; // SoundRate UB[2], SoundSize UB[1], SoundType UB[1]
  switch (soundFormat) {
    case FlvSoundFormat.Aac: {
      if (body.length < 2) throw new FlvParseError('truncated AAC audio tag header: 1 of 2 bytes', 0);
      const packetType = body[1] as number; // AACPacketType UI8
      if (packetType === 0)
        return { kind: 'config', codec: 'aac', config: body.subarray(2), enhanced: false, soundFlags };
      if (packetType === 1) return { kind: 'frame', codec: 'aac', data: body.subarray(2), enhanced: false, soundFlags };
      throw new FlvParseError(`invalid AACPacketType ${packetType}`, 1);
    }
    case FlvSoundFormat.Mp3:
    case FlvSoundFormat.Mp3At8kHz:
      return { kind: 'frame', codec: 'mp3', data: body.subarray(1), enhanced: false, soundFlags };
    case FlvSoundFormat.ExHeader:
      return parseExAudioTagBody(body, b0 & 0x0f);
    default:
      return { kind: 'unsupported', reason: `audio SoundFormat ${soundFormat}`, enhanced: false };
  }
}

/** SoundFormat=9 UB[4], AudioPacketType UB[4], FourCC UI32, then the body. */
function parseExAudioTagBody(body: Uint8Array, packetType: number): AudioTagBody {
  if (packetType === FlvAudioPacketType.Multitrack || packetType === FlvAudioPacketType.ModEx) {
    return { kind: 'unsupported', reason: `enhanced audio AudioPacketType ${packetType}`, enhanced: true };
  }
  if (body.length < 5) throw new FlvParseError(`truncated enhanced audio tag header: ${body.length} of 5 bytes`, 0);
  const fourCc = readFourCc(body, 1);
  const codec = FOURCC_TO_CODEC[fourCc];
  if (codec === undefined)
    return { kind: 'unsupported', reason: `audio FourCC ${JSON.stringify(fourCc)}`, enhanced: true };
  switch (packetType) {
    case FlvAudioPacketType.SequenceStart:
      return { kind: 'config', codec, config: body.subarray(5), enhanced: true, soundFlags: undefined };
    case FlvAudioPacketType.CodedFrames:
      return { kind: 'frame', codec, data: body.subarray(5), enhanced: true, soundFlags: undefined };
    case FlvAudioPacketType.SequenceEnd:
      return { kind: 'end', codec, enhanced: true };
    default:
      return { kind: 'unsupported', reason: `enhanced audio AudioPacketType ${packetType}`, enhanced: true };
  }
}

/** What to write in front of an audio payload. */
export interface AudioTagHeaderInit {
  kind: 'config' | 'frame' | 'end';
  codec: FlvAudioCodec;
  /** Use the Enhanced RTMP ExAudioTagHeader; default false for aac/mp3, true for opus (which has no legacy form). */
  enhanced?: boolean;
  /** Legacy SoundRate/SoundSize/SoundType nibble; default 0x0F for AAC, `flvSoundFlags(44100, 2)` otherwise. */
  soundFlags?: number;
}

/**
 * Builds the bytes of an audio tag body that precede the payload: 2 bytes for legacy AAC
 * (flags, AACPacketType), 1 for legacy MP3, 5 for the enhanced header.
 */
export function buildAudioTagHeader(init: AudioTagHeaderInit): Uint8Array {
  const codec = init.codec;
  if (!(codec in CODEC_TO_FOURCC)) throw new RangeError(`unknown audio codec ${String(codec)}`);
  const enhanced = init.enhanced ?? codec === 'opus';
  if (!enhanced) {
    if (codec === 'opus') throw new RangeError('opus can only be written with the enhanced header');
    if (init.kind === 'end') throw new RangeError('a legacy audio tag has no end-of-sequence form');
    if (codec === 'mp3' && init.kind === 'config') throw new RangeError('mp3 has no sequence header');
    const flags = init.soundFlags ?? (codec === 'aac' ? FLV_AAC_SOUND_FLAGS : 0x0f);
    if (!Number.isInteger(flags) || flags < 0 || flags > 15)
      throw new RangeError(`soundFlags must be an integer in [0, 15], got ${flags}`);
    if (codec === 'mp3') return Uint8Array.of((FlvSoundFormat.Mp3 << 4) | flags); // SoundFormat=2, flags
    // SoundFormat=10, flags; AACPacketType: 0 = sequence header, 1 = raw
    return Uint8Array.of((FlvSoundFormat.Aac << 4) | flags, init.kind === 'config' ? 0 : 1);
  }
  const packetType =
    init.kind === 'config'
      ? FlvAudioPacketType.SequenceStart
      : init.kind === 'frame'
        ? FlvAudioPacketType.CodedFrames
        : FlvAudioPacketType.SequenceEnd;
  const out = new Uint8Array(5);
  out[0] = (FlvSoundFormat.ExHeader << 4) | packetType; // SoundFormat=9 (ExHeader), AudioPacketType
  writeFourCc(out, 1, CODEC_TO_FOURCC[codec]); // FourCC UI32
  return out;
}

/** Builds a whole audio tag body: `buildAudioTagHeader(init)` followed by `payload` (one copy). */
export function buildAudioTagBody(init: AudioTagHeaderInit, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return joinTagBody(buildAudioTagHeader(init), payload);
}

/**
 * The legacy SoundRate/SoundSize/SoundType nibble for a sample rate and channel count
 * (SoundRate: 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz and above; 16-bit samples).
 */
export function flvSoundFlags(sampleRate: number, channels: number): number {
  const rate = sampleRate < 8000 ? 0 : sampleRate < 16000 ? 1 : sampleRate < 32000 ? 2 : 3;
  return (rate << 2) | (1 << 1) | (channels >= 2 ? 1 : 0);
}
