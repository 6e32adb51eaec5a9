/**
 * A Lua script run with EVALSHA (only the 40-byte hash on the wire), falling back to
 * EVAL when Redis does not know it (first use, or after a restart flushed its script
 * cache); EVAL caches it again, so the next call is an EVALSHA.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** One script of the registry. */
export class LuaScript {
  /** SHA-1 of the source, as Redis names it. */
  readonly sha: string;

  constructor(
    /** For messages. */
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` (KEYS) and `args` (ARGV). */
  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
