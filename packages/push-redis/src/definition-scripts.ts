/**
 * Lua scripts that change or read the definitions hash. Every change increments the
 * version counter and publishes `{version} put {json}` / `{version} del {id}` in the
 * same atomic step, so a reader that applies messages in version order, and reloads
 * everything whenever it sees a gap, never misses or reorders a change.
 */
import { LuaScript } from './lua-script.js';

/**
 * KEYS[1] pushes hash, KEYS[2] version counter, KEYS[3] epoch.
 * ARGV[1] id, ARGV[2] definition JSON, ARGV[3] changes channel, ARGV[4] epoch candidate,
 * ARGV[5] 'put' (create or replace) or 'create' (only if absent); for 'create',
 * ARGV[6] vhost, ARGV[7] app, ARGV[8] the application's cap ('' = none): the definitions
 * of that application are counted in the same atomic step, so nodes racing cannot pass it.
 * Returns the new version, 0 when 'create' found the id, -1 when the cap is reached.
 */
export const writeDefinitionScript = new LuaScript(
  'writeDefinition',
  `if ARGV[5] == 'create' then
  if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
  local cap = tonumber(ARGV[8])
  if cap then
    local held = 0
    for _, json in ipairs(redis.call('HVALS', KEYS[1])) do
      local ok, doc = pcall(cjson.decode, json)
      if ok and type(doc) == 'table' and doc['vhost'] == ARGV[6] and doc['app'] == ARGV[7] then held = held + 1 end
    end
    if held >= cap then return -1 end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[3], ARGV[4], 'NX')
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], version .. ' put ' .. ARGV[2])
return version`,
);

/**
 * KEYS[1] pushes hash, KEYS[2] version counter. ARGV[1] id, ARGV[2] changes channel.
 * Returns the new version, or 0 when the id was absent (nothing published).
 */
export const deleteDefinitionScript = new LuaScript(
  'deleteDefinition',
  `if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], version .. ' del ' .. ARGV[1])
return version`,
);

/**
 * KEYS[1] pushes hash, KEYS[2] version counter, KEYS[3] epoch. ARGV[1] epoch candidate
 * (written when there is none: a new cluster, or a Redis that lost its data).
 * Returns {epoch, version, created (1 when this call wrote the epoch), {id, json, ...}},
 * all read in one atomic step.
 */
export const snapshotScript = new LuaScript(
  'snapshot',
  `local created = 0
if redis.call('SET', KEYS[3], ARGV[1], 'NX') then created = 1 end
return {redis.call('GET', KEYS[3]), tonumber(redis.call('GET', KEYS[2]) or '0'), created, redis.call('HGETALL', KEYS[1])}`,
);

/** A change message: version, then the definition JSON (put) or the id (del). */
export type ChangeMessage = { version: number; op: 'put'; json: string } | { version: number; op: 'del'; id: string };

/** Parses a change message; null for anything else. */
export function parseChangeMessage(message: string): ChangeMessage | null {
  const first = message.indexOf(' ');
  if (first <= 0) return null;
  const version = Number(message.slice(0, first));
  if (!Number.isSafeInteger(version) || version <= 0) return null;
  const op = message.slice(first + 1, first + 4);
  const rest = message.slice(first + 5);
  if (message[first + 4] !== ' ') return null;
  if (op === 'put') return { version, op, json: rest };
  if (op === 'del') return { version, op, id: rest };
  return null;
}
