import { describe, expect, it } from 'vitest';
import { envelope, eventStreamResponse, ManualTimers, settle, type OpenStream } from '../test-support/fake-server.js';
import { EventStreamClient, type EventStreamStatus } from './event-stream.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import type { SseEvent } from './sse-parser.js';

/** A client against a fake fetch: each request answers with `answers.shift()` or an open stream. */
function setup(answers: Array<(init: RequestInit) => Response | Promise<Response>> = []) {
  const timers = new ManualTimers();
  const events: SseEvent[] = [];
  const statuses: EventStreamStatus[] = [];
  const opens: boolean[] = [];
  const streams: OpenStream[] = [];
  const requests: { url: string; init: RequestInit }[] = [];
  const client = new EventStreamClient({
    url: '/v1/events',
    authorization: 'Basic dG9rZW4=',
    timers,
    backoff: new ReconnectBackoff({ initialMs: 1000, maxMs: 8000, jitter: 0 }),
    idleTimeoutMs: 45_000,
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onOpen: ({ resumed }) => opens.push(resumed),
    fetch: (url, init) => {
      requests.push({ url, init });
      const answer = answers.shift();
      if (answer !== undefined) return Promise.resolve(answer(init));
      const { response, stream } = eventStreamResponse(init);
      streams.push(stream);
      return Promise.resolve(response);
    },
  });
  return { client, timers, events, statuses, opens, streams, requests, kinds: () => statuses.map((s) => s.kind) };
}

describe('EventStreamClient', () => {
  it('reads the stream with fetch and the Authorization header, never the token in the url', async () => {
    const t = setup();
    t.client.start();
    await settle();
    expect(t.requests).toHaveLength(1);
    const request = t.requests[0];
    expect(request?.url).toBe('/v1/events');
    expect(request?.init.headers).toEqual({ authorization: 'Basic dG9rZW4=', accept: 'text/event-stream' });
    expect(request?.init.credentials).toBe('omit');
    t.streams[0]?.send('id: 1\nevent: push.created\ndata: {"x":1}\n\n');
    await settle();
    expect(t.events).toEqual([{ type: 'push.created', data: '{"x":1}', lastEventId: '1' }]);
    expect(t.kinds()).toEqual(['connecting', 'open']);
    expect(t.opens).toEqual([false]);
    t.client.stop();
  });

  it('reconnects by itself after the server closes, resuming with Last-Event-ID', async () => {
    const t = setup();
    t.client.start();
    await settle();
    t.streams[0]?.send('id: 41\ndata: a\n\nid: 42\ndata: b\n\n');
    t.streams[0]?.close();
    await settle();
    expect(t.statuses.at(-1)).toEqual({
      kind: 'waiting',
      retryInMs: 1000,
      reason: 'the server closed the event stream',
    });
    t.timers.fire(1000);
    await settle();
    expect(t.requests).toHaveLength(2);
    expect(t.requests[1]?.init.headers).toMatchObject({ 'last-event-id': '42' });
    expect(t.opens).toEqual([false, true]);
    expect(t.client.resumeId).toBe('42');
    t.client.stop();
  });

  it('backs off while the server is unreachable, and starts over once data flows', async () => {
    const down = () => {
      throw new TypeError('Failed to fetch');
    };
    const t = setup([down, down, down]);
    t.client.start();
    await settle();
    expect(t.timers.delays()).toEqual([1000]);
    t.timers.fire();
    await settle();
    expect(t.timers.delays()).toEqual([2000]);
    t.timers.fire();
    await settle();
    expect(t.timers.delays()).toEqual([4000]);
    expect(t.statuses.at(-1)).toMatchObject({ kind: 'waiting', reason: 'cannot reach the server (Failed to fetch)' });
    t.timers.fire();
    await settle();
    t.streams[0]?.send(': heartbeat\n\n');
    t.streams[0]?.close();
    await settle();
    expect(t.timers.delays().filter((d) => d !== 45_000)).toEqual([1000]);
    t.client.stop();
  });

  it("honours Retry-After and the server's retry field", async () => {
    const t = setup([() => envelope(503, 'Busy (503)', undefined, { 'retry-after': '5' })]);
    t.client.start();
    await settle();
    expect(t.timers.delays()).toEqual([5000]);
    t.timers.fire();
    await settle();
    t.streams[0]?.send('retry: 3000\n\n');
    t.streams[0]?.close();
    await settle();
    expect(t.timers.delays()).toEqual([3000]);
    t.client.stop();
  });

  it('treats a silent connection as dead: no byte for the idle timeout → reconnect', async () => {
    const t = setup();
    t.client.start();
    await settle();
    expect(t.timers.delays()).toEqual([45_000]);
    t.timers.fire(45_000);
    await settle();
    expect(t.streams[0]?.aborted()).toBe(true);
    expect(t.statuses.at(-1)).toEqual({ kind: 'waiting', retryInMs: 1000, reason: 'no data for 45 s' });
    t.timers.fire(1000);
    await settle();
    expect(t.requests).toHaveLength(2);
    t.client.stop();
  });

  it('stops for good on 401 (with the API message) and on 404 (no event stream on this server)', async () => {
    const refused = setup([() => envelope(401, 'Invalid access token (401)')]);
    refused.client.start();
    await settle();
    expect(refused.statuses.at(-1)).toEqual({ kind: 'unauthorized', message: 'Invalid access token (401)' });
    expect(refused.timers.delays()).toEqual([]);

    const missing = setup([() => envelope(404, 'Controller not found (404)')]);
    missing.client.start();
    await settle();
    expect(missing.statuses.at(-1)).toEqual({
      kind: 'unavailable',
      message: 'This server has no event stream: Controller not found (404)',
    });
    expect(missing.timers.delays()).toEqual([]);
  });

  it('retries an answer that is not an event stream', async () => {
    const t = setup([() => new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } })]);
    t.client.start();
    await settle();
    expect(t.statuses.at(-1)).toEqual({
      kind: 'waiting',
      retryInMs: 1000,
      reason: 'the server answered not an event stream (text/html)',
    });
    t.client.stop();
  });

  it('stop() closes the connection and no timer brings it back', async () => {
    const t = setup();
    t.client.start();
    await settle();
    t.client.stop();
    await settle();
    expect(t.streams[0]?.aborted()).toBe(true);
    expect(t.kinds().at(-1)).toBe('stopped');
    expect(t.timers.delays()).toEqual([]);
    expect(t.requests).toHaveLength(1);
  });
});
