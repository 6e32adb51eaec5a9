/**
 * FLV/RTMP video tag bodies (RTMP message type 9 bodies): the legacy VideoTagHeader
 * (FLV spec v10.1 E.4.3.1: AVC, and HEVC with the non-standard CodecID 12 some
 * encoders send) and the Enhanced RTMP v1 ExVideoTagHeader (FourCC avc1/hvc1/av01/vp09).
 * Parsed payloads are views into the body, never copies.
 */
import { FlvParseError } from './errors.js';
import { joinTagBody, readFourCc, writeFourCc } from './tag-body-bytes.js';

/** Video codecs an FLV video tag can carry in Sluice. */
export type FlvVideoCodec = 'h264' | 'h265' | 'av1' | 'vp9';

/** Legacy CodecID values (UB[4]). */
export const FlvVideoCodecId = { Avc: 7, HevcLegacy: 12 } as const;

/** FrameType values (UB[4] legacy, UB[3] enhanced). */
export const FlvVideoFrameType = { Key: 1, Inter: 2, DisposableInter: 3, GeneratedKey: 4, Command: 5 } as const;

/** Enhanced RTMP VideoPacketType values. */
export const FlvVideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;

const FOURCC_TO_CODEC: Readonly<Record<string, FlvVideoCodec>> = {
  avc1: 'h264',
  hvc1: 'h265',
  av01: 'av1',
  vp09: 'vp9',
};
const CODEC_TO_FOURCC: Readonly<Record<FlvVideoCodec, string>> = {
  h264: 'avc1',
  h265: 'hvc1',
  av1: 'av01',
  vp9: 'vp09',
};

/** A parsed video tag body. `enhanced` says whether it used the Enhanced RTMP ExVideoTagHeader. */
export type VideoTagBody =
  /** Sequence header / SequenceStart: AVC/HEVC/AV1/VP codec configuration record. */
  | { kind: 'config'; codec: FlvVideoCodec; config: Uint8Array; enhanced: boolean }
  /** Coded frame(s): `cts` = composition time offset in ms (SI24, pts - dts); `data` = length-prefixed NALUs / OBUs / VP9 frame. */
  | {
      kind: 'frame';
      codec: FlvVideoCodec;
      key: boolean;
      frameType: number;
      cts: number;
      data: Uint8Array;
      enhanced: boolean;
    }
  /** End of sequence. */
  | { kind: 'end'; codec: FlvVideoCodec; enhanced: boolean }
  /** Enhanced RTMP PacketTypeMetadata: AMF-encoded [name, value] pairs (e.g. "colorInfo"). */
  | { kind: 'metadata'; codec: FlvVideoCodec; data: Uint8Array; enhanced: true }
  /** FrameType 5: video info/command frame (command 0 = start of client-side seeking, 1 = end). */
  | { kind: 'command'; command: number | undefined; enhanced: boolean }
  /** A codec or packet type Sluice does not carry (Sorenson, VP6, multitrack, ModEx, ...). */
  | { kind: 'unsupported'; reason: string; enhanced: boolean };

/** Reads a SI24 (big-endian two's complement 24-bit) at `offset`. */
function readSi24(b: Uint8Array, offset: number): number {
  const v = ((b[offset] as number) << 16) | ((b[offset + 1] as number) << 8) | (b[offset + 2] as number);
  return v & 0x800000 ? v - 0x1000000 : v;
}

/**
 * Parses a video tag body (an FLV video tag's data or an RTMP video message's payload).
 * Throws `FlvParseError` when the body is too short for its header; codecs and packet
 * types Sluice does not carry give `{ kind: 'unsupported' }`.
 */
