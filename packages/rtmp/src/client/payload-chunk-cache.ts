/**
 * PayloadChunkCache: fan-out keyed by payload identity, for publishers that each see
 * the stream on their own (rebased) timeline, e.g. one RtmpPublisher per push session.
 *
 * Every publisher of a stream is handed the same payload view per packet (the stream
 * hub's). The first publisher to send a packet chunks it once, with a type 1/2 header
 * whose timestamp delta is taken from its own previous message on that chunk stream
 * (deltas do not depend on where a session started), and stores the result under the
 * payload view; every other publisher writes those bytes through
 * ChunkStreamWriter.encodeCached(), which checks them against its own chunk-stream
 * state and encodes the message itself when they would not decode identically there
 * (its first message per chunk stream, a packet it skipped, another chunk size).
 *
 * Memory: a WeakMap, so an entry lives only as long as its payload view does (the
 * hub's current GOP and the push queues, which are bounded): nothing grows with the
 * length of a stream.
 *
 *   const cache = new PayloadChunkCache(4096);
 *   new RtmpPublisher({ url, streamKey, chunkSize: 4096, sharedChunks: cache }); // one per destination
 */
import { DEFAULT_OUT_CHUNK_SIZE } from '../chunk/chunk-stream-writer.js';
import { chunkAfterPrevious } from '../chunk/chunked-message.js';
import type { ChunkedMessage, PreviousChunkMessage } from '../chunk/chunked-message.js';
import { checkChunkSize } from '../chunk/protocol-control.js';

/** Messages chunked once per payload view, shared by the publishers of one chunk size. */
export class PayloadChunkCache {
  /** Messages chunked into shared bytes so far (one per payload, normally). */
  chunked = 0;
  /** Writes of shared bytes (counted by the publishers). */
  sharedWrites = 0;
  private readonly messages = new WeakMap<Uint8Array, ChunkedMessage>();

  /** @param chunkSize the outgoing chunk size of the publishers that share this cache. */
  constructor(readonly chunkSize: number = DEFAULT_OUT_CHUNK_SIZE) {
    checkChunkSize(chunkSize);
  }

  /** The message chunked for this payload view, if any. */
  get(payload: Uint8Array): ChunkedMessage | undefined {
    return this.messages.get(payload);
  }

  /**
   * Chunks the message `head ++ payload` relative to `previous` (the sender's previous
   * message on `chunkStreamId`) and stores it under `payload`. Without a usable previous
   * message (none, or a backwards or ≥ 2^32 ms step) the entry has `bytes: null`.
   */
  chunk(
    chunkStreamId: number,
    typeId: number,
    timestamp: number,
    head: Uint8Array,
    payload: Uint8Array,
    previous: PreviousChunkMessage | undefined,
  ): ChunkedMessage {
    const message = chunkAfterPrevious(chunkStreamId, typeId, timestamp, head, payload, this.chunkSize, previous);
    if (message.bytes !== null) this.chunked++;
    this.messages.set(payload, message);
    return message;
  }
}
