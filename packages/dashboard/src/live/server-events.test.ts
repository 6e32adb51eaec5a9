import { describe, expect, it } from 'vitest';
import { pushRecord, sse } from '../test-support/records.js';
import { parseServerEvent } from './server-events.js';

describe('parseServerEvent', () => {
  it('reads push events with their record', () => {
    const push = pushRecord({ state: 'pushing' });
    expect(parseServerEvent(sse('push.created', { push }))).toEqual({
      type: 'push.created',
      time: '2026-12-02T11:20:00.123Z',
      push,
    });
    expect(parseServerEvent(sse('push.state', { push, from: 'connecting', to: 'pushing' }))).toMatchObject({
      type: 'push.state',
      from: 'connecting',
      to: 'pushing',
    });
    expect(
      parseServerEvent(sse('push.state', { push, from: 'pushing', to: 'error', error: 'Connection reset' })),
    ).toMatchObject({
      error: 'Connection reset',
    });
    expect(parseServerEvent(sse('push.removed', { push }))).toMatchObject({ type: 'push.removed', push });
  });

  it('reads stream events, keeping only their known fields', () => {
    const stream = {
      vhost: 'default',
      app: 'app',
      name: 'cam',
      sourceType: 'rtmp',
      createdTime: '2026-12-02T11:20:00.000+0000',
      tracks: [{ id: 0, type: 'video', codec: 'h264', width: 1280, height: 720 }, 'junk'],
    };
    expect(parseServerEvent(sse('stream.published', { stream }))).toEqual({
      type: 'stream.published',
      time: '2026-12-02T11:20:00.123Z',
      stream: { ...stream, tracks: [stream.tracks[0]] },
    });
    expect(
      parseServerEvent(
        sse('stream.ended', { stream: { vhost: 'default', app: 'app', name: 'cam', bytesIn: 10, packetsIn: -1 } }),
      ),
    ).toEqual({
      type: 'stream.ended',
      time: '2026-12-02T11:20:00.123Z',
      stream: { vhost: 'default', app: 'app', name: 'cam', bytesIn: 10 },
    });
  });

  it('reads stats, dropping entries without their keys and counters that are not counts', () => {
    const event = parseServerEvent(
      sse('stats', {
        pushes: [
          {
            id: 'p1',
            vhost: 'default',
            app: 'app',
            state: 'pushing',
            sentBytes: 100,
            bitrate: 2_000_000,
            sequence: 1,
            sentTime: 'x',
          },
          { vhost: 'default', app: 'app' },
        ],
        streams: [{ vhost: 'default', app: 'app', name: 'cam', bytesIn: 5, bitrate: 3_000_000 }, { name: 'no-vhost' }],
      }),
    );
    expect(event).toEqual({
      type: 'stats',
      time: '2026-12-02T11:20:00.123Z',
      pushes: [
        { id: 'p1', vhost: 'default', app: 'app', state: 'pushing', sentBytes: 100, bitrate: 2_000_000, sequence: 1 },
      ],
      streams: [{ vhost: 'default', app: 'app', name: 'cam', bytesIn: 5, bitrate: 3_000_000 }],
    });
  });

  it('reads publish.refused and reset (also a bare `event: reset` without data)', () => {
    expect(
      parseServerEvent(
        sse('publish.refused', { protocol: 'rtmp', remote: '10.0.0.1:5000', reason: 'Unknown application', app: 'x' }),
      ),
    ).toEqual({
      type: 'publish.refused',
      time: '2026-12-02T11:20:00.123Z',
      protocol: 'rtmp',
      remote: '10.0.0.1:5000',
      reason: 'Unknown application',
      app: 'x',
    });
    expect(parseServerEvent(sse('reset', {}))).toEqual({ type: 'reset', time: '2026-12-02T11:20:00.123Z' });
    expect(parseServerEvent({ type: 'reset', data: '', lastEventId: '' })).toEqual({ type: 'reset', time: '' });
  });

  it('answers null for what it does not understand instead of trusting it', () => {
    expect(parseServerEvent({ type: 'message', data: 'not json', lastEventId: '' })).toBeNull();
    expect(parseServerEvent({ type: 'message', data: '[1,2]', lastEventId: '' })).toBeNull();
    expect(parseServerEvent(sse('push.created', { push: { id: 1 } }))).toBeNull();
    expect(parseServerEvent(sse('stream.published', { stream: { name: 'x' } }))).toBeNull();
    expect(parseServerEvent(sse('something.new', {}))).toBeNull();
  });
});
