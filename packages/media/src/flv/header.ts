/**
 * FLV file header and tag header (Adobe FLV spec v10.1, annex E.2 and E.4.1).
 */
import { FlvParseError } from './errors.js';

/** TagType values of the FLV tag header (same numbers as RTMP message types 8, 9, 18). */
export const FlvTagType = {
  Audio: 8,
  Video: 9,
  Script: 18,
} as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

/** Size of the FLV file header written by Sluice (version 1, DataOffset 9). */
export const FLV_HEADER_SIZE = 9;
/** Size of a tag header: TagType, DataSize, Timestamp, TimestampExtended, StreamID. */
export const FLV_TAG_HEADER_SIZE = 11;
/** Size of a PreviousTagSize field. */
export const FLV_PREVIOUS_TAG_SIZE_SIZE = 4;
/** Largest DataSize a tag header can express (UI24). */
export const FLV_MAX_DATA_SIZE = 0xffffff;

/** What the FLV file header says. */
export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
  /** Offset of the body (PreviousTagSize0) from the start of the file; 9 for version 1. */
  dataOffset: number;
}

/** The fields of an FLV tag header. */
export interface FlvTagHeader {
  type: FlvTagType;
  /** DataSize: length of the tag body. */
  dataSize: number;
  /** Timestamp | TimestampExtended << 24, in milliseconds (0 .. 2^32-1). */
  timestamp: number;
  streamId: number;
}

/**
 * Parses the 9-byte FLV file header ('F' 'L' 'V', version, flags, DataOffset).
 * Throws `FlvParseError` if it is not one.
 */
export function parseFlvHeader(bytes: Uint8Array): FlvHeader {
  if (bytes.length < FLV_HEADER_SIZE) throw new FlvParseError(`truncated FLV header: ${bytes.length} of 9 bytes`, 0);
  // Signature UI8[3] = 'F' 'L' 'V'
  if (bytes[0] !== 0x46 || bytes[1] !== 0x4c || bytes[2] !== 0x56)
    throw new FlvParseError('not an FLV file (signature is not "FLV")', 0);
  const version = bytes[3] as number;
  const flags = bytes[4] as number; // TypeFlagsReserved UB[5], TypeFlagsAudio UB[1], TypeFlagsReserved UB[1], TypeFlagsVideo UB[1]
  const dataOffset =
    (bytes[5] as number) * 0x1000000 +
    (((bytes[6] as number) << 16) | ((bytes[7] as number) << 8) | (bytes[8] as number));
  if (dataOffset < FLV_HEADER_SIZE)
    throw new FlvParseError(`FLV DataOffset ${dataOffset} is smaller than the header`, 5);
  return { version, hasAudio: (flags & 0x04) !== 0, hasVideo: (flags & 0x01) !== 0, dataOffset };
}

/** Builds the FLV file header followed by PreviousTagSize0 = 0 (13 bytes). */
export function buildFlvHeader(options: { hasAudio: boolean; hasVideo: boolean }): Uint8Array {
  const out = new Uint8Array(FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_SIZE);
  out.set([0x46, 0x4c, 0x56, 1]); // Signature 'FLV', Version 1
  out[4] = (options.hasAudio ? 0x04 : 0) | (options.hasVideo ? 0x01 : 0); // TypeFlagsAudio, TypeFlagsVideo
  out[8] = FLV_HEADER_SIZE; // DataOffset UI32 = 9; PreviousTagSize0 UI32 = 0 follows
  return out;
}

/**
 * Parses an 11-byte tag header at `offset`. Throws `FlvParseError` for reserved bits,
 * filtered (encrypted) tags and unknown tag types. `position` is used in error offsets.
 */
export function parseFlvTagHeader(bytes: Uint8Array, offset = 0, position = offset): FlvTagHeader {
  if (bytes.length - offset < FLV_TAG_HEADER_SIZE) throw new FlvParseError('truncated FLV tag header', position);
  const b0 = bytes[offset] as number; // Reserved UB[2], Filter UB[1], TagType UB[5]
  if ((b0 & 0xc0) !== 0) throw new FlvParseError(`FLV tag header reserved bits set (0x${b0.toString(16)})`, position);
  if ((b0 & 0x20) !== 0) throw new FlvParseError('filtered (encrypted) FLV tags are not supported', position);
  const type = b0 & 0x1f;
  if (type !== FlvTagType.Audio && type !== FlvTagType.Video && type !== FlvTagType.Script) {
    throw new FlvParseError(`unknown FLV tag type ${type}`, position);
  }
  const dataSize =
    ((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
  // Timestamp UI24 holds the low 24 bits; TimestampExtended UI8 the upper 8 bits.
  const low =
    ((bytes[offset + 4] as number) << 16) | ((bytes[offset + 5] as number) << 8) | (bytes[offset + 6] as number);
  const timestamp = (bytes[offset + 7] as number) * 0x1000000 + low;
  const streamId =
    ((bytes[offset + 8] as number) << 16) | ((bytes[offset + 9] as number) << 8) | (bytes[offset + 10] as number);
  return { type, dataSize, timestamp, streamId };
}

/**
 * Writes an 11-byte tag header into `out` at `offset`. The timestamp is taken modulo 2^32
 * (FLV/RTMP timestamps wrap after ~49.7 days).
 */
export function writeFlvTagHeader(
  out: Uint8Array,
  offset: number,
  type: FlvTagType,
  dataSize: number,
  timestamp: number,
): void {
  if (!Number.isInteger(dataSize) || dataSize < 0 || dataSize > FLV_MAX_DATA_SIZE) {
    throw new RangeError(`FLV tag data size must be an integer in [0, 16777215], got ${dataSize}`);
  }
  if (!Number.isInteger(timestamp) || timestamp < 0)
    throw new RangeError(`FLV timestamp must be a non-negative integer, got ${timestamp}`);
  const ts = timestamp % 0x100000000;
  out[offset] = type; // Reserved=0, Filter=0, TagType
  out[offset + 1] = dataSize >> 16; // DataSize UI24
  out[offset + 2] = (dataSize >> 8) & 0xff;
  out[offset + 3] = dataSize & 0xff;
  const low = ts % 0x1000000;
  out[offset + 4] = low >> 16; // Timestamp UI24 (low bits)
  out[offset + 5] = (low >> 8) & 0xff;
  out[offset + 6] = low & 0xff;
  out[offset + 7] = Math.floor(ts / 0x1000000); // TimestampExtended UI8
  out[offset + 8] = 0; // StreamID UI24 = 0
  out[offset + 9] = 0;
  out[offset + 10] = 0;
}
