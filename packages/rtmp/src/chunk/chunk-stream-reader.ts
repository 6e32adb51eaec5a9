/**
 * ChunkStreamReader: turns the bytes after the handshake into RTMP messages
 * (RTMP spec 5.3). Handles chunk header formats 0-3, extended timestamps (also on
 * type-3 chunks), 1- to 3-byte chunk stream ids, interleaved chunk streams, and the
 * two control messages that change how chunks are parsed: Set Chunk Size and Abort.
 *
 * Caps (attacker-proof): message length, open chunk streams, and bytes held in
 * partial messages are bounded; breaking a cap throws RtmpProtocolError from push().
 * Buffers grow with the bytes that actually arrive, never with the length a header
 * claims. A message that arrives whole inside one pushed buffer is emitted as a view
 * of that buffer (no copy).
 */
import { RtmpProtocolError } from '../errors.js';
import { MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import { parseSetChunkSize, readControlValue } from './protocol-control.js';

/** Limits of a ChunkStreamReader. */
export interface ChunkStreamReaderOptions {
  /** Largest message accepted, bytes (default 16 MiB). */
  maxMessageLength?: number;
  /** Most chunk streams tracked at once (default 64). */
  maxChunkStreams?: number;
  /** Most bytes held in partial messages over all chunk streams (default 32 MiB). */
  maxPendingBytes?: number;
}

/** Default cap on one message's length: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;

const TWO_32 = 0x1_0000_0000;
const INITIAL_CAPACITY = 64 * 1024;

/** Per chunk stream id: the last header's fields and the message being assembled. */
interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last type 0/1/2 header carried an extended timestamp (so type-3 chunks carry one too). */
  extended: boolean;
  /** A type 0 or 1 header was seen (length and type are known). */
  known: boolean;
  buffer: Uint8Array | null;
  received: number;
}

/** Receives RTMP messages from a byte stream. */
export class ChunkStreamReader {
  /** Current incoming chunk size (128 until the peer's Set Chunk Size). */
  chunkSize = 128;
  /** Total bytes pushed so far (for Acknowledgement). */
  bytesReceived = 0;
  private readonly maxMessageLength: number;
  private readonly maxChunkStreams: number;
  private readonly maxPendingBytes: number;
  private readonly streams = new Map<number, ChunkStreamState>();
  private pendingBytes = 0;
  /** Header bytes split across pushes. */
  private readonly stash = new Uint8Array(18);
  private stashLength = 0;
  /** The chunk whose payload is being read, and how many of its bytes remain. */
  private current: ChunkStreamState | null = null;
  private currentCsid = 0;
  private chunkRemaining = 0;
  private stopped = false;
  /** Message stream id of the last type 0 header (default for chunk streams opened with type 1). */
  private lastStreamId = 0;

  /**
   * @param onMessage called for every complete message except Set Chunk Size and Abort
   *   (handled here). The payload is the receiver's to keep.
   */
  constructor(
    private readonly onMessage: (message: RtmpMessage, chunkStreamId: number) => void,
    options: ChunkStreamReaderOptions = {},
  ) {
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.maxChunkStreams = options.maxChunkStreams ?? 64;
    this.maxPendingBytes = options.maxPendingBytes ?? 2 * DEFAULT_MAX_MESSAGE_LENGTH;
    if (!Number.isInteger(this.maxMessageLength) || this.maxMessageLength < 1)
      throw new RangeError(`maxMessageLength must be a positive integer, got ${this.maxMessageLength}`);
    if (!Number.isInteger(this.maxChunkStreams) || this.maxChunkStreams < 1)
      throw new RangeError(`maxChunkStreams must be a positive integer, got ${this.maxChunkStreams}`);
    if (!Number.isInteger(this.maxPendingBytes) || this.maxPendingBytes < 1)
      throw new RangeError(`maxPendingBytes must be a positive integer, got ${this.maxPendingBytes}`);
  }

  /** Bytes currently held in partial messages. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Stops parsing: later pushes are ignored and partial messages are dropped. */
  stop(): void {
    this.stopped = true;
    this.streams.clear();
    this.current = null;
    this.pendingBytes = 0;
  }

