/**
 * `/v1/events` against a running server, read by a real EventSource client (the
 * `eventsource` package: WHATWG parsing, reconnection, Last-Event-ID) and by raw
 * sockets for the bounds (heartbeat, slow reader).
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { TrackInfo } from '@sluice/media';
import { createApiHandler, createNodeHandler } from '@sluice/http';
import { waitFor } from '@sluice/test-support';
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TOKEN, type TestServer } from '../e2e/harness.js';
import { ServerCatalogue } from '../hub/server-catalogue.js';
import { StreamHub } from '../hub/stream-hub.js';
import { VirtualHostTable } from '../hub/virtual-host-table.js';
import { EventBus } from './event-bus.js';
import { publishRefusedEvent, SLUICE_EVENT_TYPES } from './server-events.js';

const VIDEO_TRACK: TrackInfo = { id: 0, kind: 'video', codec: 'h264', timescale: 1000, width: 640, height: 360 };
const BASIC = `Basic ${Buffer.from(TOKEN).toString('base64')}`;
const APP = '/v1/vhosts/default/apps/app';

interface Received {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** An EventSource on the server that records every named event it gets. */
function openEvents(url: string, init: { header?: boolean; lastEventId?: string } = {}) {
  const received: Received[] = [];
  const errors: Array<{ code: number | undefined; message: string | undefined }> = [];
  const source = new EventSource(url, {
    fetch: (input, options) => {
      const headers = new Headers(options?.headers);
      if (init.header === true) headers.set('authorization', BASIC);
      if (init.lastEventId !== undefined && !headers.has('last-event-id'))
        headers.set('last-event-id', init.lastEventId);
      return fetch(input, { ...options, headers });
    },
  });
  for (const type of [...SLUICE_EVENT_TYPES, 'reset'])
    source.addEventListener(type, (e: { data: string; lastEventId: string }) =>
      received.push({ type, id: e.lastEventId, data: JSON.parse(e.data) as Record<string, unknown> }),
    );
  source.addEventListener('error', (e) => errors.push({ code: e.code, message: e.message }));
  const opened = new Promise<void>((resolve) => source.addEventListener('open', () => resolve(), { once: true }));
  return { source, received, errors, opened, types: () => received.map((r) => r.type) };
}

