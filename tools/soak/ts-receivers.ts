/**
 * MPEG-TS receivers of the soak: a UDP socket and a TCP server in this process that count
 * the bytes a push sends and, on request, write a capture to a file. A capture begins at a
 * random-access point (a packet with payload_unit_start and random_access_indicator, the
 * last PAT and PMT seen written before it) and lasts a given time, so it decodes from its
 * first byte whenever it is taken, and ends before a packet that starts a PES, so its last
 * frame is whole. Nothing is kept in memory but those two packets.
 */
import { createSocket } from 'node:dgram';
import { closeSync, openSync, writeSync } from 'node:fs';
import { listenTcpLocal } from '@sluice/test-support';

const PACKET = 188;

/** A running receiver. */
export interface TsReceiver {
  kind: 'udp' | 'tcp';
  port: number;
  /** Bytes received so far. */
  bytes: () => number;
  /** Writes the next `seconds` of the stream, from its next random-access point, to `file`; resolves with the bytes written. */
  capture: (file: string, seconds: number) => Promise<number>;
  close: () => Promise<void>;
}

interface Capture {
  fd: number;
  started: boolean;
  /** The time is up: ends before the next packet that starts a PES or section, so the last frame is whole. */
  stopping: boolean;
  written: number;
  done: () => void;
}

/** Follows a TS byte stream packet by packet: counting, remembering PAT/PMT, feeding a capture. */
class TsFollower {
  total = 0;
  private carry: Buffer | undefined;
  private pat: Buffer | undefined;
  private pmt: Buffer | undefined;
  private pmtPid = -1;
  capture: Capture | undefined;

  /** A new connection (TCP): packet alignment starts again. */
  reset(): void {
    this.carry = undefined;
  }

  push(data: Buffer): void {
    this.total += data.length;
    let buf = data;
    if (this.carry !== undefined) {
      buf = Buffer.concat([this.carry, data]);
      this.carry = undefined;
    }
    let at = 0;
    for (; at + PACKET <= buf.length; at += PACKET) this.packet(buf.subarray(at, at + PACKET));
    if (at < buf.length) this.carry = Buffer.from(buf.subarray(at));
  }

  private packet(p: Buffer): void {
    if (p[0] !== 0x47) return;
    const pusi = (p[1]! & 0x40) !== 0;
    const pid = ((p[1]! & 0x1f) << 8) | p[2]!;
    if (pid === 0 && pusi) {
      this.pat = Buffer.from(p);
      // PAT section: pointer, table id, length(2), ts id(2), version, section, last; then programs
      const start = 5 + p[4]!;
      const programNumber = (p[start + 8]! << 8) | p[start + 9]!;
      if (programNumber !== 0) this.pmtPid = ((p[start + 10]! & 0x1f) << 8) | p[start + 11]!;
    } else if (pid === this.pmtPid && pusi) {
      this.pmt = Buffer.from(p);
    }
    const c = this.capture;
    if (c === undefined) return;
    if (c.stopping && pusi) {
      c.done();
      return;
    }
    if (!c.started) {
      const adaptation = (p[3]! & 0x20) !== 0 && p[4]! > 0;
      const randomAccess = adaptation && (p[5]! & 0x40) !== 0;
      if (!pusi || !randomAccess || this.pat === undefined || this.pmt === undefined) return;
      if (pid === 0 || pid === this.pmtPid) return;
      c.started = true;
      c.written += writeSync(c.fd, this.pat) + writeSync(c.fd, this.pmt);
    }
    c.written += writeSync(c.fd, p);
  }
}

function captureWith(follower: TsFollower): TsReceiver['capture'] {
  return (file, seconds) =>
    new Promise((resolve) => {
      const fd = openSync(file, 'w');
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const capture: Capture = {
        fd,
        started: false,
        stopping: false,
        written: 0,
        done: () => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          if (follower.capture === capture) follower.capture = undefined;
          closeSync(fd);
          resolve(capture.written);
        },
      };
      follower.capture = capture;
      // the time counts from the first written packet; a stream that never reaches a random-access point ends it too
      const deadline = Date.now() + seconds * 1000 + 30_000;
      let startedAt = 0;
      const tick = (): void => {
        if (capture.started && startedAt === 0) startedAt = Date.now();
        if (Date.now() > deadline) capture.done();
        else {
          if (startedAt > 0 && Date.now() >= startedAt + seconds * 1000) capture.stopping = true;
          timer = setTimeout(tick, 100);
        }
      };
      tick();
    });
}

/** Receives UDP datagrams on a free 127.0.0.1 port (4 MB receive buffer). */
export async function startUdpReceiver(): Promise<TsReceiver> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const follower = new TsFollower();
  socket.on('message', (msg) => follower.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    kind: 'udp',
    port: socket.address().port,
    bytes: () => follower.total,
    capture: captureWith(follower),
    close: async () => {
      follower.capture?.done();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Accepts TCP connections on a free 127.0.0.1 port; the bytes of every connection are followed. */
export async function startTcpReceiver(): Promise<TsReceiver> {
  const follower = new TsFollower();
  const server = await listenTcpLocal((socket) => {
    follower.reset();
    socket.on('data', (d: Buffer) => follower.push(d));
  });
  return {
    kind: 'tcp',
    port: server.port,
    bytes: () => follower.total,
    capture: captureWith(follower),
    close: async () => {
      follower.capture?.done();
      await server.close();
    },
  };
}
