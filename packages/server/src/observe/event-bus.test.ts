import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { publishRefusedEvent } from './server-events.js';

const refused = (reason: string) =>
  publishRefusedEvent({
    type: 'publishRefused',
    vhost: 'default',
    app: 'app',
    stream: 's',
    protocol: 'rtmp',
    reason,
    remote: '127.0.0.1:5000',
  });

describe('EventBus', () => {
  it('numbers events {run}-{n}, serializes them once, delivers them to readers and to kept-event listeners', () => {
    const bus = new EventBus({ run: 'r1' });
    const read: string[] = [];
    const kept: string[] = [];
    bus.subscribe((e) => read.push(`${e.id ?? ''} ${e.type}`));
    bus.onPublished((e) => kept.push(e.id));
    const entry = bus.publish(refused('no'));
    expect(entry.id).toBe('r1-1');
    expect(JSON.parse(entry.data)).toMatchObject({ type: 'publish.refused', reason: 'no', remote: '127.0.0.1:5000' });
    bus.broadcast('stats', { type: 'stats', pushes: [], streams: [] });
    expect(read).toEqual(['r1-1 publish.refused', ' stats']);
    expect(kept).toEqual(['r1-1']);
    expect(bus.position()).toBe('r1-1');
  });

  it('answers what came after an id while the history holds it, undefined once it is lost or from another run', () => {
    const bus = new EventBus({ run: 'r1', historySize: 3 });
    expect(bus.since('r1-0')).toEqual([]);
    for (let i = 1; i <= 5; i++) bus.publish(refused(String(i)));
    expect(bus.historyLength).toBe(3);
    expect(bus.since('r1-2')?.map((e) => e.id)).toEqual(['r1-3', 'r1-4', 'r1-5']);
    expect(bus.since('r1-4')?.map((e) => e.id)).toEqual(['r1-5']);
    expect(bus.since('r1-5')).toEqual([]);
    expect(bus.since('r1-1')).toBeUndefined(); // r1-2 was dropped
    expect(bus.since('r1-6')).toBeUndefined(); // from the future: another run
    expect(bus.since('r0-3')).toBeUndefined();
    expect(bus.since('garbage')).toBeUndefined();
    expect(bus.since('r1-1e3')).toBeUndefined();
  });

  it('keeps delivering when a reader throws, and stops delivering after unsubscribe', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('reader bug');
    });
    const stop = bus.subscribe((e) => seen.push(e.type));
    bus.publish(refused('a'));
    stop();
    bus.publish(refused('b'));
    expect(seen).toEqual(['publish.refused']);
    expect(bus.subscriberCount).toBe(1);
  });

  it('refuses a history size that is not a positive integer', () => {
    expect(() => new EventBus({ historySize: 0 })).toThrow(RangeError);
    expect(() => new EventBus({ run: 'A-1' })).toThrow(RangeError);
  });
});
