/**
 * Lua scripts of the push leases. A lease is one string key with a TTL,
 * `sluice:{cluster}:lease:{id}` = `{token} {node} {instance}`; the token comes from
 * one counter for the whole cluster (`...:fence`), incremented by every acquisition,
 * so tokens strictly increase across holders, pushes and time. Each script runs
 * atomically: no other command runs between its read and its write.
 */
import { LuaScript } from './lua-script.js';

/**
 * KEYS[1] lease, KEYS[2] fence counter. ARGV[1] holder (`{node} {instance}`), ARGV[2]
 * TTL ms, ARGV[3] token floor (the highest token this node has seen: keeps tokens
 * increasing even if Redis lost the counter).
 * Free, or held by this same holder (an earlier lease it gave up locally): a new token,
 * returns {1, token}. Held by another: returns {0, value, pttl ms}.
 */
export const acquireScript = new LuaScript(
  'acquireLease',
  `local current = redis.call('GET', KEYS[1])
if current then
  local space = string.find(current, ' ', 1, true)
  if not space or string.sub(current, space + 1) ~= ARGV[1] then
    return {0, current, redis.call('PTTL', KEYS[1])}
  end
end
local token = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if token <= floor then
  token = floor + 1
  redis.call('SET', KEYS[2], token)
end
redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
return {1, token}`,
);

/**
 * KEYS[1] fence counter, KEYS[2..n] leases. ARGV[1] TTL ms, ARGV[2..n] the value each
 * lease must hold. Per lease: 1 = still ours, TTL reset; 0 = someone else's now;
 * 2 = the key was gone although our deadline had not passed, which only happens when
 * Redis lost it (restart without persistence, flush, failover): written back with our
 * token, and the fence counter raised to at least that token.
 */
export const renewScript = new LuaScript(
  'renewLeases',
  `local out = {}
for i = 2, #KEYS do
  local current = redis.call('GET', KEYS[i])
  if current == ARGV[i] then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    out[i - 1] = 1
  elseif not current then
    redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[1])
    local token = tonumber(string.match(ARGV[i], '^%d+'))
    if tonumber(redis.call('GET', KEYS[1]) or '0') < token then redis.call('SET', KEYS[1], token) end
    out[i - 1] = 2
  else
    out[i - 1] = 0
  end
end
return out`,
);

/**
 * KEYS[1] lease. ARGV[1] the value it must hold, ARGV[2] released channel, ARGV[3] push
 * id. Deletes the lease only if it is still ours and tells claimants; returns 1 or 0.
 */
export const releaseScript = new LuaScript(
  'releaseLease',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0`,
);
