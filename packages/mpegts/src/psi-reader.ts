/** Reassembles PSI sections from transport packet payloads and parses PAT and PMT. */
import { crc32Mpeg2 } from './crc32.js';
import { TsDemuxError } from './errors.js';

/** Largest section: section_length is 12 bits (private sections up to 4093 + 3). */
const MAX_SECTION_SIZE = 4096;

/** Collects the sections of one PID; calls `onSection(buf, length)` for each complete one. */
export class SectionAssembler {
  private readonly buf = new Uint8Array(MAX_SECTION_SIZE);
  private length = 0;
  private active = false;

  constructor(
    readonly pid: number,
    private readonly onSection: (buf: Uint8Array, length: number) => void,
  ) {}

  /** Forgets a partial section (after a continuity error). */
  reset(): void {
    this.active = false;
    this.length = 0;
  }

  /** Feeds the payload `data[start, end)` of one packet of this PID. */
  push(data: Uint8Array, start: number, end: number, unitStart: boolean): void {
    let p = start;
    if (!unitStart) {
      if (this.active) this.append(data, p, end);
      return;
    }
    const pointer = data[p]!;
    p++;
    if (p + pointer > end) {
      this.reset();
      throw new TsDemuxError('psi', `pointer_field ${pointer} points past the packet`, this.pid);
    }
    // bytes before the pointed-to section end the previous one
    if (this.active) this.append(data, p, p + pointer);
    this.active = false;
    p += pointer;
    // several sections may follow each other in one packet; 0xFF starts the stuffing
    while (p < end && data[p] !== 0xff) {
      this.active = true;
      this.length = 0;
      p += this.append(data, p, end);
      if (this.active) return; // continues in the next packet
    }
  }

  /** Appends bytes to the current section, completing it at section_length; returns bytes used. */
  private append(data: Uint8Array, start: number, end: number): number {
    let p = start;
    if (this.length < 3) {
      // table_id, section_syntax_indicator/private_indicator/reserved, section_length
      const h = Math.min(end - p, 3 - this.length);
      for (let i = 0; i < h; i++) this.buf[this.length + i] = data[p + i]!;
      this.length += h;
      p += h;
      if (this.length < 3) return p - start;
    }
    const total = 3 + (((this.buf[1]! & 0x0f) << 8) | this.buf[2]!);
    if (total > MAX_SECTION_SIZE) {
      this.reset();
      throw new TsDemuxError('psi', `section_length ${total - 3} is too large`, this.pid);
    }
    const take = Math.min(end - p, total - this.length);
    this.buf.set(data.subarray(p, p + take), this.length);
    this.length += take;
    p += take;
    if (this.length === total) {
      this.active = false;
      this.onSection(this.buf, this.length);
    }
    return p - start;
  }
}

/** One program of a PAT. */
export interface PatEntry {
  programNumber: number;
  pmtPid: number;
}

/** One elementary stream of a PMT. */
export interface PmtEntry {
  streamType: number;
  pid: number;
  /** ES_info descriptors (a view, valid only during the callback). */
  descriptors: Uint8Array;
}

/** A parsed PMT. */
export interface ParsedPmt {
  programNumber: number;
  version: number;
  pcrPid: number;
  streams: PmtEntry[];
}

/** Checks the CRC_32 and syntax of a long-form section; throws TsDemuxError('crc' | 'psi'). */
function checkSection(buf: Uint8Array, length: number, pid: number, tableId: number): void {
  if (length < 12) throw new TsDemuxError('psi', `section of ${length} bytes is too short`, pid);
  if (buf[0] !== tableId)
    throw new TsDemuxError(
      'psi',
      `table_id 0x${buf[0]!.toString(16)} on PID ${pid}, expected 0x${tableId.toString(16)}`,
      pid,
    );
  if ((buf[1]! & 0x80) === 0) throw new TsDemuxError('psi', 'section_syntax_indicator is 0', pid);
  if (crc32Mpeg2(buf, 0, length) !== 0)
    throw new TsDemuxError('crc', `CRC_32 mismatch in table 0x${tableId.toString(16)} on PID ${pid}`, pid);
}

/** True when the section's current_next_indicator is 1 (applicable now). */
export function isCurrentSection(buf: Uint8Array): boolean {
  return (buf[5]! & 0x01) === 1;
}

/** Parses a PAT section (table_id 0); programs with program_number 0 (network PID) are left out. */
export function parsePat(buf: Uint8Array, length: number): PatEntry[] {
  checkSection(buf, length, 0, 0x00);
  const programs: PatEntry[] = [];
  for (let p = 8; p + 4 <= length - 4; p += 4) {
    const programNumber = (buf[p]! << 8) | buf[p + 1]!;
    const pid = ((buf[p + 2]! & 0x1f) << 8) | buf[p + 3]!;
    if (programNumber !== 0) programs.push({ programNumber, pmtPid: pid });
  }
  return programs;
}

/** Parses a PMT section (table_id 2); throws TsDemuxError when malformed. */
export function parsePmt(buf: Uint8Array, length: number, pid: number): ParsedPmt {
  checkSection(buf, length, pid, 0x02);
  const end = length - 4;
  const programNumber = (buf[3]! << 8) | buf[4]!;
  const version = (buf[5]! >> 1) & 0x1f;
  const pcrPid = ((buf[8]! & 0x1f) << 8) | buf[9]!;
  const programInfoLength = ((buf[10]! & 0x0f) << 8) | buf[11]!;
  let p = 12 + programInfoLength;
  if (p > end) throw new TsDemuxError('psi', `program_info_length ${programInfoLength} runs past the section`, pid);
  const streams: PmtEntry[] = [];
  while (p + 5 <= end) {
    const streamType = buf[p]!;
    const esPid = ((buf[p + 1]! & 0x1f) << 8) | buf[p + 2]!;
    const infoLength = ((buf[p + 3]! & 0x0f) << 8) | buf[p + 4]!;
    if (p + 5 + infoLength > end)
      throw new TsDemuxError('psi', `ES_info_length ${infoLength} of PID ${esPid} runs past the section`, pid);
    streams.push({ streamType, pid: esPid, descriptors: buf.subarray(p + 5, p + 5 + infoLength) });
    p += 5 + infoLength;
  }
  return { programNumber, version, pcrPid, streams };
}

/** Finds a descriptor by tag in an ES_info loop; returns its body or undefined. */
export function findDescriptor(descriptors: Uint8Array, tag: number): Uint8Array | undefined {
  let p = 0;
  while (p + 2 <= descriptors.length) {
    const t = descriptors[p]!;
    const len = descriptors[p + 1]!;
    if (p + 2 + len > descriptors.length) return undefined;
    if (t === tag) return descriptors.subarray(p + 2, p + 2 + len);
    p += 2 + len;
  }
  return undefined;
}

/**
 * The last section accepted on a PID, to recognise its repetitions (PAT and PMT come
 * every 100 ms or so): an identical section needs no CRC check or parse.
 */
export class SectionMemo {
  private bytes = new Uint8Array(0);
  private length = -1;

  /** True when `buf[0, length)` equals the remembered section. */
  same(buf: Uint8Array, length: number): boolean {
    if (length !== this.length) return false;
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (buf[i] !== bytes[i]) return false;
    return true;
  }

  /** Remembers `buf[0, length)` (a section that was checked and accepted). */
  remember(buf: Uint8Array, length: number): void {
    if (this.bytes.length < length) this.bytes = new Uint8Array(length);
    this.bytes.set(buf.subarray(0, length));
    this.length = length;
  }

  /** Forgets the remembered section. */
  clear(): void {
    this.length = -1;
  }
}
