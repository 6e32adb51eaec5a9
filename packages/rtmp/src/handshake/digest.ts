/**
 * The Flash-style "digest" handshake (RTMP handshake as Flash Player 9+ and Flash
 * Media Server do it, also used by ffmpeg and librtmp): C1/S1 carry an HMAC-SHA256
 * digest at a position derived from their own bytes, keyed with the well-known
 * Flash Player (FP) and Flash Media Server (FMS) keys; S2/C2 end with a digest of
 * the other side's digest.
 */
import { createHmac } from 'node:crypto';

/** Size of C1/S1/C2/S2. */
export const HANDSHAKE_SIZE = 1536;
const DIGEST_SIZE = 32;

const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57, 0x6e, 0xec, 0x5d,
  0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];
/** "Genuine Adobe Flash Player 001" + 32 bytes; the first 30 bytes key C1 digests. */
export const FP_KEY = Uint8Array.from([...new TextEncoder().encode('Genuine Adobe Flash Player 001'), ...KEY_TAIL]);
/** "Genuine Adobe Flash Media Server 001" + 32 bytes; the first 36 bytes key S1 digests. */
export const FMS_KEY = Uint8Array.from([
  ...new TextEncoder().encode('Genuine Adobe Flash Media Server 001'),
  ...KEY_TAIL,
]);
export const FP_KEY_SHORT = FP_KEY.subarray(0, 30);
export const FMS_KEY_SHORT = FMS_KEY.subarray(0, 36);

/** The two places a digest can be: offset base 8 (scheme 0) or 772 (scheme 1). */
export type DigestScheme = 0 | 1;

/** HMAC-SHA256 of data with key. */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

/** Position of the 32-byte digest in a 1536-byte C1/S1 for a scheme. */
export function digestOffset(block: Uint8Array, scheme: DigestScheme): number {
  const base = scheme === 0 ? 8 : 772;
  const sum = (block[base] ?? 0) + (block[base + 1] ?? 0) + (block[base + 2] ?? 0) + (block[base + 3] ?? 0);
  return (sum % 728) + base + 4;
}

/** The digest a block should carry at `offset`: HMAC over the block without those 32 bytes. */
export function computeDigest(block: Uint8Array, offset: number, key: Uint8Array): Uint8Array {
  return hmacSha256(key, block.subarray(0, offset), block.subarray(offset + DIGEST_SIZE, HANDSHAKE_SIZE));
}

/** Finds a valid digest in C1 (Flash Player key); returns its offset and scheme, or null for a simple handshake. */
export function findClientDigest(c1: Uint8Array): { offset: number; scheme: DigestScheme } | null {
  for (const scheme of [1, 0] as const) {
    const offset = digestOffset(c1, scheme);
    const expected = computeDigest(c1, offset, FP_KEY_SHORT);
    if (equalBytes(expected, c1.subarray(offset, offset + DIGEST_SIZE))) return { offset, scheme };
  }
  return null;
}

/** Writes the digest of a 1536-byte block into it at its scheme's position; returns the digest. */
export function signBlock(block: Uint8Array, scheme: DigestScheme, key: Uint8Array): Uint8Array {
  const offset = digestOffset(block, scheme);
  const digest = computeDigest(block, offset, key);
  block.set(digest, offset);
  return digest;
}

/** Writes the S2/C2 signature: last 32 bytes = HMAC(HMAC(fullKey, peerDigest), block[0..1504)). */
export function signResponse(block: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): void {
  const key = hmacSha256(fullKey, peerDigest);
  block.set(hmacSha256(key, block.subarray(0, HANDSHAKE_SIZE - DIGEST_SIZE)), HANDSHAKE_SIZE - DIGEST_SIZE);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
