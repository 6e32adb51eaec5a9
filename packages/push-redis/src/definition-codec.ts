/**
 * Push definitions in Redis: JSON of @sluice/push's StoredPush, one hash field per
 * push. JSON rather than msgpack: a definition is ~250 bytes either way, JSON is what
 * an operator reads with `redis-cli HGETALL` and what a Lua script could inspect, and
 * it needs no binary-safe handling in the client.
 */
import { parseStoredPush, type StoredPush } from '@sluice/push';

/** The JSON of a definition (only StoredPush's fields); throws a TypeError for a push that is not valid. */
export function encodeDefinition(push: StoredPush): string {
  const parsed = parseStoredPush(push);
  if (typeof parsed === 'string') throw new TypeError(`not a valid push definition: ${parsed}`);
  return JSON.stringify(parsed);
}

/** The definition stored under `id`, or a text saying what is wrong with it. */
export function decodeDefinition(id: string | undefined, json: string): StoredPush | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const push = parseStoredPush(value);
  if (typeof push === 'string') return push;
  if (id !== undefined && push.id !== id) return `its id [${push.id}] is not its key [${id}]`;
  return push;
}

/** Decodes a flat [id, json, id, json, ...] reply (HGETALL); bad entries go to `onInvalid`. */
export function decodeDefinitions(
  flat: readonly unknown[],
  onInvalid: (id: string, reason: string) => void,
): Map<string, StoredPush> {
  const out = new Map<string, StoredPush>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const id = String(flat[i]);
    const push = decodeDefinition(id, String(flat[i + 1]));
    if (typeof push === 'string') onInvalid(id, push);
    else out.set(id, push);
  }
  return out;
}

/** Definitions sorted by id (the order listings use). */
export function sortedById(pushes: Iterable<StoredPush>): StoredPush[] {
  return [...pushes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
