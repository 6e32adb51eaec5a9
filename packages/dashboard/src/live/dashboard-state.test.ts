import { describe, expect, it } from 'vitest';
import { pushRecord } from '../test-support/records.js';
import {
  applyEvent,
  EMPTY_STATE,
  HISTORY_SAMPLES,
  MAX_NOTICES,
  pushKey,
  reduceDashboard,
  sortedPushes,
  sortedStreams,
  streamRefKey,
  type DashboardState,
} from './dashboard-state.js';

const TIME = '2026-12-02T11:20:00.123Z';
const cam = { vhost: 'default', app: 'app', name: 'cam' };
const tracks = [{ id: 0, type: 'video' as const, codec: 'h264' }];

function snapshot(): DashboardState {
  return reduceDashboard(EMPTY_STATE, {
    type: 'snapshot',
    apps: [{ vhost: 'default', app: 'app', pushEnabled: true }],
    streams: [{ ...cam, sourceType: 'rtmp', createdTime: '2026-12-02T11:00:00.000+0000', tracks }],
    pushes: [pushRecord({ id: 'b' }), pushRecord({ id: 'a' })],
  });
}

describe('reduceDashboard / applyEvent', () => {
  it('a snapshot replaces apps, streams and pushes', () => {
    const state = snapshot();
    expect(state.apps).toEqual([{ vhost: 'default', app: 'app', pushEnabled: true }]);
    expect(sortedStreams(state).map((s) => s.name)).toEqual(['cam']);
    expect(sortedPushes(state).map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('push.created / push.state upsert the whole record; push.removed deletes it', () => {
    let state = applyEvent(snapshot(), {
      type: 'push.created',
      time: TIME,
      push: pushRecord({ id: 'c', state: 'ready' }),
    });
    expect(state.pushes.get(pushKey({ vhost: 'default', app: 'app', id: 'c' }))?.state).toBe('ready');
    const pushing = pushRecord({ id: 'c', state: 'pushing', sentBytes: 10 });
    state = applyEvent(state, { type: 'push.state', time: TIME, push: pushing, from: 'connecting', to: 'pushing' });
    expect(state.pushes.get(pushKey(pushing))).toEqual(pushing);
    state = applyEvent(state, { type: 'push.removed', time: TIME, push: pushing });
    expect(sortedPushes(state).map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('keeps pushes of two apps with the same id apart', () => {
    let state = applyEvent(EMPTY_STATE, {
      type: 'push.created',
      time: TIME,
      push: pushRecord({ id: 'x', app: 'one' }),
    });
    state = applyEvent(state, { type: 'push.created', time: TIME, push: pushRecord({ id: 'x', app: 'two' }) });
    expect(sortedPushes(state).map((p) => p.app)).toEqual(['one', 'two']);
  });

  it('stats update push counters and append the input bit rate to the stream chart (bounded)', () => {
    let state = snapshot();
    state = applyEvent(state, {
      type: 'stats',
      time: TIME,
      pushes: [
        { id: 'a', vhost: 'default', app: 'app', state: 'pushing', sentBytes: 5000, bitrate: 2_000_000, sequence: 2 },
        { id: 'unknown', vhost: 'default', app: 'app', sentBytes: 1 },
      ],
      streams: [{ ...cam, bytesIn: 9000, bitrate: 3_000_000 }],
    });
    const a = state.pushes.get(pushKey({ vhost: 'default', app: 'app', id: 'a' }));
    expect(a).toMatchObject({ id: 'a', state: 'pushing', sentBytes: 5000, bitrate: 2_000_000, sequence: 2 });
    expect(state.pushes.size).toBe(2); // stats never invent a push
    expect(state.streams.get(streamRefKey(cam))).toMatchObject({
      bytesIn: 9000,
      bitrate: 3_000_000,
      history: [3_000_000],
    });
    for (let i = 0; i < HISTORY_SAMPLES + 10; i++)
      state = applyEvent(state, { type: 'stats', time: TIME, pushes: [], streams: [{ ...cam, bitrate: i }] });
    const history = state.streams.get(streamRefKey(cam))?.history ?? [];
    expect(history).toHaveLength(HISTORY_SAMPLES);
    expect(history.at(-1)).toBe(HISTORY_SAMPLES + 9);
  });

  it('a reload keeps the chart of a stream that is still the same publication, not of a new one', () => {
    let state = applyEvent(snapshot(), { type: 'stats', time: TIME, pushes: [], streams: [{ ...cam, bitrate: 1000 }] });
    const again = reduceDashboard(state, {
      type: 'snapshot',
      apps: state.apps,
      streams: [{ ...cam, createdTime: '2026-12-02T11:00:00.000+0000', tracks }],
      pushes: [],
    });
    expect(again.streams.get(streamRefKey(cam))?.history).toEqual([1000]);
    const republished = reduceDashboard(state, {
      type: 'snapshot',
      apps: state.apps,
      streams: [{ ...cam, createdTime: '2026-12-02T11:30:00.000+0000', tracks }],
      pushes: [],
    });
    expect(republished.streams.get(streamRefKey(cam))?.history).toEqual([]);
    state = applyEvent(state, { type: 'stream.ended', time: TIME, stream: cam });
    expect(state.streams.size).toBe(0);
  });

  it('stream.published adds a stream; publish.refused adds a notice (newest first, bounded); reset changes nothing', () => {
    let state = applyEvent(EMPTY_STATE, { type: 'stream.published', time: TIME, stream: { ...cam, tracks } });
    expect(sortedStreams(state)[0]).toMatchObject({ name: 'cam', tracks, history: [] });
    for (let i = 0; i < MAX_NOTICES + 2; i++)
      state = applyEvent(state, {
        type: 'publish.refused',
        time: TIME,
        protocol: 'rtmp',
        remote: `10.0.0.${i}:1935`,
        reason: 'Bad signature',
        app: 'app',
        stream: 'x',
      });
    expect(state.notices).toHaveLength(MAX_NOTICES);
    expect(state.notices[0]?.text).toBe(
      `Publish refused (rtmp from 10.0.0.${MAX_NOTICES + 1}:1935) for app/x: Bad signature`,
    );
    expect(applyEvent(state, { type: 'reset', time: TIME })).toBe(state);
  });

  it('our own start/stop answers go in at once; a push the API no longer knows leaves', () => {
    let state = reduceDashboard(snapshot(), { type: 'push', record: pushRecord({ id: 'a', state: 'stopping' }) });
    expect(state.pushes.get(pushKey({ vhost: 'default', app: 'app', id: 'a' }))?.state).toBe('stopping');
    state = reduceDashboard(state, { type: 'pushGone', vhost: 'default', app: 'app', id: 'a' });
    expect(sortedPushes(state).map((p) => p.id)).toEqual(['b']);
  });
});
