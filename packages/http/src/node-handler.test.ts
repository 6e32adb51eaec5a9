/**
 * Embedding: the node adapter mounted under /media-api inside a plain node:http
 * server and inside Express, driven with fetch over 127.0.0.1 on a free port.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { waitFor } from '@sluice/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApiConfigError } from './errors.js';
import { createNodeHandler, type NodeRequestHandler } from './node-handler.js';
import { AUTHORIZATION, createApiFixture } from './test-support/api-fixture.js';
import { startPushBody } from './test-support/seed-pushes.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const seed = startPushBody('p1', 'rtmp', 'rtmp://127.0.0.1/live', 'key', [101]);
const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Runs the same conversation against an API mounted at `${base}/media-api`. */
async function converse(base: string): Promise<void> {
  const api = `${base}/media-api/v1/vhosts/default/apps/app`;
  const empty = await fetch(`${api}:pushes`, { method: 'POST', headers: { authorization: AUTHORIZATION } });
  expect(empty.status).toBe(204);
  expect(await empty.text()).toBe('');
  const started = await fetch(`${api}:startPush`, post(seed));
  expect(started.status).toBe(200);
  expect(started.headers.get('content-type')).toBe('application/json;charset=UTF-8');
  const json = (await started.json()) as { statusCode: number; response: Array<{ id: string }> };
  expect(json.statusCode).toBe(200);
  expect(json.response[0]?.id).toBe('p1');
  const listed = await fetch(`${api}:pushes?id=p1`, { headers: { authorization: AUTHORIZATION } });
  expect(((await listed.json()) as { response: unknown[] }).response).toHaveLength(1);
  const duplicate = await fetch(`${api}:startPush`, post(seed));
  expect(await duplicate.text()).toBe('{"statusCode":400,"message":"Duplicate ID already exists [p1] (400)"}');
  const unauthorized = await fetch(`${base}/media-api/v1/vhosts`);
  expect(unauthorized.status).toBe(401);
  expect(unauthorized.headers.get('www-authenticate')).toBe('Basic realm="Sluice"');
  await unauthorized.text();
  const preflight = await fetch(`${api}:startPush`, {
    method: 'OPTIONS',
    headers: { origin: 'https://x.example.com', 'access-control-request-method': 'POST' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  const tooBig = await fetch(`${api}:startPush`, post({ ...seed, pad: 'x'.repeat(100_000) }));
  expect(tooBig.status).toBe(413);
  expect(await tooBig.text()).toBe(
    '{"statusCode":413,"message":"Request body is larger than the limit of 65536 bytes (413)"}',
  );
  const stopped = await fetch(`${api}:stopPush`, post({ id: 'p1' }));
  expect(stopped.status).toBe(200);
  await stopped.text();
  const openapi = await fetch(`${base}/media-api/v1/openapi.json`);
  expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0');
  const unknown = await fetch(`${base}/media-api/v1/nothing`, { headers: { authorization: AUTHORIZATION } });
  expect(await unknown.text()).toBe('{"statusCode":404,"message":"Controller not found (404)"}');
}

describe('node:http embedding', () => {
  it('serves the API under /media-api and hands other paths to the host server', async () => {
    const { handler } = createApiFixture();
    const mounted = createNodeHandler(handler, { prefix: '/media-api/' });
    const base = await listen(
      createServer((req, res) =>
        mounted(req, res, () => {
          res.setHeader('content-type', 'text/plain');
          res.end('host site');
        }),
      ),
    );
    await converse(base);
    expect(await (await fetch(`${base}/index.html`)).text()).toBe('host site');
    expect(await (await fetch(`${base}/media-apix/v1/vhosts`)).text()).toBe('host site');
  });

  it('answers 404 Controller not found outside the prefix when used as a plain listener', async () => {
    const { handler } = createApiFixture();
    const base = await listen(createServer(createNodeHandler(handler, { prefix: '/media-api' })));
    const response = await fetch(`${base}/elsewhere`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('{"statusCode":404,"message":"Controller not found (404)"}');
  });

  it('drives any Fetch handler (generic path: streamed Request, written Response)', async () => {
    const { handler } = createApiFixture();
    const base = await listen(createServer(createNodeHandler((request) => handler(request), { prefix: '/media-api' })));
    await converse(base);
  });

  it('answers 413 while a chunked body is still arriving, without reading the rest', async () => {
    const { handler, push } = createApiFixture({ maxBodyBytes: 1024 });
    const base = await listen(createServer(createNodeHandler(handler, { prefix: '/media-api' })));
    const url = new URL(`${base}/media-api/v1/vhosts/default/apps/app:startPush`);
    const status = await new Promise<{ status: number; body: string; connection: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(
          url,
          {
            method: 'POST',
            headers: {
              authorization: AUTHORIZATION,
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection });
            });
          },
        );
        req.on('error', (error) =>
          error.message.includes('socket hang up') || error.message.includes('EPIPE') ? undefined : reject(error),
        );
        // 2 KiB now, and the request never ends: the answer must come anyway
        req.write('{"pad":"' + 'x'.repeat(2048));
      },
    );
    expect(status.status).toBe(413);
    expect(status.connection).toBe('close');
    expect(status.body).toBe(
      '{"statusCode":413,"message":"Request body is larger than the limit of 1024 bytes (413)"}',
    );
    expect(push.listPushes()).toEqual([]);
  });

  it('treats a client that leaves mid-body as no server error and changes nothing', async () => {
    const errors: unknown[] = [];
    const { handler, push } = createApiFixture({ onError: (error) => errors.push(error) });
    let finished = 0;
    const server = createServer((req, res) => {
      res.on('close', () => finished++);
      createNodeHandler(handler)(req, res);
    });
    const base = await listen(server);
    const req = httpRequest(new URL(`${base}/v1/vhosts/default/apps/app:startPush`), {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => undefined);
    req.write('{"id":"half","stream":{"name":"stream"},');
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await waitFor(() => finished === 1, 5000, 'the server to see the request end');
    expect(errors).toEqual([]);
    expect(push.listPushes()).toEqual([]);
  });

  it('refuses a prefix that is not a path', () => {
    const { handler } = createApiFixture();
    expect(() => createNodeHandler(handler, { prefix: 'media-api' })).toThrow(HttpApiConfigError);
  });
});

describe('Express embedding', () => {
  it('works mounted with app.use("/media-api", ...) beside other routes', async () => {
    const { handler } = createApiFixture();
    const app = express();
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    app.use('/media-api', createNodeHandler(handler));
    const base = await listen(createServer(app));
    await converse(base);
    expect(await (await fetch(`${base}/health`)).text()).toBe('ok');
  });

  it('works with the prefix option and after express.json() consumed the body', async () => {
    const { handler } = createApiFixture();
    const app = express();
    app.use(express.json());
    const mounted: NodeRequestHandler = createNodeHandler(handler, { prefix: '/media-api' });
    app.use(mounted);
    app.use((_req, res) => {
      res.status(418).send('not the api');
    });
    const base = await listen(createServer(app));
    const api = `${base}/media-api/v1/vhosts/default/apps/app`;
    const started = await fetch(`${api}:startPush`, post(seed));
    expect(started.status).toBe(200);
    const missing = await fetch(`${api}:stopPush`, post({}));
    expect(await missing.text()).toBe('{"statusCode":400,"message":"There is no required parameter [id] (400)"}');
    expect((await fetch(`${base}/other`)).status).toBe(418);
  });
});
