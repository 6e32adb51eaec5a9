/**
 * FLV writer: file header and tags, handed to a sink as pieces. Tag bodies are passed
 * through as given (no copy); only the 11-byte tag header and 4-byte PreviousTagSize
 * are new bytes.
 */
import {
  FLV_MAX_DATA_SIZE,
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  FLV_TAG_HEADER_SIZE,
  buildFlvHeader,
  writeFlvTagHeader,
  type FlvTagType,
} from './header.js';

/** Receives the bytes of an FLV stream in order. It may keep the chunks: they are never reused. */
export type FlvChunkSink = (chunk: Uint8Array) => void;

/** Writes an FLV stream to a sink. */
export class FlvWriter {
  /** Bytes handed to the sink so far. */
  bytesWritten = 0;

  constructor(private readonly sink: FlvChunkSink) {
    if (typeof sink !== 'function') throw new TypeError('FlvWriter needs a sink function');
  }

  /** Writes the FLV file header and PreviousTagSize0. */
  writeHeader(options: { hasAudio: boolean; hasVideo: boolean }): void {
    this.emit(buildFlvHeader(options));
  }

  /**
   * Writes one tag whose body is `body` (or the concatenation of `body` pieces, e.g. a
   * tag-body header from `buildVideoTagHeader` and the payload view), followed by its
   * PreviousTagSize. `timestamp` is in milliseconds and wraps modulo 2^32.
   */
  writeTag(type: FlvTagType, timestamp: number, body: Uint8Array | readonly Uint8Array[]): void {
    const pieces = body instanceof Uint8Array ? [body] : body;
    let dataSize = 0;
    for (const p of pieces) dataSize += p.length;
    if (dataSize > FLV_MAX_DATA_SIZE) throw new RangeError(`FLV tag body of ${dataSize} bytes exceeds 16777215`);
    const framing = new Uint8Array(FLV_TAG_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_SIZE);
    writeFlvTagHeader(framing, 0, type, dataSize, timestamp);
    // PreviousTagSize UI32 = 11 + DataSize
    new DataView(framing.buffer).setUint32(FLV_TAG_HEADER_SIZE, FLV_TAG_HEADER_SIZE + dataSize);
    this.emit(framing.subarray(0, FLV_TAG_HEADER_SIZE));
    for (const p of pieces) if (p.length > 0) this.emit(p);
    this.emit(framing.subarray(FLV_TAG_HEADER_SIZE));
  }

  private emit(chunk: Uint8Array): void {
    this.bytesWritten += chunk.length;
    this.sink(chunk);
  }
}
