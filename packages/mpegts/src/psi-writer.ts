/** Builds PAT and PMT sections (ISO/IEC 13818-1 §2.4.4) as ready-to-send 188-byte packets. */
import { TS_PACKET_SIZE, TS_SYNC_BYTE, PAT_PID } from './constants.js';
import { crc32Mpeg2 } from './crc32.js';
import { TsMuxError } from './errors.js';

/** One elementary stream of a PMT. */
export interface PmtStream {
  streamType: number;
  pid: number;
  /** ES_info descriptors, already encoded (tag, length, body). */
  descriptors: Uint8Array;
}

/** Header and table fields of a program. */
export interface ProgramDefinition {
  transportStreamId: number;
  programNumber: number;
  pmtPid: number;
  pcrPid: number;
  streams: readonly PmtStream[];
  /** version_number of both tables (0..31). */
  version: number;
}

function writeTableHeader(
  buf: Uint8Array,
  o: number,
  tableId: number,
  sectionLength: number,
  idExtension: number,
  version: number,
): number {
  buf[o] = tableId;
  // section_syntax_indicator=1, '0', reserved=11, section_length (12 bits)
  buf[o + 1] = 0xb0 | (sectionLength >> 8);
  buf[o + 2] = sectionLength & 0xff;
  // transport_stream_id / program_number
  buf[o + 3] = idExtension >> 8;
  buf[o + 4] = idExtension & 0xff;
  // reserved=11, version_number (5 bits), current_next_indicator=1
  buf[o + 5] = 0xc0 | ((version & 0x1f) << 1) | 0x01;
  buf[o + 6] = 0; // section_number
  buf[o + 7] = 0; // last_section_number
  return o + 8;
}

function finishPacket(buf: Uint8Array, sectionStart: number, end: number): void {
  const crc = crc32Mpeg2(buf, sectionStart, end);
  buf[end] = crc >>> 24;
  buf[end + 1] = (crc >>> 16) & 0xff;
  buf[end + 2] = (crc >>> 8) & 0xff;
  buf[end + 3] = crc & 0xff;
  buf.fill(0xff, end + 4); // stuffing after the section
}

function writePacketHeader(buf: Uint8Array, pid: number): void {
  buf[0] = TS_SYNC_BYTE;
  // transport_error_indicator=0, payload_unit_start_indicator=1, transport_priority=0, PID
  buf[1] = 0x40 | (pid >> 8);
  buf[2] = pid & 0xff;
  // transport_scrambling_control=00, adaptation_field_control=01 (payload only), continuity_counter (patched per send)
  buf[3] = 0x10;
  buf[4] = 0; // pointer_field
}

/** A PAT with one program as a 188-byte packet (continuity_counter 0: patch byte 3 when sending). */
export function buildPatPacket(def: ProgramDefinition): Uint8Array {
  const buf = new Uint8Array(TS_PACKET_SIZE);
  writePacketHeader(buf, PAT_PID);
  // 5 bytes after section_length + 4 per program + CRC_32
  let o = writeTableHeader(buf, 5, 0x00, 5 + 4 + 4, def.transportStreamId, def.version);
  buf[o++] = def.programNumber >> 8;
  buf[o++] = def.programNumber & 0xff;
  // reserved=111, program_map_PID (13 bits)
  buf[o++] = 0xe0 | (def.pmtPid >> 8);
  buf[o++] = def.pmtPid & 0xff;
  finishPacket(buf, 5, o);
  return buf;
}

/** A PMT as a 188-byte packet (continuity_counter 0). Throws TsMuxError when it does not fit one packet. */
export function buildPmtPacket(def: ProgramDefinition): Uint8Array {
  let esBytes = 0;
  for (const s of def.streams) esBytes += 5 + s.descriptors.length;
  // program_number..last_section_number (5) + PCR_PID (2) + program_info_length (2) + streams + CRC (4)
  const sectionLength = 5 + 4 + esBytes + 4;
  if (5 + 3 + sectionLength > TS_PACKET_SIZE)
    throw new TsMuxError(`PMT of ${def.streams.length} streams does not fit one packet`);
  const buf = new Uint8Array(TS_PACKET_SIZE);
  writePacketHeader(buf, def.pmtPid);
  let o = writeTableHeader(buf, 5, 0x02, sectionLength, def.programNumber, def.version);
  // reserved=111, PCR_PID
  buf[o++] = 0xe0 | (def.pcrPid >> 8);
  buf[o++] = def.pcrPid & 0xff;
  // reserved=1111, program_info_length=0
  buf[o++] = 0xf0;
  buf[o++] = 0x00;
  for (const s of def.streams) {
    buf[o++] = s.streamType;
    // reserved=111, elementary_PID
    buf[o++] = 0xe0 | (s.pid >> 8);
    buf[o++] = s.pid & 0xff;
    // reserved=1111, ES_info_length
    buf[o++] = 0xf0 | (s.descriptors.length >> 8);
    buf[o++] = s.descriptors.length & 0xff;
    buf.set(s.descriptors, o);
    o += s.descriptors.length;
  }
  finishPacket(buf, 5, o);
  return buf;
}
