/**
 * SRT control packets (draft-sharabayko-srt section 3.2): handshake, keepalive, ACK, NAK,
 * ACKACK, shutdown, drop request and the KMREQ/KMRSP user-defined messages.
 * Decoding allocates at most what the (size-checked) packet holds.
 */
import { SrtPacketError } from './errors.js';
import { decodeHandshake, encodeHandshake, type Handshake } from './handshake.js';
import { checkPacketSize, HEADER_SIZE, isControlPacket } from './packet.js';

/** Control packet types. */
export const ControlType = {
  Handshake: 0x0000,
  Keepalive: 0x0001,
  Ack: 0x0002,
  Nak: 0x0003,
  CongestionWarning: 0x0004,
  Shutdown: 0x0005,
  AckAck: 0x0006,
  DropReq: 0x0007,
  PeerError: 0x0008,
  UserDefined: 0x7fff,
} as const;

/** Subtypes of the user-defined control type (SRT extension messages). */
export const UserSubtype = { HsReq: 1, HsRsp: 2, KmReq: 3, KmRsp: 4 } as const;

/** The statistics a full ACK carries (light and small ACKs carry only some). */
export interface AckFields {
  /** Sequence number of the first packet not yet received (everything before it is acknowledged). */
  lastAckedSeq: number;
  rttUs?: number;
  rttVarUs?: number;
  availableBuffer?: number;
  packetsPerSecond?: number;
  linkCapacity?: number;
  bytesPerSecond?: number;
}

interface Base {
  timestamp: number;
  destSocketId: number;
}

/** A decoded control packet. NAK losses are `[first, last]` pairs flattened (a single loss has first = last). */
export type ControlPacket =
  | (Base & { kind: 'handshake'; handshake: Handshake })
  | (Base & { kind: 'keepalive' })
  | (Base & { kind: 'ack'; ackNo: number; ack: AckFields })
  | (Base & { kind: 'nak'; losses: number[] })
  | (Base & { kind: 'ackack'; ackNo: number })
  | (Base & { kind: 'shutdown' })
  | (Base & { kind: 'dropreq'; msgNo: number; firstSeq: number; lastSeq: number })
  | (Base & { kind: 'kmreq' | 'kmrsp'; km: Uint8Array })
  | (Base & { kind: 'other'; controlType: number; subtype: number });

/** Decodes a control packet (throws SrtPacketError on anything malformed). */
export function decodeControl(buf: Buffer): ControlPacket {
  checkPacketSize(buf);
  if (!isControlPacket(buf)) throw new SrtPacketError('malformed', 'not a control packet', 0);
  const controlType = buf.readUInt16BE(0) & 0x7fff;
  const subtype = buf.readUInt16BE(2);
  const info = buf.readUInt32BE(4);
  const base: Base = { timestamp: buf.readUInt32BE(8), destSocketId: buf.readUInt32BE(12) };
  const cifLength = buf.length - HEADER_SIZE;
  switch (controlType) {
    case ControlType.Handshake:
      return { ...base, kind: 'handshake', handshake: decodeHandshake(buf, HEADER_SIZE) };
    case ControlType.Keepalive:
      return { ...base, kind: 'keepalive' };
    case ControlType.Shutdown:
      return { ...base, kind: 'shutdown' };
    case ControlType.AckAck:
      return { ...base, kind: 'ackack', ackNo: info };
    case ControlType.Ack:
      return { ...base, kind: 'ack', ackNo: info, ack: decodeAck(buf, cifLength) };
    case ControlType.Nak:
      return { ...base, kind: 'nak', losses: decodeLossList(buf, HEADER_SIZE) };
    case ControlType.DropReq:
      if (cifLength < 8) throw new SrtPacketError('truncated', `drop request of ${cifLength} bytes (needs 8)`, 16);
      return {
        ...base,
        kind: 'dropreq',
        msgNo: info,
        firstSeq: buf.readUInt32BE(16) & 0x7fffffff,
        lastSeq: buf.readUInt32BE(20) & 0x7fffffff,
      };
    case ControlType.UserDefined:
      if (subtype === UserSubtype.KmReq || subtype === UserSubtype.KmRsp) {
        if (cifLength < 4) throw new SrtPacketError('truncated', 'empty KM message', 16);
        return {
          ...base,
          kind: subtype === UserSubtype.KmReq ? 'kmreq' : 'kmrsp',
          km: Uint8Array.from(buf.subarray(HEADER_SIZE)),
        };
      }
      return { ...base, kind: 'other', controlType, subtype };
    default:
      return { ...base, kind: 'other', controlType, subtype };
  }
}

function decodeAck(buf: Buffer, cifLength: number): AckFields {
  if (cifLength < 4) throw new SrtPacketError('truncated', `ACK of ${cifLength} bytes (needs 4)`, 16);
  const ack: AckFields = { lastAckedSeq: buf.readUInt32BE(16) & 0x7fffffff };
  if (cifLength >= 16) {
    ack.rttUs = buf.readUInt32BE(20);
    ack.rttVarUs = buf.readUInt32BE(24);
    ack.availableBuffer = buf.readUInt32BE(28);
  }
  if (cifLength >= 28) {
    ack.packetsPerSecond = buf.readUInt32BE(32);
    ack.linkCapacity = buf.readUInt32BE(36);
    ack.bytesPerSecond = buf.readUInt32BE(40);
  }
  return ack;
}

