import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { IDLE_PUSH_COUNTERS } from './push-record.js';
import { PushRegistry, type PushStateChange } from './push-registry.js';
import { settle } from './test-support/fake-clock.js';
import { AV, video } from './test-support/media.js';
import { makePushingRegistry, makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

describe('PushRegistry: startPush', () => {
  it('creates a ready push with every contract field, times like the seed', () => {
    const { registry, clock } = makeRegistry();
    clock.time = Date.UTC(2021, 1, 3, 16, 42, 40, 160);
    const record = registry.startPush(rtmpPush('p1'));
    expect(record).toEqual({
      id: 'p1',
      vhost: 'default',
      app: 'app',
      stream: { name: 'live', tracks: [] },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:1935/app',
      streamKey: 'key',
      ...IDLE_PUSH_COUNTERS,
      createdTime: '2021-02-04T01:42:40.160+0900',
      startTime: '1970-01-01T09:00:00.000+0900',
      finishTime: '1970-01-01T09:00:00.000+0900',
      isConfig: false,
      droppedFrames: 0,
      discontinuities: 0,
    });
  });

  it('generates an id when it is absent or empty', () => {
    const { registry } = makeRegistry();
    expect(registry.startPush(rtmpPush(undefined)).id).toBe('gen-1');
    expect(registry.startPush(rtmpPush('')).id).toBe('gen-2');
  });

  it('skips generated ids that are taken', () => {
    const ids = ['a', 'a', 'b'];
    const { registry } = makeRegistry({ generateId: () => ids.shift() ?? 'z' });
    registry.startPush(rtmpPush(undefined));
    expect(registry.startPush(rtmpPush(undefined)).id).toBe('b');
  });

  it('trims protocol, url and streamKey, lower-cases the protocol and drops trailing slashes', () => {
    const { registry } = makeRegistry();
    const r = registry.startPush(
      rtmpPush('p', 'live', { protocol: ' RTMP ', url: '  rtmp://h/app//  ', streamKey: ' k ' }),
    );
    expect([r.protocol, r.url, r.streamKey]).toEqual(['rtmp', 'rtmp://h/app', 'k']);
    const t = registry.startPush({
      id: 't',
      vhost: 'default',
      app: 'app',
      stream: { name: 's' },
      protocol: 'MpegTs',
      url: 'udp://127.0.0.1:4000/',
    });
    expect([t.protocol, t.url, t.streamKey]).toEqual(['mpegts', 'udp://127.0.0.1:4000', '']);
  });

  it('lists every missing required field in field order', () => {
    const { registry } = makeRegistry();
    const err = (() => {
      try {
        registry.startPush({ vhost: 'default', app: 'app', stream: { name: '' }, protocol: 'rtmp', url: ' ' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(errors.MissingPushParameter);
    expect((err as Error).message).toBe('There is no required parameter [stream.name, url, streamKey]');
  });

  it('rejects unsupported protocols, bad urls, duplicate ids and unknown live track ids', () => {
    const { registry, source } = makeRegistry();
    expect(() => registry.startPush(rtmpPush('x', 'live', { protocol: 'hls' }))).toThrow(errors.UnsupportedProtocol);
    expect(() => registry.startPush(rtmpPush('x', 'live', { protocol: 'hls' }))).toThrow('Unsupported protocol [hls]');
    for (const inherited of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => registry.startPush(rtmpPush('x', 'live', { protocol: inherited }))).toThrow(
        new errors.UnsupportedProtocol(inherited),
      );
    }
    expect(() => registry.startPush(rtmpPush('x', 'live', { url: 'udp://h:1' }))).toThrow(
      'Invalid URL [udp://h:1] for protocol [rtmp]',
    );
    expect(() => registry.startPush(rtmpPush('x', 'live', { url: 'udp://h:1' }))).toThrow(errors.InvalidPushUrl);
    registry.startPush(rtmpPush('x'));
    expect(() => registry.startPush(rtmpPush('x'))).toThrow(new errors.DuplicatePushId('x'));
    // Not live: any ids are accepted (the push waits in ready).
    registry.startPush(rtmpPush('y', 'later', { stream: { name: 'later', tracks: [7] } }));
    source.publish('cam', AV);
    expect(() => registry.startPush(rtmpPush('z', 'cam', { stream: { name: 'cam', tracks: [100, 7] } }))).toThrow(
      new errors.UnknownTrackId(7, 'cam'),
    );
    expect(registry.listPushes().map((r) => r.id)).toEqual(['x', 'y']);
  });

  it('rejects a duplicate id while the stopped push is still being torn down', async () => {
    const { registry, source, rtmp } = makeRegistry();
    source.publish('live', AV);
    rtmp.holdClose = true;
    registry.startPush(rtmpPush('p'));
    await settle();
    expect(registry.stopPush('p').state).toBe('stopping');
    expect(() => registry.startPush(rtmpPush('p'))).toThrow('Duplicate ID already exists [p]');
    rtmp.last.finishClose();
    await settle();
    expect(registry.listPushes()).toEqual([]);
    expect(registry.startPush(rtmpPush('p')).id).toBe('p');
  });

  it('validates its options', () => {
    const { source, rtmp } = makeRegistry();
    expect(() => new PushRegistry({ source, sinks: { rtmp }, sendTimeoutMs: 0 })).toThrow(
      'sendTimeoutMs must be a positive number, got 0',
    );
    expect(() => new PushRegistry({ source, sinks: { rtmp }, retry: { multiplier: 0.5 } })).toThrow(
      'retry.multiplier is out of range: 0.5',
    );
  });
});

describe('PushRegistry: stopPush and listPushes', () => {
  it('stops a ready push at once: stopped, then removed', () => {
    const { registry, statesOf, source } = makeRegistry();
    registry.startPush(rtmpPush('p'));
    const removed: string[] = [];
    registry.on('removed', (r) => removed.push(r.id));
    expect(registry.stopPush('p').state).toBe('stopped');
    expect(statesOf('p')).toEqual(['ready', 'stopping', 'stopped']);
    expect(removed).toEqual(['p']);
    expect(registry.listPushes()).toEqual([]);
    expect(source.subscriberCount('live')).toBe(0);
  });

  it('keeps a pushing push in stopping until its sink closed, with the last counters', async () => {
    const { registry, source, rtmp, clock, statesOf } = makeRegistry();
    source.publish('live', AV);
    source.send('live', video(0, true, 500));
    rtmp.holdClose = true;
    registry.startPush(rtmpPush('p'));
    await settle();
    clock.advance(1500);
    const stopping = registry.stopPush('p');
    expect(stopping).toMatchObject({
      state: 'stopping',
      sentBytes: 500,
      sentTime: 1500,
      totalsentBytes: 500,
      totalsentTime: 1500,
      sequence: 0,
    });
    expect(registry.stopPush('p').state).toBe('stopping'); // idempotent
    expect(registry.listPushes({ id: 'p' })[0]?.state).toBe('stopping');
    rtmp.last.finishClose();
    await settle();
    expect(statesOf('p')).toEqual(['ready', 'connecting', 'pushing', 'stopping', 'stopped']);
    expect(registry.listPushes()).toEqual([]);
  });

  it('counts a sink whose close never finishes as stopped after the teardown timeout', async () => {
    const { registry, source, rtmp, clock } = makeRegistry({ teardownTimeoutMs: 3000 });
    source.publish('live', AV);
    rtmp.holdClose = true;
    registry.startPush(rtmpPush('p'));
    await settle();
    registry.stopPush('p');
    clock.advance(2999);
    expect(registry.size).toBe(1);
    clock.advance(1);
    expect(registry.size).toBe(0);
  });

  it('throws PushNotFound for unknown ids and for another app', () => {
    const { registry } = makeRegistry();
    registry.startPush(rtmpPush('p'));
    expect(() => registry.stopPush('nope')).toThrow(new errors.PushNotFound('nope'));
    expect(() => registry.stopPush('p', { vhost: 'default', app: 'other' })).toThrow(
      'There is no push information related to the ID [p]',
    );
    expect(registry.stopPush('p', { vhost: 'default', app: 'app' }).state).toBe('stopped');
  });

  it('lists sorted by id, filtered by id, vhost and app', () => {
    const { registry } = makeRegistry();
    for (const id of ['b', 'a', 'c']) registry.startPush(rtmpPush(id));
    registry.startPush(rtmpPush('d', 'live', { app: 'other' }));
    expect(registry.listPushes().map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(registry.listPushes({ id: 'b' }).map((r) => r.id)).toEqual(['b']);
    expect(registry.listPushes({ id: 'zz' })).toEqual([]);
    expect(registry.listPushes({ vhost: 'default', app: 'other' }).map((r) => r.id)).toEqual(['d']);
    expect(registry.listPushes({ id: 'd', app: 'app' })).toEqual([]);
    expect(registry.getPush('a')?.id).toBe('a');
  });

  it('marks StreamMap pushes isConfig and does not persist them', async () => {
    const { registry } = makeRegistry();
    expect(registry.startPush(rtmpPush('m', 'live', { isConfig: true })).isConfig).toBe(true);
    await registry.flush();
    expect(await registry.store.load()).toEqual([]);
  });
});

describe('PushRegistry: events', () => {
  it('reports creation (from null) and every change with the record', async () => {
    const { changes } = await makePushingRegistry();
    expect(changes.map((c) => [c.from, c.to, c.record.state])).toEqual([
      [null, 'ready', 'ready'],
      ['ready', 'connecting', 'connecting'],
      ['connecting', 'pushing', 'pushing'],
    ]);
  });

  it('offers an async iterable of changes', async () => {
    const { registry } = makeRegistry();
    const controller = new AbortController();
    const iterator = registry.changes({ signal: controller.signal });
    registry.startPush(rtmpPush('p'));
    registry.stopPush('p');
    const seen: PushStateChange[] = [];
    for await (const change of iterator) {
      seen.push(change);
      if (change.to === 'stopped') break;
    }
    expect(seen.map((c) => c.to)).toEqual(['ready', 'stopping', 'stopped']);
  });

  it('lets a listener stop a push from inside a change event without leaking the hub subscription', async () => {
    const { registry, source, clock } = makeRegistry();
    source.publish('live', AV);
    registry.on('change', (c) => {
      if (c.to === 'connecting') registry.stopPush(c.id);
    });
    registry.startPush(rtmpPush('a'));
    await settle();
    expect(registry.size).toBe(0);
    expect(source.subscriberCount('live')).toBe(0);
    // Same from a retry: the resubscription happens inside the timer.
    const { registry: r2, source: s2, rtmp: f2, clock: c2 } = makeRegistry();
    s2.publish('live', AV);
    f2.behaviour = 'reject';
    r2.startPush(rtmpPush('b'));
    await settle();
    r2.on('change', (c) => {
      if (c.from === 'error' && c.to === 'connecting') r2.stopPush(c.id);
    });
    c2.advance(500);
    await settle();
    expect(r2.size).toBe(0);
    expect(s2.subscriberCount('live')).toBe(0);
    expect(clock.pending + c2.pending).toBe(0);
  });

  it('survives a throwing listener', async () => {
    const { registry, source } = makeRegistry();
    source.publish('live', AV);
    const thrown: unknown[] = [];
    const onUncaught = (e: unknown): void => void thrown.push(e);
    process.on('uncaughtException', onUncaught);
    registry.on('change', () => {
      throw new Error('listener bug');
    });
    try {
      registry.startPush(rtmpPush('p'));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(registry.getPush('p')?.state).toBe('pushing');
  });
});
