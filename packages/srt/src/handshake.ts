/**
 * The handshake control packet's body (CIF, draft-sharabayko-srt section 3.2.1) and its HSv5
 * extensions: HSREQ/HSRSP, KMREQ/KMRSP, stream ID (SID), congestion controller, packet filter.
 */
import { SrtPacketError } from './errors.js';

/** Handshake types (the signed 32-bit field); 1000 + reason is a rejection. */
export const HandshakeType = {
  Done: -3,
  Agreement: -2,
  Conclusion: -1,
  WaveAHand: 0,
  Induction: 1,
} as const;
/** Base of rejection handshake types: `1000 + reject reason`. */
export const HANDSHAKE_REJECT_BASE = 1000;

/** The "SRT magic" the listener puts in the extension field of its induction response. */
export const SRT_MAGIC = 0x4a17;
/** The extension field of a v4 caller induction (UDT_DGRAM). */
export const UDT_DGRAM = 2;

/** Bits of the extension field of a v5 conclusion. */
export const HsExtFlag = { HsReq: 1, KmReq: 2, Config: 4 } as const;

/** Extension block types. */
export const HsExtType = {
  HsReq: 1,
  HsRsp: 2,
  KmReq: 3,
  KmRsp: 4,
  Sid: 5,
  Congestion: 6,
  Filter: 7,
  Group: 8,
} as const;

/** SRT option flags of HSREQ/HSRSP. */
export const SrtFlag = {
  TsbpdSnd: 0x01,
  TsbpdRcv: 0x02,
  Crypt: 0x04,
  TlPktDrop: 0x08,
  PeriodicNak: 0x10,
  RexmitFlg: 0x20,
  Stream: 0x40,
  FilterCap: 0x80,
} as const;

/** Longest stream ID (libsrt's limit). */
export const MAX_STREAM_ID_BYTES = 512;
/** Longest KM message accepted (two 256-bit keys wrapped + salt + header is 104 bytes). */
export const MAX_KM_BYTES = 256;

const CIF_SIZE = 48;

/** The HSREQ / HSRSP extension. Delays are in milliseconds. */
export interface SrtHsExtension {
  srtVersion: number;
  flags: number;
  /** Latency the sender of this extension applies when receiving. */
  receiverDelayMs: number;
  /** Latency the sender of this extension asks its peer to apply when receiving from it. */
  senderDelayMs: number;
}

/** A decoded handshake. `peerIp` is the 16 raw bytes as on the wire. */
export interface Handshake {
  version: number;
  encryptionField: number;
  extensionField: number;
  initialSeq: number;
  mtu: number;
  flowWindow: number;
  type: number;
  socketId: number;
  cookie: number;
  peerIp: Uint8Array;
  hsReq?: SrtHsExtension;
  hsRsp?: SrtHsExtension;
  kmReq?: Uint8Array;
  kmRsp?: Uint8Array;
  streamId?: string;
  congestion?: string;
  filter?: string;
  /** A GROUP extension was present (bonding is not supported: such callers are rejected). */
  group?: boolean;
}

/** Encodes an IPv4 address the way libsrt writes it (the 4 bytes of the first word reversed). */
export function peerIpBytes(address: string): Uint8Array {
  const out = new Uint8Array(16);
  const parts = address.split('.').map(Number);
  if (parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)) {
    for (let i = 0; i < 4; i++) out[3 - i] = parts[i] ?? 0;
  }
  return out;
}

/** Reverses the bytes of each 32-bit word (libsrt's layout of string extensions). */
function swapWords(src: Uint8Array, dst: Uint8Array): void {
  for (let i = 0; i < dst.length; i += 4) {
    dst[i] = src[i + 3] ?? 0;
    dst[i + 1] = src[i + 2] ?? 0;
    dst[i + 2] = src[i + 1] ?? 0;
    dst[i + 3] = src[i] ?? 0;
  }
}

function decodeStringExt(buf: Buffer, offset: number, len: number, what: string, max: number): string {
  if (len > max) throw new SrtPacketError('too-large', `${what} of ${len} bytes exceeds ${max}`, offset);
  const swapped = Buffer.alloc(len);
  swapWords(buf.subarray(offset, offset + len), swapped);
  let end = len;
  while (end > 0 && swapped[end - 1] === 0) end--;
  return swapped.toString('utf8', 0, end);
}

function encodeStringExt(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  const padded = Buffer.alloc((raw.length + 3) & ~3);
  raw.copy(padded);
  const out = Buffer.alloc(padded.length);
  swapWords(padded, out);
  return out;
}

function decodeHsExt(buf: Buffer, offset: number, len: number): SrtHsExtension {
  if (len < 12) throw new SrtPacketError('truncated', `HSREQ/HSRSP of ${len} bytes (needs 12)`, offset);
  const delays = buf.readUInt32BE(offset + 8);
  return {
    srtVersion: buf.readUInt32BE(offset),
    flags: buf.readUInt32BE(offset + 4),
    receiverDelayMs: delays >>> 16,
    senderDelayMs: delays & 0xffff,
  };
}

