import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  const now = () => new Date('2026-01-02T03:04:05.678Z');

  it('writes text lines with fields, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l), now });
    log.info('push state', {
      vhost: 'default',
      app: 'app',
      stream: 's 1',
      pushId: 'p1',
      state: 'pushing',
      skipped: undefined,
    });
    log.debug('hidden');
    log.error('bad');
    expect(lines).toEqual([
      '2026-01-02T03:04:05.678Z INFO  push state vhost=default app=app stream="s 1" pushId=p1 state=pushing',
      '2026-01-02T03:04:05.678Z ERROR bad',
    ]);
  });

  it('writes JSON lines', () => {
    const lines: string[] = [];
    createLogger({ json: true, write: (l) => lines.push(l), now }).warn('x', { pushId: 'a', n: 3 });
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'warn',
      time: '2026-01-02T03:04:05.678Z',
      msg: 'x',
      pushId: 'a',
      n: 3,
    });
  });

  it('refuses an unknown level', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(
      'unknown log level "loud" (error, warn, info, debug)',
    );
  });
});
