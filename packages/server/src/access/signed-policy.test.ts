import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignedPolicy, type SignedPolicyConfig } from './signed-policy.js';
import { base64url, signUrl, splitSignedUrl, withExplicitPort } from './url-signing.js';

const config: SignedPolicyConfig = {
  policyKey: 'policy',
  signatureKey: 'signature',
  secretKey: 'aKq#1kj',
  providers: ['rtmp'],
};
const NOW = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const URL = 'rtmp://live.example.com:1935/app/stream';

const signed = (policy: Parameters<typeof signUrl>[0]['policy'], url = URL, secretKey = config.secretKey): string =>
  signUrl({ secretKey, url, policy });

describe('signUrl', () => {
  it('makes the URL OvenMediaEngine documents: policy then signature over everything before it', () => {
    const url = signed({ url_expire: NOW + HOUR });
    const policy = base64url(JSON.stringify({ url_expire: NOW + HOUR }));
    const unsigned = `${URL}?policy=${policy}`;
    const signature = createHmac('sha1', config.secretKey).update(unsigned).digest('base64url');
    expect(url).toBe(`${unsigned}&signature=${signature}`);
    expect(url).not.toMatch(/[=+/]$/);
  });

  it('adds the default port (the signed text must carry it) and keeps a query', () => {
    expect(withExplicitPort('rtmp://h/app/s')).toBe('rtmp://h:1935/app/s');
    expect(withExplicitPort('rtmps://h/app/s')).toBe('rtmps://h:443/app/s');
    expect(withExplicitPort('rtmp://[::1]/app/s')).toBe('rtmp://[::1]:1935/app/s');
    expect(withExplicitPort('srt://h:9999/app/s')).toBe('srt://h:9999/app/s');
    expect(() => withExplicitPort('srt://h/app/s')).toThrow('needs a port');
    expect(() => withExplicitPort('nonsense')).toThrow('not a URL');
    expect(signUrl({ secretKey: 'k', url: 'rtmp://h/a/s?x=1', policy: { url_expire: 1 } })).toMatch(
      /^rtmp:\/\/h:1935\/a\/s\?x=1&policy=[\w-]+&signature=[\w-]+$/,
    );
  });

  it('splits a URL around its signature, keeping the other parameters as written', () => {
    const s = splitSignedUrl('rtmp://h:1/a/s?x=%41&policy=P&signature=S&y', 'signature');
    expect(s.signedText).toBe('rtmp://h:1/a/s?x=%41&policy=P&y');
    expect(s.signature).toBe('S');
    expect(s.params.get('policy')).toBe('P');
    expect(splitSignedUrl('rtmp://h:1/a/s', 'signature')).toMatchObject({ signedText: 'rtmp://h:1/a/s' });
  });
});

