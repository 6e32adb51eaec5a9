/** CORS: preflight without auth, Access-Control-Allow-Origin per CrossDomains (`*`, exact origins, `*.example.com`). */
import { describe, expect, it } from 'vitest';
import { CorsPolicy } from './cors-policy.js';
import { createApiFixture } from './test-support/api-fixture.js';

describe('CORS preflight', () => {
  it('answers OPTIONS with 204, no body, no auth, and the allowed methods and headers', async () => {
    const api = createApiFixture({ crossDomains: ['*'] });
    const result = await api.call('OPTIONS', '/v1/vhosts/default/apps/app:startPush', {
      auth: false,
      headers: {
        origin: 'https://console.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(result.status).toBe(204);
    expect(result.text).toBe('');
    expect(result.headers.get('access-control-allow-origin')).toBe('*');
    expect(result.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(result.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(result.headers.get('www-authenticate')).toBeNull();
  });

  it('leaves out the CORS headers for an origin that is not allowed', async () => {
    const api = createApiFixture({ crossDomains: ['https://console.example.com'] });
    const result = await api.call('OPTIONS', '/v1/vhosts', {
      auth: false,
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' },
    });
    expect(result.status).toBe(204);
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
    expect(result.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('sends no CORS headers at all when CrossDomains is empty', async () => {
    const api = createApiFixture({ crossDomains: [] });
    const result = await api.call('GET', '/v1/vhosts', { headers: { origin: 'https://a.example.com' } });
    expect(result.status).toBe(200);
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS on responses', () => {
  it('echoes an allowed origin (with Vary: Origin) on success and on errors, 401 included', async () => {
    const api = createApiFixture({ crossDomains: ['*.example.com', 'http://localhost:3000'] });
    const headers = { origin: 'https://console.example.com' };
    const ok = await api.call('GET', '/v1/vhosts', { headers });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(ok.headers.get('vary')).toBe('Origin');
    const unauthorized = await api.call('GET', '/v1/vhosts', { headers, auth: false });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    const local = await api.call('GET', '/v1/nothing', { headers: { origin: 'http://localhost:3000' } });
    expect(local.status).toBe(404);
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const denied = await api.call('GET', '/v1/vhosts', { headers: { origin: 'https://example.com.evil.net' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CorsPolicy origin patterns', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['*'], 'https://anything.net', true],
    [['https://app.example.com'], 'https://app.example.com', true],
    [['https://app.example.com'], 'http://app.example.com', false],
    [['https://app.example.com'], 'https://app.example.com:8443', false],
    [['https://app.example.com:8443'], 'https://app.example.com:8443', true],
    [['https://app.example.com:443'], 'https://app.example.com', true],
    [['app.example.com'], 'http://app.example.com:8080', true],
    [['*.example.com'], 'https://a.example.com', true],
    [['*.example.com'], 'http://a.b.example.com', true],
    [['*.example.com'], 'https://example.com', false],
    [['*.example.com'], 'https://badexample.com', false],
    [['*.example.com'], 'https://example.com.evil.net', false],
    [['http://*.example.com'], 'https://a.example.com', false],
    [['http://*.example.com:8080'], 'http://a.example.com:8080', true],
    [['HTTPS://APP.Example.com'], 'https://app.example.com', true],
    [['https://app.example.com/'], 'https://app.example.com', true],
    [['https://app.example.com'], 'null', false],
    [['*.example.com'], 'file://a.example.com', false],
  ];
  it.each(cases)('%j allows %s: %s', (rules, origin, allowed) => {
    expect(new CorsPolicy(rules).allows(origin)).toBe(allowed);
  });

  it('refuses entries it cannot understand', () => {
    for (const entry of ['ftp://x.com', 'https://x.com/path', '**.x.com', 'https://x.com:port', '']) {
      expect(() => new CorsPolicy([entry])).toThrow(`crossDomains: cannot understand origin [${entry}]`);
    }
  });
});
