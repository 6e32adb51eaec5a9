/**
 * The dashboard's model and how it changes: a snapshot loaded through the REST API,
 * then events applied in order (the README's "Event stream" section). Pure functions over immutable values,
 * so the view re-renders from `state` alone and the rules are unit-tested without a DOM.
 */
import type { PushRecord, StreamDetail, StreamTrack } from '../api/api-types.js';
import type { PushStats, ServerEvent } from './server-events.js';

/** Input bit-rate samples kept per stream: 150 × 2 s stats = the last 5 minutes. */
export const HISTORY_SAMPLES = 150;
/** Publish refusals kept for the notices list. */
export const MAX_NOTICES = 10;

/** An application of a virtual host. */
export interface AppRef {
  vhost: string;
  app: string;
  /** False when the API answers that Push is not enabled for it. */
  pushEnabled: boolean;
}

/** A live stream with its recent input bit rate. */
export interface LiveStream {
  vhost: string;
  app: string;
  name: string;
  sourceType?: string;
  createdTime?: string;
  tracks: StreamTrack[];
  bytesIn?: number;
  /** Latest input bit rate (bit/s). */
  bitrate?: number;
  /** Input bit rate samples (bit/s), oldest first, at most HISTORY_SAMPLES. */
  history: number[];
}

/** Something worth telling that is not a row (a refused publisher). */
export interface Notice {
  time: string;
  text: string;
}

/** Everything the dashboard shows. */
export interface DashboardState {
  apps: AppRef[];
  streams: ReadonlyMap<string, LiveStream>;
  pushes: ReadonlyMap<string, PushRecord>;
  notices: Notice[];
}

/** A stream from the REST snapshot, with where it lives. */
export interface SnapshotStream extends StreamDetail {
  vhost: string;
  app: string;
}

/** What changes the state. */
export type DashboardAction =
  | { type: 'snapshot'; apps: AppRef[]; streams: SnapshotStream[]; pushes: PushRecord[] }
  | { type: 'event'; event: ServerEvent }
  /** A record the API answered to our own startPush/stopPush. */
  | { type: 'push'; record: PushRecord }
  | { type: 'pushGone'; vhost: string; app: string; id: string };

/** The state before anything is loaded. */
export const EMPTY_STATE: DashboardState = { apps: [], streams: new Map(), pushes: new Map(), notices: [] };

/** Map key of a stream. */
export const streamRefKey = (s: { vhost: string; app: string; name: string }): string =>
  `${s.vhost}\u0000${s.app}\u0000${s.name}`;
/** Map key of a push (ids are per application in the API's paths). */
export const pushKey = (p: { vhost: string; app: string; id: string }): string =>
  `${p.vhost}\u0000${p.app}\u0000${p.id}`;

/** Applies one action. */
export function reduceDashboard(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'snapshot':
      return applySnapshot(state, action);
    case 'push':
      return withPushes(state, (pushes) => pushes.set(pushKey(action.record), action.record));
    case 'pushGone':
      return withPushes(state, (pushes) => pushes.delete(pushKey(action)));
    case 'event':
      return applyEvent(state, action.event);
  }
}

/** Applies one server event. `reset` changes nothing here: the caller reloads a snapshot. */
export function applyEvent(state: DashboardState, event: ServerEvent): DashboardState {
  switch (event.type) {
    case 'push.created':
    case 'push.state':
      return withPushes(state, (pushes) => pushes.set(pushKey(event.push), event.push));
    case 'push.removed':
      return withPushes(state, (pushes) => pushes.delete(pushKey(event.push)));
    case 'stream.published': {
      const key = streamRefKey(event.stream);
      const history = state.streams.get(key)?.history ?? [];
      return withStreams(state, (streams) => streams.set(key, { ...event.stream, history }));
    }
    case 'stream.ended':
      return withStreams(state, (streams) => streams.delete(streamRefKey(event.stream)));
    case 'publish.refused': {
      const where = [event.vhost, event.app, event.stream].filter((s) => s !== undefined).join('/');
      const text = `Publish refused (${event.protocol || 'unknown protocol'}${event.remote ? ` from ${event.remote}` : ''})${where ? ` for ${where}` : ''}: ${event.reason}`;
      return { ...state, notices: [{ time: event.time, text }, ...state.notices].slice(0, MAX_NOTICES) };
    }
    case 'stats':
      return applyStats(state, event.pushes, event.streams);
    case 'reset':
      return state;
  }
}

