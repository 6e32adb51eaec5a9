/**
 * Payload encryption of one connection: AES-CTR with the even/odd stream encrypting keys,
 * the IV built from the salt and the packet sequence number (HaiCrypt's layout), and the
 * key refresh schedule of the sending side.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { CIPHER_AES_CTR, decodeKm, deriveKek, encodeKm, KmKeys, unwrapKeys, wrapKeys } from './km.js';
import { KeySelector } from './packet.js';

/** Result of installing a peer's KM message. */
export type KmInstallResult = 'ok' | 'bad-secret' | 'malformed';

/** The keys of one connection (both directions use them, as HSv5 does). */
export class SrtCipher {
  private salt: Buffer;
  private kek: Buffer;
  private readonly keys: [Buffer | null, Buffer | null, Buffer | null] = [null, null, null];
  private readonly iv = Buffer.alloc(16);
  /** Key selector used for sending (Even or Odd). */
  sendKey: number = KeySelector.Even;

  private constructor(
    private readonly passphrase: string,
    readonly keyLength: number,
    salt: Buffer,
  ) {
    this.salt = salt;
    this.kek = deriveKek(passphrase, salt, keyLength);
  }

  /** New keys made by this side (the caller, or a sender starting a connection). */
  static generate(passphrase: string, keyLength: number): SrtCipher {
    const c = new SrtCipher(passphrase, keyLength, randomBytes(16));
    c.keys[KeySelector.Even] = randomBytes(keyLength);
    return c;
  }

  /** Keys from a peer's KM message; `bad-secret` when the passphrase does not unwrap them. */
  static fromKm(passphrase: string, km: Uint8Array): SrtCipher | 'bad-secret' | 'malformed' {
    let keyLength: number;
    let salt: Buffer;
    try {
      const m = decodeKm(km);
      keyLength = m.keyLength;
      salt = Buffer.from(m.salt);
    } catch {
      return 'malformed';
    }
    const c = new SrtCipher(passphrase, keyLength, salt);
    const r = c.install(km);
    return r === 'ok' ? c : r;
  }

  /** An independent copy (the two directions of a connection start with the same keys). */
  clone(): SrtCipher {
    const c = new SrtCipher(this.passphrase, this.keyLength, Buffer.from(this.salt));
    for (let i = 0; i < 3; i++) c.keys[i] = this.keys[i] ?? null;
    c.sendKey = this.sendKey;
    return c;
  }

  /** Installs the key(s) of a KM message (initial or refresh). */
  install(km: Uint8Array): KmInstallResult {
    let m;
    try {
      m = decodeKm(km);
    } catch {
      return 'malformed';
    }
    if (m.cipher !== CIPHER_AES_CTR || m.keyLength !== this.keyLength) return 'malformed';
    if (!this.salt.equals(m.salt)) {
      this.salt = Buffer.from(m.salt);
      this.kek = deriveKek(this.passphrase, this.salt, this.keyLength);
    }
    const keys = unwrapKeys(this.kek, m.wrapped);
    if (!keys) return 'bad-secret';
    if (m.keys === KmKeys.Both) {
      this.keys[KeySelector.Even] = keys.subarray(0, this.keyLength);
      this.keys[KeySelector.Odd] = keys.subarray(this.keyLength);
    } else {
      this.keys[m.keys] = keys;
    }
    return 'ok';
  }

  /** The KM message announcing the given keys (Even, Odd or Both). */
  kmMessage(which: number): Buffer {
    const even = this.keys[KeySelector.Even];
    const odd = this.keys[KeySelector.Odd];
    const plain = which === KmKeys.Both && even && odd ? Buffer.concat([even, odd]) : which === KmKeys.Odd ? odd : even;
    const keys = which === KmKeys.Both && !(even && odd) ? (even ? KmKeys.Even : KmKeys.Odd) : which;
    return encodeKm({
      keys,
      cipher: CIPHER_AES_CTR,
      keyLength: this.keyLength,
      salt: this.salt,
      wrapped: wrapKeys(this.kek, plain ?? Buffer.alloc(this.keyLength)),
    });
  }

  /** Makes a fresh key for the selector not in use (the first step of a key refresh). */
  prepareNextKey(): number {
    const next = this.sendKey === KeySelector.Even ? KeySelector.Odd : KeySelector.Even;
    this.keys[next] = randomBytes(this.keyLength);
    return next;
  }

  /** Forgets a key (after a refresh, the old one). */
  dropKey(selector: number): void {
    if (selector === KeySelector.Even || selector === KeySelector.Odd) this.keys[selector] = null;
  }

  /** True when a key for the selector is installed. */
  hasKey(selector: number): boolean {
    return (this.keys[selector] ?? null) !== null;
  }

  /**
   * Encrypts or decrypts (the same in CTR mode) `buf[offset..]` in place for packet `seq`
   * with key `selector`; false when that key is not installed.
   */
  apply(buf: Buffer, offset: number, seq: number, selector: number): boolean {
    const key = this.keys[selector];
    if (!key) return false;
    const iv = this.iv;
    iv.fill(0);
    iv.writeUInt32BE(seq & 0x7fffffff, 10);
    for (let i = 0; i < 14; i++) iv[i] = (iv[i] ?? 0) ^ (this.salt[i] ?? 0);
    const c = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv);
    const out = c.update(buf.subarray(offset));
    out.copy(buf, offset);
    return true;
  }
}
