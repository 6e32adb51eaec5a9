/**
 * Byte pieces that audio and video tag bodies share: the FourCC of the Enhanced RTMP
 * ExAudioTagHeader / ExVideoTagHeader, and a tag header joined to its payload.
 */

/** Reads the 4-character FourCC UI32 at `b[offset]` (the caller has checked the length). */
export function readFourCc(b: Uint8Array, offset: number): string {
  return String.fromCharCode(
    b[offset] as number,
    b[offset + 1] as number,
    b[offset + 2] as number,
    b[offset + 3] as number,
  );
}

/** Writes the 4-character FourCC UI32 `fourCc` at `out[offset]`. */
export function writeFourCc(out: Uint8Array, offset: number, fourCc: string): void {
  for (let i = 0; i < 4; i++) out[offset + i] = fourCc.charCodeAt(i);
}

/** A tag body: `header` followed by `payload` (one copy). */
export function joinTagBody(header: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}
