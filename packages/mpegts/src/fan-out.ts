/**
 * TsFanOut: one muxer's output shared by many receivers. The muxer's chunks (in 'owned'
 * output mode: never rewritten) are handed to every receiver as they are, without
 * copying. A receiver joining mid-stream starts at a random-access chunk (PAT, PMT and
 * a video keyframe), exactly as a receiver joining a multicast would: either at once
 * with the chunks since the latest one (the current GOP, kept while it is under
 * `maxCacheBytes`), or at the next one.
 */

/** Receives chunks of whole 188-byte packets; returns nothing (a receiver manages its own queue). */
export type TsChunkReceiver = (chunk: Uint8Array) => void;

/** Options of a TsFanOut. */
export interface TsFanOutOptions {
  /**
   * Keep the chunks since the latest random-access point so that a new receiver starts
   * at once (true, default) or make it wait for the next one (false).
   */
  startWithCurrentGop?: boolean;
  /** Largest current GOP kept, bytes (a longer GOP is dropped and joiners wait). Default 16 MiB. */
  maxCacheBytes?: number;
}

interface Receiver {
  fn: TsChunkReceiver;
  started: boolean;
}

/** Shares one TsMuxer's output among receivers that may join at any time. */
export class TsFanOut {
  private readonly receivers = new Set<Receiver>();
  private readonly cacheGop: boolean;
  private readonly maxCacheBytes: number;
  private gop: Uint8Array[] = [];
  private gopBytes = 0;
  private gopValid = false;

  constructor(options: TsFanOutOptions = {}) {
    this.cacheGop = options.startWithCurrentGop ?? true;
    const max = options.maxCacheBytes ?? 16 * 1024 * 1024;
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`maxCacheBytes must be a non-negative integer, got ${max}`);
    this.maxCacheBytes = max;
  }

  /** Receivers currently attached. */
  get size(): number {
    return this.receivers.size;
  }

  /** Bytes of the current GOP kept for joiners. */
  get cachedBytes(): number {
    return this.gopBytes;
  }

  /** Feed from TsMuxer's onData (it has the same signature). The chunk must never be rewritten ('owned' output). */
  readonly write = (chunk: Uint8Array, randomAccess: boolean): void => {
    if (randomAccess) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopValid = this.cacheGop;
    }
    if (this.gopValid) {
      if (this.gopBytes + chunk.length > this.maxCacheBytes) {
        this.gop = [];
        this.gopBytes = 0;
        this.gopValid = false;
      } else {
        this.gop.push(chunk);
        this.gopBytes += chunk.length;
      }
    }
    for (const r of this.receivers) {
      if (!r.started) {
        if (!randomAccess) continue;
        r.started = true;
      }
      r.fn(chunk);
    }
  };

  /**
   * Attaches a receiver: it gets the current GOP at once (same turn) when one is kept,
   * else its first chunk is the next random-access chunk. Returns the detach function.
   */
  subscribe(fn: TsChunkReceiver): () => void {
    const r: Receiver = { fn, started: false };
    if (this.gopValid && this.gop.length > 0) {
      r.started = true;
      for (const chunk of this.gop) fn(chunk);
    }
    this.receivers.add(r);
    return () => {
      this.receivers.delete(r);
    };
  }
}
