import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/api-client.js';
import type { PushRecord } from '../api/api-types.js';
import { envelope, eventStreamResponse, ManualTimers, settle, type OpenStream } from '../test-support/fake-server.js';
import { pushRecord } from '../test-support/records.js';
import { DashboardController } from './dashboard-controller.js';
import { sortedPushes, sortedStreams } from './dashboard-state.js';

const frame = (id: number, type: string, data: Record<string, unknown>): string =>
  `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ type, time: '2026-12-02T11:20:00.000Z', ...data })}\n\n`;

/** A fake server: REST answers from `routes`, `/v1/events` as an open stream (or `events` answer). */
function setup(
  options: { events?: () => Response; pushes?: () => Promise<Response>; stop?: () => Promise<Response> } = {},
) {
  const streams: OpenStream[] = [];
  const restCalls: string[] = [];
  let pushes: PushRecord[] = [pushRecord({ id: 'p1', state: 'connecting' })];
  const routes: Record<string, () => Response | Promise<Response>> = {
    '/v1/vhosts': () => envelope(200, 'OK', ['default']),
    '/v1/vhosts/default/apps': () => envelope(200, 'OK', ['app', 'nopush']),
    '/v1/vhosts/default/apps/app/streams': () => envelope(200, 'OK', ['cam', 'gone']),
    '/v1/vhosts/default/apps/app/streams/cam': () =>
      envelope(200, 'OK', { name: 'cam', sourceType: 'rtmp', tracks: [{ id: 0, type: 'video', codec: 'h264' }] }),
    '/v1/vhosts/default/apps/app/streams/gone': () =>
      envelope(404, 'Could not find the stream: [default/app/gone] (404)'),
    '/v1/vhosts/default/apps/app:pushes': () => options.pushes?.() ?? envelope(200, 'OK', pushes),
    '/v1/vhosts/default/apps/nopush/streams': () => envelope(200, 'OK', []),
    '/v1/vhosts/default/apps/nopush:pushes': () =>
      envelope(404, 'Push is not enabled for the application: [default/nopush] (404)'),
    '/v1/vhosts/default/apps/app:startPush': () =>
      envelope(200, 'OK', [pushRecord({ id: 'new', state: 'connecting' })]),
    '/v1/vhosts/default/apps/app:stopPush': () =>
      options.stop?.() ?? envelope(404, 'There is no push information related to the ID [p1] (404)'),
  };
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (url === '/v1/events') {
      if (options.events !== undefined) return options.events();
      const { response, stream } = eventStreamResponse(init);
      streams.push(stream);
      return response;
    }
    restCalls.push(url);
    const route = routes[url];
    return route === undefined ? envelope(404, 'Controller not found (404)') : route();
  };
  const controller = new DashboardController({
    api: new ApiClient('token', '', fetch),
    eventStream: { fetch, timers: new ManualTimers() },
  });
  return {
    controller,
    streams,
    restCalls,
    setPushes: (next: PushRecord[]) => (pushes = next),
    view: () => controller.current,
  };
}

/** A controller started against the fake server, its first snapshot loaded. */
async function started(options: Parameters<typeof setup>[0] = {}) {
  const t = setup(options);
  t.controller.start();
  await settle();
  await settle();
  return t;
}

