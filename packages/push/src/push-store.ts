/**
 * Persistence of push definitions. A store keeps what is needed to restore a push
 * (its definition and creation time), never its live counters; see README.md for how
 * a shared store (Redis, NATS KV) implements this interface.
 */
import type { PushProtocol } from './types.js';

/** One push as a store keeps it. */
export interface StoredPush {
  id: string;
  vhost: string;
  app: string;
  stream: { name: string; tracks?: number[] | undefined; variantNames?: string[] | undefined };
  protocol: PushProtocol;
  /** Normalised url (trimmed, no trailing '/'). */
  url: string;
  streamKey: string;
  /** Milliseconds since the epoch. */
  createdTime: number;
  isConfig?: boolean | undefined;
}

/**
 * Where push definitions live between runs. Records are keyed by id; put() and
 * delete() are per record so a key-value store maps them one to one. The registry
 * calls put() on startPush, delete() on stopPush, and load() once on start().
 */
export interface PushStore {
  /** Every stored push. A store that cannot read its data reports it and resolves to what it could read (or []). */
  load(): Promise<StoredPush[]>;
  /** Creates or replaces one push; resolves once durable. */
  put(push: StoredPush): Promise<void>;
  /** Removes one push (absent ids are ignored); resolves once durable. */
  delete(id: string): Promise<void>;
  /** Finishes pending writes and releases resources. */
  close?(): Promise<void>;
}

/** A store that keeps pushes in memory only (the default; nothing survives a restart). */
export class MemoryPushStore implements PushStore {
  private readonly pushes = new Map<string, StoredPush>();

  /** Starts with `initial` pushes (useful in tests). */
  constructor(initial: readonly StoredPush[] = []) {
    for (const push of initial) this.pushes.set(push.id, structuredClone(push));
  }

  /** A copy of every stored push, sorted by id. */
  load(): Promise<StoredPush[]> {
    return Promise.resolve([...this.pushes.values()].sort(byId).map((p) => structuredClone(p)));
  }

  /** Creates or replaces one push (a copy). */
  put(push: StoredPush): Promise<void> {
    this.pushes.set(push.id, structuredClone(push));
    return Promise.resolve();
  }

  /** Removes one push (absent ids are ignored). */
  delete(id: string): Promise<void> {
    this.pushes.delete(id);
    return Promise.resolve();
  }
}

const byId = (a: StoredPush, b: StoredPush): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isIdArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n));

/**
 * Checks that `value` (decoded from a store) is a StoredPush. Returns the push with
 * only the known fields, or a text naming the first bad field.
 */
export function parseStoredPush(value: unknown): StoredPush | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Record<string, unknown>;
  for (const field of ['id', 'vhost', 'app', 'protocol', 'url', 'streamKey'] as const) {
    if (!isString(v[field])) return `field ${field} is not a string`;
  }
  if (v.id === '') return 'field id is empty';
  if (typeof v.createdTime !== 'number' || !Number.isFinite(v.createdTime)) return 'field createdTime is not a number';
  if (v.isConfig !== undefined && typeof v.isConfig !== 'boolean') return 'field isConfig is not a boolean';
  const stream = v.stream as Record<string, unknown> | null | undefined;
  if (typeof stream !== 'object' || stream === null || !isString(stream.name))
    return 'field stream.name is not a string';
  if (stream.tracks !== undefined && !isIdArray(stream.tracks))
    return 'field stream.tracks is not an array of integers';
  if (stream.variantNames !== undefined && !isStringArray(stream.variantNames))
    return 'field stream.variantNames is not an array of strings';
  return {
    id: v.id as string,
    vhost: v.vhost as string,
    app: v.app as string,
    stream: {
      name: stream.name,
      ...(stream.tracks === undefined ? {} : { tracks: [...stream.tracks] }),
      ...(stream.variantNames === undefined ? {} : { variantNames: [...stream.variantNames] }),
    },
    protocol: v.protocol as string,
    url: v.url as string,
    streamKey: v.streamKey as string,
    createdTime: v.createdTime,
    ...(v.isConfig === undefined ? {} : { isConfig: v.isConfig }),
  };
}
