/** Fuzz targets of @sluice/rtmp: handshakes, the chunk stream and commands, a whole ingest session. */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { Amf0DecodeError, FlvParseError, FlvTagDemuxer, MalformedCodecData } from '@sluice/media';
import {
  ChunkStreamReader,
  ClientHandshake,
  RtmpProtocolError,
  RtmpServer,
  ServerHandshake,
  decodeCommand,
  decodeDataMessage,
  readStatus,
} from '@sluice/rtmp';
import { FuzzFinding, expectTyped, type FuzzTarget } from '../target.js';
import { concatBytes } from '../../../../packages/media/src/flv/test-support/flv-file.js';
import { publisherStream, serverAnswers } from './rtmp-bytes.js';

const HANDSHAKE_SIZE = 1536;
const TYPED = [RtmpProtocolError, Amf0DecodeError, FlvParseError, MalformedCodecData];
const READER_CAPS = { maxMessageLength: 256 * 1024, maxChunkStreams: 16, maxPendingBytes: 512 * 1024 };

export const rtmpHandshake: FuzzTarget = {
  name: 'rtmp-handshake',
  description: 'RTMP handshake bytes as the server reads C0C1C2 and as the client reads S0S1S2 (simple and digest)',
  maxLength: 2 * (1 + 2 * HANDSHAKE_SIZE),
  coverage: ['rtmp/src/handshake/'],
  seeds: () => {
    const simple = new ClientHandshake('simple').start();
    const digest = new ClientHandshake('digest').start();
    const answer =
      new ServerHandshake().push(concatBytes([digest, new Uint8Array(HANDSHAKE_SIZE)])).send ?? new Uint8Array(0);
    return [concatBytes([simple, new Uint8Array(HANDSHAKE_SIZE)]), concatBytes([digest, digest.subarray(1)]), answer];
  },
  run: (input) =>
    expectTyped(() => {
      const server = new ServerHandshake();
      const half = input.length >> 1;
      server.push(input.subarray(0, half));
      server.push(input.subarray(half));
      const client = new ClientHandshake(input.length % 2 === 0 ? 'simple' : 'digest');
      client.start();
      client.push(input);
    }, TYPED),
};

/** Parses every message the way a session does: commands, data messages, media tag bodies. */
function parseMessages(input: Uint8Array, answersFromServer: boolean): void {
  const demuxer = new FlvTagDemuxer();
  const reader = new ChunkStreamReader((message) => {
    if (message.typeId === 20) {
      const command = decodeCommand(message.payload);
      if (answersFromServer && command.name === 'onStatus') readStatus(command.args[0]);
    } else if (message.typeId === 18) decodeDataMessage(message.payload);
    else if (message.typeId === 8 || message.typeId === 9)
      demuxer.demux(message.typeId, message.timestamp, message.payload);
  }, READER_CAPS);
  const third = Math.max(1, Math.floor(input.length / 3));
  for (let at = 0; at < input.length; at += third) reader.push(input.subarray(at, at + third));
}

export const rtmpChunkStream: FuzzTarget = {
  name: 'rtmp-chunk-stream',
  description: "RTMP chunk stream + AMF0 commands + FLV tag bodies, as the ingest reads a publisher's bytes",
  maxLength: 64 * 1024,
  coverage: ['rtmp/src/chunk/', 'rtmp/src/command/', 'rtmp/src/message.ts'],
  seeds: () => [publisherStream('h264-baseline-aac.flv', 40), publisherStream('h264-high-aac.flv', 20)],
  run: (input) => expectTyped(() => parseMessages(input, false), TYPED),
};

export const rtmpServerAnswers: FuzzTarget = {
  name: 'rtmp-publisher-reads',
  description: "A hostile server's answers as the RTMP publisher reads them (chunk stream, _result, onStatus)",
  maxLength: 16 * 1024,
  coverage: ['rtmp/src/chunk/', 'rtmp/src/command/'],
  seeds: () => [serverAnswers()],
  run: (input) => expectTyped(() => parseMessages(input, true), TYPED),
};

/** A socket that feeds nothing by itself and swallows what is written: the session under test owns it. */
class MemorySocket extends Duplex {
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  get bytesWritten(): number {
    return 0;
  }
}

const server = new RtmpServer({ reader: READER_CAPS, maxCommandLength: 8192, publishTimeoutMs: 60_000 });
const handshake = concatBytes([new ClientHandshake('simple').start(), new Uint8Array(HANDSHAKE_SIZE)]);

export const rtmpIngestSession: FuzzTarget = {
  name: 'rtmp-ingest-session',
  description: 'A whole RTMP ingest session (RtmpServer.accept over an in-memory socket) after a valid handshake',
  maxLength: 64 * 1024,
  coverage: ['rtmp/src/server/', 'rtmp/src/connection/', 'rtmp/src/chunk/'],
  seeds: () => [publisherStream('h264-baseline-aac.flv', 40), publisherStream('h264-high-aac.flv', 20)],
  run: (input) => {
    const socket = new MemorySocket();
    const session = server.accept(socket as unknown as Socket);
    let closedWith: Error | undefined;
    session.on('close', (error) => (closedWith = error));
    socket.emit('data', Buffer.from(handshake.buffer, handshake.byteOffset, handshake.length));
    const half = input.length >> 1;
    socket.emit('data', Buffer.from(input.buffer, input.byteOffset, half));
    socket.emit('data', Buffer.from(input.buffer, input.byteOffset + half, input.length - half));
    const refused = session.connection.isClosed;
    session.close(new RtmpProtocolError('fuzz input done'));
    socket.destroy();
    if (refused && closedWith !== undefined && !TYPED.some((type) => closedWith instanceof type))
      throw new FuzzFinding('rtmp-ingest-session', input, closedWith);
    return refused ? 'refused' : 'accepted';
  },
};
