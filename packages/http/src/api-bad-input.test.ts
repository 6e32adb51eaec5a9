/**
 * Bad input: 1,000 generated malformed bodies (wrong types, deep nesting, huge
 * strings, invalid UTF-8, prototype-pollution keys and prototype member names as
 * protocol) each get a 4xx envelope and
 * leave the registry (and Object.prototype) unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE } from './envelope.js';
import { createApiFixture, type ApiFixture } from './test-support/api-fixture.js';
import { startPushBody } from './test-support/seed-pushes.js';

const APP = '/v1/vhosts/default/apps/app';
const valid = startPushBody('new', 'rtmp', 'rtmp://127.0.0.1/live', 'k', [101]);
const encoder = new TextEncoder();

/** A body with its target action. */
interface BadRequest {
  action: 'startPush' | 'stopPush' | 'pushes';
  body: Uint8Array;
  contentType?: string;
}
const request = (
  action: BadRequest['action'],
  text: string | Uint8Array,
  contentType = 'application/json',
): BadRequest => ({
  action,
  body: typeof text === 'string' ? encoder.encode(text) : text,
  contentType,
});

/** Values that are not strings / not objects / not integer arrays. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const notString = anyJson.filter((v) => typeof v !== 'string');
const notObject = anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));
const notIntArray = anyJson.filter(
  (v) => !Array.isArray(v) || v.some((x) => !Number.isSafeInteger(x) || (x as number) < 0),
);
const notStringArray = anyJson.filter((v) => !Array.isArray(v) || v.some((x) => typeof x !== 'string'));

/** One field of a valid startPush body replaced with a value of the wrong type. */
const wrongType = fc
  .oneof(
    notString.map((v) => ({ ...valid, id: v })),
    notObject.map((v) => ({ ...valid, stream: v })),
    notString.map((v) => ({ ...valid, stream: { name: v } })),
    notIntArray.map((v) => ({ ...valid, stream: { name: 'stream', tracks: v } })),
    notIntArray.map((v) => ({ ...valid, stream: { name: 'stream', trackIds: v } })),
    notStringArray.map((v) => ({ ...valid, stream: { name: 'stream', variantNames: v } })),
    notString.map((v) => ({ ...valid, protocol: v })),
    notString.map((v) => ({ ...valid, url: v })),
    notString.map((v) => ({ ...valid, streamKey: v })),
  )
  .map((body) => request('startPush', JSON.stringify(body)));

/** Deeply nested arrays/objects where a field (or the whole body) should be. */
const deepNesting = fc
  .record({
    depth: fc.integer({ min: 100, max: 40_000 }),
    object: fc.boolean(),
    field: fc.constantFrom('body', 'id', 'stream', 'stream.name', 'stream.tracks', 'url'),
  })
  .map(({ depth, object, field }) => {
    const deep = object ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
    if (field === 'body') return request('startPush', deep);
    const base = JSON.stringify({ ...valid, [field.replace('stream.', '')]: '@@' });
    const text = field.startsWith('stream.')
      ? JSON.stringify({ ...valid, stream: { name: 'stream', [field.slice(7)]: '@@' } }).replace('"@@"', deep)
      : base.replace('"@@"', deep);
    return request('startPush', text);
  });

/** Strings past the field caps or past the body limit. */
const hugeStrings = fc
  .record({
    length: fc.oneof(fc.integer({ min: 257, max: 5000 }), fc.integer({ min: 65_536, max: 200_000 })),
    field: fc.constantFrom('id', 'url', 'streamKey', 'pad'),
  })
  .map(({ length, field }) => {
    // `pad` is an unknown field: only the body limit makes it bad
    const value = 'x'.repeat(
      field === 'pad'
        ? Math.max(length, 65_536)
        : field === 'url' || field === 'streamKey'
          ? Math.max(length, 4097)
          : length,
    );
    return request('startPush', JSON.stringify({ ...valid, [field]: value }));
  });

/** Valid JSON text with invalid UTF-8 bytes inside a string value. */
const invalidUtf8 = fc
  .record({
    bytes: fc.constantFrom(
      [0xff],
      [0xfe],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0x80],
      [0xe2, 0x82],
      [0xf5, 0x80, 0x80, 0x80],
      [0xf0, 0x90, 0x80],
    ),
    action: fc.constantFrom<BadRequest['action']>('startPush', 'stopPush', 'pushes'),
  })
  .map(({ bytes, action }) => {
    const [head, tail] = [
      '{"id":"a',
      `","stream":{"name":"stream"},"protocol":"rtmp","url":"rtmp://h/a","streamKey":""}`,
    ].map((s) => encoder.encode(s)) as [Uint8Array, Uint8Array];
    const body = new Uint8Array(head.length + bytes.length + tail.length);
    body.set(head, 0);
    body.set(bytes, head.length);
    body.set(tail, head.length + bytes.length);
    return request(action, body);
  });

