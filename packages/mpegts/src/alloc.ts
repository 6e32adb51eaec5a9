/** Byte buffers without zero-filling under Node (every byte is written before it is read). */

const NodeBuffer = (
  globalThis as { Buffer?: { allocUnsafe(n: number): Uint8Array; allocUnsafeSlow(n: number): Uint8Array } }
).Buffer;

/**
 * A plain Uint8Array of `size` bytes whose contents are unspecified: under Node it is
 * taken without zero-filling (small sizes from Node's pool); elsewhere a new Uint8Array.
 * Callers must write every byte they hand out.
 */
export function allocateBytes(size: number): Uint8Array {
  if (NodeBuffer === undefined) return new Uint8Array(size);
  const b = size < 4096 ? NodeBuffer.allocUnsafe(size) : NodeBuffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/** A plain Uint8Array view of `data` (a Node Buffer's subarray() is slower than a Uint8Array's). */
export function plainView(data: Uint8Array): Uint8Array {
  return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
}
