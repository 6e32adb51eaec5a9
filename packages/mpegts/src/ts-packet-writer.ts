/** Writes transport packets (ISO/IEC 13818-1 §2.4.3) into a TsOutput: PSI, PCR-only and PES packets. */
import { TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE } from './constants.js';
import { writePcrField } from './timestamp.js';
import type { TsOutput } from './ts-output.js';

/** Per-PID state: continuity counter and whether a packet was sent yet. */
export class PidState {
  /** Next continuity_counter value (0..15), counted only on packets with payload. */
  cc = 0;
  /** True until the first packet of the PID is written (it carries discontinuity_indicator). */
  first = true;
  constructor(readonly pid: number) {}
}

/** Number of packets a PES of `length` bytes needs when the first packet carries `firstAf` adaptation bytes. */
export function packetsForPes(length: number, firstAf: number): number {
  const first = TS_PAYLOAD_SIZE - firstAf;
  if (length <= first) return 1;
  return 1 + Math.ceil((length - first) / TS_PAYLOAD_SIZE);
}

/**
 * Copies a ready PSI packet template (PUSI set, pointer_field 0) with the PID's
 * continuity_counter. The first packet of a PID gets no adaptation field (PSI PIDs
 * carry no discontinuity flag: CC 0 of a fresh PID is accepted by every receiver).
 */
export function writePsiPacket(out: TsOutput, template: Uint8Array, state: PidState): void {
  out.ensure(TS_PACKET_SIZE);
  const p = out.pos;
  out.buf.set(template, p);
  // adaptation_field_control=01 (payload only), continuity_counter
  out.buf[p + 3] = 0x10 | state.cc;
  state.cc = (state.cc + 1) & 0x0f;
  state.first = false;
  out.pos = p + TS_PACKET_SIZE;
}

/**
 * Writes an adaptation-field-only packet carrying a PCR (27 MHz). Its continuity_counter
 * repeats the last payload packet's (not incremented: no payload).
 */
export function writePcrPacket(out: TsOutput, state: PidState, pcr: number, discontinuity: boolean): void {
  out.ensure(TS_PACKET_SIZE);
  const b = out.buf;
  const p = out.pos;
  const disc = discontinuity || state.first;
  b[p] = TS_SYNC_BYTE;
  // transport_error_indicator=0, payload_unit_start_indicator=0, transport_priority=0, PID
  b[p + 1] = state.pid >> 8;
  b[p + 2] = state.pid & 0xff;
  // adaptation_field_control=10 (adaptation field only), continuity_counter = last sent
  b[p + 3] = 0x20 | ((state.cc + 15) & 0x0f);
  b[p + 4] = 183; // adaptation_field_length
  // discontinuity_indicator, random_access_indicator=0, ES_priority=0, PCR_flag=1
  b[p + 5] = (disc ? 0x80 : 0) | 0x10;
  writePcrField(b, p + 6, pcr);
  b.fill(0xff, p + 12, p + TS_PACKET_SIZE);
  state.first = false;
  out.pos = p + TS_PACKET_SIZE;
}

/** Flags for the first packet of a PES. */
export interface PesPacketFlags {
  /** PCR in 27 MHz ticks, or NaN for none (a double from the start: PCR values pass 2^31). */
  pcr: number;
  randomAccess: boolean;
  discontinuity: boolean;
}

/**
 * Splits `pes[start, end)` (PES header + payload) into packets of `state.pid`. The first
 * packet has payload_unit_start_indicator=1 and, when needed, an adaptation field with
 * discontinuity_indicator, random_access_indicator and PCR; the last packet is padded
 * with adaptation-field stuffing (0xFF bytes inside the adaptation field, never in the
 * payload). The caller has ensured enough room in `out`. `pes` may be `out.buf` itself
 * when the PES lies at the end of the reserved space (see TsMuxer): packets are then
 * written forward over it, each copy reading ahead of where it writes.
 */