function applySnapshot(
  state: DashboardState,
  snapshot: Extract<DashboardAction, { type: 'snapshot' }>,
): DashboardState {
  const streams = new Map<string, LiveStream>();
  for (const s of snapshot.streams) {
    const key = streamRefKey(s);
    const before = state.streams.get(key);
    const stream: LiveStream = { vhost: s.vhost, app: s.app, name: s.name, tracks: s.tracks, history: [] };
    if (s.sourceType !== undefined) stream.sourceType = s.sourceType;
    if (s.createdTime !== undefined) stream.createdTime = s.createdTime;
    // a stream still live after a reload keeps its chart
    if (before !== undefined && before.createdTime === s.createdTime) {
      stream.history = before.history;
      if (before.bitrate !== undefined) stream.bitrate = before.bitrate;
      if (before.bytesIn !== undefined) stream.bytesIn = before.bytesIn;
    }
    streams.set(key, stream);
  }
  const pushes = new Map<string, PushRecord>();
  for (const record of snapshot.pushes) {
    const before = state.pushes.get(pushKey(record));
    // the REST record may not carry bitrate yet; keep the last one the stats gave
    pushes.set(
      pushKey(record),
      record.bitrate === undefined && before?.bitrate !== undefined ? { ...record, bitrate: before.bitrate } : record,
    );
  }
  return { ...state, apps: snapshot.apps, streams, pushes };
}

function applyStats(
  state: DashboardState,
  pushStats: readonly PushStats[],
  streamStats: ReadonlyArray<{ vhost: string; app: string; name: string; bytesIn?: number; bitrate?: number }>,
): DashboardState {
  const pushes = new Map(state.pushes);
  for (const stats of pushStats) {
    const key = pushKey(stats);
    const record = pushes.get(key);
    if (record === undefined) continue; // a push.created will bring the whole record
    const { id: _id, vhost: _vhost, app: _app, ...counters } = stats;
    pushes.set(key, { ...record, ...counters });
  }
  const streams = new Map(state.streams);
  for (const stats of streamStats) {
    const key = streamRefKey(stats);
    const stream = streams.get(key);
    if (stream === undefined) continue;
    const next: LiveStream = { ...stream };
    if (stats.bytesIn !== undefined) next.bytesIn = stats.bytesIn;
    if (stats.bitrate !== undefined) {
      next.bitrate = stats.bitrate;
      next.history = [...stream.history, stats.bitrate].slice(-HISTORY_SAMPLES);
    }
    streams.set(key, next);
  }
  return { ...state, pushes, streams };
}

function withPushes(state: DashboardState, change: (pushes: Map<string, PushRecord>) => unknown): DashboardState {
  const pushes = new Map(state.pushes);
  change(pushes);
  return { ...state, pushes };
}

function withStreams(state: DashboardState, change: (streams: Map<string, LiveStream>) => unknown): DashboardState {
  const streams = new Map(state.streams);
  change(streams);
  return { ...state, streams };
}

/** Pushes in display order: vhost, app, id. */
export function sortedPushes(state: DashboardState): PushRecord[] {
  return [...state.pushes.values()].sort((a, b) => compare(pushKey(a), pushKey(b)));
}

/** Streams in display order: vhost, app, name. */
export function sortedStreams(state: DashboardState): LiveStream[] {
  return [...state.streams.values()].sort((a, b) => compare(streamRefKey(a), streamRefKey(b)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
