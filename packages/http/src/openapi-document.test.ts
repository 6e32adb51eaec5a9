/** The OpenAPI document is kept in sync with ROUTES, the handler's statuses and real records. */
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi-document.js';
import { acceptingProtocols } from './test-support/registry-service.js';
import { ROUTES } from './routes.js';
import { createApiFixture } from './test-support/api-fixture.js';
import { resolveRef, schemaProblems } from './test-support/schema-check.js';
import { SEED_RTMP_PUSH } from './test-support/seed-pushes.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; operationId: string }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
const doc = buildOpenApiDocument('9.9.9', 65536, acceptingProtocols()) as unknown as Doc;
const schema = (name: string): Record<string, unknown> => ({ $ref: `#/components/schemas/${name}` });
const check = (value: unknown, name: string, strict = true): string[] =>
  schemaProblems(value, schema(name), doc, strict);

/** Fills a path template with names the test catalogue knows. */
const concrete = (path: string, vhost = 'default', app = 'app'): string =>
  path.replace('{vhost}', vhost).replace('{app}', app).replace('{stream}', 'stream');

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents exactly the routes of ROUTES', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routed = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(routed.sort());
    const ids = documented.map((key) => {
      const [method, path] = key.split(' ') as [string, string];
      return doc.paths[path]?.[method.toLowerCase()]?.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has every $ref resolvable', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs)
      expect(() => resolveRef(doc as unknown as Record<string, unknown>, ref.slice(8, -1))).not.toThrow();
  });

  it('is served at /v1/openapi.json without authorization', async () => {
    const api = createApiFixture({ version: '9.9.9' });
    const result = await api.call('GET', '/v1/openapi.json', { auth: false });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(JSON.parse(result.text)).toEqual(doc);
  });

  it('documents every status the routes answer (success, 401, 404)', async () => {
    const api = createApiFixture({ observability: true });
    await api.call('POST', '/v1/vhosts/default/apps/app:startPush', { body: { ...SEED_RTMP_PUSH, id: 'existing' } });
    for (const route of ROUTES) {
      const responses = doc.paths[route.path]?.[route.method.toLowerCase()]?.responses ?? {};
      const body =
        route.action === 'stopPush' ? { id: 'existing' } : route.action === 'startPush' ? SEED_RTMP_PUSH : undefined;
      const success = await api.call(route.method, concrete(route.path), body === undefined ? {} : { body });
      expect(Object.keys(responses), `${route.method} ${route.path} → ${success.status}`).toContain(
        String(success.status),
      );
      if (route.auth) {
        const unauthorized = await api.call(route.method, concrete(route.path), { auth: false });
        expect(Object.keys(responses)).toContain(String(unauthorized.status));
      }
      if (route.path.includes('{vhost}')) {
        const missing = await api.call(
          route.method,
          concrete(route.path, 'nohost'),
          body === undefined ? {} : { body },
        );
        expect(missing.status).toBe(404);
        expect(Object.keys(responses)).toContain('404');
      }
      if (route.method === 'POST') {
        for (const status of ['400', '413', '415']) expect(Object.keys(responses)).toContain(status);
      }
      if (['startPush', 'stopPush', 'pushes', 'vhostStats', 'appStats', 'streamStats'].includes(route.action))
        expect(Object.keys(responses), 'a cluster answers 503 while its registry is unreachable').toContain('503');
    }
  });

  it('describes a real push record, without undocumented fields', async () => {
    const api = createApiFixture();
    const started = await api.call('POST', '/v1/vhosts/default/apps/app:startPush', { body: SEED_RTMP_PUSH });
    expect(check(started.json, 'ErrorEnvelope', false)).toEqual([]);
    const records = started.json?.response as unknown[];
    expect(check(records[0], 'PushRecord')).toEqual([]);
    for (const record of await api.push.listPushes())
      expect(check(JSON.parse(JSON.stringify(record)), 'PushRecord')).toEqual([]);
    const stopped = await api.call('POST', '/v1/vhosts/default/apps/app:stopPush', { body: { id: SEED_RTMP_PUSH.id } });
    expect(check((stopped.json?.response as unknown[])[0], 'PushRecord')).toEqual([]);
  });

  it('describes a stats answer, and the new push record fields', async () => {
    const api = createApiFixture({ observability: true });
    for (const path of [
      '/v1/stats/current/vhosts/default',
      '/v1/stats/current/vhosts/default/apps/app',
      '/v1/stats/current/vhosts/default/apps/app/streams/stream',
    ]) {
      const answer = await api.call('GET', path);
      expect(answer.status).toBe(200);
      expect(check(answer.json?.response, 'Stats')).toEqual([]);
    }
    const record = doc.components.schemas['PushRecord'] as { properties: Record<string, unknown> };
    for (const field of ['bitrate', 'droppedFrames', 'discontinuities', 'lastError'])
      expect(Object.keys(record.properties)).toContain(field);
  });

  it('describes the stream detail and the seed request bodies', async () => {
    const api = createApiFixture();
    const stream = await api.call('GET', '/v1/vhosts/default/apps/app/streams/stream');
    expect(check(stream.json?.response, 'Stream')).toEqual([]);
    expect(check(SEED_RTMP_PUSH, 'StartPushRequest')).toEqual([]);
    expect(check({ id: 'x' }, 'StopPushRequest')).toEqual([]);
    expect(check({ stream: 'x' }, 'StartPushRequest')).not.toEqual([]);
  });
});
