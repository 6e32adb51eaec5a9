/**
 * Contract tests: one per rule of the API (docs/API.md) and per example of
 * OvenMediaEngine's Push API reference, through the Fetch handler.
 */
import { waitFor } from '@sluice/test-support';
import { describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE } from './envelope.js';
import { createApiFixture, type CallResult } from './test-support/api-fixture.js';
import { SEED_MPEGTS_PUSH, SEED_RTMP_PUSH } from './test-support/seed-pushes.js';

const APP = '/v1/vhosts/default/apps/app';

function expectEnvelope(result: CallResult, status: number, message: string): void {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  expect(result.json?.statusCode).toBe(status);
  expect(result.json?.message).toBe(message);
  // compact JSON, keys in envelope order
  expect(result.text).toBe(JSON.stringify(result.json));
  expect(Object.keys(result.json ?? {}).slice(0, 2)).toEqual(['statusCode', 'message']);
}

describe('startPush', () => {
  it('accepts the seed rtmp example and answers 200 with the one new record', async () => {
    const api = createApiFixture();
    const result = await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH });
    expectEnvelope(result, 200, 'OK');
    expect(Object.keys(result.json ?? {})).toEqual(['statusCode', 'message', 'response']);
    const records = result.json?.response as Array<Record<string, unknown>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      ...SEED_RTMP_PUSH,
      vhost: 'default',
      app: 'app',
      sequence: 0,
      sentBytes: 0,
      sentTime: 0,
      totalsentBytes: 0,
      totalsentTime: 0,
    });
    for (const field of ['createdTime', 'startTime', 'finishTime'])
      expect(records[0]?.[field]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
    // not yet happened: epoch in the local offset (the fixture's registry renders +0900, like the seed)
    expect(records[0]?.['finishTime']).toBe('1970-01-01T09:00:00.000+0900');
  });

  it('accepts the seed mpegts example (empty streamKey)', async () => {
    const api = createApiFixture();
    const result = await api.call('POST', `${APP}:startPush`, { body: SEED_MPEGTS_PUSH });
    expectEnvelope(result, 200, 'OK');
    expect((result.json?.response as Array<{ protocol: string }>)[0]?.protocol).toBe('mpegts');
  });

  it('generates a unique id when id is absent or empty', async () => {
    const api = createApiFixture();
    const a = await api.call('POST', `${APP}:startPush`, { body: { ...SEED_MPEGTS_PUSH, id: undefined } });
    const b = await api.call('POST', `${APP}:startPush`, { body: { ...SEED_MPEGTS_PUSH, id: '' } });
    const idA = (a.json?.response as Array<{ id: string }>)[0]?.id;
    const idB = (b.json?.response as Array<{ id: string }>)[0]?.id;
    expect(idA).toBeTruthy();
    expect(idB).toBeTruthy();
    expect(idA).not.toBe(idB);
  });

  it('lists every missing required field in field order', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: { protocol: 'mpegts' } }),
      400,
      'There is no required parameter [stream.name, url] (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: {} }),
      400,
      'There is no required parameter [stream.name, protocol, url] (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: { stream: { name: 's' }, protocol: 'RTMP', url: 'rtmp://h/app' },
      }),
      400,
      'There is no required parameter [streamKey] (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: { stream: { name: '  ' }, protocol: 'rtmp', url: '' } }),
      400,
      'There is no required parameter [stream.name, url, streamKey] (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: '' }),
      400,
      'There is no required parameter [stream.name, protocol, url] (400)',
    );
  });

  it('maps the push errors: unsupported protocol, invalid URL, unknown track id, duplicate id', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: { ...SEED_RTMP_PUSH, protocol: 'hls' } }),
      400,
      'Unsupported protocol [hls] (400)',
    );
    for (const protocol of ['constructor', '__proto__', 'toString', ' hasOwnProperty ', 'valueOf']) {
      expectEnvelope(
        await api.call('POST', `${APP}:startPush`, { body: { ...SEED_RTMP_PUSH, protocol } }),
        400,
        `Unsupported protocol [${protocol.trim()}] (400)`,
      );
    }
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: { ...SEED_RTMP_PUSH, url: 'udp://1.2.3.4:5' } }),
      400,
      'Invalid URL [udp://1.2.3.4:5] for protocol [rtmp]: scheme udp: does not match (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: { ...SEED_RTMP_PUSH, stream: { name: 'stream', tracks: [101, 7] } },
      }),
      400,
      'Unknown track id [7] in stream [stream] (400)',
    );
    expectEnvelope(await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH }), 200, 'OK');
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH }),
      400,
      'Duplicate ID already exists [userDefinedUniqueId] (400)',
    );
  });

  it('accepts a push for a stream that does not exist yet (state ready)', async () => {
    const api = createApiFixture();
    const result = await api.call('POST', `${APP}:startPush`, {
      body: { ...SEED_RTMP_PUSH, stream: { name: 'later', tracks: [7] } },
    });
    expectEnvelope(result, 200, 'OK');
    expect((result.json?.response as Array<{ state: string }>)[0]?.state).toBe('ready');
  });

  it('accepts stream.trackIds as an alias and stream.variantNames; ignores unknown fields', async () => {
    const api = createApiFixture();
    const alias = await api.call('POST', `${APP}:startPush`, {
      body: { ...SEED_RTMP_PUSH, id: 'a', stream: { name: 'stream', trackIds: [102] }, extra: { deep: [1] } },
    });
    expectEnvelope(alias, 200, 'OK');
    expect((alias.json?.response as Array<{ stream: { tracks: number[] } }>)[0]?.stream.tracks).toEqual([102]);
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: { ...SEED_RTMP_PUSH, id: 'b', stream: { name: 'stream', variantNames: ['v1'] } },
      }),
      200,
      'OK',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: { ...SEED_RTMP_PUSH, id: 'c', stream: { name: 'stream', tracks: [101], trackIds: [102] } },
      }),
      400,
      'Conflicting parameters [stream.tracks, stream.trackIds]: give one of them (400)',
    );
  });
});

