/**
 * Low-level chunk encoding (RTMP spec 5.3.1): one message with a chosen first-chunk
 * header format, split into chunks with type-3 continuation headers. Used by
 * ChunkStreamWriter and chunkAfterPrevious (fan-out).
 */

/** Lowest and highest chunk stream ids a 1- to 3-byte basic header can carry. */
export const MIN_CHUNK_STREAM_ID = 2;
export const MAX_CHUNK_STREAM_ID = 65599;

/** What goes into the first chunk's message header. */
export interface ChunkHeaderFields {
  /** Chunk header format 0-3 of the first chunk. */
  fmt: 0 | 1 | 2 | 3;
  /** fmt 0: absolute timestamp (mod 2^32); fmt 1/2/3: timestamp delta. */
  timestampField: number;
  /** Whether an extended timestamp follows the header (and every type-3 chunk of this message). */
  extended: boolean;
  typeId: number;
  streamId: number;
}

/** Bytes of the basic header for a chunk stream id. */
export function basicHeaderLength(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

function writeBasicHeader(out: Uint8Array, p: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[p] = (fmt << 6) | csid; // fmt (2 bits), cs id (6 bits)
    return p + 1;
  }
  if (csid < 320) {
    out[p] = fmt << 6; // cs id field 0: one more byte follows
    out[p + 1] = csid - 64;
    return p + 2;
  }
  out[p] = (fmt << 6) | 1; // cs id field 1: two more bytes follow (little-endian)
  out[p + 1] = (csid - 64) & 0xff;
  out[p + 2] = (csid - 64) >> 8;
  return p + 3;
}

function writeU32(out: Uint8Array, p: number, value: number): void {
  out[p] = Math.floor(value / 0x1000000) & 0xff;
  out[p + 1] = (value >> 16) & 0xff;
  out[p + 2] = (value >> 8) & 0xff;
  out[p + 3] = value & 0xff;
}

/** An empty byte array (no head). */
export const NO_BYTES = new Uint8Array(0);

/**
 * Encodes a whole message as chunks of `chunkSize` into one new buffer. The message
 * body is `head` followed by `payload` (e.g. an FLV tag-body header and the media
 * payload view), so the payload is copied once, straight into the chunks.
 */
export function encodeChunks(
  csid: number,
  header: ChunkHeaderFields,
  payload: Uint8Array,
  chunkSize: number,
  head: Uint8Array = NO_BYTES,
): Uint8Array {
  const basic = basicHeaderLength(csid);
  const extLength = header.extended ? 4 : 0;
  const messageHeaderLength = header.fmt === 0 ? 11 : header.fmt === 1 ? 7 : header.fmt === 2 ? 3 : 0;
  const length = head.length + payload.length;
  const chunks = Math.max(1, Math.ceil(length / chunkSize));
  const total = basic + messageHeaderLength + extLength + length + (chunks - 1) * (basic + extLength);
  const out = new Uint8Array(total);
  let p = writeBasicHeader(out, 0, header.fmt, csid);
  const field = header.extended ? 0xffffff : header.timestampField;
  if (header.fmt <= 2) {
    // timestamp or timestamp delta (3 bytes; 0xFFFFFF = extended timestamp follows)
    out[p] = (field >> 16) & 0xff;
    out[p + 1] = (field >> 8) & 0xff;
    out[p + 2] = field & 0xff;
    p += 3;
  }
  if (header.fmt <= 1) {
    // message length (3 bytes), message type id (1 byte)
    out[p] = (length >> 16) & 0xff;
    out[p + 1] = (length >> 8) & 0xff;
    out[p + 2] = length & 0xff;
    out[p + 3] = header.typeId;
    p += 4;
  }
  if (header.fmt === 0) {
    // message stream id (4 bytes, little-endian)
    out[p] = header.streamId & 0xff;
    out[p + 1] = (header.streamId >> 8) & 0xff;
    out[p + 2] = (header.streamId >> 16) & 0xff;
    out[p + 3] = Math.floor(header.streamId / 0x1000000) & 0xff;
    p += 4;
  }
  if (header.extended) {
    writeU32(out, p, header.timestampField);
    p += 4;
  }
  let offset = 0;
  for (let i = 0; i < chunks; i++) {
    if (i > 0) {
      p = writeBasicHeader(out, p, 3, csid);
      if (header.extended) {
        // type-3 chunks repeat the extended timestamp (as Flash, nginx-rtmp and ffmpeg do)
        writeU32(out, p, header.timestampField);
        p += 4;
      }
    }
    const n = Math.min(chunkSize, length - offset);
    copyRange(head, payload, offset, offset + n, out, p);
    p += n;
    offset += n;
  }
  return out;
}

/** Copies bytes [from, to) of head ++ payload into out at p. */
function copyRange(head: Uint8Array, payload: Uint8Array, from: number, to: number, out: Uint8Array, p: number): void {
  const h = head.length;
  if (from < h) {
    const end = Math.min(to, h);
    out.set(head.subarray(from, end), p);
    p += end - from;
    from = end;
  }
  if (from < to) out.set(payload.subarray(from - h, to - h), p);
}
