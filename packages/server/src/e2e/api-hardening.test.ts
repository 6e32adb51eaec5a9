/**
 * End-to-end API hardening: every route of the routing table (the API's and the
 * dashboard's) on the plain and the TLS port needs the token except the documented
 * public ones; failed authentication is rate limited per client address; slow clients
 * (500 slowloris connections, a body that stalls, more connections than the cap) are
 * cut off while a running RTMP push keeps its byte rate and the API answers a good client.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { ROUTES } from '@sluice/http';
import { describeWithPeers, startNginxRtmp, waitFor, type NginxRtmp, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DASHBOARD_ROUTES } from '../dashboard/dashboard-routes.js';
import { createSluiceServer, type SluiceAddresses, type SluiceServer } from '../sluice-server.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { getFrom, startSlowloris } from './slow-clients.js';
import { createTlsWorld, startPushOverHttp, TLS_AUTH, type TlsWorld } from './tls-fixture.js';

const APP = '/v1/vhosts/default/apps/app';
const LIMITS =
  '<Limits><MaxConnections>800</MaxConnections><HeadersTimeout>3000</HeadersTimeout><RequestTimeout>6000</RequestTimeout>' +
  '<BodyTimeout>1000</BodyTimeout><KeepAliveTimeout>1000</KeepAliveTimeout><AuthFailuresPerMinute>20</AuthFailuresPerMinute></Limits>';

const concrete = (template: string): string =>
  template
    .replaceAll('{vhost}', 'default')
    .replaceAll('{app}', 'app')
    .replaceAll('{stream}', 'stream')
    .replaceAll('{file}', 'index.html');

/** Status of a request without any Authorization header, from `localAddress`, over http or https. */
function statusWithoutToken(
  port: number,
  method: string,
  path: string,
  tls: TlsWorld | undefined,
  localAddress: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, method, localAddress, agent: false };
    const done = (res: IncomingMessage): void => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    };
    const req = tls === undefined ? httpRequest(options, done) : httpsRequest({ ...options, ca: tls.ca.caPem }, done);
    req.on('error', reject);
    req.end();
  });
}

