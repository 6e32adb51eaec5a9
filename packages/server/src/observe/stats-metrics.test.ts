/**
 * The stats API and `/metrics` on a running server with real peers: ffmpeg publishing
 * through a byte-counting TCP relay, an MPEG-TS push to a byte-counting TCP receiver,
 * curl scraping with the Basic header Prometheus sends, promtool checking the text.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describeWithPeers, runCommand, waitFor } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, TOKEN, type TestServer } from '../e2e/harness.js';
import { startFfmpegPublisher, stopFfmpeg } from '../e2e/peers.js';

const APP = '/v1/vhosts/default/apps/app';
const STATS = '/v1/stats/current/vhosts/default';
const BASIC = `Basic ${Buffer.from(TOKEN).toString('base64')}`;

interface Stats {
  totalBytesIn: number;
  totalBytesOut: number;
  totalConnections: number;
  maxTotalConnections: number;
  connections: Record<string, number>;
  createdTime: string;
  lastRecvTime: string;
  lastSentTime: string;
}

/** A TCP server that counts what it receives (the push destination). */
async function countingReceiver(): Promise<{
  server: Server;
  port: number;
  bytes: () => number;
  closed: () => number;
}> {
  let bytes = 0;
  let closed = 0;
  const server = createServer((socket) => {
    socket.on('data', (d: Buffer) => (bytes += d.byteLength));
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, bytes: () => bytes, closed: () => closed };
}

/** A TCP relay to `target` that counts the bytes it forwards (what the publisher sent). */
async function countingRelay(target: number): Promise<{ server: Server; port: number; forwarded: () => number }> {
  let forwarded = 0;
  const sockets: Socket[] = [];
  const server = createServer((inbound) => {
    const outbound = connect(target, '127.0.0.1');
    sockets.push(inbound, outbound);
    inbound.on('data', (d: Buffer) => {
      forwarded += d.byteLength;
      if (!outbound.write(d)) inbound.pause();
    });
    outbound.on('drain', () => inbound.resume());
    outbound.on('data', (d: Buffer) => inbound.write(d));
    inbound.on('end', () => outbound.end());
    outbound.on('end', () => inbound.end());
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, forwarded: () => forwarded };
}

describeWithPeers(['ffmpeg', 'curl', 'promtool'], 'e2e: stats API and /metrics with real peers', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());
  const stats = async (path: string): Promise<{ status: number; stats: Stats; message: string }> => {
    const answer = await t.api<Stats>('GET', path);
    return { status: answer.status, stats: answer.body?.response as Stats, message: answer.body?.message ?? '' };
  };
  const curlMetrics = async (): Promise<string> => {
    const result = await runCommand('curl', [
      '-sS',
      '--fail',
      '-H',
      `Authorization: ${BASIC}`,
      `http://127.0.0.1:${t.apiPort}/metrics`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  it('counts bytes in at the ingest socket and out where the kernel took them, exactly; connections by kind; promtool-clean metrics', async () => {
    const receiver = await countingReceiver();
    const relay = await countingRelay(t.rtmpPort);
    const ffmpeg = startFfmpegPublisher(`rtmp://127.0.0.1:${relay.port}/app/cam`);
    try {
      await t.waitForLive('cam');
      const started = await t.api('POST', `${APP}:startPush`, {
        id: 'ts-1',
        stream: { name: 'cam' },
        protocol: 'mpegts',
        url: `tcp://127.0.0.1:${receiver.port}`,
      });
      expect(started.status).toBe(200);
      await t.waitForState('ts-1', 'pushing', 15_000);
      await waitFor(() => receiver.bytes() > 200_000, 20_000, 'the receiver got 200 kB');

      const live = await stats(`${STATS}/apps/app/streams/cam`);
      expect(live.status).toBe(200);
      expect(live.stats.connections).toEqual({ push: 1, rtmp: 1 });
      expect(live.stats.totalConnections).toBe(2);
      expect(live.stats.maxTotalConnections).toBe(2);
      expect(live.stats.totalBytesIn).toBeGreaterThan(50_000);
      expect(live.stats.lastRecvTime).not.toMatch(/^1970/);
      const app = await stats(`${STATS}/apps/app`);
      expect(app.stats.connections).toEqual({ push: 1, rtmp: 1 });
      await waitFor(
        async () => ((await t.push('ts-1'))?.bitrate ?? 0) > 100_000,
        15_000,
        'the push record shows a bit rate',
      );

      const text = await curlMetrics();
      const labels = 'vhost="default",app="app",stream="cam",id="ts-1",protocol="mpegts"';
      expect(text).toContain(`sluice_push_state{${labels},state="pushing"} 1`);
      expect(text).toContain(`sluice_push_state{${labels},state="error"} 0`);
      expect(text).toMatch(new RegExp(`sluice_push_sent_bytes_total\\{${labels.replace(/[.]/g, '\\.')}\\} [1-9]\\d*`));
      expect(text).toMatch(/sluice_push_send_rate_bytes_per_second\{[^}]*id="ts-1"[^}]*\} [1-9]\d*/);
      expect(text).toMatch(
        /sluice_stream_received_bytes_total\{vhost="default",app="app",stream="cam",source_type="rtmp"\} [1-9]/,
      );
      expect(text).toContain('sluice_stream_tracks{vhost="default",app="app",stream="cam",source_type="rtmp"} 2');
      expect(text).toContain('sluice_stream_subscribers{vhost="default",app="app",stream="cam",source_type="rtmp"} 1');
      expect(text).toContain('sluice_ingest_connections{protocol="rtmp"} 1');
      expect(text).toMatch(
        /sluice_api_requests_total\{route="\/v1\/vhosts\/\{vhost\}\/apps\/\{app\}:startPush",status="200"\} 1/,
      );
      for (const name of [
        'nodejs_eventloop_lag_seconds',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'process_open_fds',
        'sluice_uptime_seconds',
      ])
        expect(text).toContain(`\n${name} `);
      const lint = await runCommand('promtool', ['check', 'metrics'], 30_000, Buffer.from(text));
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.code).toBe(0);

      // the publisher leaves, then the push is stopped and removed: every byte is accounted for
      await stopFfmpeg(ffmpeg);
      await waitFor(async () => (await stats(`${STATS}/apps/app/streams/cam`)).status === 404, 15_000, 'stream gone');
      await t.api('POST', `${APP}:stopPush`, { id: 'ts-1' });
      await t.waitForGone('ts-1');
      await waitFor(() => receiver.closed() > 0, 10_000, 'the receiver saw the push close');
      const after = await stats(`${STATS}/apps/app`);
      expect(after.stats.totalBytesIn).toBe(relay.forwarded());
      expect(after.stats.totalBytesOut).toBe(receiver.bytes());
      expect(after.stats.connections).toEqual({ push: 0 });
      expect(after.stats.maxTotalConnections).toBe(2);
      const vhost = await stats(STATS);
      expect(vhost.stats.totalBytesIn).toBe(relay.forwarded());
      expect(vhost.stats.totalBytesOut).toBe(receiver.bytes());

      const gone = await curlMetrics();
      expect(gone).not.toContain('id="ts-1"');
      expect(gone).not.toContain('stream="cam"');
      expect(gone).toContain('sluice_ingest_connections{protocol="rtmp"} 0');
    } finally {
      await stopFfmpeg(ffmpeg);
      receiver.server.close();
      relay.server.close();
    }
  });

  it('answers the push actions 404 texts for an unknown vhost, app or stream, and 401 without the token', async () => {
    expect(await stats('/v1/stats/current/vhosts/nohost')).toMatchObject({
      status: 404,
      message: 'Could not find the virtual host: [nohost] (404)',
    });
    expect(await stats('/v1/stats/current/vhosts/default/apps/noapp')).toMatchObject({
      status: 404,
      message: 'Could not find the application: [default/noapp] (404)',
    });
    expect(await stats('/v1/stats/current/vhosts/default/apps/app/streams/none')).toMatchObject({
      status: 404,
      message: 'Could not find the stream: [default/app/none] (404)',
    });
    const unauthorized = await fetch(`http://127.0.0.1:${t.apiPort}/metrics`);
    expect(unauthorized.status).toBe(401);
    const wrong = await runCommand('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-u',
      'prometheus:wrong',
      `http://127.0.0.1:${t.apiPort}/metrics`,
    ]);
    expect(wrong.stdout).toBe('401');
  });
});
