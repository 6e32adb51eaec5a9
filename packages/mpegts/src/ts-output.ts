/**
 * Where a muxer's 188-byte packets go: slabs of memory handed out as chunks.
 *
 * Ownership: in 'owned' mode (default) every chunk is a view of a slab the muxer never
 * writes again; a receiver may keep it, queue it on a socket or share it with other
 * receivers. A new slab is allocated when the current one is full (one allocation per
 * `slabSize` bytes of output, none per packet). In 'transient' mode one buffer is reused:
 * a chunk is valid only until the callback returns (copy it, or write it synchronously).
 */

import { allocateBytes } from './alloc.js';

/** Receives muxed output: `chunk` is whole 188-byte packets; `randomAccess` is true when it starts with PAT, PMT and a keyframe. */
export type TsDataListener = (chunk: Uint8Array, randomAccess: boolean) => void;

/** How output buffers are owned (see the module comment). */
export type TsOutputMode = 'owned' | 'transient';

/** Default slab size: 1396 packets (~256 KiB). */
export const DEFAULT_SLAB_SIZE = 188 * 1396;

/** Hands out contiguous space for packets and emits the written bytes as chunks. */
export class TsOutput {
  /** The buffer being written; valid from `pos` for as many bytes as ensure() asked. */
  buf: Uint8Array;
  /** Write position in `buf`. */
  pos = 0;
  private start = 0;
  private randomAccess = false;

  constructor(
    private readonly mode: TsOutputMode,
    private readonly slabSize: number,
    private readonly listener: TsDataListener,
    private readonly allocate: (bytes: number) => Uint8Array = allocateBytes,
  ) {
    this.buf = this.newBuffer(slabSize);
  }

  private newBuffer(bytes: number): Uint8Array {
    const buf = this.allocate(bytes);
    if (!(buf instanceof Uint8Array) || buf.length < bytes)
      throw new RangeError(`the output allocator must return a Uint8Array of at least ${bytes} bytes`);
    return buf;
  }

  /** Makes `bytes` contiguous bytes writable at `pos` (may emit what is pending first). */
  ensure(bytes: number): void {
    if (this.buf.length - this.pos >= bytes) return;
    this.emit();
    if (this.mode === 'transient') {
      this.pos = this.start = 0;
      if (this.buf.length < bytes) this.buf = this.newBuffer(Math.max(bytes, this.buf.length * 2));
    } else {
      this.buf = this.newBuffer(Math.max(bytes, this.slabSize));
      this.pos = this.start = 0;
    }
  }

  /** Ends the current chunk so the next bytes start a new one, flagged as a random access point when `randomAccess`. */
  beginChunk(randomAccess: boolean): void {
    this.emit();
    this.randomAccess = randomAccess;
  }

  /** Hands the bytes written since the last emit to the listener. */
  emit(): void {
    if (this.pos > this.start) {
      const chunk = this.buf.subarray(this.start, this.pos);
      const ra = this.randomAccess;
      this.randomAccess = false;
      if (this.mode === 'transient') this.pos = 0;
      this.start = this.pos;
      this.listener(chunk, ra);
    }
  }
}
