/** PES packet headers (ISO/IEC 13818-1 §2.4.3.6) with 33-bit PTS/DTS. */
import { writeTimestampField, readTimestampField } from './timestamp.js';

/** Largest PES header written: 9 fixed bytes + PTS + DTS. */
export const MAX_PES_HEADER_SIZE = 19;

/** Size of the PES header writePesHeader writes: 14 with PTS only, 19 when DTS differs from PTS. */
export function pesHeaderSize(pts: number, dts: number): number {
  return pts !== dts ? MAX_PES_HEADER_SIZE : 14;
}

/**
 * Writes a PES header at `buf[offset]` for a payload of `payloadLength` bytes and returns its
 * size (14 with PTS only, 19 with DTS). PES_packet_length is 0 ("unbounded") when
 * `unbounded` (video) or when the packet would exceed 65535 bytes. DTS is written only
 * when it differs from PTS.
 */
export function writePesHeader(
  buf: Uint8Array,
  offset: number,
  streamId: number,
  pts: number,
  dts: number,
  payloadLength: number,
  unbounded: boolean,
): number {
  const headerSize = pesHeaderSize(pts, dts);
  const withDts = headerSize === MAX_PES_HEADER_SIZE;
  const headerDataLength = headerSize - 9;
  // packet_start_code_prefix
  buf[offset] = 0x00;
  buf[offset + 1] = 0x00;
  buf[offset + 2] = 0x01;
  buf[offset + 3] = streamId;
  // PES_packet_length: bytes after this field
  const pesLength = 3 + headerDataLength + payloadLength;
  const lengthField = unbounded || pesLength > 0xffff ? 0 : pesLength;
  buf[offset + 4] = lengthField >> 8;
  buf[offset + 5] = lengthField & 0xff;
  // '10', PES_scrambling_control=00, PES_priority=0, data_alignment_indicator=1, copyright=0, original_or_copy=0
  buf[offset + 6] = 0x84;
  // PTS_DTS_flags ('10' PTS only / '11' both), ESCR, ES_rate, DSM_trick_mode, additional_copy_info, PES_CRC, PES_extension = 0
  buf[offset + 7] = withDts ? 0xc0 : 0x80;
  buf[offset + 8] = headerDataLength; // PES_header_data_length
  // PTS with prefix '0011' when DTS follows, '0010' otherwise
  writeTimestampField(buf, offset + 9, withDts ? 0x3 : 0x2, pts);
  if (withDts) writeTimestampField(buf, offset + 14, 0x1, dts); // DTS with prefix '0001'
  return headerSize;
}

/** What the demuxer reads from a PES header. */
export interface ParsedPesHeader {
  streamId: number;
  /** PES_packet_length (0 = unbounded). */
  packetLength: number;
  /** PTS in [0, 2^33), or -1 when absent. */
  pts: number;
  /** DTS in [0, 2^33), or -1 when absent (then equal to PTS). */
  dts: number;
  /** Offset of the payload from the start of the PES. */
  payloadOffset: number;
}

/**
 * Parses a PES header at `buf[offset, offset + length)` into `out`; returns false when the
 * bytes are not a valid PES header (bad start code, marker bits, or header longer than the data).
 * Stream ids without the optional header (padding, private_stream_2...) give pts -1 and payloadOffset 6.
 * `payloadOffset` is counted from `offset`.
 */
export function parsePesHeader(buf: Uint8Array, length: number, out: ParsedPesHeader, offset = 0): boolean {
  const o = offset;
  if (length < 6 || buf[o] !== 0 || buf[o + 1] !== 0 || buf[o + 2] !== 1) return false;
  const streamId = buf[o + 3]!;
  out.streamId = streamId;
  out.packetLength = (buf[o + 4]! << 8) | buf[o + 5]!;
  out.pts = -1;
  out.dts = -1;
  // program_stream_map, padding_stream, private_stream_2, ECM, EMM, directory, DSMCC, H.222.1 type E
  if (
    streamId === 0xbc ||
    streamId === 0xbe ||
    streamId === 0xbf ||
    streamId === 0xf0 ||
    streamId === 0xf1 ||
    streamId === 0xff ||
    streamId === 0xf2 ||
    streamId === 0xf8
  ) {
    out.payloadOffset = 6;
    return true;
  }
  if (length < 9 || (buf[o + 6]! & 0xc0) !== 0x80) return false;
  const flags = buf[o + 7]! >> 6;
  const headerDataLength = buf[o + 8]!;
  if (9 + headerDataLength > length) return false;
  if (flags === 2 || flags === 3) {
    if (headerDataLength < (flags === 3 ? 10 : 5)) return false;
    out.pts = readTimestampField(buf, o + 9);
    out.dts = flags === 3 ? readTimestampField(buf, o + 14) : -1;
  } else if (flags === 1) {
    return false; // PTS_DTS_flags '01' is forbidden
  }
  out.payloadOffset = 9 + headerDataLength;
  return true;
}
