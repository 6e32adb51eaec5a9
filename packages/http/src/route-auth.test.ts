/**
 * Every route of the routing table needs the token, except the OpenAPI document (and
 * OPTIONS preflights, which are not routes): the table is enumerated, so a route added
 * later is covered without touching this test.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from './routes.js';
import { BASE, createApiFixture } from './test-support/api-fixture.js';

/** The route's path with its parameters filled in (an existing vhost/app/stream of the test catalogue). */
function concretePath(template: string): string {
  return template.replaceAll('{vhost}', 'default').replaceAll('{app}', 'app').replaceAll('{stream}', 'stream');
}

describe('authentication of every route', () => {
  it('only the OpenAPI document is public', () => {
    expect(ROUTES.filter((r) => !r.auth).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/openapi.json']);
  });

  it.each(ROUTES.filter((r) => r.auth).map((r) => [r.method, r.path] as const))(
    '%s %s answers 401 without the token and with a wrong one',
    async (method, path) => {
      const api = createApiFixture({ authFailureLimit: false });
      const init = method === 'POST' ? { body: { id: 'x' } } : {};
      const missing = await api.call(method, concretePath(path), { ...init, auth: false });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      const wrong = await api.call(method, concretePath(path), {
        ...init,
        auth: false,
        headers: { authorization: `Basic ${Buffer.from('wrong').toString('base64')}` },
      });
      expect(wrong.status).toBe(401);
      // a preflight is answered without the token and never runs the route
      const preflight = await api.handler(
        new Request(`${BASE}${concretePath(path)}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://console.example.com', 'access-control-request-method': method },
        }),
      );
      expect(preflight.status).toBe(204);
    },
  );
});
