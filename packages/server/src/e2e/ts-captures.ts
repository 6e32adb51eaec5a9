/**
 * Plain receivers of MPEG-TS pushes for e2e tests: a UDP socket with the kernel's default
 * receive buffer reading in one loop, and a TCP server; each keeps the bytes it got and
 * writes them to a file for ffprobe/ffmpeg to judge. Probe connections (a bare connect
 * and close) add nothing.
 */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { listenTcpLocal } from '@sluice/test-support';

/** A running capture. */
export interface TsCapture {
  port: number;
  /** Bytes received so far. */
  bytes: () => number;
  /** Milliseconds since the last bytes arrived (Infinity before any). */
  quietFor: () => number;
  /** Stops receiving and writes what arrived to `file`. */
  close: (file: string) => Promise<void>;
}

function collector(): { push: (b: Buffer) => void; bytes: () => number; quietFor: () => number; all: () => Buffer } {
  const chunks: Buffer[] = [];
  let total = 0;
  let last = 0;
  return {
    push: (b) => {
      chunks.push(Buffer.from(b));
      total += b.length;
      last = Date.now();
    },
    bytes: () => total,
    quietFor: () => (last === 0 ? Infinity : Date.now() - last),
    all: () => Buffer.concat(chunks),
  };
}

/** Receives UDP datagrams on a free 127.0.0.1 port. */
export async function startUdpCapture(): Promise<TsCapture> {
  const socket = createSocket('udp4');
  const c = collector();
  socket.on('message', (msg) => c.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    bytes: c.bytes,
    quietFor: c.quietFor,
    close: async (file) => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      writeFileSync(file, c.all());
    },
  };
}

/** Accepts TCP connections on a free 127.0.0.1 port and keeps every byte received. */
export async function startTcpCapture(): Promise<TsCapture> {
  const c = collector();
  const server = await listenTcpLocal((socket) => socket.on('data', (d: Buffer) => c.push(d)));
  return {
    port: server.port,
    bytes: c.bytes,
    quietFor: c.quietFor,
    close: async (file) => {
      await server.close();
      writeFileSync(file, c.all());
    },
  };
}
