/**
 * The key material message (KMREQ/KMRSP body, HaiCrypt "KMmsg"): salt and the wrapped stream
 * encrypting keys (SEK), and the key encrypting key (KEK) derivation from the passphrase:
 * PBKDF2-HMAC-SHA1 over the salt's last 8 bytes, 2048 iterations; AES key wrap (RFC 3394).
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { SrtPacketError } from './errors.js';

/** KM states a one-word KMRSP carries (libsrt's SRT_KM_STATE). */
export const KmState = { Unsecured: 0, Securing: 1, Secured: 2, NoSecret: 3, BadSecret: 4 } as const;

/** Which keys a KM message carries: even, odd, or both. */
export const KmKeys = { Even: 1, Odd: 2, Both: 3 } as const;

const KM_HEADER = 16;
const SALT_SIZE = 16;
const WRAP_OVERHEAD = 8;
const WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
/** Cipher code of AES-CTR in the KM message. */
export const CIPHER_AES_CTR = 2;

/** A decoded KM message. `wrapped` holds the wrapped key(s): even then odd when both. */
export interface KmMessage {
  keys: number;
  cipher: number;
  salt: Uint8Array;
  keyLength: number;
  wrapped: Uint8Array;
}

/** True when the passphrase length is one SRT accepts (10 to 79 characters). */
export function isValidPassphrase(passphrase: string): boolean {
  return passphrase.length >= 10 && passphrase.length <= 79;
}

/** True for the AES key lengths SRT uses. */
export function isValidKeyLength(n: number): n is 16 | 24 | 32 {
  return n === 16 || n === 24 || n === 32;
}

/** Decodes a KM message (KMREQ, or a KMRSP that echoes it). */
export function decodeKm(b: Uint8Array): KmMessage {
  if (b.length < KM_HEADER) throw new SrtPacketError('truncated', `KM message of ${b.length} bytes`, 0);
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf[0] !== 0x12 || buf.readUInt16BE(1) !== 0x2029) {
    throw new SrtPacketError(
      'malformed',
      `KM message header ${buf.subarray(0, 3).toString('hex')} (12 2029 expected)`,
      0,
    );
  }
  const keys = (buf[3] ?? 0) & 3;
  if (keys === 0) throw new SrtPacketError('malformed', 'KM message carries no key', 3);
  const cipher = buf[8] ?? 0;
  const saltLength = (buf[14] ?? 0) * 4;
  const keyLength = (buf[15] ?? 0) * 4;
  if (saltLength !== SALT_SIZE) throw new SrtPacketError('malformed', `KM salt of ${saltLength} bytes`, 14);
  if (!isValidKeyLength(keyLength)) throw new SrtPacketError('malformed', `KM key length ${keyLength}`, 15);
  const nKeys = keys === KmKeys.Both ? 2 : 1;
  const wrappedLength = WRAP_OVERHEAD + nKeys * keyLength;
  if (buf.length < KM_HEADER + SALT_SIZE + wrappedLength) {
    throw new SrtPacketError('truncated', `KM message of ${buf.length} bytes for ${nKeys} key(s)`, KM_HEADER);
  }
  return {
    keys,
    cipher,
    keyLength,
    salt: Uint8Array.from(buf.subarray(KM_HEADER, KM_HEADER + SALT_SIZE)),
    wrapped: Uint8Array.from(buf.subarray(KM_HEADER + SALT_SIZE, KM_HEADER + SALT_SIZE + wrappedLength)),
  };
}

/** Encodes a KM message. */
export function encodeKm(m: KmMessage): Buffer {
  const buf = Buffer.alloc(KM_HEADER + SALT_SIZE + m.wrapped.length);
  buf[0] = 0x12;
  buf.writeUInt16BE(0x2029, 1);
  buf[3] = m.keys & 3;
  buf[8] = m.cipher;
  buf[10] = 2; // stream encapsulation: MPEG-TS/SRT
  buf[14] = SALT_SIZE / 4;
  buf[15] = m.keyLength / 4;
  buf.set(m.salt, KM_HEADER);
  buf.set(m.wrapped, KM_HEADER + SALT_SIZE);
  return buf;
}

/** The key encrypting key for a passphrase and salt. */
export function deriveKek(passphrase: string, salt: Uint8Array, keyLength: number): Buffer {
  return pbkdf2Sync(passphrase, salt.subarray(salt.length - 8), 2048, keyLength, 'sha1');
}

function wrapCipher(kek: Uint8Array): string {
  return `id-aes${kek.length * 8}-wrap`;
}

/** AES key wrap (RFC 3394) of `keys` under `kek`. */
export function wrapKeys(kek: Uint8Array, keys: Uint8Array): Buffer {
  const c = createCipheriv(wrapCipher(kek), kek, WRAP_IV);
  return Buffer.concat([c.update(keys), c.final()]);
}

/** AES key unwrap; null when the integrity check fails (a wrong passphrase). */
export function unwrapKeys(kek: Uint8Array, wrapped: Uint8Array): Buffer | null {
  try {
    const d = createDecipheriv(wrapCipher(kek), kek, WRAP_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch {
    return null;
  }
}
