/**
 * Aggregate messages (RTMP spec 7.1.6, type 22): back-to-back sub-messages laid out
 * as FLV tags (11-byte header, body, 4-byte back pointer). Sub-message timestamps are
 * offsets from the first one, rebased onto the aggregate message's timestamp.
 */
import { FLV_TAG_HEADER_SIZE, parseFlvTagHeader } from '@sluice/media';

/** Calls `each` for every sub-message (type, 32-bit timestamp, body view). Malformed tails are dropped. */
export function forEachAggregatePart(
  payload: Uint8Array,
  timestamp: number,
  each: (type: number, timestamp: number, body: Uint8Array) => void,
): void {
  let offset = 0;
  let first = -1;
  while (payload.length - offset >= FLV_TAG_HEADER_SIZE) {
    let header;
    try {
      header = parseFlvTagHeader(payload, offset);
    } catch {
      return;
    }
    const bodyStart = offset + FLV_TAG_HEADER_SIZE;
    const bodyEnd = bodyStart + header.dataSize;
    if (bodyEnd > payload.length) return;
    if (first < 0) first = header.timestamp;
    const delta = (header.timestamp - first + 0x1_0000_0000) % 0x1_0000_0000;
    each(header.type, (timestamp + delta) % 0x1_0000_0000, payload.subarray(bodyStart, bodyEnd));
    offset = bodyEnd + 4; // back pointer (previous tag size)
  }
}
