/** A registry wired to a fake source, fake sinks and a fake clock, recording every change. */
import { PushRegistry, type PushRegistryOptions, type PushStateChange } from '../push-registry.js';
import type { TrackInfo } from '@sluice/media';
import type { StartPushInput } from '../types.js';
import { FakeClock } from './fake-clock.js';
import { settle } from './fake-clock.js';
import { FakeSinkFactory, type FakeSink } from './fake-sink.js';
import { FakeSource } from './fake-source.js';
import { AV } from './media.js';

export interface RegistryFixture {
  registry: PushRegistry;
  clock: FakeClock;
  source: FakeSource;
  rtmp: FakeSinkFactory;
  mpegts: FakeSinkFactory;
  changes: PushStateChange[];
  /** States a push went through, in order. */
  statesOf(id: string): string[];
}

/** Builds the fixture; `options` override the registry options. Rendered times use +0900. */
export function makeRegistry(options: Partial<PushRegistryOptions> = {}): RegistryFixture {
  const clock = new FakeClock();
  const source = new FakeSource();
  const rtmp = new FakeSinkFactory(['rtmp', 'rtmps']);
  const mpegts = new FakeSinkFactory(['udp', 'tcp']);
  let n = 0;
  const registry = new PushRegistry({
    source,
    sinks: { rtmp, mpegts },
    clock,
    random: () => 0.5,
    utcOffsetMinutes: 540,
    generateId: () => `gen-${++n}`,
    ...options,
  });
  const changes: PushStateChange[] = [];
  registry.on('change', (c) => changes.push(c));
  return {
    registry,
    clock,
    source,
    rtmp,
    mpegts,
    changes,
    statesOf: (id) => changes.filter((c) => c.id === id).map((c) => c.to),
  };
}

/** A startPush body for rtmp to stream `name`. */
export function rtmpPush(id: string | undefined, name = 'live', extra: Partial<StartPushInput> = {}): StartPushInput {
  return {
    id,
    vhost: 'default',
    app: 'app',
    stream: { name },
    protocol: 'rtmp',
    url: 'rtmp://127.0.0.1:1935/app',
    streamKey: 'key',
    ...extra,
  };
}

/**
 * The fixture once push `p` (rtmpPush) is pushing stream `live`, published with these tracks;
 * `sink` is the latest session's sink (read when destructured).
 */
export async function makePushingRegistry(
  options: Partial<PushRegistryOptions> = {},
  tracks: readonly TrackInfo[] = AV,
): Promise<RegistryFixture & { sink: FakeSink }> {
  const fixture = makeRegistry(options);
  fixture.source.publish('live', tracks);
  fixture.registry.startPush(rtmpPush('p'));
  await settle();
  return {
    ...fixture,
    get sink() {
      return fixture.rtmp.last;
    },
  };
}