/** Decodes a handshake CIF (the bytes after the 16-byte header). */
export function decodeHandshake(buf: Buffer, start: number): Handshake {
  if (buf.length - start < CIF_SIZE) {
    throw new SrtPacketError('truncated', `handshake of ${buf.length - start} bytes (needs ${CIF_SIZE})`, start);
  }
  const hs: Handshake = {
    version: buf.readUInt32BE(start),
    encryptionField: buf.readUInt16BE(start + 4),
    extensionField: buf.readUInt16BE(start + 6),
    initialSeq: buf.readUInt32BE(start + 8) & 0x7fffffff,
    mtu: buf.readUInt32BE(start + 12),
    flowWindow: buf.readUInt32BE(start + 16),
    type: buf.readInt32BE(start + 20),
    socketId: buf.readUInt32BE(start + 24),
    cookie: buf.readUInt32BE(start + 28),
    peerIp: Uint8Array.from(buf.subarray(start + 32, start + 48)),
  };
  if (hs.version !== 4 && hs.version !== 5) {
    throw new SrtPacketError('unsupported', `handshake version ${hs.version} (4 or 5 expected)`, start);
  }
  let off = start + CIF_SIZE;
  while (hs.version === 5 && off + 4 <= buf.length) {
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2) * 4;
    off += 4;
    if (off + len > buf.length) {
      throw new SrtPacketError('truncated', `handshake extension ${type} announces ${len} bytes past the end`, off);
    }
    switch (type) {
      case HsExtType.HsReq:
        hs.hsReq = decodeHsExt(buf, off, len);
        break;
      case HsExtType.HsRsp:
        hs.hsRsp = decodeHsExt(buf, off, len);
        break;
      case HsExtType.KmReq:
      case HsExtType.KmRsp: {
        if (len > MAX_KM_BYTES) throw new SrtPacketError('too-large', `KM message of ${len} bytes`, off);
        const km = Uint8Array.from(buf.subarray(off, off + len));
        if (type === HsExtType.KmReq) hs.kmReq = km;
        else hs.kmRsp = km;
        break;
      }
      case HsExtType.Sid:
        hs.streamId = decodeStringExt(buf, off, len, 'stream ID', MAX_STREAM_ID_BYTES);
        break;
      case HsExtType.Congestion:
        hs.congestion = decodeStringExt(buf, off, len, 'congestion controller name', 64);
        break;
      case HsExtType.Filter:
        hs.filter = decodeStringExt(buf, off, len, 'packet filter', 512);
        break;
      case HsExtType.Group:
        hs.group = true;
        break;
      default:
        break; // unknown extensions are skipped, as libsrt does
    }
    off += len;
  }
  return hs;
}

function extHeader(type: number, bytes: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(bytes / 4, 2);
  return h;
}

function encodeHsExt(e: SrtHsExtension): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(e.srtVersion >>> 0, 0);
  b.writeUInt32BE(e.flags >>> 0, 4);
  b.writeUInt32BE((((e.receiverDelayMs & 0xffff) << 16) | (e.senderDelayMs & 0xffff)) >>> 0, 8);
  return b;
}

function padded(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc((bytes.length + 3) & ~3);
  out.set(bytes);
  return out;
}

/** Encodes a handshake CIF with its extensions (the bytes after the header). */
export function encodeHandshake(hs: Handshake): Buffer {
  const cif = Buffer.alloc(CIF_SIZE);
  cif.writeUInt32BE(hs.version >>> 0, 0);
  cif.writeUInt16BE(hs.encryptionField & 0xffff, 4);
  cif.writeUInt16BE(hs.extensionField & 0xffff, 6);
  cif.writeUInt32BE(hs.initialSeq & 0x7fffffff, 8);
  cif.writeUInt32BE(hs.mtu >>> 0, 12);
  cif.writeUInt32BE(hs.flowWindow >>> 0, 16);
  cif.writeInt32BE(hs.type | 0, 20);
  cif.writeUInt32BE(hs.socketId >>> 0, 24);
  cif.writeUInt32BE(hs.cookie >>> 0, 28);
  cif.set(hs.peerIp.subarray(0, 16), 32);
  const parts: Buffer[] = [cif];
  const add = (type: number, body: Buffer): void => {
    parts.push(extHeader(type, body.length), body);
  };
  if (hs.hsReq) add(HsExtType.HsReq, encodeHsExt(hs.hsReq));
  if (hs.hsRsp) add(HsExtType.HsRsp, encodeHsExt(hs.hsRsp));
  if (hs.kmReq) add(HsExtType.KmReq, padded(hs.kmReq));
  if (hs.kmRsp) add(HsExtType.KmRsp, padded(hs.kmRsp));
  if (hs.streamId !== undefined && hs.streamId !== '') {
    const sid = encodeStringExt(hs.streamId);
    if (sid.length > MAX_STREAM_ID_BYTES) {
      throw new SrtPacketError('too-large', `stream ID of ${sid.length} bytes exceeds ${MAX_STREAM_ID_BYTES}`);
    }
    add(HsExtType.Sid, sid);
  }
  if (hs.congestion !== undefined) add(HsExtType.Congestion, encodeStringExt(hs.congestion));
  if (hs.filter !== undefined) add(HsExtType.Filter, encodeStringExt(hs.filter));
  return Buffer.concat(parts);
}