  /** Parses bytes; calls onMessage for each completed message. Throws RtmpProtocolError on a protocol violation. */
  push(data: Uint8Array): void {
    if (this.stopped) return;
    this.bytesReceived += data.length;
    let offset = 0;
    const end = data.length;
    while (offset < end && !this.stopped) {
      if (this.current !== null) {
        offset = this.readPayload(data, offset, end);
        continue;
      }
      if (this.stashLength > 0) {
        const before = this.stashLength;
        const take = Math.min(this.stash.length - before, end - offset);
        this.stash.set(data.subarray(offset, offset + take), before);
        const used = this.parseHeader(this.stash, 0, before + take);
        if (used < 0) {
          this.stashLength = before + take;
          return;
        }
        this.stashLength = 0;
        offset += used - before;
        continue;
      }
      const used = this.parseHeader(data, offset, end);
      if (used < 0) {
        this.stash.set(data.subarray(offset, end), 0);
        this.stashLength = end - offset;
        return;
      }
      offset += used;
    }
  }

  /**
   * Parses one chunk header at buf[start..end). Returns the header length, or -1 when
   * more bytes are needed (nothing is changed then). Sets `current` for the payload.
   */
  private parseHeader(buf: Uint8Array, start: number, end: number): number {
    let p = start;
    if (p >= end) return -1;
    const b0 = buf[p++] ?? 0;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    if (csid === 0) {
      if (end - p < 1) return -1;
      csid = 64 + (buf[p++] ?? 0);
    } else if (csid === 1) {
      if (end - p < 2) return -1;
      csid = 64 + (buf[p] ?? 0) + (buf[p + 1] ?? 0) * 256;
      p += 2;
    }
    const headerLength = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    if (end - p < headerLength) return -1;
    let state = this.streams.get(csid);
    const continuing = state !== undefined && state.buffer !== null;
    let field = 0;
    if (fmt <= 2) field = ((buf[p] ?? 0) << 16) | ((buf[p + 1] ?? 0) << 8) | (buf[p + 2] ?? 0);
    const extended = fmt <= 2 ? field === 0xffffff : state?.extended === true;
    if (extended && end - (p + headerLength) < 4) return -1;
    // From here on the header is complete: apply it.
    if (state === undefined) {
      if (fmt >= 2)
        throw new RtmpProtocolError(
          `chunk stream ${csid} starts with a type ${fmt} header (no previous message header)`,
        );
      if (this.streams.size >= this.maxChunkStreams)
        throw new RtmpProtocolError(`more than ${this.maxChunkStreams} chunk streams open`);
      // a chunk stream opened with a type 1 header inherits the last type 0 header's message stream id
      state = {
        timestamp: 0,
        delta: 0,
        length: 0,
        typeId: 0,
        streamId: this.lastStreamId,
        extended: false,
        known: false,
        buffer: null,
        received: 0,
      };
      this.streams.set(csid, state);
    }
    if (fmt !== 3 && continuing) this.dropPartial(state); // a new header abandons an unfinished message
    if (fmt <= 1) {
      // message length (3 bytes), message type id (1 byte)
      state.length = ((buf[p + 3] ?? 0) << 16) | ((buf[p + 4] ?? 0) << 8) | (buf[p + 5] ?? 0);
      state.typeId = buf[p + 6] ?? 0;
      state.known = true;
      if (fmt === 0) {
        // message stream id: 4 bytes little-endian
        state.streamId =
          ((buf[p + 7] ?? 0) | ((buf[p + 8] ?? 0) << 8) | ((buf[p + 9] ?? 0) << 16)) + (buf[p + 10] ?? 0) * 0x1000000;
        this.lastStreamId = state.streamId;
      }
    } else if (!state.known) {
      throw new RtmpProtocolError(`chunk stream ${csid}: type ${fmt} header before any message length is known`);
    }
    p += headerLength;
    let ext = 0;
    if (extended) {
      ext = (buf[p] ?? 0) * 0x1000000 + (((buf[p + 1] ?? 0) << 16) | ((buf[p + 2] ?? 0) << 8) | (buf[p + 3] ?? 0));
      p += 4;
    }
    if (fmt <= 2) state.extended = extended;
    const startsMessage = fmt !== 3 || !continuing;
    if (startsMessage) {
      if (state.length > this.maxMessageLength)
        throw new RtmpProtocolError(
          `message of ${state.length} bytes on chunk stream ${csid} exceeds the ${this.maxMessageLength}-byte limit`,
        );
      if (fmt === 0) {
        // timestamp (absolute); a type-3 message after it repeats it (delta 0)
        state.timestamp = extended ? ext : field;
        state.delta = 0;
      } else if (fmt <= 2) {
        // timestamp delta
        state.delta = extended ? ext : field;
        state.timestamp = (state.timestamp + state.delta) % TWO_32;
      } else {
        state.timestamp = (state.timestamp + state.delta) % TWO_32;
      }
      state.received = 0;
    }
    this.current = state;
    this.currentCsid = csid;
    this.chunkRemaining = Math.min(this.chunkSize, state.length - state.received);
    if (state.length === 0) this.finishMessage(state, new Uint8Array(0));
    return p - start;
  }

