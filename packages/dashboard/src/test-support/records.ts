/** Push records and streams for the dashboard's unit tests. */
import type { PushRecord } from '../api/api-types.js';

/** A push record with the contract's fields; `overrides` win. */
export function pushRecord(overrides: Partial<PushRecord> = {}): PushRecord {
  return {
    id: 'p1',
    vhost: 'default',
    app: 'app',
    stream: { name: 'cam', tracks: [0, 1] },
    protocol: 'rtmp',
    url: 'rtmp://example.com/live',
    streamKey: 'secret-key-1234',
    state: 'connecting',
    sequence: 0,
    sentBytes: 0,
    sentTime: 0,
    totalsentBytes: 0,
    totalsentTime: 0,
    createdTime: '2026-12-02T11:20:00.000+0000',
    startTime: '1970-01-01T00:00:00.000+0000',
    finishTime: '1970-01-01T00:00:00.000+0000',
    ...overrides,
  };
}

/** The SSE message of an event as the server sends it. */
export function sse(
  type: string,
  data: Record<string, unknown>,
  id = '',
): { type: string; data: string; lastEventId: string } {
  return { type, data: JSON.stringify({ type, time: '2026-12-02T11:20:00.123Z', ...data }), lastEventId: id };
}
