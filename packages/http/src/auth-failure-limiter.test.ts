import { describe, expect, it } from 'vitest';
import { addressKey, AuthFailureLimiter } from './auth-failure-limiter.js';
import { AUTHORIZATION, BASE, createApiFixture } from './test-support/api-fixture.js';

describe('AuthFailureLimiter', () => {
  it('blocks an address after maxFailures in the window, until the window ends', () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 60_000, maxAddresses: 100 }, () => now);
    for (let i = 0; i < 2; i++) limiter.recordFailure('192.0.2.1');
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(0);
    limiter.recordFailure('192.0.2.1');
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(60);
    expect(limiter.retryAfterSeconds('192.0.2.2')).toBe(0);
    now += 59_001;
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(1);
    now += 1000;
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(0);
    limiter.recordFailure('192.0.2.1'); // a new window
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(0);
  });

  it('holds at most maxAddresses entries, dropping expired then oldest ones', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 1, windowMs: 1000, maxAddresses: 50 }, () => now);
    for (let i = 0; i < 10_000; i++) {
      limiter.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 100 === 0) now += 10;
    }
    expect(limiter.size).toBeLessThanOrEqual(50);
    // the newest address is still held and blocked
    expect(limiter.retryAfterSeconds('10.0.39.15')).toBeGreaterThan(0);
  });

  it('groups IPv6 by /64 and IPv4-mapped addresses with IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('the API limits failed authentication per client address', () => {
  const bad = { authorization: `Basic ${Buffer.from('guess').toString('base64')}` };
  const call = (api: ReturnType<typeof createApiFixture>, address: string, headers: Record<string, string>) =>
    api.handler(new Request(`${BASE}/v1/vhosts`, { headers }), { remoteAddress: address });

  it('answers 429 with Retry-After after 20 failures a minute; other addresses and correct tokens elsewhere are not slowed', async () => {
    const api = createApiFixture();
    for (let i = 0; i < 20; i++) expect((await call(api, '198.51.100.9', bad)).status).toBe(401);
    const limited = await call(api, '198.51.100.9', bad);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await limited.json()).toMatchObject({ message: expect.stringContaining('Too many failed authentications') });
    // the blocked address is refused even with the right token (its guesses are not checked any more)
    expect((await call(api, '198.51.100.9', { authorization: AUTHORIZATION })).status).toBe(429);
    // another client with the right token, and one still guessing, are unaffected
    expect((await call(api, '198.51.100.10', { authorization: AUTHORIZATION })).status).toBe(200);
    expect((await call(api, '198.51.100.11', bad)).status).toBe(401);
    // routes without the token (OpenAPI) stay open to the blocked address
    const openapi = await api.handler(new Request(`${BASE}/v1/openapi.json`), { remoteAddress: '198.51.100.9' });
    expect(openapi.status).toBe(200);
  });

  it('a correct token does not count, and the limit can be set or turned off', async () => {
    const strict = createApiFixture({ authFailureLimit: { maxFailures: 2 } });
    for (let i = 0; i < 50; i++)
      expect((await call(strict, '203.0.113.1', { authorization: AUTHORIZATION })).status).toBe(200);
    await call(strict, '203.0.113.1', bad);
    await call(strict, '203.0.113.1', bad);
    expect((await call(strict, '203.0.113.1', bad)).status).toBe(429);
    const open = createApiFixture({ authFailureLimit: false });
    for (let i = 0; i < 30; i++) expect((await call(open, '203.0.113.2', bad)).status).toBe(401);
  });
});