  /** Reads the current chunk's payload bytes from data[offset..end); returns the new offset. */
  private readPayload(data: Uint8Array, offset: number, end: number): number {
    const state = this.current;
    if (state === null) return offset;
    const available = end - offset;
    // Fast path: the whole message is here in one chunk: emit a view, no copy.
    if (
      state.buffer === null &&
      state.received === 0 &&
      this.chunkRemaining === state.length &&
      available >= state.length
    ) {
      this.current = null;
      this.finishMessage(state, data.subarray(offset, offset + state.length));
      return offset + state.length;
    }
    const take = Math.min(available, this.chunkRemaining);
    this.ensureCapacity(state, state.received + take);
    (state.buffer as Uint8Array).set(data.subarray(offset, offset + take), state.received);
    state.received += take;
    this.chunkRemaining -= take;
    if (this.chunkRemaining === 0) {
      this.current = null;
      if (state.received === state.length) {
        const buffer = state.buffer as Uint8Array;
        this.pendingBytes -= buffer.length;
        state.buffer = null;
        this.finishMessage(state, buffer.subarray(0, state.length));
      }
    }
    return offset + take;
  }

  private ensureCapacity(state: ChunkStreamState, needed: number): void {
    const old = state.buffer;
    if (old !== null && old.length >= needed) return;
    let capacity = old === null ? Math.min(state.length, Math.max(INITIAL_CAPACITY, needed)) : old.length;
    while (capacity < needed) capacity = Math.min(state.length, capacity * 2);
    const growth = capacity - (old?.length ?? 0);
    if (this.pendingBytes + growth > this.maxPendingBytes)
      throw new RtmpProtocolError(`partial messages exceed the ${this.maxPendingBytes}-byte limit`);
    const next = new Uint8Array(capacity);
    if (old !== null) next.set(old.subarray(0, state.received));
    this.pendingBytes += growth;
    state.buffer = next;
  }

  private dropPartial(state: ChunkStreamState): void {
    if (state.buffer !== null) this.pendingBytes -= state.buffer.length;
    state.buffer = null;
    state.received = 0;
    if (this.current === state) this.current = null;
  }

  private finishMessage(state: ChunkStreamState, payload: Uint8Array): void {
    if (this.current === state) this.current = null;
    state.received = 0;
    const message: RtmpMessage = {
      typeId: state.typeId,
      timestamp: state.timestamp,
      streamId: state.streamId,
      payload,
    };
    // Protocol control messages belong on stream 0; peers differ, so the type alone decides.
    if (message.typeId === MessageType.SetChunkSize) {
      this.chunkSize = parseSetChunkSize(message);
      return;
    }
    if (message.typeId === MessageType.Abort) {
      const target = this.streams.get(readControlValue(message));
      if (target !== undefined) this.dropPartial(target);
      return;
    }
    this.onMessage(message, this.currentCsid);
  }
}
