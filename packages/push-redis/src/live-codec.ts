/**
 * What nodes publish about themselves (JSON in Redis): their presence
 * (`sluice:{cluster}:node:{name}`) and the live state of each push they run (a field of
 * `sluice:{cluster}:live:{name}`). Both expire unless the node refreshes them.
 */
import type { PushRecord, PushState, StreamRef } from '@sluice/push';

/** A node as it announces itself. */
export interface NodePresence {
  node: string;
  /** Random id of the process (a restarted node is a new instance). */
  instance: string;
  /** Where this node's API answers, as configured. */
  apiUrl?: string | undefined;
  host: string;
  pid: number;
  /** Streams published on this node now. */
  streams: StreamRef[];
  /** Pushes it runs (entries of its live state). */
  pushes: number;
  /** Wall-clock ms. */
  startedAt: number;
  /** Wall-clock ms of this heartbeat. */
  updatedAt: number;
  /** What the node's `stats` option returned at this heartbeat (JSON, not interpreted here); absent without one. */
  stats?: unknown;
}

/** What a node reports for one push it runs. */
export interface LivePush {
  /** The push's record on that node (its registry's listPushes entry). */
  record: PushRecord;
  /** The fencing token of the lease under which it runs (absent when it runs without one). */
  token?: number | undefined;
}

/** One live entry as stored: who, under which token, when. */
export interface LiveEntry extends LivePush {
  node: string;
  /** Wall-clock ms of the heartbeat that wrote it. */
  at: number;
}

const STATES = new Set<PushState>(['ready', 'connecting', 'pushing', 'stopping', 'stopped', 'error']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Parses a presence value; null when it is not one. */
export function parsePresence(json: string | null): NodePresence | null {
  if (json === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(v) || typeof v.node !== 'string' || typeof v.instance !== 'string' || !Array.isArray(v.streams))
    return null;
  const streams = v.streams.filter(
    (s): s is StreamRef =>
      isObject(s) && typeof s.vhost === 'string' && typeof s.app === 'string' && typeof s.name === 'string',
  );
  return {
    node: v.node,
    instance: v.instance,
    ...(typeof v.apiUrl === 'string' ? { apiUrl: v.apiUrl } : {}),
    host: typeof v.host === 'string' ? v.host : '',
    pid: typeof v.pid === 'number' ? v.pid : 0,
    streams: streams.map((s) => ({ vhost: s.vhost, app: s.app, name: s.name })),
    pushes: typeof v.pushes === 'number' ? v.pushes : 0,
    startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0,
    updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : 0,
    ...(v.stats === undefined ? {} : { stats: v.stats }),
  };
}

/** The stored form of one live push. */
export function encodeLive(live: LivePush, at: number): string {
  return JSON.stringify({ token: live.token, at, record: live.record });
}

/** Parses one live entry of node `node`; null when it is not one. */
export function parseLive(node: string, json: string): LiveEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(v) || !isObject(v.record)) return null;
  const record = v.record;
  if (typeof record.id !== 'string' || typeof record.state !== 'string' || !STATES.has(record.state as PushState))
    return null;
  return {
    node,
    at: typeof v.at === 'number' ? v.at : 0,
    ...(typeof v.token === 'number' ? { token: v.token } : {}),
    record: record as unknown as PushRecord,
  };
}