/** `__proto__` / `constructor` / `prototype` keys carrying the fields, so only a polluted prototype would make the body valid. */
const pollution = fc
  .record({
    key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
    where: fc.constantFrom('top', 'stream', 'nested'),
  })
  .map(({ key, where }) => {
    const fields = '{"stream":{"name":"stream"},"protocol":"rtmp","url":"rtmp://h/a","streamKey":"","polluted":true}';
    if (where === 'top') return request('startPush', `{"${key}":${fields}}`);
    if (where === 'stream')
      return request(
        'startPush',
        `{"stream":{"${key}":{"name":"stream"}},"protocol":"rtmp","url":"rtmp://h/a","streamKey":""}`,
      );
    return request('startPush', `{"${key}":{"${key}":${fields}},"stream":{"name":""}}`);
  });

/** Protocol names that are members of Object.prototype (a plain-object lookup would find them). */
const prototypeProtocols = fc
  .constantFrom(
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'isPrototypeOf',
    'CONSTRUCTOR',
    ' __proto__ ',
  )
  .map((protocol) => request('startPush', JSON.stringify({ ...valid, id: undefined, protocol })));

/** Not JSON at all, or JSON that is not an object, for every action. */
const notJson = fc
  .record({
    text: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '{"id":}', '[1,2', 'nul', '{"a":1,}', "{'id':'x'}"),
    ),
    action: fc.constantFrom<BadRequest['action']>('startPush', 'stopPush', 'pushes'),
  })
  .filter(({ text }) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value !== 'object' || value === null || Array.isArray(value);
    } catch {
      return text.trim() !== '';
    }
  })
  .map(({ text, action }) => request(action, text));

/** Wrong type of id for stopPush / pushes. */
const wrongIds = fc
  .record({ id: notString, action: fc.constantFrom<BadRequest['action']>('stopPush', 'pushes') })
  .map(({ id, action }) => request(action, JSON.stringify({ id })));

/** A non-JSON Content-Type with a body that does not parse. */
const wrongContentType = fc
  .record({
    type: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ),
    text: fc.constantFrom('id=1', '<push/>', '--x--', 'a b c'),
  })
  .map(({ type, text }) => request('startPush', text, type));

const malformed = fc.oneof(
  wrongType,
  deepNesting,
  hugeStrings,
  invalidUtf8,
  pollution,
  prototypeProtocols,
  notJson,
  wrongIds,
  wrongContentType,
);

/** What a client defined of each push (live counters move on their own). */
async function definitions(api: ApiFixture): Promise<string> {
  return JSON.stringify(
    (await api.push.listPushes()).map(({ id, vhost, app, stream, protocol, url, streamKey, createdTime }) => ({
      id,
      vhost,
      app,
      stream,
      protocol,
      url,
      streamKey,
      createdTime,
    })),
  );
}

async function send(api: ApiFixture, bad: BadRequest): Promise<Response> {
  const headers: Record<string, string> = { authorization: 'Basic b21lLWFjY2Vzcy10b2tlbg==' };
  if (bad.contentType !== undefined) headers['content-type'] = bad.contentType;
  return api.handler(new Request(`http://127.0.0.1${APP}:${bad.action}`, { method: 'POST', headers, body: bad.body }));
}

describe('malformed bodies', () => {
  it('1,000 generated malformed bodies each get a 4xx envelope and change nothing', async () => {
    const api = createApiFixture();
    for (const id of ['keep-1', 'keep-2']) await api.call('POST', `${APP}:startPush`, { body: { ...valid, id } });
    const before = await definitions(api);
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(malformed, async (bad) => {
        const response = await send(api, bad);
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, text.slice(0, 200)).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
        const envelope = JSON.parse(text) as { statusCode: number; message: string };
        expect(envelope.statusCode).toBe(response.status);
        expect(envelope.message.endsWith(` (${response.status})`)).toBe(true);
        expect(await definitions(api)).toBe(before);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 1000, seed: 20261126 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(prototypeBefore);
    // every family of failure was exercised
    expect([...statuses.keys()].sort()).toEqual([400, 413, 415]);
  }, 120_000);
});
