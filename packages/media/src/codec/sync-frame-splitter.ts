/**
 * A streaming splitter for self-synchronising audio framings (ADTS, MPEG audio): finds
 * frames in bytes arriving in arbitrary pieces, skipping (and reporting) non-frame bytes.
 */

/** How to recognise and measure frames of one framing. */
export interface SyncFrameFormat<H> {
  /** Bytes needed to parse a header. */
  readonly headerSize: number;
  /** Largest possible frame: bounds the internal buffer. */
  readonly maxFrameLength: number;
  /** The parsed header at `data[offset]` (headerSize bytes available), or undefined when invalid. */
  probe(data: Uint8Array, offset: number): H | undefined;
  /** Total frame length (header included) of a parsed header. */
  frameLength(header: H): number;
  /** Header bytes before the payload. */
  headerLength(header: H): number;
  /** The typed error for a message. */
  error(message: string): Error;
}

/** One frame found by a splitter. */
export interface SyncFrame<H> {
  header: H;
  /** The whole frame, header included. */
  frame: Uint8Array;
  /** The bytes after the header. */
  payload: Uint8Array;
}

/**
 * Splits a byte stream into frames of a {@link SyncFrameFormat}. Frames within one pushed
 * chunk are views into it; a frame spanning chunks is assembled in an internal buffer of
 * maxFrameLength bytes (views into it are valid only during the callback).
 */
export class SyncFrameSplitter<H, E extends Error = Error> {
  private readonly format: SyncFrameFormat<H>;
  private readonly onFrame: (frame: SyncFrame<H>) => void;
  private readonly onError: ((error: E) => void) | undefined;
  private readonly pending: Uint8Array;
  private pendingLength = 0;
  private pendingHeader: H | undefined;
  private skippedRun = 0;
  private skippedTotal = 0;

  constructor(format: SyncFrameFormat<H>, onFrame: (frame: SyncFrame<H>) => void, onError?: (error: E) => void) {
    this.format = format;
    this.onFrame = onFrame;
    this.onError = onError;
    this.pending = new Uint8Array(format.maxFrameLength);
  }

  /** Bytes skipped so far because they were not part of a valid frame. */
  get skippedBytes(): number {
    return this.skippedTotal;
  }

  /** Bytes held of a frame not complete yet. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** Feeds the next bytes of the stream; calls onFrame for each complete frame. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.pendingLength > 0) pos = this.fillPending(chunk);
    if (pos < chunk.length) this.scan(chunk, pos);
  }

  /** Ends the stream: an incomplete frame still held is dropped and reported. */
  flush(): void {
    if (this.pendingLength > 0) {
      const expected =
        this.pendingHeader !== undefined ? this.format.frameLength(this.pendingHeader) : this.format.headerSize;
      this.report(`truncated frame: ${this.pendingLength} of ${expected} bytes at end of stream`);
      this.skippedTotal += this.pendingLength;
    }
    this.reportSkipped();
    this.reset();
  }

  /** Forgets any partial frame (e.g. after a discontinuity). */
  reset(): void {
    this.pendingLength = 0;
    this.pendingHeader = undefined;
    this.skippedRun = 0;
  }

  private report(message: string): void {
    this.onError?.(this.format.error(message) as E);
  }

  private skip(n: number): void {
    this.skippedRun += n;
    this.skippedTotal += n;
  }

  private reportSkipped(): void {
    if (this.skippedRun > 0) {
      const n = this.skippedRun;
      this.skippedRun = 0;
      this.report(`skipped ${n} bytes that are not frames`);
    }
  }

  private emit(frame: Uint8Array, header: H): void {
    this.reportSkipped();
    this.onFrame({ header, frame, payload: frame.subarray(this.format.headerLength(header)) });
  }

  private hold(data: Uint8Array, from: number, header: H | undefined): void {
    this.pending.set(data.subarray(from), 0);
    this.pendingLength = data.length - from;
    this.pendingHeader = header;
  }

  private scan(data: Uint8Array, pos: number): void {
    const n = data.length;
    const { headerSize } = this.format;
    while (pos < n) {
      if (data[pos] !== 0xff) {
        this.skip(1);
        pos++;
        continue;
      }
      if (n - pos < headerSize) {
        this.hold(data, pos, undefined);
        return;
      }
      const header = this.format.probe(data, pos);
      if (header === undefined) {
        this.skip(1);
        pos++;
        continue;
      }
      const length = this.format.frameLength(header);
      if (n - pos < length) {
        this.hold(data, pos, header);
        return;
      }
      this.emit(data.subarray(pos, pos + length), header);
      pos += length;
    }
  }

  /** Completes the held frame from `chunk`; returns how many bytes of `chunk` it used. */
  private fillPending(chunk: Uint8Array): number {
    const { headerSize } = this.format;
    let pos = 0;
    while (this.pendingLength > 0) {
      if (this.pendingHeader === undefined) {
        const take = Math.min(headerSize - this.pendingLength, chunk.length - pos);
        this.pending.set(chunk.subarray(pos, pos + take), this.pendingLength);
        this.pendingLength += take;
        pos += take;
        if (this.pendingLength < headerSize) return pos;
        const header = this.format.probe(this.pending, 0);
        if (header === undefined) {
          // not a frame after all: rescan the held bytes after the first one (error path only)
          const rest = this.pending.slice(1, this.pendingLength);
          this.skip(1);
          this.pendingLength = 0;
          this.scan(rest, 0);
          continue;
        }
        this.pendingHeader = header;
      }
      const header = this.pendingHeader;
      const length = this.format.frameLength(header);
      const take = Math.min(length - this.pendingLength, chunk.length - pos);
      this.pending.set(chunk.subarray(pos, pos + take), this.pendingLength);
      this.pendingLength += take;
      pos += take;
      if (this.pendingLength < length) return pos;
      this.pendingLength = 0;
      this.pendingHeader = undefined;
      this.emit(this.pending.subarray(0, length), header);
    }
    return pos;
  }
}
