/**
 * Fan-out: chunk a message once, write the same bytes to many connections.
 *
 * A message sent with a type 1 or 2 header carries only a timestamp *delta* (and, for
 * type 1, its length and type), so its chunked bytes do not depend on where a
 * connection started or on its message stream id: any connection whose previous
 * message on the same chunk stream matches the one the bytes were chunked after (same
 * length and type for type 2) decodes them to the same message. chunkAfterPrevious()
 * computes those bytes (PayloadChunkCache stores them per payload); each connection's
 * ChunkStreamWriter.encodeCached() checks its own header state and either reuses them
 * or encodes the message itself (its first message on a chunk stream, after a gap, or
 * a different chunk size).
 * Type 3 headers are never used for shared messages: their meaning depends on the
 * previous header's format, which differs between connections.
 */
import { encodeChunks } from './chunk-encoding.js';

/** A message chunked once for many connections. */
export interface ChunkedMessage {
  chunkStreamId: number;
  typeId: number;
  /** Source timestamp (ms, may exceed 2^32). */
  timestamp: number;
  /** Timestamp minus the previous source message's on this chunk stream (-1 for the first). */
  delta: number;
  /** Header format the shared bytes use (1 or 2). */
  fmt: 1 | 2;
  chunkSize: number;
  /** Message length (head + payload). */
  length: number;
  /** The message body is head ++ payload (for connections that must encode it themselves). */
  head: Uint8Array;
  payload: Uint8Array;
  /** The shared chunked bytes, or null when there is no previous message (a connection must encode it). */
  bytes: Uint8Array | null;
}

/** The sender's previous message on a chunk stream (what a type 1/2 header is relative to). */
export interface PreviousChunkMessage {
  /** Unwrapped timestamp, ms. */
  timestamp: number;
  /** Message length (head + payload). */
  length: number;
  typeId: number;
}

/**
 * Chunks the message `head ++ payload` once, with a type 1/2 header relative to
 * `previous` (the sender's previous message on `chunkStreamId`). Without a usable
 * previous message (none, or a backwards or ≥ 2^32 ms step) the result has `bytes: null`.
 */
export function chunkAfterPrevious(
  chunkStreamId: number,
  typeId: number,
  timestamp: number,
  head: Uint8Array,
  payload: Uint8Array,
  chunkSize: number,
  previous: PreviousChunkMessage | undefined,
): ChunkedMessage {
  const length = head.length + payload.length;
  let delta = -1;
  let fmt: 1 | 2 = 1;
  let bytes: Uint8Array | null = null;
  if (previous !== undefined && timestamp >= previous.timestamp && timestamp - previous.timestamp < 0x1_0000_0000) {
    delta = timestamp - previous.timestamp;
    fmt = previous.length === length && previous.typeId === typeId ? 2 : 1;
    // fmt 1: timestamp delta, message length, type id; fmt 2: timestamp delta only (no message stream id in either)
    bytes = encodeChunks(
      chunkStreamId,
      { fmt, timestampField: delta, extended: delta >= 0xffffff, typeId, streamId: 0 },
      payload,
      chunkSize,
      head,
    );
  }
  return { chunkStreamId, typeId, timestamp, delta, fmt, chunkSize, length, head, payload, bytes };
}
