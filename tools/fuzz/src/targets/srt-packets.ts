/**
 * Fuzz target of @sluice/srt: every datagram an SRT socket reads, as the connection reads
 * it: a data packet header, or a control packet (handshake with its HSREQ/KMREQ/SID
 * extensions, ACK, NAK loss lists, keepalive, shutdown, KM messages), and the KM message
 * parser on its own. Seeds: packets srt-live-transmit sent.
 */
import { SrtPacketError } from '@sluice/srt';
import { decodeControl } from '../../../../packages/srt/src/control.js';
import { decodeKm } from '../../../../packages/srt/src/km.js';
import { newDataHeader, readDataHeader } from '../../../../packages/srt/src/packet.js';
import {
  libsrtAckAck,
  libsrtConclusion,
  libsrtData,
  libsrtInduction,
  libsrtKeepalive,
} from '../../../../packages/srt/src/test-support/libsrt-packets.js';
import { expectTyped, type FuzzTarget } from '../target.js';

const header = newDataHeader();

export const srtPackets: FuzzTarget = {
  name: 'srt-packets',
  description:
    'SRT datagrams (data header, control packets: handshake + HSREQ/KMREQ/SID, ACK, NAK, KM) and KM messages',
  maxLength: 1600,
  coverage: ['srt/src/control.ts', 'srt/src/handshake.ts', 'srt/src/km.ts', 'srt/src/packet.ts'],
  seeds: () =>
    [libsrtInduction, libsrtConclusion, libsrtData, libsrtAckAck, libsrtKeepalive].map((b) => new Uint8Array(b)),
  run: (input) => {
    const buf = Buffer.from(input.buffer, input.byteOffset, input.length);
    const packet = expectTyped(() => {
      if (buf.length >= 16 && (buf[0]! & 0x80) === 0) readDataHeader(buf, header);
      else decodeControl(buf);
    }, [SrtPacketError]);
    // the KM message as a KMREQ/KMRSP body (after the 16-byte control header)
    const km = expectTyped(() => void decodeKm(buf.subarray(Math.min(16, buf.length))), [SrtPacketError]);
    return packet === 'accepted' || km === 'accepted' ? 'accepted' : 'refused';
  },
};
