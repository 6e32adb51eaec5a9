import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from './vitest-peers.js';
import { pingRedis, removeRedisServer, startRedisServer, type RedisServer } from './redis-server.js';
import { runCommand } from './process.js';

const cli = async (server: RedisServer, ...args: string[]): Promise<string> => {
  const r = await runCommand('redis-cli', ['-p', String(server.port), ...args], 10_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

describeWithPeers(['redis-server'], 'redis-server launcher (the peer the cluster tests rely on)', () => {
  let durable: RedisServer;
  let volatile: RedisServer;
  beforeAll(async () => {
    [durable, volatile] = await Promise.all([startRedisServer(), startRedisServer({ persistence: 'none' })]);
  });
  afterAll(async () => {
    await Promise.all([removeRedisServer(durable), removeRedisServer(volatile)]);
  });

  it('keeps keys across a crash and restart on the same port with the append-only file; loses them without', async () => {
    expect(await cli(durable, 'SET', 'k', 'v')).toBe('OK');
    expect(await cli(volatile, 'SET', 'k', 'v')).toBe('OK');
    await Promise.all([durable.kill(), volatile.kill()]);
    expect(durable.running()).toBe(false);
    expect(await pingRedis(durable.port, 300)).toBe(false);
    await Promise.all([durable.restart(), volatile.restart()]);
    expect(await cli(durable, 'GET', 'k')).toBe('v');
    expect(await cli(volatile, 'GET', 'k')).toBe('');
    expect(durable.log()).toContain('Ready to accept connections');
  });

  it('pauses (PING unanswered) and resumes', async () => {
    durable.pause();
    expect(await pingRedis(durable.port, 300)).toBe(false);
    durable.resume();
    expect(await pingRedis(durable.port, 2000)).toBe(true);
  });
});
