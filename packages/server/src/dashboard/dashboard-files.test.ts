import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSluiceServer, type SluiceServer } from '../sluice-server.js';
import { writeTestConfig } from '../e2e/harness.js';
import { DashboardFiles } from './dashboard-files.js';
import { DASHBOARD_ROUTES, DASHBOARD_SECURITY_HEADERS } from './dashboard-routes.js';
import { withDashboard } from './with-dashboard.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('DashboardFiles behind withDashboard', () => {
  const parent = mkdtempSync(join(tmpdir(), 'sluice-dashboard-files-'));
  const root = join(parent, 'dist');
  const script = `console.log(${JSON.stringify('x'.repeat(2000))});`;
  let server: Server;
  let port: number;
  let apiCalls: string[];

  beforeAll(async () => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title><script src="./app-ABCD2345.js"></script>');
    writeFileSync(join(root, 'app-ABCD2345.js'), script);
    writeFileSync(join(root, 'styles-WXYZ6789.css'), 'body{}');
    writeFileSync(join(root, 'sub', 'inner.txt'), 'folders are not served');
    writeFileSync(join(parent, 'secret.txt'), 'outside the dashboard');
    apiCalls = [];
    server = createServer(
      withDashboard((req, res) => {
        apiCalls.push(req.url ?? '');
        res.statusCode = 401;
        res.end('api');
      }, new DashboardFiles(root)),
    );
    port = await listen(server);
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves index.html at /dashboard/ with the security headers and no token', async () => {
    const answer = await raw(port, 'GET', '/dashboard/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-security-policy']).toBe(CSP);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.body.toString()).toContain('app-ABCD2345.js');
    expect(apiCalls).toEqual([]);
  });

  it('redirects /dashboard to /dashboard/ (query kept)', async () => {
    const answer = await raw(port, 'GET', '/dashboard?x=1');
    expect(answer.status).toBe(308);
    expect(answer.headers['location']).toBe('/dashboard/?x=1');
  });

  it('serves the built files with their content types; hashed names are cached for good', async () => {
    const js = await raw(port, 'GET', '/dashboard/app-ABCD2345.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body.toString()).toBe(script);
    const css = await raw(port, 'GET', '/dashboard/styles-WXYZ6789.css?v=1');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['content-security-policy']).toBe(CSP);
  });

  it('gzips for clients that take it, answers HEAD without a body and 304 for a matching ETag', async () => {
    const gz = await raw(port, 'GET', '/dashboard/app-ABCD2345.js', { 'accept-encoding': 'br, gzip;q=0.8' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    const refused = await raw(port, 'GET', '/dashboard/app-ABCD2345.js', { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const head = await raw(port, 'HEAD', '/dashboard/app-ABCD2345.js');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(script.length);
    const etag = head.headers['etag'] as string;
    const again = await raw(port, 'GET', '/dashboard/app-ABCD2345.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 404 for anything else under /dashboard/, and no path reaches another file', async () => {
    for (const path of [
      '/dashboard/nope.js',
      '/dashboard/sub/inner.txt',
      '/dashboard/sub',
      '/dashboard/../secret.txt',
      '/dashboard/..%2fsecret.txt',
      '/dashboard/%2e%2e/secret.txt',
      '/dashboard/..\\secret.txt',
      '/dashboard//etc/passwd',
      '/dashboard/%2fetc%2fpasswd',
      '/dashboard/../v1/vhosts',
    ]) {
      const answer = await raw(port, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString(), path).toBe('Not found in the dashboard');
      expect(answer.headers['content-security-policy'], path).toBe(CSP);
    }
    expect(apiCalls).toEqual([]);
  });

  it('answers 405 to other methods; leaves every other path to the API', async () => {
    const post = await raw(port, 'POST', '/dashboard/');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    for (const path of ['/v1/vhosts', '/dashboardx', '/', '/v1/dashboard/']) {
      const answer = await raw(port, 'GET', path);
      expect(answer.body.toString(), path).toBe('api');
    }
    expect(apiCalls).toEqual(['/v1/vhosts', '/dashboardx', '/', '/v1/dashboard/']);
  });

  it('says so when the dashboard is not built', async () => {
    const unbuilt = createServer(
      withDashboard((_req, res) => res.end('api'), new DashboardFiles(join(parent, 'missing'))),
    );
    const unbuiltPort = await listen(unbuilt);
    const answer = await raw(unbuiltPort, 'GET', '/dashboard/');
    expect(answer.status).toBe(404);
    expect(answer.body.toString()).toBe('The dashboard is not built: run pnpm build');
    await new Promise<void>((resolve) => unbuilt.close(() => resolve()));
  });
});

describe('the dashboard on the API port of createSluiceServer', () => {
  let server: SluiceServer;
  let port: number;

  beforeAll(async () => {
    server = createSluiceServer({ configFile: writeTestConfig().file, host: '127.0.0.1' });
    port = (await server.listen()).apiPort as number;
  });

  afterAll(() => server.close());

  it('answers /dashboard without the token while the API still needs it', async () => {
    const redirect = await raw(port, 'GET', '/dashboard');
    expect(redirect.status).toBe(308);
    expect(redirect.headers['content-security-policy']).toBe(CSP);
    const page = await raw(port, 'GET', '/dashboard/');
    // built (pnpm build) or not, it is the dashboard answering, never the API's 401
    expect([200, 404]).toContain(page.status);
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect((await raw(port, 'GET', '/v1/vhosts')).status).toBe(401);
  });

  it('lists its routes as the public ones, with the headers it sends', () => {
    expect(DASHBOARD_ROUTES.every((r) => !r.auth)).toBe(true);
    expect(DASHBOARD_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /dashboard',
      'HEAD /dashboard',
      'GET /dashboard/',
      'HEAD /dashboard/',
      'GET /dashboard/{file}',
      'HEAD /dashboard/{file}',
    ]);
    expect(DASHBOARD_SECURITY_HEADERS['content-security-policy']).toBe(CSP);
  });
});
