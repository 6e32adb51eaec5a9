import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type ControlAnswer, type ControlServer } from '../e2e/control-server.js';
import { AdmissionWebhook, MAX_ANSWER_BYTES, type AdmissionWebhookOptions } from './admission-webhook.js';

const SECRET = 'webhook-secret';
const publish = { address: '127.0.0.1', port: 50123, protocol: 'rtmp', url: 'rtmp://h:1935/app/cam?key=1' };

describe('AdmissionWebhook against a real HTTP control server', () => {
  let control: ControlServer | undefined;
  afterEach(async () => {
    await control?.close();
    control = undefined;
  });

  async function webhook(
    answer: () => ControlAnswer,
    timeoutMs = 3000,
    options: AdmissionWebhookOptions = {},
  ): Promise<AdmissionWebhook> {
    control = await startControlServer(SECRET, answer);
    return new AdmissionWebhook(
      { controlServerUrl: control.url, secretKey: SECRET, timeoutMs, providers: ['rtmp'] },
      options,
    );
  }

  it('posts the OME opening body with a valid signature and reads an allow with new_url and lifetime', async () => {
    const hook = await webhook(() => ({
      json: { allowed: true, new_url: 'rtmp://h/app/user1', lifetime: 60000, reason: 'ok' },
    }));
    const verdict = await hook.opening(publish);
    expect(verdict).toEqual({ allowed: true, newUrl: 'rtmp://h/app/user1', lifetimeMs: 60000, reason: 'ok' });
    const [request] = control!.requests;
    expect(request!.signatureOk).toBe(true);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      client: { address: '127.0.0.1', port: 50123 },
      request: {
        direction: 'incoming',
        protocol: 'rtmp',
        status: 'opening',
        url: publish.url,
        time: expect.any(String),
      },
    });
    expect(Date.parse(request!.body.request.time)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sends the closing notice with new_url', async () => {
    const hook = await webhook(() => ({ json: {} }));
    await expect(hook.closing(publish, 'rtmp://h/app/user1')).resolves.toBeUndefined();
    expect(control!.requests[0]!.body.request).toMatchObject({ status: 'closing', new_url: 'rtmp://h/app/user1' });
    expect(control!.requests[0]!.signatureOk).toBe(true);
  });

  it('refuses with the reason of the control server (or a default one)', async () => {
    const hook = await webhook(() => ({ json: { allowed: false, reason: 'unknown stream key' } }));
    expect(await hook.opening(publish)).toEqual({
      allowed: false,
      cause: 'webhook-refused',
      reason: 'unknown stream key',
    });
    control!.answer = () => ({ json: { allowed: false } });
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-refused',
      reason: 'refused by the control server',
    });
  });

  it('refuses on a timeout, a non-2xx status and a redirect', async () => {
    const hook = await webhook(() => ({ json: { allowed: true }, delayMs: 2000 }), 300);
    expect(await hook.opening(publish)).toMatchObject({
      allowed: false,
      cause: 'webhook-timeout',
      reason: expect.stringContaining('300 ms'),
    });
    control!.answer = () => ({ json: { allowed: true }, status: 500 });
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-status',
      reason: expect.stringContaining('HTTP 500'),
    });
    control!.answer = () => ({ raw: (res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end() });
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-status',
      reason: expect.stringContaining('HTTP 302'),
    });
  });

  it('refuses unusable answers', async () => {
    const hook = await webhook(() => ({ raw: (res) => res.end('not json') }));
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-answer',
      reason: expect.stringContaining('not JSON'),
    });
    for (const json of [
      [true],
      { allowed: 'yes' },
      { allowed: true, lifetime: -1 },
      { allowed: true, new_url: 5 },
      { allowed: true, lifetime: 'x' },
    ]) {
      control!.answer = () => ({ json });
      expect(await hook.opening(publish), JSON.stringify(json)).toMatchObject({
        allowed: false,
        cause: 'webhook-answer',
      });
    }
    control!.answer = () => ({ json: { allowed: true, lifetime: 0 } });
    expect(await hook.opening(publish)).toMatchObject({ allowed: true, lifetimeMs: undefined });
  });

  it('refuses an answer over 64 KiB, declared or streamed, without reading it all', async () => {
    const big = JSON.stringify({ allowed: true, reason: 'x'.repeat(MAX_ANSWER_BYTES) });
    const hook = await webhook(() => ({
      raw: (res) => res.writeHead(200, { 'content-length': Buffer.byteLength(big) }).end(big),
    }));
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-answer',
      reason: expect.stringContaining('65536'),
    });
    control!.answer = () => ({
      raw: (res) => {
        res.writeHead(200); // chunked, no length
        for (let i = 0; i < 80; i++) res.write('x'.repeat(1024));
        res.end();
      },
    });
    expect(await hook.opening(publish)).toMatchObject({ cause: 'webhook-answer' });
  });

  it('refuses when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const hook = new AdmissionWebhook({
      controlServerUrl: `http://127.0.0.1:${port}/`,
      secretKey: SECRET,
      timeoutMs: 3000,
      providers: [],
    });
    expect(await hook.opening(publish)).toMatchObject({
      cause: 'webhook-unreachable',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('bounds the calls in flight: the queue waits within the timeout, beyond it refuses at once', async () => {
    const hook = await webhook(() => ({ json: { allowed: true }, delayMs: 400 }), 5000, {
      maxInFlight: 1,
      maxQueued: 1,
    });
    const verdicts = await Promise.all([hook.opening(publish), hook.opening(publish), hook.opening(publish)]);
    expect(verdicts.map((v) => (v.allowed ? 'allowed' : v.cause))).toEqual(['allowed', 'allowed', 'webhook-busy']);
    expect(control!.requests.length).toBe(2);
  });
});