describe('DashboardController', () => {
  it('loads the snapshot when the event stream opens: apps (push enabled or not), live streams, pushes', async () => {
    const t = await started();
    const { state, status } = t.view();
    expect(state.apps).toEqual([
      { vhost: 'default', app: 'app', pushEnabled: true },
      { vhost: 'default', app: 'nopush', pushEnabled: false },
    ]);
    expect(sortedStreams(state).map((s) => s.name)).toEqual(['cam']); // `gone` ended between list and detail
    expect(sortedPushes(state).map((p) => [p.id, p.state])).toEqual([['p1', 'connecting']]);
    expect(status).toMatchObject({ loading: false, loadError: '', live: { kind: 'open' } });
    t.controller.stop();
  });

  it('events during the load are applied after the snapshot, in order; later ones at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = setup({
      pushes: async () => {
        await gate;
        return envelope(200, 'OK', [pushRecord({ id: 'p1', state: 'connecting' })]);
      },
    });
    t.controller.start();
    await settle();
    t.streams[0]?.send(
      frame(1, 'push.state', { push: pushRecord({ id: 'p1', state: 'pushing' }), from: 'connecting', to: 'pushing' }),
    );
    await settle();
    expect(t.view().state.pushes.size).toBe(0); // held back until the snapshot is in
    release();
    await settle();
    await settle();
    expect(sortedPushes(t.view().state).map((p) => p.state)).toEqual(['pushing']);
    t.streams[0]?.send(frame(2, 'push.removed', { push: pushRecord({ id: 'p1', state: 'stopped' }) }));
    await settle();
    expect(t.view().state.pushes.size).toBe(0);
    t.controller.stop();
  });

  it('a reset event reloads everything through the REST API', async () => {
    const t = await started();
    t.setPushes([pushRecord({ id: 'p2', state: 'pushing' })]);
    const before = t.restCalls.length;
    t.streams[0]?.send('event: reset\ndata: {"type":"reset","time":"2026-12-02T11:20:00.000Z"}\n\n');
    await settle();
    await settle();
    expect(t.restCalls.length).toBeGreaterThan(before);
    expect(sortedPushes(t.view().state).map((p) => p.id)).toEqual(['p2']);
    t.controller.stop();
  });

  it('a server without /v1/events still shows its snapshot, once (no polling)', async () => {
    const t = setup({ events: () => envelope(404, 'Controller not found (404)') });
    t.controller.start();
    await settle();
    await settle();
    expect(t.view().status.live).toEqual({
      kind: 'unavailable',
      message: 'This server has no event stream: Controller not found (404)',
    });
    expect(sortedPushes(t.view().state).map((p) => p.id)).toEqual(['p1']);
    const calls = t.restCalls.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(t.restCalls.length).toBe(calls);
  });

  it('a refused token ends the session with the API message', async () => {
    const t = setup({ events: () => envelope(401, 'Invalid access token (401)') });
    t.controller.start();
    await settle();
    expect(t.view().status.unauthorized).toBe('Invalid access token (401)');
  });

  it('our start answer shows at once; a stop answered 404 removes the row and rejects with the message', async () => {
    const t = await started();
    await t.controller.startPush('default', 'app', {
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://x/y',
      streamKey: 'k',
    });
    expect(sortedPushes(t.view().state).map((p) => p.id)).toEqual(['new', 'p1']);
    await expect(t.controller.stopPush({ vhost: 'default', app: 'app', id: 'p1' })).rejects.toThrow(
      'There is no push information related to the ID [p1] (404)',
    );
    expect(sortedPushes(t.view().state).map((p) => p.id)).toEqual(['new']);
    t.controller.stop();
  });

  it('with live events, a stop answer arriving after push.removed does not bring the row back', async () => {
    let answer!: (r: Response) => void;
    const t = await started({ stop: () => new Promise<Response>((resolve) => (answer = resolve)) });
    const stopping = t.controller.stopPush({ vhost: 'default', app: 'app', id: 'p1' });
    await settle();
    t.streams[0]?.send(frame(5, 'push.removed', { push: pushRecord({ id: 'p1', state: 'stopped' }) }));
    await settle();
    answer(envelope(200, 'OK', [pushRecord({ id: 'p1', state: 'stopping' })]));
    await stopping;
    expect(t.view().state.pushes.size).toBe(0);
    t.controller.stop();
  });

  it('a start answer does not overwrite what the push.created / push.state events already told', async () => {
    const t = await started();
    t.streams[0]?.send(
      frame(6, 'push.state', { push: pushRecord({ id: 'new', state: 'pushing' }), from: 'connecting', to: 'pushing' }),
    );
    await settle();
    await t.controller.startPush('default', 'app', {
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url: 'rtmp://x/y',
      streamKey: 'k',
    });
    expect(sortedPushes(t.view().state).find((p) => p.id === 'new')?.state).toBe('pushing');
    t.controller.stop();
  });
});
