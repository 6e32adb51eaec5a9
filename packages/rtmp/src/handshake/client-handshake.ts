/**
 * Client side of the RTMP handshake (RTMP spec 5.2): sends C0+C1, reads S0+S1+S2,
 * answers C2. Simple form by default (time 0, zero, random; C2 = S1 echoed); the
 * Flash-style digest form on request for servers that insist on it (C1 signed with the
 * Flash Player key, C2 signed over S1's digest).
 */
import { randomFillSync } from 'node:crypto';
import { RtmpProtocolError } from '../errors.js';
import {
  FMS_KEY_SHORT,
  FP_KEY,
  FP_KEY_SHORT,
  HANDSHAKE_SIZE,
  computeDigest,
  digestOffset,
  signBlock,
  signResponse,
} from './digest.js';
import type { HandshakeStep } from './server-handshake.js';

/** Flash Player version we claim in a digest C1 (9.0.124.2, as librtmp and ffmpeg do). */
const CLIENT_VERSION = [0x09, 0x00, 0x7c, 0x02];

/** The client's half of a handshake. */
export class ClientHandshake {
  private readonly buffer = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  private filled = 0;
  private finished = false;

  /** @param kind 'simple' (default) or 'digest' (Flash-style). */
  constructor(readonly kind: 'simple' | 'digest' = 'simple') {}

  /** C0+C1 to send first. */
  start(): Uint8Array {
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    out[0] = 3; // C0: version 3
    randomFillSync(out, 9); // C1: time (4) = 0, zero (4) = 0, random (1528)
    if (this.kind === 'digest') {
      const c1 = out.subarray(1);
      c1.set(CLIENT_VERSION, 4); // nonzero version: digest handshake
      signBlock(c1, 0, FP_KEY_SHORT);
    }
    return out;
  }

  /** Feeds received bytes (S0, S1, S2); answers C2 once S0+S1+S2 are in. */
  push(data: Uint8Array): HandshakeStep {
    if (this.finished) return { send: null, done: true, rest: data };
    const take = Math.min(data.length, this.buffer.length - this.filled);
    this.buffer.set(data.subarray(0, take), this.filled);
    this.filled += take;
    if (this.filled >= 1 && this.buffer[0] !== 3)
      throw new RtmpProtocolError(`server answered RTMP version ${this.buffer[0]} in S0 (expected 3)`);
    if (this.filled < this.buffer.length) return { send: null, done: false, rest: null };
    this.finished = true;
    const s1 = this.buffer.subarray(1, 1 + HANDSHAKE_SIZE);
    const c2 = this.kind === 'digest' ? digestC2(s1) : this.buffer.slice(1, 1 + HANDSHAKE_SIZE); // simple: C2 echoes S1
    return { send: c2, done: true, rest: take < data.length ? data.subarray(take) : null };
  }
}

/** C2 of a digest handshake: random bytes signed over S1's digest (found with the FMS key); S1 echoed when S1 has none. */
function digestC2(s1: Uint8Array): Uint8Array {
  for (const scheme of [1, 0] as const) {
    const offset = digestOffset(s1, scheme);
    const expected = computeDigest(s1, offset, FMS_KEY_SHORT);
    if (expected.every((b, i) => b === s1[offset + i])) {
      const c2 = new Uint8Array(HANDSHAKE_SIZE);
      randomFillSync(c2);
      signResponse(c2, expected, FP_KEY);
      return c2;
    }
  }
  return s1.slice();
}