/** Resolves true when the server closes a fresh connection at once (without answering), false when it stays open. */
function closedAtOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 1000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describeWithPeers(['openssl', 'ffmpeg', 'nginx-rtmp'], 'e2e: API hardening', () => {
  let world: TlsWorld;
  let server: SluiceServer;
  let ports: SluiceAddresses;
  let nginx: NginxRtmp;
  let publisher: PeerProcess | undefined;

  beforeAll(async () => {
    world = await createTlsWorld(LIMITS);
    nginx = await startNginxRtmp({ apps: ['live'], record: false });
    server = createSluiceServer({ configFile: world.configFile, host: '127.0.0.1' });
    ports = await server.listen();
  }, 60_000);

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await server?.close();
    await nginx?.stop();
  });

  it('every route needs the token on both API ports, except OPTIONS, the OpenAPI document and the dashboard files', async () => {
    let client = 0;
    // each route from its own address: the failed-authentication limit must not mask a 401
    const from = (): string => `127.0.1.${1 + (client++ % 250)}`;
    for (const [port, tls] of [
      [ports.apiPort as number, undefined],
      [ports.apiTlsPort as number, world],
    ] as const) {
      for (const route of ROUTES) {
        const status = await statusWithoutToken(port, route.method, concrete(route.path), tls, from());
        if (route.auth) expect(status, `${route.method} ${route.path}`).toBe(401);
        else expect(status, `${route.method} ${route.path}`).toBe(200);
        expect(await statusWithoutToken(port, 'OPTIONS', concrete(route.path), tls, from())).toBe(204);
      }
      for (const route of DASHBOARD_ROUTES) {
        const status = await statusWithoutToken(port, route.method, concrete(route.path), tls, from());
        expect([200, 308, 404], `${route.method} ${route.path}`).toContain(status);
      }
    }
  });

  it('limits failed authentication per client address: 429 + Retry-After after 20 a minute, other clients unaffected', async () => {
    const wrong = `Basic ${Buffer.from('guess').toString('base64')}`;
    for (let i = 0; i < 20; i++)
      expect((await getFrom(ports.apiPort as number, '/v1/version', '127.0.0.50', wrong)).status).toBe(401);
    const limited = await getFrom(ports.apiPort as number, '/v1/version', '127.0.0.50', wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect((await getFrom(ports.apiPort as number, '/v1/version', '127.0.0.50', TLS_AUTH)).status).toBe(429);
    expect((await getFrom(ports.apiPort as number, '/v1/version', '127.0.0.51', TLS_AUTH)).status).toBe(200);
  });

  it('answers 408 to a body that stalls, and closes connections past the cap', async () => {
    const stalled = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: ports.apiPort as number }, () =>
        socket.write(
          `POST ${APP}:pushes HTTP/1.1\r\nHost: x\r\nAuthorization: ${TLS_AUTH}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`,
        ),
      );
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    expect(stalled).toMatch(/^HTTP\/1\.1 408/);
    expect(stalled).toContain('Request body timeout');

    const capped = createSluiceServer({
      config: {
        ...server.config,
        tls: undefined,
        apiTlsPort: undefined,
        rtmpTlsPort: undefined,
        apiLimits: { ...server.config.apiLimits, maxConnections: 5 },
      },
      host: '127.0.0.1',
      apiPort: 0,
      rtmpPort: 0,
    });
    const { apiPort } = await capped.listen();
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const socket = connect({ host: '127.0.0.1', port: apiPort as number });
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        held.push(socket);
      }
      expect(await closedAtOnce(apiPort as number)).toBe(true);
      for (const s of held) s.destroy();
      await waitFor(
        async () =>
          (await getFrom(apiPort as number, '/v1/version', '127.0.0.1', TLS_AUTH).catch(() => ({ status: 0 })))
            .status === 200,
        5000,
        'answered again below the cap',
      );
    } finally {
      for (const s of held) s.destroy();
      await capped.close();
    }
  });

  it('500 slowloris connections: cut by the headers timeout, while an RTMP push keeps its byte rate and a good client is answered', async () => {
    publisher = startFfmpegPublisher(`rtmp://127.0.0.1:${ports.rtmpPort}/app/media`);
    await waitFor(
      () => server.hub.stream({ vhost: 'default', app: 'app', name: 'media' }) !== undefined,
      20_000,
      'stream live',
    );
    const started = await startPushOverHttp(ports.apiPort, {
      id: 'rtmp',
      stream: { name: 'media' },
      protocol: 'rtmp',
      url: nginx.url('live'),
      streamKey: 'media',
    });
    expect(started.status).toBe(200);
    await waitFor(() => server.registry.getPush('rtmp')?.state === 'pushing', 15_000, 'push running');
    const sent = (): number => server.registry.getPush('rtmp')?.sentBytes ?? 0;
    const rate = async (ms: number): Promise<number> => {
      const start = sent();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      return ((sent() - start) * 8) / ((performance.now() - t0) / 1000);
    };
    await new Promise((r) => setTimeout(r, 1500)); // past the first GOP burst
    const baseline = await rate(9000);

    const flood = startSlowloris(ports.apiPort as number, 500);
    try {
      await waitFor(
        () => flood.open() >= 450,
        20_000,
        () => `slowloris connections open (${flood.open()})`,
      );
      const [during, answers] = await Promise.all([
        rate(9000),
        (async () => {
          const statuses: number[] = [];
          for (let i = 0; i < 5; i++) {
            statuses.push((await getFrom(ports.apiPort as number, '/v1/version', '127.0.0.1', TLS_AUTH)).status);
            await new Promise((r) => setTimeout(r, 1000));
          }
          return statuses;
        })(),
      ]);
      console.log(
        `[api-hardening] push rate ${Math.round(baseline / 1000)} kbit/s before, ${Math.round(during / 1000)} kbit/s ` +
          `with ${flood.open()} slowloris connections open (${flood.cutByServer()} cut by the headers timeout so far)`,
      );
      expect(answers).toEqual([200, 200, 200, 200, 200]);
      expect(Math.abs(during - baseline) / baseline).toBeLessThan(0.1);
      expect(flood.cutByServer()).toBeGreaterThan(400); // every one was cut at least once by the 3 s headers timeout
      expect(server.registry.getPush('rtmp')?.sequence).toBe(0); // never dropped
    } finally {
      flood.stop();
    }
  }, 90_000);
});