export function writePesPackets(
  out: TsOutput,
  state: PidState,
  pes: Uint8Array,
  start: number,
  end: number,
  flags: PesPacketFlags,
): void {
  const b = out.buf;
  let p = out.pos;
  // the first packet: payload_unit_start_indicator and the flags' adaptation field
  let src = start + writePesPacket(b, p, state, pes, start, end, true, flags);
  p += TS_PACKET_SIZE;
  // the middle: whole payloads without adaptation field, in a tight loop
  const pid = state.pid;
  const pidHigh = pid >> 8;
  const pidLow = pid & 0xff;
  const inPlace = pes === b;
  let cc = state.cc;
  while (end - src >= TS_PAYLOAD_SIZE) {
    b[p] = TS_SYNC_BYTE;
    b[p + 1] = pidHigh; // transport_error_indicator=0, payload_unit_start_indicator=0, transport_priority=0, PID
    b[p + 2] = pidLow;
    b[p + 3] = 0x10 | cc; // transport_scrambling_control=00, adaptation_field_control=01, continuity_counter
    cc = (cc + 1) & 0x0f;
    // in place (the PES was laid out at the end of the reserved space): a memmove, no view
    if (inPlace) b.copyWithin(p + 4, src, src + TS_PAYLOAD_SIZE);
    else b.set(pes.subarray(src, src + TS_PAYLOAD_SIZE), p + 4);
    src += TS_PAYLOAD_SIZE;
    p += TS_PACKET_SIZE;
  }
  state.cc = cc;
  // the last: padded with adaptation-field stuffing
  if (src < end) {
    writePesPacket(b, p, state, pes, src, end, false, flags);
    p += TS_PACKET_SIZE;
  }
  state.first = false;
  out.pos = p;
}

/** Writes one packet of `pes[src, end)` at `b[p]`; returns the payload bytes it took. */
function writePesPacket(
  b: Uint8Array,
  p: number,
  state: PidState,
  pes: Uint8Array,
  src: number,
  end: number,
  first: boolean,
  flags: PesPacketFlags,
): number {
  const pid = state.pid;
  const remaining = end - src;
  const disc = first && (flags.discontinuity || state.first);
  const hasPcr = first && flags.pcr >= 0;
  const ra = first && flags.randomAccess;
  // adaptation field needed for flags: adaptation_field_length + flags byte (+ 6 PCR bytes)
  const flagAf = disc || hasPcr || ra ? 2 + (hasPcr ? 6 : 0) : 0;
  let afTotal = flagAf;
  if (remaining < TS_PAYLOAD_SIZE - flagAf) afTotal = TS_PAYLOAD_SIZE - remaining;
  const payload = TS_PAYLOAD_SIZE - afTotal;
  b[p] = TS_SYNC_BYTE;
  // transport_error_indicator=0, payload_unit_start_indicator, transport_priority=0, PID
  b[p + 1] = (first ? 0x40 : 0) | (pid >> 8);
  b[p + 2] = pid & 0xff;
  // transport_scrambling_control=00, adaptation_field_control (01 payload / 11 both), continuity_counter
  b[p + 3] = (afTotal > 0 ? 0x30 : 0x10) | state.cc;
  state.cc = (state.cc + 1) & 0x0f;
  let q = p + 4;
  if (afTotal > 0) {
    b[q++] = afTotal - 1; // adaptation_field_length
    if (afTotal > 1) {
      // discontinuity_indicator, random_access_indicator, ES_priority=0, PCR_flag, OPCR/splicing/private/extension=0
      b[q++] = (disc ? 0x80 : 0) | (ra ? 0x40 : 0) | (hasPcr ? 0x10 : 0);
      if (hasPcr) {
        writePcrField(b, q, flags.pcr);
        q += 6;
      }
      const stuffing = p + 4 + afTotal;
      if (q < stuffing) {
        b.fill(0xff, q, stuffing); // stuffing_byte
        q = stuffing;
      }
    }
  }
  if (pes === b) b.copyWithin(q, src, src + payload);
  else b.set(pes.subarray(src, src + payload), q);
  return payload;
}
