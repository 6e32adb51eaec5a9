/**
 * ChunkStreamWriter: turns RTMP messages into chunks for one connection, with header
 * compression (fmt 1/2/3 where the previous message on the chunk stream allows it),
 * extended timestamps, and timestamps that keep counting past 2^32 ms (written mod
 * 2^32, as deltas where possible).
 */
import type { RtmpMessage } from '../message.js';
import { encodeChunks, MAX_CHUNK_STREAM_ID, MIN_CHUNK_STREAM_ID, NO_BYTES } from './chunk-encoding.js';
import type { ChunkHeaderFields } from './chunk-encoding.js';
import { setChunkSizeMessage } from './protocol-control.js';
import type { ChunkedMessage, PreviousChunkMessage } from './chunked-message.js';

const TWO_32 = 0x1_0000_0000;

/** What the writer remembers per chunk stream to compress the next header. */
interface WriterStreamState {
  /** Full (unwrapped) timestamp of the last message. */
  timestamp: number;
  /** Delta of the last header, or -1 after a type 0 header (no delta to repeat). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
}

/** Default outgoing chunk size this package announces. */
export const DEFAULT_OUT_CHUNK_SIZE = 4096;

/** Chunks messages for one connection. */
export class ChunkStreamWriter {
  /** Current outgoing chunk size (128 until setChunkSize()). */
  chunkSize = 128;
  private readonly streams = new Map<number, WriterStreamState>();

  /**
   * Switches the outgoing chunk size; returns the Set Chunk Size message bytes, which
   * must be written before anything encoded afterwards.
   */
  setChunkSize(size: number): Uint8Array {
    const bytes = this.encode(2, setChunkSizeMessage(size));
    this.chunkSize = size;
    return bytes;
  }

  /** Forgets header state (e.g. after sending Abort on a chunk stream), forcing a type 0 header next. */
  reset(chunkStreamId?: number): void {
    if (chunkStreamId === undefined) this.streams.clear();
    else this.streams.delete(chunkStreamId);
  }

  /** The last message encoded on a chunk stream (unwrapped timestamp, length, type id), if any since the last reset. */
  previousMessage(chunkStreamId: number): Readonly<PreviousChunkMessage> | undefined {
    return this.streams.get(chunkStreamId);
  }

  /**
   * Encodes one message on a chunk stream. `message.timestamp` is a non-negative
   * integer in ms and may exceed 2^32 (long-running streams).
   */
  encode(chunkStreamId: number, message: RtmpMessage): Uint8Array {
    return this.encodeParts(
      chunkStreamId,
      message.typeId,
      message.timestamp,
      message.streamId,
      NO_BYTES,
      message.payload,
    );
  }

  /**
   * Encodes one message whose body is `head` followed by `payload` (e.g. an FLV tag-body
   * header and a media payload view): the payload is copied once, into the chunks.
   */
  encodeParts(
    chunkStreamId: number,
    typeId: number,
    timestamp: number,
    streamId: number,
    head: Uint8Array,
    payload: Uint8Array,
  ): Uint8Array {
    checkCsid(chunkStreamId);
    const ts = timestamp;
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw new RangeError(`timestamp must be a non-negative integer, got ${ts}`);
    const length = head.length + payload.length;
    if (length > 0xffffff) throw new RangeError(`message length must be at most 16777215 bytes, got ${length}`);
    const prev = this.streams.get(chunkStreamId);
    let header: ChunkHeaderFields;
    const delta = prev === undefined ? -1 : ts - prev.timestamp;
    if (prev === undefined || prev.streamId !== streamId || delta < 0 || delta >= TWO_32) {
      const wire = ts % TWO_32;
      header = { fmt: 0, timestampField: wire, extended: wire >= 0xffffff, typeId: typeId, streamId: streamId };
    } else {
      const sameShape = prev.length === length && prev.typeId === typeId;
      const fmt = sameShape ? (prev.delta === delta ? 3 : 2) : 1;
      header = { fmt, timestampField: delta, extended: delta >= 0xffffff, typeId: typeId, streamId: streamId };
    }
    this.remember(chunkStreamId, ts, header.fmt === 0 ? -1 : delta, length, typeId, streamId);
    return encodeChunks(chunkStreamId, header, payload, this.chunkSize, head);
  }

  /**
   * Fan-out path: returns the shared bytes of a message chunked once (chunkAfterPrevious,
   * kept by a PayloadChunkCache) when they decode on this connection to exactly this message
   * at `timestamp` on `streamId` (same chunk size, the previous message on that chunk
   * stream makes the cached fmt 1/2 header valid, and the delta matches); otherwise
   * encodes the message for this connection alone. Either way the writer's state
   * advances as if encode() had been called.
   */
  encodeCached(cached: ChunkedMessage, timestamp: number, streamId: number): Uint8Array {
    const prev = this.streams.get(cached.chunkStreamId);
    if (
      cached.bytes !== null &&
      cached.chunkSize === this.chunkSize &&
      prev !== undefined &&
      prev.streamId === streamId &&
      timestamp - prev.timestamp === cached.delta &&
      (cached.fmt === 1 || (prev.length === cached.length && prev.typeId === cached.typeId))
    ) {
      this.remember(cached.chunkStreamId, timestamp, cached.delta, cached.length, cached.typeId, streamId);
      return cached.bytes;
    }
    return this.encodeParts(cached.chunkStreamId, cached.typeId, timestamp, streamId, cached.head, cached.payload);
  }

  private remember(
    csid: number,
    timestamp: number,
    delta: number,
    length: number,
    typeId: number,
    streamId: number,
  ): void {
    let s = this.streams.get(csid);
    if (s === undefined) {
      s = { timestamp, delta, length, typeId, streamId };
      this.streams.set(csid, s);
      return;
    }
    s.timestamp = timestamp;
    s.delta = delta;
    s.length = length;
    s.typeId = typeId;
    s.streamId = streamId;
  }
}

function checkCsid(csid: number): void {
  if (!Number.isInteger(csid) || csid < MIN_CHUNK_STREAM_ID || csid > MAX_CHUNK_STREAM_ID)
    throw new RangeError(
      `chunk stream id must be an integer in [${MIN_CHUNK_STREAM_ID}, ${MAX_CHUNK_STREAM_ID}], got ${csid}`,
    );
}