export function parseVideoTagBody(body: Uint8Array): VideoTagBody {
  if (body.length < 1) throw new FlvParseError('empty video tag body', 0);
  const b0 = body[0] as number;
  if ((b0 & 0x80) !== 0) return parseExVideoTagBody(body, b0);
  const frameType = b0 >> 4; // FrameType UB[4]
  const codecId = b0 & 0x0f; // CodecID UB[4]
  if (frameType === FlvVideoFrameType.Command) {
    return { kind: 'command', command: body[1], enhanced: false }; // UI8 after the header byte
  }
  let codec: FlvVideoCodec;
  if (codecId === FlvVideoCodecId.Avc) codec = 'h264';
  else if (codecId === FlvVideoCodecId.HevcLegacy) codec = 'h265';
  else return { kind: 'unsupported', reason: `video CodecID ${codecId}`, enhanced: false };
  if (body.length < 5) throw new FlvParseError(`truncated ${codec} video tag header: ${body.length} of 5 bytes`, 0);
  const packetType = body[1] as number; // AVCPacketType UI8
  const cts = readSi24(body, 2); // CompositionTime SI24
  const data = body.subarray(5);
  switch (packetType) {
    case 0: // AVC sequence header
      return { kind: 'config', codec, config: data, enhanced: false };
    case 1: // AVC NALU
      return { kind: 'frame', codec, key: isKey(frameType), frameType, cts, data, enhanced: false };
    case 2: // AVC end of sequence
      return { kind: 'end', codec, enhanced: false };
    default:
      throw new FlvParseError(`invalid AVCPacketType ${packetType}`, 1);
  }
}

function isKey(frameType: number): boolean {
  return frameType === FlvVideoFrameType.Key || frameType === FlvVideoFrameType.GeneratedKey;
}

/** IsExHeader | FrameType UB[4], PacketType UB[4], FourCC UI32, then the body. */
function parseExVideoTagBody(body: Uint8Array, b0: number): VideoTagBody {
  const frameType = (b0 >> 4) & 0x07;
  const packetType = b0 & 0x0f;
  if (packetType === FlvVideoPacketType.Multitrack || packetType === FlvVideoPacketType.ModEx) {
    return { kind: 'unsupported', reason: `enhanced video PacketType ${packetType}`, enhanced: true };
  }
  if (body.length < 5) throw new FlvParseError(`truncated enhanced video tag header: ${body.length} of 5 bytes`, 0);
  const fourCc = readFourCc(body, 1);
  const codec = FOURCC_TO_CODEC[fourCc];
  if (codec === undefined)
    return { kind: 'unsupported', reason: `video FourCC ${JSON.stringify(fourCc)}`, enhanced: true };
  if (packetType !== FlvVideoPacketType.Metadata && frameType === FlvVideoFrameType.Command) {
    return { kind: 'command', command: body[5], enhanced: true };
  }
  const hasCts = (codec === 'h264' || codec === 'h265') && packetType === FlvVideoPacketType.CodedFrames;
  switch (packetType) {
    case FlvVideoPacketType.SequenceStart:
      return { kind: 'config', codec, config: body.subarray(5), enhanced: true };
    case FlvVideoPacketType.CodedFrames:
    case FlvVideoPacketType.CodedFramesX: {
      if (hasCts && body.length < 8)
        throw new FlvParseError(`truncated enhanced video tag header: ${body.length} of 8 bytes`, 0);
      const cts = hasCts ? readSi24(body, 5) : 0; // CompositionTime SI24 (CodedFrames of avc1/hvc1 only)
      return {
        kind: 'frame',
        codec,
        key: isKey(frameType),
        frameType,
        cts,
        data: body.subarray(hasCts ? 8 : 5),
        enhanced: true,
      };
    }
    case FlvVideoPacketType.SequenceEnd:
      return { kind: 'end', codec, enhanced: true };
    case FlvVideoPacketType.Metadata:
      return { kind: 'metadata', codec, data: body.subarray(5), enhanced: true };
    default:
      return { kind: 'unsupported', reason: `enhanced video PacketType ${packetType}`, enhanced: true };
  }
}