function decodeLossList(buf: Buffer, start: number): number[] {
  const losses: number[] = [];
  let off = start;
  while (off + 4 <= buf.length) {
    const w = buf.readUInt32BE(off);
    off += 4;
    if ((w & 0x80000000) !== 0) {
      if (off + 4 > buf.length) throw new SrtPacketError('truncated', 'NAK range without its last sequence', off);
      const last = buf.readUInt32BE(off);
      off += 4;
      if ((last & 0x80000000) !== 0) throw new SrtPacketError('malformed', 'NAK range end has the range bit', off - 4);
      losses.push(w & 0x7fffffff, last);
    } else {
      losses.push(w, w);
    }
  }
  if (losses.length === 0) throw new SrtPacketError('truncated', 'NAK without a loss entry', start);
  return losses;
}

function header(cifLength: number, type: number, subtype: number, info: number, ts: number, dest: number): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE + cifLength);
  buf.writeUInt16BE(0x8000 | type, 0);
  buf.writeUInt16BE(subtype, 2);
  buf.writeUInt32BE(info >>> 0, 4);
  buf.writeUInt32BE(ts >>> 0, 8);
  buf.writeUInt32BE(dest >>> 0, 12);
  return buf;
}

/** Encodes a control packet into a new buffer. */
export function encodeControl(p: ControlPacket): Buffer {
  const { timestamp: ts, destSocketId: dest } = p;
  switch (p.kind) {
    case 'handshake': {
      const cif = encodeHandshake(p.handshake);
      const buf = header(cif.length, ControlType.Handshake, 0, 0, ts, dest);
      cif.copy(buf, HEADER_SIZE);
      return buf;
    }
    case 'keepalive':
      return header(4, ControlType.Keepalive, 0, 0, ts, dest);
    case 'shutdown':
      return header(4, ControlType.Shutdown, 0, 0, ts, dest);
    case 'ackack':
      return header(4, ControlType.AckAck, 0, p.ackNo, ts, dest);
    case 'ack': {
      const a = p.ack;
      const full = a.rttUs !== undefined;
      const buf = header(full ? 28 : 4, ControlType.Ack, 0, p.ackNo, ts, dest);
      buf.writeUInt32BE(a.lastAckedSeq & 0x7fffffff, 16);
      if (full) {
        buf.writeUInt32BE((a.rttUs ?? 0) >>> 0, 20);
        buf.writeUInt32BE((a.rttVarUs ?? 0) >>> 0, 24);
        buf.writeUInt32BE((a.availableBuffer ?? 0) >>> 0, 28);
        buf.writeUInt32BE((a.packetsPerSecond ?? 0) >>> 0, 32);
        buf.writeUInt32BE((a.linkCapacity ?? 0) >>> 0, 36);
        buf.writeUInt32BE((a.bytesPerSecond ?? 0) >>> 0, 40);
      }
      return buf;
    }
    case 'nak':
      return encodeNak(p.losses, ts, dest);
    case 'dropreq': {
      const buf = header(8, ControlType.DropReq, 0, p.msgNo, ts, dest);
      buf.writeUInt32BE(p.firstSeq & 0x7fffffff, 16);
      buf.writeUInt32BE(p.lastSeq & 0x7fffffff, 20);
      return buf;
    }
    case 'kmreq':
    case 'kmrsp': {
      const len = (p.km.length + 3) & ~3;
      const buf = header(
        len,
        ControlType.UserDefined,
        p.kind === 'kmreq' ? UserSubtype.KmReq : UserSubtype.KmRsp,
        0,
        ts,
        dest,
      );
      buf.set(p.km, HEADER_SIZE);
      return buf;
    }
    case 'other':
      return header(4, p.controlType, p.subtype, 0, ts, dest);
  }
}

/** Encodes a NAK from `[first, last]` pairs (capped to what fits in one packet). */
function encodeNak(losses: readonly number[], ts: number, dest: number): Buffer {
  let words = 0;
  const maxWords = (1500 - 28 - HEADER_SIZE) / 4;
  let pairs = 0;
  for (let i = 0; i + 1 < losses.length; i += 2) {
    const w = losses[i] === losses[i + 1] ? 1 : 2;
    if (words + w > maxWords) break;
    words += w;
    pairs++;
  }
  const buf = header(words * 4, ControlType.Nak, 0, 0, ts, dest);
  let off = HEADER_SIZE;
  for (let i = 0; i < pairs * 2; i += 2) {
    const first = (losses[i] ?? 0) & 0x7fffffff;
    const last = (losses[i + 1] ?? 0) & 0x7fffffff;
    if (first === last) {
      buf.writeUInt32BE(first, off);
      off += 4;
    } else {
      buf.writeUInt32BE((first | 0x80000000) >>> 0, off);
      buf.writeUInt32BE(last, off + 4);
      off += 8;
    }
  }
  return buf;
}
