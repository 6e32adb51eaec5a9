import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, signatureV1, verifySignature } from './webhook-signature.js';

const SECRET = 'whsec-test';
const BODY = '{"type":"push.state","time":"2026-12-02T21:00:00.000+0000"}';
const NOW = 1_796_000_000_000;

describe('X-Sluice-Signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const header = signatureHeader(SECRET, BODY, NOW + 999);
    const t = Math.floor(NOW / 1000);
    const expected = createHmac('sha256', SECRET).update(`${t}.${BODY}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(signatureV1(SECRET, t, BODY)).toBe(expected);
  });

  it('verifies against the raw body within the replay window', () => {
    const header = signatureHeader(SECRET, BODY, NOW);
    expect(verifySignature(SECRET, header, BODY, NOW + 299_000)).toBeNull();
    expect(verifySignature(SECRET, header, BODY, NOW + 301_000)).toBe('too-old');
    expect(verifySignature(SECRET, header, BODY, NOW - 301_000)).toBe('in-the-future');
    expect(verifySignature(SECRET, header, BODY, NOW + 61_000, 60)).toBe('too-old');
  });

  it('refuses another body, another key, a changed timestamp and malformed headers', () => {
    const header = signatureHeader(SECRET, BODY, NOW);
    expect(verifySignature(SECRET, header, BODY.replace('state', 'removed'), NOW)).toBe('mismatch');
    expect(verifySignature('other', header, BODY, NOW)).toBe('mismatch');
    const t = Math.floor(NOW / 1000);
    expect(verifySignature(SECRET, header.replace(`t=${t}`, `t=${t + 1}`), BODY, NOW)).toBe('mismatch');
    for (const bad of [undefined, '', 't=1', `v1=${'a'.repeat(64)}`, `t=x,v1=${'a'.repeat(64)}`, `t=${t},v1=zz`])
      expect(verifySignature(SECRET, bad, BODY, NOW)).toBe('malformed');
  });

  it('accepts any matching v1 (key rotation: one per key)', () => {
    const t = Math.floor(NOW / 1000);
    const header = `t=${t},v1=${signatureV1('old-key', t, BODY)},v1=${signatureV1(SECRET, t, BODY)}`;
    expect(verifySignature(SECRET, header, BODY, NOW)).toBeNull();
  });
});
