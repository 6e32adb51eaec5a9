/** Authentication of the REST API: Basic base64(AccessToken), each failure named, constant-time comparison. */
import type * as NodeCrypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiHandler } from './api-handler.js';
import { HttpApiConfigError } from './errors.js';
import { createApiFixture, testCatalogue } from './test-support/api-fixture.js';
import { acceptingProtocols, createRegistryService } from './test-support/registry-service.js';

const crypto = vi.hoisted(() => ({ calls: [] as Array<[number, number]> }));
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof NodeCrypto>();
  return {
    ...original,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      crypto.calls.push([a.byteLength, b.byteLength]);
      return original.timingSafeEqual(a, b);
    },
  };
});

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('authentication', () => {
  afterEach(() => {
    crypto.calls.length = 0;
  });

  const failures: Array<[string, Record<string, string>, string]> = [
    ['missing', {}, 'Authorization header is missing (401)'],
    ['empty', { authorization: '' }, 'Authorization header is missing (401)'],
    [
      'wrong scheme',
      { authorization: `Bearer ${base64('ome-access-token')}` },
      'Unsupported authorization scheme [Bearer]; use Basic (401)',
    ],
    ['scheme only', { authorization: 'Basic' }, 'Malformed Authorization header: no credentials after Basic (401)'],
    ['bad base64', { authorization: 'Basic not*base64!' }, 'Authorization credentials are not valid base64 (401)'],
    [
      'base64 of invalid UTF-8',
      { authorization: `Basic ${Buffer.from([0xff, 0xfe]).toString('base64')}` },
      'Authorization credentials are not valid base64 (401)',
    ],
    ['wrong token', { authorization: `Basic ${base64('ome-access-tokem')}` }, 'Invalid access token (401)'],
    ['shorter token', { authorization: `Basic ${base64('ome')}` }, 'Invalid access token (401)'],
    ['longer token', { authorization: `Basic ${base64('ome-access-token-and-more')}` }, 'Invalid access token (401)'],
    ['user:password form', { authorization: `Basic ${base64('user:ome-access-token')}` }, 'Invalid access token (401)'],
  ];
  it.each(failures)(
    '%s → 401 with WWW-Authenticate and a message naming the failure',
    async (_name, headers, message) => {
      const api = createApiFixture({ realm: 'Sluice test' });
      for (const path of ['/v1/vhosts', '/v1/vhosts/default/apps/app:pushes']) {
        const result = await api.call(path.includes(':') ? 'POST' : 'GET', path, { auth: false, headers });
        expect(result.status).toBe(401);
        expect(result.headers.get('www-authenticate')).toBe('Basic realm="Sluice test"');
        expect(result.text).toBe(JSON.stringify({ statusCode: 401, message }));
      }
    },
  );

  it('accepts the scheme word in any case and unpadded base64', async () => {
    const api = createApiFixture();
    for (const authorization of [
      'Basic b21lLWFjY2Vzcy10b2tlbg==',
      'basic b21lLWFjY2Vzcy10b2tlbg==',
      'BASIC  b21lLWFjY2Vzcy10b2tlbg==',
      'Basic b21lLWFjY2Vzcy10b2tlbg',
    ]) {
      expect((await api.call('GET', '/v1/vhosts', { auth: false, headers: { authorization } })).status).toBe(200);
    }
  });

  it('compares digests of equal length with timingSafeEqual, whatever the presented length', async () => {
    const api = createApiFixture();
    for (const token of ['o', 'ome-access-token', 'x'.repeat(500)]) {
      await api.call('GET', '/v1/vhosts', { auth: false, headers: { authorization: `Basic ${base64(token)}` } });
    }
    expect(crypto.calls).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it('needs no authorization for the OpenAPI document and CORS preflight, but for every other route', async () => {
    const api = createApiFixture();
    expect((await api.call('GET', '/v1/openapi.json', { auth: false })).status).toBe(200);
    expect((await api.call('OPTIONS', '/v1/vhosts/default/apps/app:startPush', { auth: false })).status).toBe(204);
    for (const path of [
      '/v1/version',
      '/v1/vhosts/default/apps',
      '/v1/vhosts/default/apps/app/streams',
      '/v1/vhosts/default/apps/app/streams/stream',
    ]) {
      expect((await api.call('GET', path, { auth: false })).status).toBe(401);
    }
    for (const action of ['startPush', 'stopPush', 'pushes']) {
      expect((await api.call('POST', `/v1/vhosts/default/apps/app:${action}`, { auth: false, body: {} })).status).toBe(
        401,
      );
    }
    expect(await api.push.listPushes()).toEqual([]);
  });

  it('refuses to start with an empty access token or unusable options', () => {
    const catalogue = testCatalogue();
    const base = { push: createRegistryService(catalogue), protocols: acceptingProtocols(), catalogue, version: '1' };
    expect(() => createApiHandler({ ...base, accessToken: '' })).toThrow(HttpApiConfigError);
    expect(() => createApiHandler({ ...base, accessToken: '' })).toThrow(
      'accessToken must be a non-empty string (an empty token would mean open access)',
    );
    expect(() => createApiHandler({ ...base, accessToken: 't', realm: 'a"b' })).toThrow(
      'realm must be printable ASCII without quotes or backslashes',
    );
    expect(() => createApiHandler({ ...base, accessToken: 't', maxBodyBytes: 0 })).toThrow(
      'maxBodyBytes must be a positive integer, got 0',
    );
    expect(() => createApiHandler({ ...base, accessToken: 't', crossDomains: ['not an origin'] })).toThrow(
      'crossDomains: cannot understand origin [not an origin]',
    );
    try {
      createApiHandler({ ...base, accessToken: '' });
    } catch (error) {
      expect((error as HttpApiConfigError).option).toBe('accessToken');
    }
  });
});
