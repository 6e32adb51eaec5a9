/** What the caller and the listener handshakes share: our HSREQ/HSRSP content and the datagram helpers. */
import { randomInt } from 'node:crypto';
import { encodeControl } from './control.js';
import { SrtFlag, type Handshake, type SrtHsExtension } from './handshake.js';

/** The SRT version we announce (1.5.0: the protocol level of draft-sharabayko-srt). */
export const SRT_VERSION = 0x010500;

/** What we do: TSBPD both ways, too-late drop, periodic NAK, the retransmission flag; CRYPT as every peer sets. */
export const OUR_FLAGS =
  SrtFlag.TsbpdSnd | SrtFlag.TsbpdRcv | SrtFlag.Crypt | SrtFlag.TlPktDrop | SrtFlag.PeriodicNak | SrtFlag.RexmitFlg;

/** Our HSREQ / HSRSP. */
export function hsExtension(receiverDelayMs: number, senderDelayMs: number): SrtHsExtension {
  return { srtVersion: SRT_VERSION, flags: OUR_FLAGS, receiverDelayMs, senderDelayMs };
}

/** A random socket ID or initial sequence number (31 bits, not 0). */
export function random31(): number {
  return randomInt(1, 0x7fffffff);
}

/** A handshake control packet. */
export function handshakePacket(hs: Handshake, timestamp: number, destSocketId: number): Buffer {
  return encodeControl({ kind: 'handshake', handshake: hs, timestamp: timestamp >>> 0, destSocketId });
}

/** Checks what a peer's HSREQ/HSRSP announces; a reason to refuse or undefined. */
export function peerFlagsProblem(ext: SrtHsExtension): string | undefined {
  if ((ext.flags & SrtFlag.Stream) !== 0)
    return 'the peer uses stream (file) mode; only live mode (messages) is supported';
  if ((ext.flags & SrtFlag.RexmitFlg) === 0) return 'the peer does not use the retransmission flag (SRT before 1.2)';
  return undefined;
}
