/**
 * End-to-end TLS: the API over HTTPS (curl --cacert, Node https) and RTMPS ingest
 * (ffmpeg publishing rtmps://) with a private CA made by openssl; plain ports beside
 * them; TLS 1.2 at least; a missing certificate stops start-up naming the file; a
 * certificate reload (SIGHUP in the CLI, reloadCertificates() in process) serves new
 * connections the new certificate while the stream, a push and a keep-alive API
 * connection made before stay up.
 */
import { createSocket } from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describeWithPeers, runCommand, startProcess, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createSluiceServer, type SluiceAddresses, type SluiceServer } from '../sluice-server.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import {
  createTlsWorld,
  httpsGet,
  servedCommonName,
  startPushOverHttp,
  TLS_AUTH,
  type TlsWorld,
} from './tls-fixture.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

describeWithPeers(['openssl', 'curl', 'ffmpeg'], 'e2e: TLS for the API and RTMPS ingest', () => {
  let world: TlsWorld;
  let server: SluiceServer;
  let ports: SluiceAddresses;
  let publisher: PeerProcess | undefined;
  const udp = createSocket('udp4');
  let udpBytes = 0;

  beforeAll(async () => {
    world = await createTlsWorld();
    server = createSluiceServer({ configFile: world.configFile, host: '127.0.0.1' });
    ports = await server.listen();
    udp.on('message', (m) => (udpBytes += m.length));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  }, 60_000);

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await server?.close();
    udp.close();
  });

  it('answers curl --cacert over HTTPS and plain HTTP beside it; the dashboard is on the TLS port too', async () => {
    const base = `https://127.0.0.1:${ports.apiTlsPort}`;
    const ok = await runCommand('curl', [
      '-sS',
      '--cacert',
      world.ca.caPath,
      '-H',
      `Authorization: ${TLS_AUTH}`,
      `${base}/v1/version`,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ statusCode: 200 });
    const byName = await runCommand('curl', [
      '-sS',
      '--cacert',
      world.ca.caPath,
      '--resolve',
      `localhost:${ports.apiTlsPort}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://localhost:${ports.apiTlsPort}/v1/version`,
    ]);
    expect(byName.stdout).toBe('401');
    const dashboard = await runCommand('curl', [
      '-sS',
      '--cacert',
      world.ca.caPath,
      '-D',
      '-',
      '-o',
      '/dev/null',
      `${base}/dashboard/`,
    ]);
    expect(dashboard.code, dashboard.stderr).toBe(0);
    expect(dashboard.stdout.toLowerCase()).toContain('content-security-policy');
    const untrusted = await runCommand('curl', ['-sS', `${base}/v1/version`]);
    expect(untrusted.code).not.toBe(0); // the private CA is not trusted without --cacert
    const plain = await fetch(`http://127.0.0.1:${ports.apiPort}/v1/version`, { headers: { authorization: TLS_AUTH } });
    expect(plain.status).toBe(200);
  });

  it('answers Node https with the CA; refuses TLS 1.1', async () => {
    const answer = await httpsGet(ports.apiTlsPort as number, '/v1/vhosts', { ca: world.ca.caPem });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ response: ['default'] });
    expect(answer.commonName).toBe('first');
    const old = await new Promise<string>((resolve) => {
      const s = connect({
        host: '127.0.0.1',
        port: ports.apiTlsPort!,
        ca: world.ca.caPem,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      });
      s.on('secureConnect', () => resolve('connected'));
      s.on('error', (e: Error) => resolve(e.message));
    });
    expect(old).not.toBe('connected');
    const curlOld = await runCommand('curl', [
      '-sS',
      '--cacert',
      world.ca.caPath,
      '--tlsv1.1',
      '--tls-max',
      '1.1',
      `https://127.0.0.1:${ports.apiTlsPort}/v1/version`,
    ]);
    expect(curlOld.code).not.toBe(0);
  });

  it('takes an rtmps:// publish from ffmpeg; the stream plays into a push', async () => {
    publisher = startFfmpegPublisher(`rtmps://127.0.0.1:${ports.rtmpTlsPort}/app/secure`);
    await waitFor(
      () => server.hub.stream({ vhost: 'default', app: 'app', name: 'secure' }) !== undefined,
      20_000,
      () => `rtmps stream live (ffmpeg: ${publisher?.stderr() ?? ''})`,
    );
    const started = await startPushOverHttp(ports.apiPort, {
      id: 'udp',
      stream: { name: 'secure' },
      protocol: 'mpegts',
      url: `udp://127.0.0.1:${udp.address().port}`,
    });
    expect(started.status).toBe(200);
    await waitFor(() => udpBytes > 50_000, 15_000, 'media pushed from the rtmps stream');
  });

  it('reloads the certificate: new connections get it, the stream, the push and a keep-alive connection stay', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: world.ca.caPem });
    const before = await httpsGet(ports.apiTlsPort as number, '/v1/version', { ca: world.ca.caPem, agent });
    expect(before.commonName).toBe('first');
    const live = server.hub.stream({ vhost: 'default', app: 'app', name: 'secure' });
    expect(live).toBeDefined();
    const sequence = server.registry.getPush('udp')?.sequence;

    world.install('second');
    server.reloadCertificates();

    expect(await servedCommonName(ports.apiTlsPort as number, world.ca.caPem)).toBe('second');
    expect(await servedCommonName(ports.rtmpTlsPort as number, world.ca.caPem)).toBe('second');
    const after = await httpsGet(ports.apiTlsPort as number, '/v1/version', { ca: world.ca.caPem, agent });
    expect(after.status).toBe(200);
    expect(after.localPort).toBe(before.localPort); // the same connection, still on the old certificate
    expect(after.commonName).toBe('first');
    const bytes = udpBytes;
    await waitFor(() => udpBytes > bytes + 50_000, 15_000, 'media still pushed after the reload');
    const still = server.hub.stream({ vhost: 'default', app: 'app', name: 'secure' });
    expect(still?.publishedAt).toEqual(live?.publishedAt); // the same publish, never dropped
    expect(still?.bytesIn).toBeGreaterThan(live?.bytesIn ?? 0);
    expect(server.registry.getPush('udp')).toMatchObject({ state: 'pushing', sequence });
    agent.destroy();
  });

  it('keeps the old certificate when the new files are unusable, naming the file', async () => {
    writeFileSync(join(world.dir, 'live.key'), 'not a key');
    expect(() => server.reloadCertificates()).toThrow(/live\.key: the TLS key file holds no PEM key/);
    expect(await servedCommonName(ports.apiTlsPort as number, world.ca.caPem)).toBe('second');
    world.install('second');
  });
});