describe('checkSignedPolicy', () => {
  const check = (url: string, address = '203.0.113.7', now = NOW) => checkSignedPolicy(config, url, address, now);

  it('passes a valid URL and hands back stream_expire', () => {
    expect(check(signed({ url_expire: NOW + HOUR }))).toEqual({ ok: true, streamExpireAt: undefined });
    expect(check(signed({ url_expire: NOW + HOUR, stream_expire: NOW + 2 * HOUR }))).toEqual({
      ok: true,
      streamExpireAt: NOW + 2 * HOUR,
    });
  });

  it('refuses a URL without policy or signature', () => {
    expect(check(URL)).toMatchObject({ ok: false, cause: 'policy-missing', reason: expect.stringContaining('policy') });
    const noSignature = signed({ url_expire: NOW + HOUR }).replace(/&signature=.*$/, '');
    expect(check(noSignature)).toMatchObject({
      ok: false,
      cause: 'policy-missing',
      reason: expect.stringContaining('signature'),
    });
  });

  it('refuses a tampered URL, policy or signature, and one signed with another key', () => {
    const url = signed({ url_expire: NOW + HOUR });
    expect(check(url.replace('/app/stream', '/app/other'))).toMatchObject({ cause: 'policy-signature' });
    expect(check(url.replace(':1935', ':1936'))).toMatchObject({ cause: 'policy-signature' });
    const otherPolicy = base64url(JSON.stringify({ url_expire: NOW + 100 * HOUR }));
    expect(check(url.replace(/policy=[\w-]+/, `policy=${otherPolicy}`))).toMatchObject({ cause: 'policy-signature' });
    expect(check(url.replace(/signature=[\w-]/, 'signature=A'))).toMatchObject({ cause: 'policy-signature' });
    expect(check(signed({ url_expire: NOW + HOUR }, URL, 'another key'))).toMatchObject({ cause: 'policy-signature' });
  });

  it('refuses a correctly signed policy that is not base64url JSON with url_expire', () => {
    const sign = (policy: string): string => {
      const unsigned = `${URL}?policy=${policy}`;
      return `${unsigned}&signature=${createHmac('sha1', config.secretKey).update(unsigned).digest('base64url')}`;
    };
    expect(check(sign('!!!'))).toMatchObject({ cause: 'policy-malformed' });
    expect(check(sign(base64url('[1]')))).toMatchObject({ cause: 'policy-malformed' });
    expect(check(sign(base64url('{}')))).toMatchObject({
      cause: 'policy-malformed',
      reason: expect.stringContaining('url_expire'),
    });
    expect(check(sign(base64url('{"url_expire":"soon"}')))).toMatchObject({ cause: 'policy-malformed' });
    expect(check(sign(base64url(JSON.stringify({ url_expire: NOW + HOUR, allow_ip: 'x/99' }))))).toMatchObject({
      cause: 'policy-malformed',
    });
  });

  it('refuses an expired URL, one not yet active and one whose stream already expired', () => {
    expect(check(signed({ url_expire: NOW - 1 }))).toMatchObject({
      cause: 'policy-expired',
      reason: 'signed policy: the URL expired at 2026-05-31T23:59:59.999Z',
    });
    expect(check(signed({ url_expire: NOW + 2 * HOUR, url_activate: NOW + HOUR }))).toMatchObject({
      cause: 'policy-not-active',
      reason: 'signed policy: the URL is not valid before 2026-06-01T01:00:00.000Z',
    });
    expect(check(signed({ url_expire: NOW + 2 * HOUR, url_activate: NOW - HOUR }))).toMatchObject({ ok: true });
    expect(check(signed({ url_expire: NOW + HOUR, stream_expire: NOW }))).toMatchObject({ cause: 'policy-expired' });
  });

  it('checks allow_ip for IPv4 (also IPv4-mapped) and IPv6 clients', () => {
    const v4 = signed({ url_expire: NOW + HOUR, allow_ip: '203.0.113.0/24' });
    expect(check(v4, '203.0.113.200')).toMatchObject({ ok: true });
    expect(check(v4, '::ffff:203.0.113.200')).toMatchObject({ ok: true });
    expect(check(v4, '198.51.100.1')).toMatchObject({
      cause: 'policy-ip',
      reason: 'signed policy: address 198.51.100.1 is not in allow_ip 203.0.113.0/24',
    });
    const v6 = signed({ url_expire: NOW + HOUR, allow_ip: '2001:db8::/32' });
    expect(check(v6, '2001:db8::1')).toMatchObject({ ok: true });
    expect(check(v6, '2001:dead::1')).toMatchObject({ cause: 'policy-ip' });
  });

  it('uses the configured query key names', () => {
    const custom = { ...config, policyKey: 'p', signatureKey: 'sig' };
    const url = signUrl({
      secretKey: custom.secretKey,
      url: URL,
      policy: { url_expire: NOW + HOUR },
      policyKey: 'p',
      signatureKey: 'sig',
    });
    expect(url).toMatch(/\?p=[\w-]+&sig=[\w-]+$/);
    expect(checkSignedPolicy(custom, url, '1.2.3.4', NOW)).toMatchObject({ ok: true });
    expect(check(url)).toMatchObject({ cause: 'policy-missing' });
  });
});
