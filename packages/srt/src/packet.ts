/**
 * SRT packet header and the data packet (draft-sharabayko-srt section 3.1):
 * 16 bytes: F|seq or F|type|subtype, PP|O|KK|R|msgno or type-specific info, timestamp, destination socket id.
 */
import { SrtPacketError } from './errors.js';

/** Header size of every SRT packet. */
export const HEADER_SIZE = 16;
/** Largest packet accepted or sent (the default MSS, an Ethernet MTU). */
export const MAX_PACKET_SIZE = 1500;
/** Payload of a live-mode packet: 7 TS packets. */
export const LIVE_PAYLOAD_SIZE = 1316;
/** Largest payload with the default MSS (1500 - 28 IP/UDP - 16 SRT). */
export const MAX_PAYLOAD_SIZE = 1456;

/** Packet position flags (PP) of a data packet. */
export const PacketPosition = { Middle: 0, Last: 1, First: 2, Solo: 3 } as const;

/** Key selector (KK) of a data packet: which key encrypted it. */
export const KeySelector = { None: 0, Even: 1, Odd: 2 } as const;

/** Header fields of a data packet, read into a caller-owned object (no allocation per packet). */
export interface DataHeader {
  seq: number;
  position: number;
  inOrder: boolean;
  key: number;
  retransmitted: boolean;
  msgNo: number;
  timestamp: number;
  destSocketId: number;
}

/** A fresh DataHeader to read into. */
export function newDataHeader(): DataHeader {
  return {
    seq: 0,
    position: 0,
    inOrder: false,
    key: 0,
    retransmitted: false,
    msgNo: 0,
    timestamp: 0,
    destSocketId: 0,
  };
}

/** True when the packet has the control flag set (callers check the length first). */
export function isControlPacket(buf: Uint8Array): boolean {
  return ((buf[0] ?? 0) & 0x80) !== 0;
}

/** Checks the length of any SRT packet. */
export function checkPacketSize(buf: Uint8Array): void {
  if (buf.length < HEADER_SIZE) {
    throw new SrtPacketError('truncated', `packet of ${buf.length} bytes is shorter than the 16-byte header`, 0);
  }
  if (buf.length > MAX_PACKET_SIZE) {
    throw new SrtPacketError('too-large', `packet of ${buf.length} bytes exceeds ${MAX_PACKET_SIZE}`, 0);
  }
}

/** Reads the header of a data packet into `out`; the payload is `buf[16..]`. */
export function readDataHeader(buf: Buffer, out: DataHeader): void {
  checkPacketSize(buf);
  if (isControlPacket(buf)) throw new SrtPacketError('malformed', 'not a data packet', 0);
  out.seq = buf.readUInt32BE(0) & 0x7fffffff;
  const w1 = buf.readUInt32BE(4);
  out.position = w1 >>> 30;
  out.inOrder = ((w1 >>> 29) & 1) === 1;
  out.key = (w1 >>> 27) & 3;
  out.retransmitted = ((w1 >>> 26) & 1) === 1;
  out.msgNo = w1 & 0x03ffffff;
  out.timestamp = buf.readUInt32BE(8);
  out.destSocketId = buf.readUInt32BE(12);
  if (out.key === 3) throw new SrtPacketError('malformed', 'data packet with key selector 3 (both keys)', 4);
}

/** Writes a data packet header at `buf[0..16]`. */
export function writeDataHeader(
  buf: Buffer,
  seq: number,
  position: number,
  key: number,
  retransmitted: boolean,
  msgNo: number,
  timestamp: number,
  destSocketId: number,
): void {
  buf.writeUInt32BE(seq & 0x7fffffff, 0);
  const w1 = ((position & 3) << 30) | ((key & 3) << 27) | (retransmitted ? 1 << 26 : 0) | (msgNo & 0x03ffffff);
  buf.writeUInt32BE(w1 >>> 0, 4);
  buf.writeUInt32BE(timestamp >>> 0, 8);
  buf.writeUInt32BE(destSocketId >>> 0, 12);
}

/** Sets or clears the retransmitted flag (R) of a data packet in place. */
export function setRetransmitted(buf: Buffer, on: boolean): void {
  const b = buf[4] ?? 0;
  buf[4] = on ? b | 0x04 : b & ~0x04;
}