describeWithPeers(['openssl'], 'TLS configuration errors and the CLI', () => {
  let world: TlsWorld;
  let cli: PeerProcess | undefined;
  beforeAll(async () => {
    world = await createTlsWorld();
  }, 60_000);
  afterAll(async () => {
    await cli?.stop(5000, 'SIGTERM');
  });

  it('a missing or unreadable certificate stops start-up naming the file', () => {
    rmSync(join(world.dir, 'live.pem'));
    expect(() => createSluiceServer({ configFile: world.configFile })).toThrow(ConfigError);
    expect(() => createSluiceServer({ configFile: world.configFile })).toThrow(
      `${join(world.dir, 'live.pem')}: cannot read the TLS certificate file: ENOENT`,
    );
    world.install('first');
    writeFileSync(join(world.dir, 'live.pem'), 'garbage');
    expect(() => createSluiceServer({ configFile: world.configFile })).toThrow(
      /live\.pem: the TLS certificate file holds no PEM certificate/,
    );
    world.install('first');
  });

  it('the CLI reloads the certificate on SIGHUP', async () => {
    cli = startProcess(
      process.execPath,
      ['--import', 'tsx', CLI, '--config', world.configFile, '--data-dir', join(world.dir, 'data'), '--log-json'],
      {
        cwd: REPO,
        env: { ...process.env, SLUICE_API_PORT: '0', SLUICE_RTMP_PORT: '0' },
      },
    );
    let tlsPort = 0;
    await waitFor(
      () => {
        const line = cli!
          .stderr()
          .split('\n')
          .find((l) => l.includes('"Sluice listening"'));
        if (line === undefined) return false;
        tlsPort = (JSON.parse(line) as { apiTls: number }).apiTls;
        return true;
      },
      30_000,
      () => `the CLI listening (stderr: ${cli?.stderr() ?? ''})`,
    );
    expect(await servedCommonName(tlsPort, world.ca.caPem)).toBe('first');
    world.install('second');
    cli.child.kill('SIGHUP');
    await waitFor(() => cli!.stderr().includes('TLS certificate reloaded'), 10_000, 'the reload logged');
    expect(await servedCommonName(tlsPort, world.ca.caPem)).toBe('second');
  });
});
