import { describe, expect, it } from 'vitest';
import { SrtCipher } from './cipher.js';
import { decodeKm, deriveKek, encodeKm, isValidPassphrase, KmKeys, unwrapKeys, wrapKeys } from './km.js';
import { SrtPacketError } from './errors.js';

describe('key material', () => {
  it('AES key wrap matches RFC 3394 section 4.1', () => {
    const kek = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
    const key = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
    const wrapped = wrapKeys(kek, key);
    expect(wrapped.toString('hex')).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(unwrapKeys(kek, wrapped)?.equals(key)).toBe(true);
    expect(unwrapKeys(Buffer.alloc(16, 1), wrapped)).toBeNull();
  });

  it('derives the KEK from the last 8 salt bytes (PBKDF2-HMAC-SHA1, 2048 rounds)', () => {
    const salt = Buffer.alloc(16);
    salt.fill(9, 8);
    const a = deriveKek('passphrase-1', salt, 16);
    salt.fill(1, 0, 8); // the first 8 bytes do not matter
    expect(deriveKek('passphrase-1', salt, 16).equals(a)).toBe(true);
    expect(deriveKek('passphrase-1', salt, 32)).toHaveLength(32);
  });

  it('passphrases of 10 to 79 characters', () => {
    expect(isValidPassphrase('123456789')).toBe(false);
    expect(isValidPassphrase('1234567890')).toBe(true);
    expect(isValidPassphrase('x'.repeat(79))).toBe(true);
    expect(isValidPassphrase('x'.repeat(80))).toBe(false);
  });

  it('KM messages round trip and malformed ones are typed errors', () => {
    const c = SrtCipher.generate('0123456789ab', 24);
    const km = c.kmMessage(KmKeys.Even);
    const m = decodeKm(km);
    expect(m).toMatchObject({ keys: 1, keyLength: 24, cipher: 2 });
    expect(encodeKm(m).equals(km)).toBe(true);
    expect(() => decodeKm(km.subarray(0, 20))).toThrow(SrtPacketError);
    const bad = Buffer.from(km);
    bad[15] = 5;
    expect(() => decodeKm(bad)).toThrow(SrtPacketError);
  });

  it.each([16, 24, 32])(
    'AES-CTR with pbkeylen %i: the peer with the passphrase decrypts, a wrong one cannot',
    (len) => {
      const tx = SrtCipher.generate('correct horse', len);
      const rx = SrtCipher.fromKm('correct horse', tx.kmMessage(KmKeys.Even));
      expect(rx).toBeInstanceOf(SrtCipher);
      expect(SrtCipher.fromKm('wrong horse!', tx.kmMessage(KmKeys.Even))).toBe('bad-secret');
      const plain = Buffer.alloc(16 + 1316);
      for (let i = 0; i < plain.length; i++) plain[i] = i & 0xff;
      const pkt = Buffer.from(plain);
      tx.apply(pkt, 16, 4242, 1);
      expect(pkt.subarray(16).equals(plain.subarray(16))).toBe(false);
      (rx as SrtCipher).apply(pkt, 16, 4242, 1);
      expect(pkt.equals(plain)).toBe(true);
    },
  );

  it('key refresh: the odd key announced with both keys, then the even one retired', () => {
    const tx = SrtCipher.generate('correct horse', 16);
    const rx = SrtCipher.fromKm('correct horse', tx.kmMessage(KmKeys.Even)) as SrtCipher;
    tx.prepareNextKey();
    expect(rx.install(tx.kmMessage(KmKeys.Both))).toBe('ok');
    expect(rx.hasKey(2)).toBe(true);
    const pkt = Buffer.alloc(100, 3);
    tx.apply(pkt, 16, 1, 2);
    rx.apply(pkt, 16, 1, 2);
    expect(pkt.equals(Buffer.alloc(100, 3))).toBe(true);
  });
});
