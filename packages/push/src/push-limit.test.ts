import { describe, expect, it } from 'vitest';
import { PushLimitReached } from './errors.js';
import { makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

describe('PushRegistry: maxPushesFor (<MaxPushes>)', () => {
  it('refuses a push beyond the application cap, counts per application, frees a slot on stop', () => {
    const { registry } = makeRegistry({ maxPushesFor: ({ app }) => (app === 'app' ? 2 : undefined) });
    registry.startPush(rtmpPush('a'));
    registry.startPush(rtmpPush('b'));
    const error = (() => {
      try {
        registry.startPush(rtmpPush('c'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PushLimitReached);
    expect((error as Error).message).toBe(
      'The application [default/app] already has 2 pushes, the most its MaxPushes allows',
    );
    expect(registry.listPushes().map((r) => r.id)).toEqual(['a', 'b']);
    // another application has no cap
    expect(registry.startPush(rtmpPush('d', 'live', { app: 'other' })).id).toBe('d');
    // StreamMap pushes are the operator's own: counted, never refused
    expect(registry.startPush(rtmpPush('map', 'live', { isConfig: true })).id).toBe('map');
    registry.stopPush('a');
    registry.stopPush('map');
  });
});
