/**
 * Interop with a real HTTP client: curl drives the API mounted in node:http, as the
 * seed document's users do (`-H "Authorization: Basic base64(token)"`, JSON bodies).
 * Skipped with a reason when curl is missing; fails then under SLUICE_REQUIRE_PEERS=1.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { peersRequired, runCommand } from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHandler } from './node-handler.js';
import { AUTHORIZATION, createApiFixture } from './test-support/api-fixture.js';

function curlMissing(): string | null {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    if (peersRequired())
      throw new Error('curl is required (SLUICE_REQUIRE_PEERS=1) but not installed (apt-get install curl)');
    return 'curl is not installed (apt-get install curl)';
  }
}

interface CurlResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Runs curl with `-i` and splits its output into status, headers (last response) and body. */
async function curl(args: string[], input?: Uint8Array): Promise<CurlResponse> {
  const result = await runCommand('curl', ['-s', '-S', '-i', '--max-time', '10', ...args], 15_000, input);
  expect(result.code, result.stderr).toBe(0);
  // with 100-continue there are two header blocks: keep the last
  const blocks = result.stdout.split('\r\n\r\n');
  let index = 0;
  while (index + 1 < blocks.length && /^HTTP\/1\.1 1\d\d/.test(blocks[index] ?? '')) index++;
  const [statusLine = '', ...headerLines] = (blocks[index] ?? '').split('\r\n');
  const headers = new Map(
    headerLines.map(
      (line) =>
        [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as [string, string],
    ),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: blocks.slice(index + 1).join('\r\n\r\n') };
}

const skip = curlMissing();
describe.skipIf(skip !== null)(`curl drives the API${skip === null ? '' : ` [skipped: ${skip}]`}`, () => {
  let server: Server;
  let base = '';
  const api = createApiFixture();
  beforeAll(async () => {
    server = createServer(createNodeHandler(api.handler, { prefix: '/media-api' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media-api/v1/vhosts/default/apps/app`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('runs the seed examples: startPush (rtmp, mpegts), pushes, stopPush, 204', async () => {
    const auth = ['-H', `Authorization: ${AUTHORIZATION}`];
    const rtmp =
      '{"id":"userDefinedUniqueId","stream":{"name":"stream","tracks":[101,102]},"protocol":"rtmp","url":"rtmp://a.rtmp.youtube.com/live2","streamKey":"2u5w-rt7q-tepj-91qa-4yft"}';
    const started = await curl([...auth, '-H', 'Content-Type: application/json', '-d', rtmp, `${base}:startPush`]);
    expect(started.status).toBe(200);
    expect(started.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(JSON.parse(started.body)).toMatchObject({
      statusCode: 200,
      message: 'OK',
      response: [{ id: 'userDefinedUniqueId', protocol: 'rtmp', streamKey: '2u5w-rt7q-tepj-91qa-4yft' }],
    });
    // curl -d without a Content-Type sends application/x-www-form-urlencoded: accepted because the body parses
    const ts = await curl([
      ...auth,
      '-d',
      '{"id":"ts","stream":{"name":"stream"},"protocol":"mpegts","url":"udp://127.0.0.1:5000","streamKey":""}',
      `${base}:startPush`,
    ]);
    expect(ts.status).toBe(200);
    const listed = await curl([...auth, '-X', 'POST', `${base}:pushes`]);
    expect((JSON.parse(listed.body) as { response: Array<{ id: string }> }).response.map((r) => r.id)).toEqual([
      'ts',
      'userDefinedUniqueId',
    ]);
    for (const id of ['ts', 'userDefinedUniqueId'])
      expect((await curl([...auth, '-d', `{"id":"${id}"}`, `${base}:stopPush`])).status).toBe(200);
    const other = await curl([
      ...auth,
      '-X',
      'POST',
      'http://' + new URL(base).host + '/media-api/v1/vhosts/other/apps/live:pushes',
    ]);
    expect(other.status).toBe(204);
    expect(other.body).toBe('');
    expect(other.headers.get('content-length') ?? '0').toBe('0');
  });

  it('gets 401 with WWW-Authenticate, 413 for a big upload (Expect: 100-continue), 204 preflight', async () => {
    const unauthorized = await curl([`${base}:pushes`]);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Basic realm="Sluice"');
    expect(unauthorized.body).toBe('{"statusCode":401,"message":"Authorization header is missing (401)"}');
    const big = new TextEncoder().encode(`{"pad":"${'x'.repeat(2_000_000)}"}`);
    const tooBig = await curl(
      [
        '-H',
        `Authorization: ${AUTHORIZATION}`,
        '-H',
        'Content-Type: application/json',
        '-H',
        'Expect: 100-continue',
        '--data-binary',
        '@-',
        `${base}:startPush`,
      ],
      big,
    );
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toBe(
      '{"statusCode":413,"message":"Request body is larger than the limit of 65536 bytes (413)"}',
    );
    const preflight = await curl([
      '-X',
      'OPTIONS',
      '-H',
      'Origin: https://console.example.com',
      '-H',
      'Access-Control-Request-Method: POST',
      `${base}:startPush`,
    ]);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});
