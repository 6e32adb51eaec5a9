/**
 * Opus identification header "OpusHead" (RFC 7845 section 5.1), as carried in FLV/RTMP
 * track configuration and Ogg, and the MPEG-TS Opus access unit control header
 * (ETSI TS 102 366-like "opus_control_header" of the Opus-in-TS draft).
 */
import { MalformedCodecData } from './errors.js';

/** Size of an OpusHead with channel mapping family 0. */
export const OPUS_HEAD_MIN_SIZE = 19;

const MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64]; // "OpusHead"

/** A parsed OpusHead. */
export interface OpusHead {
  /** version (major version 0 supported: 0..15); usually 1. */
  version: number;
  /** Output channel count, 1..255. */
  channelCount: number;
  /** pre_skip: samples at 48 kHz to discard from the decoder output. */
  preSkip: number;
  /** input_sample_rate: the original rate in Hz (informational; 0 = unspecified). */
  inputSampleRate: number;
  /** output_gain in Q7.8 dB (signed). */
  outputGain: number;
  /** channel_mapping_family: 0 (mono/stereo), 1 (Vorbis order), 255, ... */
  mappingFamily: number;
  /** For families other than 0: the channel mapping table. */
  streamCount?: number | undefined;
  coupledCount?: number | undefined;
  channelMapping?: Uint8Array | undefined;
}

/** Parses an OpusHead; throws MalformedCodecData when it is not one. */
export function parseOpusHead(data: Uint8Array): OpusHead {
  if (data.length < OPUS_HEAD_MIN_SIZE)
    throw new MalformedCodecData('OpusHead', `needs at least ${OPUS_HEAD_MIN_SIZE} bytes, got ${data.length}`);
  for (let i = 0; i < 8; i++) {
    if (data[i] !== MAGIC[i]) throw new MalformedCodecData('OpusHead', 'magic signature "OpusHead" missing');
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(8);
  if (version > 15) throw new MalformedCodecData('OpusHead', `unsupported major version (version ${version})`);
  const channelCount = view.getUint8(9);
  if (channelCount === 0) throw new MalformedCodecData('OpusHead', 'channel count is 0');
  const head: OpusHead = {
    version,
    channelCount,
    preSkip: view.getUint16(10, true),
    inputSampleRate: view.getUint32(12, true),
    outputGain: view.getInt16(16, true),
    mappingFamily: view.getUint8(18),
  };
  if (head.mappingFamily === 0) {
    if (channelCount > 2)
      throw new MalformedCodecData('OpusHead', `mapping family 0 allows 1 or 2 channels, got ${channelCount}`);
    return head;
  }
  const need = 21 + channelCount;
  if (data.length < need)
    throw new MalformedCodecData(
      'OpusHead',
      `mapping family ${head.mappingFamily} with ${channelCount} channels needs ${need} bytes, got ${data.length}`,
    );
  head.streamCount = view.getUint8(19);
  head.coupledCount = view.getUint8(20);
  if (head.streamCount === 0) throw new MalformedCodecData('OpusHead', 'stream count is 0');
  if (head.coupledCount > head.streamCount)
    throw new MalformedCodecData(
      'OpusHead',
      `coupled count ${head.coupledCount} exceeds stream count ${head.streamCount}`,
    );
  head.channelMapping = data.subarray(21, need);
  return head;
}

/** Builds an OpusHead (19 bytes for family 0, 21 + channels otherwise). */
export function buildOpusHead(head: OpusHead): Uint8Array {
  const { version, channelCount, preSkip, inputSampleRate, outputGain, mappingFamily } = head;
  checkInt('version', version, 0, 15);
  checkInt('channelCount', channelCount, 1, 255);
  checkInt('preSkip', preSkip, 0, 0xffff);
  checkInt('inputSampleRate', inputSampleRate, 0, 0xffffffff);
  checkInt('outputGain', outputGain, -32768, 32767);
  checkInt('mappingFamily', mappingFamily, 0, 255);
  if (mappingFamily === 0 && channelCount > 2)
    throw new RangeError(`buildOpusHead: mapping family 0 allows 1 or 2 channels, got ${channelCount}`);
  const size = mappingFamily === 0 ? OPUS_HEAD_MIN_SIZE : 21 + channelCount;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(8, version);
  view.setUint8(9, channelCount);
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputSampleRate, true);
  view.setInt16(16, outputGain, true);
  view.setUint8(18, mappingFamily);
  if (mappingFamily !== 0) {
    const { streamCount, coupledCount, channelMapping } = head;
    if (streamCount === undefined || coupledCount === undefined || channelMapping === undefined) {
      throw new RangeError(
        `buildOpusHead: mapping family ${mappingFamily} needs streamCount, coupledCount and channelMapping`,
      );
    }
    checkInt('streamCount', streamCount, 1, 255);
    checkInt('coupledCount', coupledCount, 0, streamCount);
    if (channelMapping.length !== channelCount)
      throw new RangeError(
        `buildOpusHead: channelMapping must have ${channelCount} entries, got ${channelMapping.length}`,
      );
    view.setUint8(19, streamCount);
    view.setUint8(20, coupledCount);
    out.set(channelMapping, 21);
  }
  return out;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`buildOpusHead: ${name} must be an integer in ${min}..${max}, got ${v}`);
}

