/**
 * Incremental FLV reader: bytes arrive in arbitrary pieces, whole tags come out.
 *
 * Memory: tag bodies are views into the pushed chunks when a tag lies inside one chunk;
 * a tag that spans chunks is copied once into a buffer of exactly its size, allocated only
 * after all of its bytes have arrived. Buffered input is bounded by one tag
 * (`maxTagSize` + 15 bytes); a larger DataSize is rejected as soon as its header is read.
 * Callers must not reuse a pushed chunk's memory while tags from it are alive.
 */
import { FlvParseError } from './errors.js';
import {
  FLV_HEADER_SIZE,
  FLV_MAX_DATA_SIZE,
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  FLV_TAG_HEADER_SIZE,
  parseFlvHeader,
  parseFlvTagHeader,
  type FlvHeader,
  type FlvTagType,
} from './header.js';

/** One FLV tag as read. */
export interface FlvTag {
  type: FlvTagType;
  /** Milliseconds, 0 .. 2^32-1 (Timestamp | TimestampExtended << 24). */
  timestamp: number;
  /** The tag body (DataSize bytes): a view, never a copy of the pushed bytes where avoidable. */
  data: Uint8Array;
  /** Byte offset of the tag header in the stream. */
  position: number;
}

/** Options of `FlvReader`. */
export interface FlvReaderOptions {
  /** Largest tag body accepted, in bytes (default and maximum 16 MiB - 1, the UI24 limit). */
  maxTagSize?: number;
  /** Largest FLV header DataOffset accepted (default 65536). */
  maxDataOffset?: number;
}

/** Bytes in front of every tag: PreviousTagSize of the tag before + the tag header. */
const TAG_PREFIX = FLV_PREVIOUS_TAG_SIZE_SIZE + FLV_TAG_HEADER_SIZE;

/** Reads FLV tags from a byte stream delivered in pieces. */
export class FlvReader {
  /** The file header, once read. */
  header: FlvHeader | undefined;

  private readonly maxTagSize: number;
  private readonly maxDataOffset: number;
  private readonly chunks: Uint8Array[] = [];
  /** Read offset into chunks[0]. */
  private headOffset = 0;
  private buffered = 0;
  /** Stream offset of the first unread byte. */
  private position = 0;
  /** Bytes still to skip between the 9-byte header and DataOffset. */
  private skip = 0;
  private failure: FlvParseError | undefined;
  private readonly scratch = new Uint8Array(TAG_PREFIX);

  constructor(options: FlvReaderOptions = {}) {
    const maxTagSize = options.maxTagSize ?? FLV_MAX_DATA_SIZE;
    if (!Number.isInteger(maxTagSize) || maxTagSize < 0 || maxTagSize > FLV_MAX_DATA_SIZE) {
      throw new RangeError(`maxTagSize must be an integer in [0, 16777215], got ${maxTagSize}`);
    }
    const maxDataOffset = options.maxDataOffset ?? 65_536;
    if (!Number.isInteger(maxDataOffset) || maxDataOffset < FLV_HEADER_SIZE) {
      throw new RangeError(`maxDataOffset must be an integer >= 9, got ${maxDataOffset}`);
    }
    this.maxTagSize = maxTagSize;
    this.maxDataOffset = maxDataOffset;
  }

  /** Bytes received but not yet returned as tags (at most one tag plus its prefix). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes and returns the tags they complete, in order. Throws `FlvParseError` on
   * malformed input; after that the reader is failed and every call throws the same error.
   */
  push(chunk: Uint8Array): FlvTag[] {
    if (this.failure) throw this.failure;
    if (!(chunk instanceof Uint8Array)) throw new TypeError('FlvReader.push expects a Uint8Array');
    const tags: FlvTag[] = [];
    if (chunk.length === 0) return tags;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.drain(tags);
    } catch (e) {
      if (e instanceof FlvParseError) this.failure = e;
      throw e;
    }
    return tags;
  }

  /**
   * Declares the end of input. Throws `FlvParseError` if a header or tag is incomplete
   * (a trailing PreviousTagSize, or its absence, is fine).
   */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.header === undefined || this.skip > 0) {
      this.failure = new FlvParseError(
        `truncated FLV header: input ended after ${this.position + this.buffered} bytes`,
        0,
      );
    } else if (this.buffered !== 0 && this.buffered !== FLV_PREVIOUS_TAG_SIZE_SIZE) {
      this.failure = new FlvParseError(
        `truncated FLV tag: input ended with ${this.buffered} bytes of an incomplete tag`,
        this.position,
      );
    }
    if (this.failure) throw this.failure;
  }

  private drain(tags: FlvTag[]): void {
    if (this.header === undefined) {
      if (this.buffered < FLV_HEADER_SIZE) return;
      this.header = parseFlvHeader(this.peek(FLV_HEADER_SIZE, new Uint8Array(FLV_HEADER_SIZE)));
      if (this.header.dataOffset > this.maxDataOffset) {
        throw new FlvParseError(`FLV DataOffset ${this.header.dataOffset} exceeds the limit ${this.maxDataOffset}`, 5);
      }
      this.consume(FLV_HEADER_SIZE);
      this.skip = this.header.dataOffset - FLV_HEADER_SIZE;
    }
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.buffered);
      this.consume(n);
      this.skip -= n;
      if (this.skip > 0) return;
    }
    // Units of [PreviousTagSize UI32][tag header][tag body].
    while (this.buffered >= TAG_PREFIX) {
      const prefix = this.peek(TAG_PREFIX, this.scratch);
      const tagPosition = this.position + FLV_PREVIOUS_TAG_SIZE_SIZE;
      const th = parseFlvTagHeader(prefix, FLV_PREVIOUS_TAG_SIZE_SIZE, tagPosition);
      if (th.dataSize > this.maxTagSize) {
        throw new FlvParseError(`FLV tag DataSize ${th.dataSize} exceeds the limit ${this.maxTagSize}`, tagPosition);
      }
      if (this.buffered < TAG_PREFIX + th.dataSize) return;
      this.consume(TAG_PREFIX);
      const data = this.take(th.dataSize);
      tags.push({ type: th.type, timestamp: th.timestamp, data, position: tagPosition });
    }
  }

  /** The next `n` buffered bytes without consuming them: a view if contiguous, else copied into `into`. */
  private peek(n: number, into: Uint8Array): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (first.length - this.headOffset >= n) return first.subarray(this.headOffset, this.headOffset + n);
    let copied = 0;
    let offset = this.headOffset;
    for (let i = 0; copied < n; i++) {
      const c = this.chunks[i] as Uint8Array;
      const k = Math.min(n - copied, c.length - offset);
      into.set(c.subarray(offset, offset + k), copied);
      copied += k;
      offset = 0;
    }
    return into.subarray(0, n);
  }

  /** Consumes `n` buffered bytes and returns them: a view if contiguous, else one exact-size copy. */
  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0] as Uint8Array;
    if (first.length - this.headOffset >= n) {
      const view = first.subarray(this.headOffset, this.headOffset + n);
      this.consume(n);
      return view;
    }
    const out = new Uint8Array(n); // n <= this.buffered: bytes that have arrived
    this.peek(n, out);
    this.consume(n);
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    this.position += n;
    let left = n;
    while (left > 0) {
      const first = this.chunks[0] as Uint8Array;
      const avail = first.length - this.headOffset;
      if (avail > left) {
        this.headOffset += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
