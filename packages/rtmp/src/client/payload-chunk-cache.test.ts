import { describe, expect, it } from 'vitest';
import { ChunkStreamReader } from '../chunk/chunk-stream-reader.js';
import { ChunkStreamWriter } from '../chunk/chunk-stream-writer.js';
import { ChunkStreamId, MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import { PayloadChunkCache } from './payload-chunk-cache.js';

const head = new Uint8Array([0x27, 0x01, 0, 0, 0]);

describe('PayloadChunkCache', () => {
  it('validates its chunk size', () => {
    expect(() => new PayloadChunkCache(0)).toThrow('chunk size must be an integer in [1, 2147483647], got 0');
    expect(new PayloadChunkCache().chunkSize).toBe(4096);
  });

  it('keys messages by payload view; no previous message or a backwards step gives no shared bytes', () => {
    const cache = new PayloadChunkCache(128);
    const a = new Uint8Array(300);
    const b = new Uint8Array(300);
    expect(cache.chunk(ChunkStreamId.Video, MessageType.Video, 40, head, a, undefined).bytes).toBeNull();
    expect(
      cache.chunk(ChunkStreamId.Video, MessageType.Video, 40, head, b, { timestamp: 80, length: 305, typeId: 9 }).bytes,
    ).toBeNull();
    expect(cache.chunked).toBe(0);
    expect(cache.get(a)?.timestamp).toBe(40);
    expect(cache.get(new Uint8Array(300))).toBeUndefined();
  });

  it('uses a type 2 header after a message of the same length and type, type 1 otherwise, extended deltas included', () => {
    const cache = new PayloadChunkCache(128);
    const same = cache.chunk(ChunkStreamId.Video, MessageType.Video, 73, head, new Uint8Array(300), {
      timestamp: 40,
      length: 305,
      typeId: MessageType.Video,
    });
    expect([same.fmt, same.delta, same.bytes![0]! >> 6]).toEqual([2, 33, 2]);
    const other = cache.chunk(ChunkStreamId.Video, MessageType.Video, 40 + 0x1000000, head, new Uint8Array(10), {
      timestamp: 40,
      length: 305,
      typeId: MessageType.Video,
    });
    expect([other.fmt, other.delta, other.bytes![0]! >> 6]).toEqual([1, 0x1000000, 1]);
    expect(cache.chunked).toBe(2);
  });

  it('shared bytes decode to the message on a connection whose previous message matches, at its own timeline', () => {
    const cache = new PayloadChunkCache(128);
    const payload = new Uint8Array(500).map((_, i) => i & 0xff);
    // The sender's previous message was at 1000 (its timeline); the message is 33 ms later.
    const m = cache.chunk(ChunkStreamId.Video, MessageType.Video, 1033, head, payload, {
      timestamp: 1000,
      length: 17,
      typeId: MessageType.Video,
    });
    // Another connection: previous message at 5 on the same chunk stream → this one at 38.
    const writer = new ChunkStreamWriter();
    writer.chunkSize = 128;
    const out: RtmpMessage[] = [];
    const reader = new ChunkStreamReader((message) => out.push(message));
    reader.chunkSize = 128;
    const feed = (bytes: Uint8Array): void => reader.push(bytes);
    feed(writer.encodeParts(ChunkStreamId.Video, MessageType.Video, 5, 1, head, new Uint8Array(12)));
    const bytes = writer.encodeCached(m, 38, 1);
    expect(bytes).toBe(m.bytes);
    feed(bytes);
    expect(out.map((x) => [x.timestamp, x.streamId, x.payload.length])).toEqual([
      [5, 1, 17],
      [38, 1, 505],
    ]);
    expect(out[1]!.payload.subarray(5)).toEqual(payload);
  });
});