/** Trim values carried by an Opus control header (samples at 48 kHz, 0..8191). */
export interface OpusControlHeaderOptions {
  /** start_trim: samples to drop at the start of this access unit. */
  startTrim?: number | undefined;
  /** end_trim: samples to drop at the end of this access unit. */
  endTrim?: number | undefined;
}

/** A parsed Opus control header. */
export interface OpusControlHeader {
  /** au_size: bytes of the Opus packet that follows the header. */
  auSize: number;
  startTrim?: number | undefined;
  endTrim?: number | undefined;
  /** Bytes of the control header itself (payload starts this far from its start). */
  headerLength: number;
}

/** Bytes {@link writeOpusControlHeader} writes for an access unit of `auSize` bytes. */
export function opusControlHeaderSize(auSize: number, options: OpusControlHeaderOptions = {}): number {
  if (!Number.isInteger(auSize) || auSize < 0)
    throw new RangeError(`opusControlHeaderSize: auSize must be a non-negative integer, got ${auSize}`);
  // prefix + flags (2), au_size as 0xFF bytes and a final byte, optional trims
  return (
    2 +
    Math.floor(auSize / 255) +
    1 +
    (options.startTrim !== undefined ? 2 : 0) +
    (options.endTrim !== undefined ? 2 : 0)
  );
}

/**
 * Writes the MPEG-TS Opus control header for an access unit of `auSize` bytes at
 * `dest[offset]`; returns bytes written (see {@link opusControlHeaderSize}).
 */
export function writeOpusControlHeader(
  dest: Uint8Array,
  offset: number,
  auSize: number,
  options: OpusControlHeaderOptions = {},
): number {
  const size = opusControlHeaderSize(auSize, options);
  const { startTrim, endTrim } = options;
  if (startTrim !== undefined && (!Number.isInteger(startTrim) || startTrim < 0 || startTrim > 0x1fff))
    throw new RangeError(`writeOpusControlHeader: startTrim must be 0..8191, got ${startTrim}`);
  if (endTrim !== undefined && (!Number.isInteger(endTrim) || endTrim < 0 || endTrim > 0x1fff))
    throw new RangeError(`writeOpusControlHeader: endTrim must be 0..8191, got ${endTrim}`);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > dest.length)
    throw new RangeError(`writeOpusControlHeader: ${size} bytes do not fit at offset ${offset} of ${dest.length}`);
  let p = offset;
  // control_header_prefix=0x3FF (11 bits)
  dest[p++] = 0x7f;
  // prefix low 3 bits, start_trim_flag, end_trim_flag, control_extension_flag=0, reserved=00
  dest[p++] = 0xe0 | (startTrim !== undefined ? 0x10 : 0) | (endTrim !== undefined ? 0x08 : 0);
  // au_size: 0xFF per full 255, then the remainder (0..254)
  let rest = auSize;
  while (rest >= 255) {
    dest[p++] = 0xff;
    rest -= 255;
  }
  dest[p++] = rest;
  if (startTrim !== undefined) {
    // reserved=000, start_trim (13 bits)
    dest[p++] = startTrim >> 8;
    dest[p++] = startTrim & 0xff;
  }
  if (endTrim !== undefined) {
    // reserved=000, end_trim (13 bits)
    dest[p++] = endTrim >> 8;
    dest[p++] = endTrim & 0xff;
  }
  return p - offset;
}

/** True when an Opus control header prefix (0x7FE, 11 bits 0x3FF) starts at `data[offset]`. */
export function isOpusControlHeader(data: Uint8Array, offset = 0): boolean {
  return data[offset] === 0x7f && ((data[offset + 1] ?? 0) & 0xe0) === 0xe0;
}

/**
 * Parses the Opus control header at `data[offset]`. Throws MalformedCodecData when the
 * prefix is wrong or the header is truncated; does not check that au_size bytes follow.
 */
export function parseOpusControlHeader(data: Uint8Array, offset = 0): OpusControlHeader {
  if (offset + 2 > data.length)
    throw new MalformedCodecData(
      'opus-control-header',
      `needs 2 bytes at offset ${offset}, ${Math.max(0, data.length - offset)} available`,
    );
  if (!isOpusControlHeader(data, offset))
    throw new MalformedCodecData('opus-control-header', `control_header_prefix 0x3FF missing at offset ${offset}`);
  const flags = data[offset + 1] as number;
  let p = offset + 2;
  let auSize = 0;
  for (;;) {
    const b = data[p++];
    if (b === undefined) throw new MalformedCodecData('opus-control-header', 'truncated au_size');
    auSize += b;
    if (b !== 0xff) break;
  }
  const header: OpusControlHeader = { auSize, headerLength: 0 };
  if (flags & 0x10) {
    if (p + 2 > data.length) throw new MalformedCodecData('opus-control-header', 'truncated start_trim');
    header.startTrim = (((data[p] as number) & 0x1f) << 8) | (data[p + 1] as number);
    p += 2;
  }
  if (flags & 0x08) {
    if (p + 2 > data.length) throw new MalformedCodecData('opus-control-header', 'truncated end_trim');
    header.endTrim = (((data[p] as number) & 0x1f) << 8) | (data[p + 1] as number);
    p += 2;
  }
  if (flags & 0x04) {
    // control_extension_length, then that many bytes
    const len = data[p++];
    if (len === undefined || p + len > data.length)
      throw new MalformedCodecData('opus-control-header', 'truncated control extension');
    p += len;
  }
  header.headerLength = p - offset;
  return header;
}
