import { describe, expect, it } from 'vitest';
import { envelope } from '../test-support/fake-server.js';
import { pushRecord } from '../test-support/records.js';
import { ApiClient, ApiError } from './api-client.js';
import { basicAuthorization } from './basic-token.js';

function client(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const api = new ApiClient('ome-access-token', '', (url, init) => {
    calls.push({ url, init });
    return Promise.resolve(answer(url, init));
  });
  return { api, calls };
}

describe('basicAuthorization', () => {
  it('base64-encodes the whole token as UTF-8 (not user:password)', () => {
    expect(basicAuthorization('ome-access-token')).toBe(`Basic ${btoa('ome-access-token')}`);
    expect(basicAuthorization('tökén✓')).toBe('Basic dMO2a8OpbuKckw==');
  });
});

describe('ApiClient', () => {
  it('sends the Basic header, no cookies, and percent-encodes path segments', async () => {
    const { api, calls } = client(() => envelope(200, 'OK', [pushRecord()]));
    await api.startPush('v h', 'a:b/c', {
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://x/y',
      streamKey: '',
    });
    expect(calls[0]?.url).toBe('/v1/vhosts/v%20h/apps/a%3Ab%2Fc:startPush');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.credentials).toBe('omit');
    expect(calls[0]?.init.headers).toMatchObject({
      authorization: `Basic ${btoa('ome-access-token')}`,
      'content-type': 'application/json',
    });
    expect(JSON.parse(calls[0]?.init.body as string)).toEqual({
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://x/y',
      streamKey: '',
    });
  });

  it('reads the envelope: `response`, [] for 204', async () => {
    expect(await client(() => envelope(200, 'OK', ['default'])).api.vhosts()).toEqual(['default']);
    expect(await client(() => envelope(204, '')).api.pushes('default', 'app')).toEqual([]);
    const detail = { name: 'cam', tracks: [] };
    expect(await client(() => envelope(200, 'OK', detail)).api.stream('default', 'app', 'cam')).toEqual(detail);
  });

  it("errors carry the API's own words and the status", async () => {
    const { api } = client(() => envelope(400, 'Duplicate ID already exists [p1] (400)'));
    const error = await api
      .startPush('default', 'app', { stream: { name: 'x' }, protocol: 'rtmp', url: 'u' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'Duplicate ID already exists [p1] (400)' });
    await expect(client(() => new Response('<html>bad gateway', { status: 502 })).api.vhosts()).rejects.toMatchObject({
      status: 502,
      message: 'HTTP 502',
    });
    await expect(
      client(() => {
        throw new TypeError('Failed to fetch');
      }).api.vhosts(),
    ).rejects.toMatchObject({ status: 0, message: 'The server could not be reached: Failed to fetch' });
  });

  it('stopPush sends the id and returns the record', async () => {
    const { api, calls } = client(() => envelope(200, 'OK', [pushRecord({ state: 'stopping' })]));
    expect((await api.stopPush('default', 'app', 'p1')).state).toBe('stopping');
    expect(calls[0]?.url).toBe('/v1/vhosts/default/apps/app:stopPush');
    expect(JSON.parse(calls[0]?.init.body as string)).toEqual({ id: 'p1' });
  });
});
