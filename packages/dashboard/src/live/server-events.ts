/**
 * The events of `/v1/events` (the README's "Event stream" section) as typed values. Every event's data is
 * JSON with `type` and `time`; parseServerEvent checks the fields the dashboard reads
 * and answers null for anything else (an unknown type, a malformed record), which the
 * dashboard ignores rather than trusts.
 */
import type { PushRecord, PushState, StreamTrack } from '../api/api-types.js';
import type { SseEvent } from './sse-parser.js';

/** A push's counters in a `stats` event. */
export interface PushStats {
  id: string;
  vhost: string;
  app: string;
  state?: PushState;
  sentBytes?: number;
  totalsentBytes?: number;
  sentTime?: number;
  bitrate?: number;
  droppedFrames?: number;
  sequence?: number;
}

/** A stream's counters in a `stats` event. */
export interface StreamStats {
  vhost: string;
  app: string;
  name: string;
  bytesIn?: number;
  /** bit/s over the last few seconds. */
  bitrate?: number;
}

/** A stream as `stream.published` carries it. */
export interface PublishedStream {
  vhost: string;
  app: string;
  name: string;
  sourceType?: string;
  tracks: StreamTrack[];
  createdTime?: string;
}

/** One event of the stream. */
export type ServerEvent =
  | { type: 'push.created'; time: string; push: PushRecord }
  | { type: 'push.state'; time: string; push: PushRecord; from: PushState | null; to: PushState; error?: string }
  | { type: 'push.removed'; time: string; push: PushRecord }
  | { type: 'stream.published'; time: string; stream: PublishedStream }
  | {
      type: 'stream.ended';
      time: string;
      stream: { vhost: string; app: string; name: string; bytesIn?: number; packetsIn?: number };
    }
  | {
      type: 'publish.refused';
      time: string;
      vhost?: string;
      app?: string;
      stream?: string;
      protocol: string;
      remote: string;
      reason: string;
    }
  | { type: 'stats'; time: string; pushes: PushStats[]; streams: StreamStats[] }
  | { type: 'reset'; time: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isPushRecord(v: unknown): v is PushRecord {
  return (
    isObject(v) &&
    isString(v['id']) &&
    isString(v['vhost']) &&
    isString(v['app']) &&
    isString(v['state']) &&
    isObject(v['stream']) &&
    isString(v['stream']['name'])
  );
}

function isStreamRef(v: unknown): v is { vhost: string; app: string; name: string } & Json {
  return isObject(v) && isString(v['vhost']) && isString(v['app']) && isString(v['name']);
}

/** Keeps the listed numeric fields that are counts. */
function counts<K extends string>(from: Json, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const value = from[key];
    if (isCount(value)) out[key] = value;
  }
  return out;
}

const PUSH_STAT_FIELDS = ['sentBytes', 'totalsentBytes', 'sentTime', 'bitrate', 'droppedFrames', 'sequence'] as const;
const STREAM_STAT_FIELDS = ['bytesIn', 'bitrate'] as const;

/** The event in an SSE message, or null when it is not one the dashboard understands. */
export function parseServerEvent(message: SseEvent): ServerEvent | null {
  let data: unknown = {};
  if (message.data !== '') {
    try {
      data = JSON.parse(message.data);
    } catch {
      return null;
    }
  }
  if (!isObject(data)) return null;
  const type = isString(data['type']) ? data['type'] : message.type;
  const time = isString(data['time']) ? data['time'] : '';
  switch (type) {
    case 'push.created':
    case 'push.removed':
      return isPushRecord(data['push']) ? { type, time, push: data['push'] } : null;
    case 'push.state': {
      if (!isPushRecord(data['push'])) return null;
      const to = isString(data['to']) ? (data['to'] as PushState) : data['push'].state;
      const event: ServerEvent = {
        type,
        time,
        push: data['push'],
        from: isString(data['from']) ? (data['from'] as PushState) : null,
        to,
      };
      if (isString(data['error'])) event.error = data['error'];
      return event;
    }
    case 'stream.published': {
      const stream = data['stream'];
      if (!isStreamRef(stream)) return null;
      const tracks = Array.isArray(stream['tracks']) ? (stream['tracks'] as unknown[]).filter(isObject) : [];
      const published: PublishedStream = {
        vhost: stream.vhost,
        app: stream.app,
        name: stream.name,
        tracks: tracks as unknown as StreamTrack[],
      };
      if (isString(stream['sourceType'])) published.sourceType = stream['sourceType'];
      if (isString(stream['createdTime'])) published.createdTime = stream['createdTime'];
      return { type, time, stream: published };
    }
    case 'stream.ended': {
      const stream = data['stream'];
      if (!isStreamRef(stream)) return null;
      return {
        type,
        time,
        stream: {
          vhost: stream.vhost,
          app: stream.app,
          name: stream.name,
          ...counts(stream, ['bytesIn', 'packetsIn']),
        },
      };
    }
    case 'publish.refused': {
      const event: ServerEvent = {
        type,
        time,
        protocol: isString(data['protocol']) ? data['protocol'] : '',
        remote: isString(data['remote']) ? data['remote'] : '',
        reason: isString(data['reason']) ? data['reason'] : '',
      };
      for (const key of ['vhost', 'app', 'stream'] as const) {
        const value = data[key];
        if (isString(value)) event[key] = value;
      }
      return event;
    }
    case 'stats': {
      const pushes = Array.isArray(data['pushes']) ? (data['pushes'] as unknown[]) : [];
      const streams = Array.isArray(data['streams']) ? (data['streams'] as unknown[]) : [];
      return {
        type,
        time,
        pushes: pushes.filter(isObject).flatMap((p): PushStats[] => {
          if (!isString(p['id']) || !isString(p['vhost']) || !isString(p['app'])) return [];
          const stats: PushStats = { id: p['id'], vhost: p['vhost'], app: p['app'], ...counts(p, PUSH_STAT_FIELDS) };
          if (isString(p['state'])) stats.state = p['state'] as PushState;
          return [stats];
        }),
        streams: streams
          .filter(isStreamRef)
          .map((s) => ({ vhost: s.vhost, app: s.app, name: s.name, ...counts(s, STREAM_STAT_FIELDS) })),
      };
    }
    case 'reset':
      return { type, time };
    default:
      return null;
  }
}
