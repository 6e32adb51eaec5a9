/** Push definitions for tests and benchmarks (no vitest here). */
import type { StoredPush } from '@sluice/push';

/** A valid definition. */
export function definition(id: string, overrides: Partial<StoredPush> = {}): StoredPush {
  return {
    id,
    vhost: 'default',
    app: 'app',
    stream: { name: `cam-${id}` },
    protocol: 'rtmp',
    url: 'rtmp://127.0.0.1:1935/live',
    streamKey: `key-${id}`,
    createdTime: 1_700_000_000_000,
    ...overrides,
  };
}
