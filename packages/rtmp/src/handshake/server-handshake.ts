/**
 * Server side of the RTMP handshake (RTMP spec 5.2): reads C0+C1, answers S0+S1+S2
 * at once, then reads C2. Accepts the simple handshake and the Flash-style digest
 * handshake (answered with an FMS-signed S1 and an S2 signed over C1's digest).
 */
import { randomFillSync } from 'node:crypto';
import { RtmpProtocolError } from '../errors.js';
import { FMS_KEY, FMS_KEY_SHORT, HANDSHAKE_SIZE, findClientDigest, signBlock, signResponse } from './digest.js';

/** What one push() into a handshake produced. */
export interface HandshakeStep {
  /** Bytes to send to the peer now, if any. */
  send: Uint8Array | null;
  /** True once the handshake is complete. */
  done: boolean;
  /** Bytes after the handshake (start of the chunk stream), once done. */
  rest: Uint8Array | null;
}

/** Version we put in S1 bytes 4..7 of a digest handshake (as FMS 4.5 does). */
const SERVER_VERSION = [0x04, 0x05, 0x00, 0x01];

/** The server's half of a handshake with one client. */
export class ServerHandshake {
  /** 'digest' when the client's C1 carried a valid Flash Player digest, else 'simple'; null until C1 is read. */
  kind: 'simple' | 'digest' | null = null;
  private readonly buffer = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  private filled = 0;
  private answered = false;
  private finished = false;

  /** Feeds received bytes; throws RtmpProtocolError for a C0 version other than 3. */
  push(data: Uint8Array): HandshakeStep {
    if (this.finished) return { send: null, done: true, rest: data };
    const take = Math.min(data.length, this.buffer.length - this.filled);
    this.buffer.set(data.subarray(0, take), this.filled);
    this.filled += take;
    let send: Uint8Array | null = null;
    if (this.filled >= 1 && this.buffer[0] !== 3)
      throw new RtmpProtocolError(`unsupported RTMP version ${this.buffer[0]} in C0 (expected 3)`);
    if (!this.answered && this.filled >= 1 + HANDSHAKE_SIZE) {
      this.answered = true;
      send = this.answer(this.buffer.subarray(1, 1 + HANDSHAKE_SIZE));
    }
    if (this.filled === this.buffer.length) {
      this.finished = true;
      return { send, done: true, rest: take < data.length ? data.subarray(take) : null };
    }
    return { send, done: false, rest: null };
  }

  private answer(c1: Uint8Array): Uint8Array {
    const out = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
    out[0] = 3; // S0: version 3
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    randomFillSync(s1, 8);
    // S1 time (4 bytes) = 0; zero/version (4 bytes)
    const found = (c1[4] ?? 0) !== 0 ? findClientDigest(c1) : null;
    if (found === null) {
      this.kind = 'simple';
      s2.set(c1); // S2 echoes C1 (time, time2, random)
      return out;
    }
    this.kind = 'digest';
    s1.set(SERVER_VERSION, 4);
    signBlock(s1, found.scheme, FMS_KEY_SHORT);
    randomFillSync(s2);
    signResponse(s2, c1.subarray(found.offset, found.offset + 32), FMS_KEY);
    return out;
  }
}
