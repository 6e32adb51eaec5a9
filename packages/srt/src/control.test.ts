import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeControl, encodeControl, type ControlPacket } from './control.js';
import { SrtPacketError } from './errors.js';
import { HandshakeType, SrtFlag, type Handshake } from './handshake.js';
import { decodeKm } from './km.js';
import { newDataHeader, readDataHeader, writeDataHeader } from './packet.js';
import {
  libsrtAckAck,
  libsrtConclusion,
  libsrtData,
  libsrtInduction,
  libsrtKeepalive,
} from './test-support/libsrt-packets.js';

const real = [libsrtInduction, libsrtConclusion, libsrtData, libsrtAckAck, libsrtKeepalive];

function decodeAny(buf: Buffer): void {
  if (buf.length >= 16 && (buf[0]! & 0x80) === 0) readDataHeader(buf, newDataHeader());
  else decodeControl(buf);
}

describe('packets srt-live-transmit sent', () => {
  it('decodes the caller induction (HSv4 form, UDT_DGRAM)', () => {
    const c = decodeControl(libsrtInduction);
    expect(c.kind).toBe('handshake');
    if (c.kind !== 'handshake') return;
    expect(c.handshake).toMatchObject({ version: 4, extensionField: 2, type: HandshakeType.Induction, cookie: 0 });
    expect(c.destSocketId).toBe(0);
  });

  it('decodes the conclusion: HSREQ, stream ID (word-swapped), KMREQ with a 24-byte key', () => {
    const c = decodeControl(libsrtConclusion);
    if (c.kind !== 'handshake') throw new Error('not a handshake');
    const hs = c.handshake;
    expect(hs.version).toBe(5);
    expect(hs.type).toBe(HandshakeType.Conclusion);
    expect(hs.encryptionField).toBe(3);
    expect(hs.streamId).toBe('#!::r=live/stream,m=publish');
    expect(hs.hsReq?.srtVersion).toBe(0x010501);
    expect((hs.hsReq?.flags ?? 0) & SrtFlag.RexmitFlg).toBe(SrtFlag.RexmitFlg);
    expect(hs.hsReq?.receiverDelayMs).toBe(120);
    expect(hs.hsReq?.senderDelayMs).toBe(0); // libsrt's default SRTO_PEERLATENCY
    expect(Buffer.from(hs.peerIp.subarray(0, 4)).toString('hex')).toBe('0100007f');
    const km = decodeKm(hs.kmReq ?? new Uint8Array());
    expect(km).toMatchObject({ keys: 1, cipher: 2, keyLength: 24 });
  });

  it('re-encodes the conclusion to the same bytes (extension order aside)', () => {
    const c = decodeControl(libsrtConclusion);
    const again = decodeControl(encodeControl(c));
    expect(again).toEqual(c);
  });

  it('reads the data header', () => {
    const h = newDataHeader();
    readDataHeader(libsrtData, h);
    expect(h.position).toBe(3);
    expect(h.key).toBe(2 - 1); // even key
    expect(h.retransmitted).toBe(false);
    expect(h.msgNo).toBe(1);
  });
});

describe('control packet round trips', () => {
  const hs: Handshake = {
    version: 5,
    encryptionField: 0,
    extensionField: 5,
    initialSeq: 12345,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.Conclusion,
    socketId: 77,
    cookie: 0xdeadbeef,
    peerIp: new Uint8Array(16),
    hsReq: { srtVersion: 0x010500, flags: 0x3f, receiverDelayMs: 1000, senderDelayMs: 120 },
    streamId: 'x'.repeat(512),
  };
  const cases: ControlPacket[] = [
    { kind: 'handshake', handshake: hs, timestamp: 1, destSocketId: 0 },
    { kind: 'keepalive', timestamp: 2, destSocketId: 9 },
    { kind: 'shutdown', timestamp: 3, destSocketId: 9 },
    { kind: 'ackack', ackNo: 42, timestamp: 4, destSocketId: 9 },
    { kind: 'ack', ackNo: 0, ack: { lastAckedSeq: 5 }, timestamp: 5, destSocketId: 9 },
    {
      kind: 'ack',
      ackNo: 7,
      ack: {
        lastAckedSeq: 0x7fffffff,
        rttUs: 1,
        rttVarUs: 2,
        availableBuffer: 3,
        packetsPerSecond: 4,
        linkCapacity: 5,
        bytesPerSecond: 6,
      },
      timestamp: 0xffffffff,
      destSocketId: 9,
    },
    { kind: 'nak', losses: [5, 5, 7, 9, 0x7ffffffe, 1], timestamp: 6, destSocketId: 9 },
    { kind: 'dropreq', msgNo: 0, firstSeq: 10, lastSeq: 20, timestamp: 7, destSocketId: 9 },
  ];
  it.each(cases.map((c) => [c.kind, c] as const))('%s', (_kind, c) => {
    expect(decodeControl(encodeControl(c))).toEqual(c);
  });

  it('refuses a stream ID over 512 bytes on both sides', () => {
    expect(() =>
      encodeControl({ ...cases[0]!, handshake: { ...hs, streamId: 'y'.repeat(513) } } as ControlPacket),
    ).toThrow(SrtPacketError);
  });

  it('writes and reads a data header with every flag', () => {
    const buf = Buffer.alloc(20);
    writeDataHeader(buf, 0x7fffffff, 3, 2, true, 0x3ffffff, 0xffffffff, 0xabcdef01);
    const h = newDataHeader();
    readDataHeader(buf, h);
    expect(h).toEqual({
      seq: 0x7fffffff,
      position: 3,
      inOrder: false,
      key: 2,
      retransmitted: true,
      msgNo: 0x3ffffff,
      timestamp: 0xffffffff,
      destSocketId: 0xabcdef01,
    });
  });
});

describe('fuzz: any input gives a packet or an SrtPacketError', () => {
  const onlyTyped = (buf: Buffer): void => {
    try {
      decodeAny(buf);
    } catch (e) {
      if (!(e instanceof SrtPacketError)) throw e;
    }
  };

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1600 }), (b) => onlyTyped(Buffer.from(b))),
      { numRuns: 3000 },
    );
  });

  it('random bytes behind a control header of each type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 600 }), (type, body) => {
        const buf = Buffer.alloc(16 + body.length);
        buf.writeUInt16BE(0x8000 | type, 0);
        buf.set(body, 16);
        onlyTyped(buf);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated real packets (bytes flipped, truncated, extended)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...real),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: -40, max: 40 }),
        (src, flips, resize) => {
          const len = Math.max(0, src.length + resize);
          const buf = Buffer.alloc(len);
          src.copy(buf, 0, 0, Math.min(len, src.length));
          for (const [pos, val] of flips) if (len > 0) buf[pos % len] = val;
          onlyTyped(buf);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