describe('body validation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['id not a string', { ...SEED_RTMP_PUSH, id: 5 }, 'Wrong type of parameter [id]: must be a string (400)'],
    [
      'stream not an object',
      { ...SEED_RTMP_PUSH, stream: 'stream' },
      'Wrong type of parameter [stream]: must be an object (400)',
    ],
    ['stream an array', { ...SEED_RTMP_PUSH, stream: [] }, 'Wrong type of parameter [stream]: must be an object (400)'],
    [
      'stream.name not a string',
      { ...SEED_RTMP_PUSH, stream: { name: 1 } },
      'Wrong type of parameter [stream.name]: must be a string (400)',
    ],
    [
      'stream.tracks not an array',
      { ...SEED_RTMP_PUSH, stream: { name: 's', tracks: '101' } },
      'Wrong type of parameter [stream.tracks]: must be an array of integers (400)',
    ],
    [
      'stream.tracks with a fraction',
      { ...SEED_RTMP_PUSH, stream: { name: 's', tracks: [1.5] } },
      'Wrong type of parameter [stream.tracks]: must be an array of integers (400)',
    ],
    [
      'stream.tracks negative',
      { ...SEED_RTMP_PUSH, stream: { name: 's', tracks: [-1] } },
      'Wrong type of parameter [stream.tracks]: must be an array of integers (400)',
    ],
    [
      'stream.trackIds with a string',
      { ...SEED_RTMP_PUSH, stream: { name: 's', trackIds: ['1'] } },
      'Wrong type of parameter [stream.trackIds]: must be an array of integers (400)',
    ],
    [
      'stream.variantNames not strings',
      { ...SEED_RTMP_PUSH, stream: { name: 's', variantNames: [1] } },
      'Wrong type of parameter [stream.variantNames]: must be an array of strings (400)',
    ],
    [
      'protocol null',
      { ...SEED_RTMP_PUSH, protocol: null },
      'Wrong type of parameter [protocol]: must be a string (400)',
    ],
    ['url a number', { ...SEED_RTMP_PUSH, url: 1 }, 'Wrong type of parameter [url]: must be a string (400)'],
    [
      'streamKey an object',
      { ...SEED_RTMP_PUSH, streamKey: {} },
      'Wrong type of parameter [streamKey]: must be a string (400)',
    ],
    [
      'id too long',
      { ...SEED_RTMP_PUSH, id: 'x'.repeat(257) },
      'Parameter [id] is too long: at most 256 characters (400)',
    ],
    ['body an array', [SEED_RTMP_PUSH], 'Request body must be a JSON object (400)'],
    ['body a string', 'just text', 'Request body must be a JSON object (400)'],
    ['body null', null, 'Request body must be a JSON object (400)'],
  ];
  it.each(cases)('%s → 400 naming the field', async (_name, body, message) => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
      400,
      message,
    );
    expect(await api.push.listPushes()).toEqual([]);
  });

  it('stopPush and pushes check the type of id', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:stopPush`, { body: { id: 1 } }),
      400,
      'Wrong type of parameter [id]: must be a string (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:pushes`, { body: { id: [] } }),
      400,
      'Wrong type of parameter [id]: must be a string (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:pushes`, { body: '[]' }),
      400,
      'Request body must be a JSON object (400)',
    );
  });

  it('answers 400 for a body that is not JSON or not UTF-8', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: '{"id":', headers: { 'content-type': 'application/json' } }),
      400,
      'Request body is not valid JSON (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) }),
      400,
      'Request body is not valid UTF-8 (400)',
    );
  });

  it('answers 415 for a non-JSON Content-Type unless the body parses', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: 'id=1&x=2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'Unsupported Content-Type [application/x-www-form-urlencoded]; use application/json (415)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, {
        body: JSON.stringify(SEED_RTMP_PUSH),
        headers: { 'content-type': 'text/plain' },
      }),
      200,
      'OK',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:pushes`, {
        body: '{}',
        headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      }),
      200,
      'OK',
    );
  });

  it('answers 413 past the body limit (default 64 KiB), read or declared', async () => {
    const api = createApiFixture();
    const big = JSON.stringify({ ...SEED_RTMP_PUSH, pad: 'x'.repeat(64 * 1024) });
    const result = await api.call('POST', `${APP}:startPush`, {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(result, 413, 'Request body is larger than the limit of 65536 bytes (413)');
    const declared = await api.call('POST', `${APP}:startPush`, {
      body: '{}',
      headers: { 'content-length': '999999' },
    });
    // the Fetch Request ignores a forged Content-Length; the streamed check still holds
    expect([400, 413]).toContain(declared.status);
    const small = createApiFixture({ maxBodyBytes: 16 });
    expectEnvelope(
      await small.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH }),
      413,
      'Request body is larger than the limit of 16 bytes (413)',
    );
    expect(await small.push.listPushes()).toEqual([]);
  });

  it('keeps __proto__ and constructor keys inert', async () => {
    const api = createApiFixture();
    const body = `{"__proto__":{"polluted":1,"stream":{"name":"x"}},"constructor":{"prototype":{"polluted":1}},"id":"p","stream":{"name":"stream","__proto__":{"tracks":[7]}},"protocol":"rtmp","url":"rtmp://h/app","streamKey":"k"}`;
    const result = await api.call('POST', `${APP}:startPush`, {
      body,
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(result, 200, 'OK');
    expect((result.json?.response as Array<{ stream: unknown }>)[0]?.stream).toMatchObject({ name: 'stream' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const missing = await api.call('POST', `${APP}:startPush`, {
      body: '{"__proto__":{"stream":{"name":"x"},"protocol":"rtmp","url":"rtmp://h/a","streamKey":""}}',
    });
    expectEnvelope(missing, 400, 'There is no required parameter [stream.name, protocol, url] (400)');
  });
});

describe('stopPush', () => {
  it('answers 200 with the record as it is at that moment, then the record leaves the list', async () => {
    const api = createApiFixture();
    await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH });
    const result = await api.call('POST', `${APP}:stopPush`, { body: { id: 'userDefinedUniqueId' } });
    expectEnvelope(result, 200, 'OK');
    const record = (result.json?.response as Array<{ id: string; state: string }>)[0];
    expect(record?.id).toBe('userDefinedUniqueId');
    expect(['stopping', 'stopped']).toContain(record?.state);
    await waitFor(
      async () => (await api.call('POST', `${APP}:pushes`)).status === 204,
      5000,
      'the stopped push to leave the list',
    );
  });

  it('answers 400 for a missing id and 404 for an unknown one', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', `${APP}:stopPush`, { body: {} }),
      400,
      'There is no required parameter [id] (400)',
    );
    expectEnvelope(await api.call('POST', `${APP}:stopPush`), 400, 'There is no required parameter [id] (400)');
    expectEnvelope(
      await api.call('POST', `${APP}:stopPush`, { body: { id: '' } }),
      400,
      'There is no required parameter [id] (400)',
    );
    expectEnvelope(
      await api.call('POST', `${APP}:stopPush`, { body: { id: 'nope' } }),
      404,
      'There is no push information related to the ID [nope] (404)',
    );
  });

  it('does not stop a push of another application', async () => {
    const api = createApiFixture();
    await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH });
    expectEnvelope(
      await api.call('POST', '/v1/vhosts/other/apps/live:stopPush', { body: { id: 'userDefinedUniqueId' } }),
      404,
      'There is no push information related to the ID [userDefinedUniqueId] (404)',
    );
  });
});

describe('pushes', () => {
  it('answers 204 with no body when there are no pushes', async () => {
    const api = createApiFixture();
    for (const result of [
      await api.call('POST', `${APP}:pushes`),
      await api.call('POST', `${APP}:pushes`, { body: {} }),
      await api.call('GET', `${APP}:pushes`),
    ]) {
      expect(result.status).toBe(204);
      expect(result.text).toBe('');
      expect(result.headers.get('content-type')).toBeNull();
    }
  });

  it('answers the records of the app sorted by id, filtered by id when asked', async () => {
    const api = createApiFixture();
    for (const id of ['UniqueId2', 'b', 'UniqueId1', 'a'])
      await api.call('POST', `${APP}:startPush`, { body: { ...SEED_RTMP_PUSH, id } });
    await api.call('POST', '/v1/vhosts/other/apps/live:startPush', { body: { ...SEED_RTMP_PUSH, id: 'elsewhere' } });
    const all = await api.call('POST', `${APP}:pushes`);
    expectEnvelope(all, 200, 'OK');
    expect((all.json?.response as Array<{ id: string }>).map((r) => r.id)).toEqual([
      'UniqueId1',
      'UniqueId2',
      'a',
      'b',
    ]);
    const one = await api.call('POST', `${APP}:pushes`, { body: { id: 'b' } });
    expect((one.json?.response as Array<{ id: string }>).map((r) => r.id)).toEqual(['b']);
    const viaGet = await api.call('GET', `${APP}:pushes?id=a`);
    expect((viaGet.json?.response as Array<{ id: string }>).map((r) => r.id)).toEqual(['a']);
    expect((await api.call('POST', `${APP}:pushes`, { body: { id: 'elsewhere' } })).status).toBe(204);
    expect((await api.call('GET', `${APP}:pushes`)).json?.response).toHaveLength(4);
  });
});

describe('vhost and app checks', () => {
  for (const action of ['startPush', 'stopPush', 'pushes']) {
    it(`${action}: unknown vhost, unknown app, push not enabled → 404`, async () => {
      const api = createApiFixture();
      expectEnvelope(
        await api.call('POST', `/v1/vhosts/nohost/apps/app:${action}`, { body: SEED_RTMP_PUSH }),
        404,
        'Could not find the virtual host: [nohost] (404)',
      );
      expectEnvelope(
        await api.call('POST', `/v1/vhosts/default/apps/noapp:${action}`, { body: SEED_RTMP_PUSH }),
        404,
        'Could not find the application: [default/noapp] (404)',
      );
      expectEnvelope(
        await api.call('POST', `/v1/vhosts/default/apps/nopush:${action}`, { body: SEED_RTMP_PUSH }),
        404,
        'Push is not enabled for the application: [default/nopush] (404)',
      );
    });
  }

  it('decodes percent-encoded names', async () => {
    const api = createApiFixture();
    expectEnvelope(
      await api.call('POST', '/v1/vhosts/no%20host/apps/app:pushes'),
      404,
      'Could not find the virtual host: [no host] (404)',
    );
  });
});

describe('discovery', () => {
  it('lists vhosts, apps, streams and shows a stream with its tracks', async () => {
    const api = createApiFixture();
    const vhosts = await api.call('GET', '/v1/vhosts');
    expectEnvelope(vhosts, 200, 'OK');
    expect(vhosts.json?.response).toEqual(['default', 'other']);
    expect((await api.call('GET', '/v1/vhosts/default/apps')).json?.response).toEqual(['app', 'nopush']);
    expect((await api.call('GET', '/v1/vhosts/default/apps/app/streams')).json?.response).toEqual(['stream']);
    expect((await api.call('GET', '/v1/vhosts/default/apps/nopush/streams')).json?.response).toEqual([]);
    const stream = await api.call('GET', '/v1/vhosts/default/apps/app/streams/stream');
    expectEnvelope(stream, 200, 'OK');
    expect(stream.json?.response).toEqual({
      name: 'stream',
      sourceType: 'rtmp',
      tracks: [
        { id: 101, type: 'video', codec: 'h264', width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 },
        { id: 102, type: 'audio', codec: 'aac', bitrate: 128_000, samplerate: 48_000, channels: 2 },
      ],
    });
  });

  it('answers 404 for unknown vhost, app and stream', async () => {
    const api = createApiFixture();
    expectEnvelope(await api.call('GET', '/v1/vhosts/x/apps'), 404, 'Could not find the virtual host: [x] (404)');
    expectEnvelope(
      await api.call('GET', '/v1/vhosts/default/apps/x/streams'),
      404,
      'Could not find the application: [default/x] (404)',
    );
    expectEnvelope(
      await api.call('GET', '/v1/vhosts/default/apps/app/streams/x'),
      404,
      'Could not find the stream: [default/app/x] (404)',
    );
  });

  it('reports the version', async () => {
    const api = createApiFixture();
    const result = await api.call('GET', '/v1/version');
    expectEnvelope(result, 200, 'OK');
    expect(result.json?.response).toEqual({ version: '0.1.0-test' });
  });
});

describe('unknown routes', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/'],
    ['GET', '/v1'],
    ['GET', '/v2/vhosts'],
    ['GET', '/v1/vhosts/'],
    ['GET', `${APP}:startPush`],
    ['POST', '/v1/vhosts'],
    ['DELETE', '/v1/vhosts'],
    ['PUT', `${APP}:startPush`],
    ['HEAD', '/v1/version'],
    ['POST', `${APP}:startRecord`],
    ['POST', `${APP}:constructor`],
    ['POST', `${APP}:__proto__`],
    ['POST', '/v1/vhosts/default/apps/app'],
    ['GET', '/v1/vhosts/default/apps/app/streams/s/extra'],
    ['GET', '/v1/vhosts/%E0%A4%A/apps'],
  ];
  it.each(routes)('%s %s → 404 Controller not found (never 405)', async (method, path) => {
    const api = createApiFixture();
    const result = await api.call(method, path);
    expect(result.status).toBe(404);
    if (method !== 'HEAD') expect(result.text).toBe('{"statusCode":404,"message":"Controller not found (404)"}');
  });
});

describe('unexpected errors', () => {
  it('answer 500 without details and reach onError', async () => {
    const seen: unknown[] = [];
    const api = createApiFixture({
      onError: (error) => seen.push(error),
      push: {
        startPush: () => {
          throw new Error('secret internals');
        },
        stopPush: () => {
          throw new Error('x');
        },
        listPushes: () => [],
      },
    });
    expectEnvelope(
      await api.call('POST', `${APP}:startPush`, { body: SEED_RTMP_PUSH }),
      500,
      'Internal server error (500)',
    );
    expect(seen).toHaveLength(1);
  });
});
