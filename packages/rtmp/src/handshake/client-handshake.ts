/**
 * Client side of the RTMP handshake (RTMP spec 5.2), simple form: sends C0+C1
 * (time 0, zero, 1528 random bytes), reads S0+S1+S2, answers C2 = S1 echoed.
 */
import { randomFillSync } from 'node:crypto';
import { RtmpProtocolError } from '../errors.js';
import { HANDSHAKE_SIZE } from './digest.js';
import type { HandshakeStep } from './server-handshake.js';

/** The client's half of a handshake. */
export class ClientHandshake {
  private readonly buffer = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  private filled = 0;
  private finished = false;

  /** C0+C1 to send first: version 3, time 0, zero 0, random bytes. */
  start(): Uint8Array {
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    out[0] = 3; // C0: version 3
    randomFillSync(out, 9); // C1: time (4) = 0, zero (4) = 0, random (1528)
    return out;
  }

  /** Feeds received bytes (S0, S1, S2); answers C2 once S0+S1+S2 are in. */
  push(data: Uint8Array): HandshakeStep {
    if (this.finished) return { send: null, done: true, rest: data };
    const take = Math.min(data.length, this.buffer.length - this.filled);
    this.buffer.set(data.subarray(0, take), this.filled);
    this.filled += take;
    if (this.filled >= 1 && this.buffer[0] !== 3) throw new RtmpProtocolError(`server answered RTMP version ${this.buffer[0]} in S0 (expected 3)`);
    if (this.filled < this.buffer.length) return { send: null, done: false, rest: null };
    this.finished = true;
    const c2 = this.buffer.slice(1, 1 + HANDSHAKE_SIZE); // C2 echoes S1
    return { send: c2, done: true, rest: take < data.length ? data.subarray(take) : null };
  }
}
