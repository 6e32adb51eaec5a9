/**
 * The RTMP publisher against a hostile server over real sockets: a server that completes
 * the handshake, then answers with mutations of a valid server's messages (the
 * rtmp-publisher-reads target's inputs). open() must settle with one of the publisher's
 * typed errors (or succeed), in bounded time, and nothing may escape as an uncaught error.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RtmpConnectError,
  RtmpConnectionClosed,
  RtmpProtocolError,
  RtmpPublishRejected,
  RtmpPublisher,
  RtmpTimeoutError,
  RtmpUnsupportedCodec,
  ChunkStreamWriter,
  encodeCommand,
} from '@sluice/rtmp';
import { flvTracks } from './src/seeds.js';
import { makeInput } from './src/engine.js';
import { fuzzTarget } from './src/targets/index.js';

const TYPED = [
  RtmpConnectError,
  RtmpConnectionClosed,
  RtmpProtocolError,
  RtmpPublishRejected,
  RtmpTimeoutError,
  RtmpUnsupportedCodec,
];
const INPUTS = 200;
const HANDSHAKE_SIZE = 1536;

let server: Server;
let port: number;
/** Inputs waiting for the next connection (which input goes to which connection does not matter). */
const queue: Uint8Array[] = [];

/** connect's _result and, in the same write, a command whose AMF0 is cut short. */
const CONNECT_THEN_GARBAGE = (() => {
  const writer = new ChunkStreamWriter();
  const result = encodeCommand(
    '_result',
    1,
    { fmsVer: 'FMS/3,0,1,123' },
    { level: 'status', code: 'NetConnection.Connect.Success' },
  );
  const garbage = Uint8Array.of(0x02, 0x00, 0x08, 0x6f, 0x6e); // a string marker announcing 8 bytes, 2 given
  const message = (payload: Uint8Array): Uint8Array =>
    writer.encode(3, { typeId: 20, timestamp: 0, streamId: 0, payload });
  return Buffer.concat([message(result), message(garbage)]);
})();
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let received = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (answered || received.length < 1 + HANDSHAKE_SIZE) return;
      answered = true;
      // S0 S1 S2 (S2 echoes C1), then the mutated answers of the input this port maps to
      const s1 = Buffer.alloc(HANDSHAKE_SIZE, 7);
      socket.write(Buffer.concat([Buffer.of(3), s1, received.subarray(1, 1 + HANDSHAKE_SIZE)]));
      const input = queue.shift();
      // a fixed answer is written once the client's connect command arrived (see the regression below)
      if (input !== undefined) setTimeout(() => socket.write(input), input === CONNECT_THEN_GARBAGE ? 100 : 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('RtmpPublisher against a hostile server', () => {
  it(
    `${INPUTS} mutated answer streams: open() settles with a typed error or succeeds`,
    { timeout: 120_000 },
    async () => {
      const target = fuzzTarget('rtmp-publisher-reads');
      const corpus = await target.seeds();
      const tracks = flvTracks('h264-baseline-aac.flv');
      const outcomes = { opened: 0, refused: 0 };
      const untyped: string[] = [];
      for (let batch = 0; batch < INPUTS; batch += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, k) => {
            queue.push(makeInput(target, corpus, 99, batch + k));
            const publisher = new RtmpPublisher({
              url: `rtmp://127.0.0.1:${port}/live`,
              streamKey: 'fuzz',
              connectTimeoutMs: 3000,
            });
            try {
              await publisher.open(tracks);
              outcomes.opened++;
            } catch (error) {
              if (TYPED.some((type) => error instanceof type)) outcomes.refused++;
              else untyped.push(String(error));
            } finally {
              await publisher.close();
            }
          }),
        );
      }
      expect(untyped).toEqual([]);
      expect(outcomes.opened + outcomes.refused).toBe(INPUTS);
      expect(outcomes.refused).toBeGreaterThan(0);
    },
  );

  // Found by the test above: the answer to connect and a fatal message in one read failed
  // the session between two awaits of open(), which then waited forever for createStream.
  it('a fatal message right after the connect answer rejects open() (no hang)', { timeout: 20_000 }, async () => {
    queue.push(CONNECT_THEN_GARBAGE);
    const publisher = new RtmpPublisher({
      url: `rtmp://127.0.0.1:${port}/live`,
      streamKey: 'k',
      connectTimeoutMs: 8000,
    });
    const started = Date.now();
    await expect(publisher.open(flvTracks('h264-baseline-aac.flv'))).rejects.toBeInstanceOf(RtmpConnectError);
    expect(Date.now() - started).toBeLessThan(7000); // settled by the failure, not by the connect timeout
    await publisher.close();
  });
});