/** What to write in front of a video payload. */
export type VideoTagHeaderInit =
  | { kind: 'config'; codec: FlvVideoCodec; enhanced?: boolean }
  | { kind: 'frame'; codec: FlvVideoCodec; key: boolean; cts?: number; enhanced?: boolean }
  | { kind: 'end'; codec: FlvVideoCodec; enhanced?: boolean }
  | { kind: 'metadata'; codec: FlvVideoCodec };

/**
 * Builds the bytes of a video tag body that precede the payload: 5 bytes for legacy
 * AVC/HEVC (FrameType|CodecID, AVCPacketType, CompositionTime), 5 or 8 for the
 * Enhanced RTMP ExVideoTagHeader. `enhanced` defaults to false for h264 and true for
 * the others (h265 with `enhanced: false` uses the legacy CodecID 12; av1/vp9 must be
 * enhanced). Enhanced avc1/hvc1 frames with cts 0 use CodedFramesX.
 */
export function buildVideoTagHeader(init: VideoTagHeaderInit): Uint8Array {
  const codec = init.codec;
  if (!(codec in CODEC_TO_FOURCC)) throw new RangeError(`unknown video codec ${String(codec)}`);
  const enhanced = init.kind === 'metadata' ? true : (init.enhanced ?? codec !== 'h264');
  const cts = init.kind === 'frame' ? (init.cts ?? 0) : 0;
  if (!Number.isInteger(cts) || cts < -0x800000 || cts > 0x7fffff) {
    throw new RangeError(`composition time must be an integer in [-8388608, 8388607], got ${cts}`);
  }
  const frameType = init.kind === 'frame' && !init.key ? FlvVideoFrameType.Inter : FlvVideoFrameType.Key;
  if (!enhanced) {
    if (codec !== 'h264' && codec !== 'h265')
      throw new RangeError(`${codec} can only be written with the enhanced header`);
    const out = new Uint8Array(5);
    out[0] = (frameType << 4) | (codec === 'h264' ? FlvVideoCodecId.Avc : FlvVideoCodecId.HevcLegacy); // FrameType, CodecID
    out[1] = init.kind === 'config' ? 0 : init.kind === 'frame' ? 1 : 2; // AVCPacketType
    writeSi24(out, 2, cts); // CompositionTime
    return out;
  }
  let packetType: number;
  let withCts = false;
  if (init.kind === 'config') packetType = FlvVideoPacketType.SequenceStart;
  else if (init.kind === 'end') packetType = FlvVideoPacketType.SequenceEnd;
  else if (init.kind === 'metadata') packetType = FlvVideoPacketType.Metadata;
  else if ((codec === 'h264' || codec === 'h265') && cts !== 0) {
    packetType = FlvVideoPacketType.CodedFrames;
    withCts = true;
  } else
    packetType =
      codec === 'h264' || codec === 'h265' ? FlvVideoPacketType.CodedFramesX : FlvVideoPacketType.CodedFrames;
  const out = new Uint8Array(withCts ? 8 : 5);
  out[0] = 0x80 | (frameType << 4) | packetType; // IsExHeader=1, FrameType UB[3], PacketType UB[4]
  writeFourCc(out, 1, CODEC_TO_FOURCC[codec]); // FourCC UI32
  if (withCts) writeSi24(out, 5, cts); // CompositionTime SI24
  return out;
}

/** Builds a whole video tag body: `buildVideoTagHeader(init)` followed by `payload` (one copy). */
export function buildVideoTagBody(init: VideoTagHeaderInit, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return joinTagBody(buildVideoTagHeader(init), payload);
}

function writeSi24(out: Uint8Array, offset: number, v: number): void {
  const u = v < 0 ? v + 0x1000000 : v;
  out[offset] = (u >> 16) & 0xff;
  out[offset + 1] = (u >> 8) & 0xff;
  out[offset + 2] = u & 0xff;
}