describe('GET /v1/events on a running server', () => {
  let t: TestServer;
  const sources: EventSource[] = [];
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterEach(() => {
    for (const s of sources.splice(0)) s.close();
  });
  afterAll(() => t.close());
  const url = (query = ''): string => `http://127.0.0.1:${t.apiPort}/v1/events${query}`;

  it('sends push.created, push.state and push.removed with the whole record, and stream.published/ended', async () => {
    const events = openEvents(url(), { header: true });
    sources.push(events.source);
    await events.opened;
    const started = await t.api('POST', `${APP}:startPush`, {
      id: 'ev-1',
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:1/live',
      streamKey: 'k',
    });
    expect(started.status).toBe(200);
    await waitFor(() => events.types().includes('push.created'), 10_000, 'push.created');
    const created = events.received.find((r) => r.type === 'push.created') as Received;
    expect(created.data).toMatchObject({
      type: 'push.created',
      push: { id: 'ev-1', state: 'ready', vhost: 'default' },
    });
    expect(created.data['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
    expect(created.id).toMatch(/^[0-9a-z]+-\d+$/);

    const publication = t.server.hub.publish({ vhost: 'default', app: 'app', name: 'cam' }, 'rtmp');
    publication.setTracks([VIDEO_TRACK]);
    await waitFor(() => events.types().includes('stream.published'), 10_000, 'stream.published');
    await waitFor(() => events.types().includes('push.state'), 10_000, 'push.state');
    const state = events.received.find((r) => r.type === 'push.state') as Received;
    expect(state.data).toMatchObject({ from: 'ready', push: { id: 'ev-1' } });
    expect((state.data['push'] as { state: string }).state).toBe(state.data['to']);
    publication.end();
    await waitFor(() => events.types().includes('stream.ended'), 10_000, 'stream.ended');
    expect(events.received.find((r) => r.type === 'stream.ended')?.data).toMatchObject({
      stream: { vhost: 'default', app: 'app', name: 'cam', bytesIn: 0, packetsIn: 0 },
    });

    await t.api('POST', `${APP}:stopPush`, { id: 'ev-1' });
    await waitFor(() => events.types().includes('push.removed'), 10_000, 'push.removed');
    expect(events.received.find((r) => r.type === 'push.removed')?.data).toMatchObject({ push: { id: 'ev-1' } });
    // ids increase by one per event, in order
    const numbers = events.received.map((r) => Number(r.id.split('-')[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('accepts ?token= (EventSource cannot set headers) and carries emitEvent publish.refused', async () => {
    const events = openEvents(url(`?token=${encodeURIComponent(TOKEN)}`));
    sources.push(events.source);
    await events.opened;
    const refusal = {
      vhost: 'default',
      app: 'app',
      stream: 'x',
      protocol: 'rtmp',
      reason: 'Signed policy expired',
      remote: '10.0.0.7:50000',
    };
    t.server.emitEvent({ type: 'publishRefused', ...refusal });
    await waitFor(() => events.types().includes('publish.refused'), 10_000, 'publish.refused');
    expect(events.received[0]?.data).toMatchObject({ type: 'publish.refused', ...refusal });
  });

  it('replays what a reader missed after its Last-Event-ID, and sends reset with the current position when it is lost', async () => {
    const mark = t.server.eventBus.position();
    for (const reason of ['one', 'two', 'three'])
      t.server.emitEvent({
        type: 'publishRefused',
        vhost: '',
        app: '',
        stream: '',
        protocol: 'srt',
        reason,
        remote: '',
      });
    const resumed = openEvents(url(), { header: true, lastEventId: mark });
    sources.push(resumed.source);
    await waitFor(() => resumed.received.length >= 3, 10_000, 'three replayed events');
    expect(resumed.received.map((r) => r.data['reason'])).toEqual(['one', 'two', 'three']);
    expect(resumed.received[2]?.id).toBe(t.server.eventBus.position());

    const lost = openEvents(url(), { header: true, lastEventId: 'zz0-17' });
    sources.push(lost.source);
    await waitFor(() => lost.types().includes('reset'), 10_000, 'reset');
    expect(lost.received[0]).toMatchObject({ type: 'reset', id: t.server.eventBus.position() });
    expect(lost.received[0]?.data).toMatchObject({ type: 'reset', lastEventId: 'zz0-17' });
  });

  it('answers 401 with the envelope for a missing or wrong token (header or query)', async () => {
    for (const [query, headers] of [
      ['', {}],
      ['?token=wrong', {}],
      ['', { authorization: 'Basic d3Jvbmc=' }],
      ['?token=', {}],
    ] as const) {
      const answer = await fetch(url(query), { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Sluice"');
      const body = (await answer.json()) as { message: string };
      expect(body.message).toMatch(/\(401\)$/);
    }
  });

  it('answers with the SSE headers and a retry field first', async () => {
    const controller = new AbortController();
    const answer = await fetch(url(), { headers: { authorization: BASIC }, signal: controller.signal });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^retry: \d+\n\n/);
    controller.abort();
  });
});

describe('the event stream bounds', () => {
  let http: Server;
  let port: number;
  const bus = new EventBus({ historySize: 50 });
  const dropped: number[] = [];
  beforeAll(async () => {
    const catalogue = new ServerCatalogue(new VirtualHostTable([]), new StreamHub());
    const handler = createApiHandler({
      push: { startPush: () => ({}) as never, stopPush: () => ({}) as never, listPushes: () => [] },
      protocols: [],
      catalogue,
      accessToken: TOKEN,
      version: '0',
      events: {
        since: (id) => bus.since(id),
        position: () => bus.position(),
        subscribe: (l) => bus.subscribe(l),
        readerDropped: (info) => dropped.push(info.bufferedBytes),
      },
      eventStream: { heartbeatMs: 100, maxBufferedBytes: 256 * 1024 },
    });
    http = createServer(createNodeHandler(handler));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });

  const rawRequest = `GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${BASIC}\r\n\r\n`;

  it('sends a heartbeat comment while nothing happens', async () => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.write(rawRequest);
    await waitFor(() => text.split(': heartbeat\n\n').length > 2, 10_000, 'two heartbeats');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    socket.destroy();
  });

  it('drops a reader that does not read once its unread output passes the bound, and keeps the others', async () => {
    await waitFor(() => bus.subscriberCount === 0, 10_000, 'earlier readers gone');
    const slow = connect(port, '127.0.0.1');
    slow.write(rawRequest);
    slow.pause(); // reads nothing: the kernel buffers fill, then the server's queue grows
    let closed = false;
    slow.on('close', () => (closed = true));
    const fast = connect(port, '127.0.0.1');
    let fastBytes = 0;
    fast.on('data', (d: Buffer) => (fastBytes += d.byteLength));
    fast.write(rawRequest);
    await waitFor(() => bus.subscriberCount === 2, 10_000, 'two readers');
    const reason = 'x'.repeat(16 * 1024);
    // up to 64 MiB of events: far past the kernel buffers of both ends and the 256 KiB bound
    for (let i = 0; i < 4096 && dropped.length === 0; i++) {
      bus.publish(
        publishRefusedEvent({
          type: 'publishRefused',
          vhost: '',
          app: '',
          stream: '',
          protocol: 'rtmp',
          reason,
          remote: '',
        }),
      );
      await new Promise((resolve) => setImmediate(resolve)); // one event per turn, as events happen
    }
    await waitFor(() => dropped.length === 1, 10_000, 'the slow reader dropped');
    slow.resume(); // now it reads: what was queued is gone, the connection ends
    await waitFor(() => closed, 10_000, 'the slow reader closed');
    expect(dropped[0]).toBeGreaterThan(256 * 1024);
    expect(bus.subscriberCount).toBe(1);
    expect(bus.droppedReaders).toBe(0); // the handler's own readerDropped was given, not the bus's
    expect(fastBytes).toBeGreaterThan(1024 * 1024);
    fast.destroy();
    slow.destroy();
  });
});
