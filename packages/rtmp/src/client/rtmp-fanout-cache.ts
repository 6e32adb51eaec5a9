/**
 * RtmpFanoutCache: one source stream chunked once for every RTMP destination that
 * shares a chunk size. Pair with RtmpPublisher.sendCached():
 *
 *   const cache = new RtmpFanoutCache(tracks, 4096);
 *   source.onPacket(p => { const m = cache.add(p); if (m) for (const d of dests) d.publisher.sendCached(m, m.timestamp - d.baseMs); });
 *
 * Each destination's first message per chunk stream (and any message after a gap,
 * e.g. a dropped GOP) is encoded for it alone; all others are the same bytes for all.
 * Destinations must have been opened with the same tracks (same FLV tag headers).
 */
import { FlvTagMuxer, FlvTagType } from '@sluice/media';
import type { FlvTagMuxerOptions, MediaPacket, TrackInfo } from '@sluice/media';
import { ChunkedMessageCache } from '../chunk/chunked-message-cache.js';
import type { ChunkedMessage } from '../chunk/chunked-message-cache.js';
import { ChunkStreamId } from '../message.js';

/** Chunks a stream's packets once per chunk size. */
export class RtmpFanoutCache {
  private readonly muxer: FlvTagMuxer;
  private readonly cache: ChunkedMessageCache;

  constructor(tracks: readonly TrackInfo[], chunkSize = 4096, options: FlvTagMuxerOptions = {}) {
    this.muxer = new FlvTagMuxer(tracks, options);
    this.cache = new ChunkedMessageCache(chunkSize);
  }

  /** Chunk size of the shared bytes. */
  get chunkSize(): number {
    return this.cache.chunkSize;
  }

  /** Chunks one source packet (source timestamps, ms); undefined for tracks RTMP does not carry. */
  add(packet: MediaPacket): ChunkedMessage | undefined {
    const tag = this.muxer.packetTag(packet);
    if (tag === undefined) return undefined;
    const csid = tag.type === FlvTagType.Video ? ChunkStreamId.Video : ChunkStreamId.Audio;
    return this.cache.add(csid, tag.type, Math.max(0, tag.timestamp), tag.data, tag.header);
  }

  /** Starts a new chain (source restarted or timestamps jumped back). */
  reset(): void {
    this.cache.reset();
  }
}
