import { describe, expect, it } from 'vitest';
import { randomFillSync } from 'node:crypto';
import { ServerHandshake } from './server-handshake.js';
import { ClientHandshake } from './client-handshake.js';
import {
  computeDigest,
  digestOffset,
  FMS_KEY,
  FMS_KEY_SHORT,
  FP_KEY_SHORT,
  hmacSha256,
  signBlock,
  HANDSHAKE_SIZE,
} from './digest.js';
import { RtmpProtocolError } from '../errors.js';

describe('RTMP handshake', () => {
  it('client and server complete a simple handshake; bytes after C2 are handed on', () => {
    const client = new ClientHandshake();
    const server = new ServerHandshake();
    const c0c1 = client.start();
    expect(c0c1.length).toBe(1537);
    const s = server.push(c0c1);
    expect(server.kind).toBe('simple');
    expect(s.send!.length).toBe(3073);
    expect(s.send!.subarray(1 + HANDSHAKE_SIZE)).toEqual(c0c1.subarray(1)); // S2 echoes C1
    const c = client.push(s.send!);
    expect(c.done).toBe(true);
    const tail = Uint8Array.of(1, 2, 3);
    const done = server.push(new Uint8Array([...c.send!, ...tail]));
    expect(done.done).toBe(true);
    expect(done.rest).toEqual(tail);
  });

  it('answers a Flash-style digest C1 (both schemes) with a valid FMS-signed S1 and an S2 keyed on the C1 digest', () => {
    for (const scheme of [0, 1] as const) {
      const c1 = new Uint8Array(HANDSHAKE_SIZE);
      randomFillSync(c1, 8);
      c1.set([0x80, 0x00, 0x07, 0x02], 4); // Flash Player version
      const c1Digest = signBlock(c1, scheme, FP_KEY_SHORT);
      const server = new ServerHandshake();
      const out = server.push(new Uint8Array([3, ...c1])).send!;
      expect(server.kind).toBe('digest');
      const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
      const s2 = out.subarray(1 + HANDSHAKE_SIZE);
      const at = digestOffset(s1, scheme);
      expect(s1.subarray(at, at + 32)).toEqual(computeDigest(s1, at, FMS_KEY_SHORT));
      const key = hmacSha256(FMS_KEY, c1Digest);
      expect(s2.subarray(HANDSHAKE_SIZE - 32)).toEqual(hmacSha256(key, s2.subarray(0, HANDSHAKE_SIZE - 32)));
    }
  });

  it('a digest client and our server agree on the digest handshake', () => {
    const client = new ClientHandshake('digest');
    const server = new ServerHandshake();
    const s = server.push(client.start());
    expect(server.kind).toBe('digest');
    const c = client.push(s.send!);
    expect(c.send!.length).toBe(HANDSHAKE_SIZE);
    expect(c.send!).not.toEqual(s.send!.subarray(1, 1 + HANDSHAKE_SIZE)); // signed C2, not an echo
    expect(server.push(c.send!).done).toBe(true);
  });

  it('rejects versions other than 3', () => {
    expect(() => new ServerHandshake().push(Uint8Array.of(6))).toThrow(RtmpProtocolError);
    expect(() => new ClientHandshake().push(Uint8Array.of(9))).toThrow(/version 9/);
  });
});
