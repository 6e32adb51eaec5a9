import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrackInfo } from '@sluice/media';
import { settle } from './test-support/fake-clock.js';
import type { OpenBehaviour } from './test-support/fake-sink.js';
import { AUDIO, OPUS, VIDEO, audio, video } from './test-support/media.js';
import { makeRegistry, rtmpPush, type RegistryFixture } from './test-support/registry-fixture.js';
import type { PushStateChange } from './push-registry.js';
import type { PushRecord } from './types.js';

const STREAMS = ['s0', 's1'] as const;
const TRACK_SETS: ReadonlyArray<readonly TrackInfo[]> = [[VIDEO, AUDIO], [VIDEO], [OPUS], [AUDIO]];

type Op =
  | { t: 'start'; id: number; stream: number; tracks: boolean }
  | { t: 'stop'; id: number }
  | { t: 'publish'; stream: number; set: number }
  | { t: 'end'; stream: number }
  | { t: 'packet'; stream: number; key: boolean; audio: boolean; size: number }
  | { t: 'behaviour'; b: OpenBehaviour }
  | { t: 'holdClose'; hold: boolean }
  | { t: 'sink'; idx: number; action: 'fail' | 'finishOpen' | 'refuseOpen' | 'stall' | 'drain' | 'finishClose' }
  | { t: 'advance'; ms: number }
  /** A change listener stops push `id` on its next transition to `to` (re-entrant stop). */
  | { t: 'stopOnNext'; id: number; to: 'ready' | 'connecting' | 'pushing' | 'error' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('start' as const), id: fc.nat(5), stream: fc.nat(1), tracks: fc.boolean() }),
  fc.record({ t: fc.constant('stop' as const), id: fc.nat(5) }),
  fc.record({ t: fc.constant('publish' as const), stream: fc.nat(1), set: fc.nat(TRACK_SETS.length - 1) }),
  fc.record({ t: fc.constant('end' as const), stream: fc.nat(1) }),
  fc.record({
    t: fc.constant('packet' as const),
    stream: fc.nat(1),
    key: fc.boolean(),
    audio: fc.boolean(),
    size: fc.integer({ min: 1, max: 40_000 }),
  }),
  fc.record({ t: fc.constant('behaviour' as const), b: fc.constantFrom<OpenBehaviour>('resolve', 'reject', 'hang') }),
  fc.record({ t: fc.constant('holdClose' as const), hold: fc.boolean() }),
  fc.record({
    t: fc.constant('sink' as const),
    idx: fc.nat(30),
    action: fc.constantFrom('fail', 'finishOpen', 'refuseOpen', 'stall', 'drain', 'finishClose'),
  }),
  // fast-check favours small integers: also pick the delays that matter (backoff steps, timeouts).
  fc.record({
    t: fc.constant('stopOnNext' as const),
    id: fc.nat(5),
    to: fc.constantFrom<'ready' | 'connecting' | 'pushing' | 'error'>('ready', 'connecting', 'pushing', 'error'),
  }),
  fc.record({
    t: fc.constant('advance' as const),
    ms: fc.oneof(
      fc.constantFrom(1, 400, 600, 1200, 2000, 2400, 5000, 6000, 10_000),
      fc.integer({ min: 0, max: 12_000 }),
    ),
  }),
);

const STATES = new Set(['ready', 'connecting', 'pushing', 'stopping', 'stopped', 'error']);

/** Checks every push against the invariants; `live` = ids started and not stopped. */
function checkInvariants(
  f: RegistryFixture,
  live: Set<string>,
  stopped: Set<string>,
  lastSequence: Map<string, number>,
): void {
  const records = f.registry.listPushes();
  const byId = new Map<string, PushRecord>(records.map((r) => [r.id, r]));
  for (const id of live) expect(byId.has(id), `push ${id} lost`).toBe(true);
  for (const r of records) {
    expect(STATES.has(r.state)).toBe(true);
    expect(live.has(r.id) || stopped.has(r.id)).toBe(true);
    if (stopped.has(r.id)) expect(['stopping', 'stopped']).toContain(r.state);
    for (const n of [r.sentBytes, r.sentTime, r.totalsentBytes, r.totalsentTime, r.sequence, r.droppedFrames ?? 0]) {
      expect(Number.isInteger(n) && n >= 0).toBe(true);
    }
    expect(r.totalsentBytes).toBeGreaterThanOrEqual(r.sentBytes);
    expect(r.totalsentTime).toBeGreaterThanOrEqual(r.sentTime);
    expect(r.sequence).toBeGreaterThanOrEqual(lastSequence.get(r.id) ?? 0);
    lastSequence.set(r.id, r.sequence);
    switch (r.state) {
      case 'ready':
      case 'stopping':
      case 'stopped':
        expect(r.reconnectIn).toBeUndefined();
        break;
      case 'connecting':
      case 'pushing':
        expect(r.reconnectIn).toBeUndefined();
        expect(f.source.tracksOf({ vhost: r.vhost, app: r.app, name: r.stream.name })).toBeDefined();
        break;
      case 'error':
        if (r.reconnectIn !== undefined) expect(r.reconnectIn).toBeGreaterThanOrEqual(0);
        else expect(r.lastError).toMatch(/^Nothing to push/);
        break;
    }
  }
  // Through the fakes: a push holds a sink (not yet closed) exactly while connecting or
  // pushing, and a subscription exactly until it is stopped.
  const unclosedSinks = [...f.rtmp.sinks, ...f.mpegts.sinks].filter((s) => s.closeCalls === 0).length;
  expect(unclosedSinks).toBe(records.filter((r) => r.state === 'connecting' || r.state === 'pushing').length);
  expect(f.source.totalSubscribers).toBe(records.filter((r) => r.state !== 'stopping' && r.state !== 'stopped').length);
}

/** A small deterministic random source (jitter) so a seed replays a run exactly. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

/** Runs the property; returns the transitions seen over all runs. */
async function runProperty(parameters: fc.Parameters<[Op[], number]>): Promise<Set<string>> {
  const transitions = new Set<string>();
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.nat(), async (ops, jitterSeed) => {
      const f = makeRegistry({ random: lcg(jitterSeed), queue: { maxBytes: 100_000, maxDurationMs: 2000 } });
      const live = new Set<string>();
      const stopped = new Set<string>();
      const lastSequence = new Map<string, number>();
      const ms = new Map<string, number>();
      for (const op of ops) {
        switch (op.t) {
          case 'start': {
            const id = `p${op.id}`;
            const stream = STREAMS[op.stream] as string;
            try {
              const record = f.registry.startPush(
                rtmpPush(id, stream, { stream: { name: stream, ...(op.tracks ? { tracks: [100] } : {}) } }),
              );
              stopped.delete(id);
              // A listener may have stopped it while it was being created.
              if (record.state === 'stopping' || record.state === 'stopped') stopped.add(id);
              else live.add(id);
            } catch (e) {
              expect((e as Error).name).toMatch(/^(DuplicatePushId|UnknownTrackId)$/);
            }
            break;
          }
          case 'stop': {
            const id = `p${op.id}`;
            try {
              f.registry.stopPush(id);
              if (live.delete(id)) stopped.add(id);
            } catch (e) {
              expect((e as Error).name).toBe('PushNotFound');
              expect(live.has(id)).toBe(false);
            }
            break;
          }
          case 'publish':
            f.source.publish(STREAMS[op.stream] as string, TRACK_SETS[op.set] as TrackInfo[]);
            ms.set(STREAMS[op.stream] as string, 0);
            break;
          case 'end':
            f.source.end(STREAMS[op.stream] as string);
            break;
          case 'packet': {
            const name = STREAMS[op.stream] as string;
            if (!f.source.isLive(name)) break;
            const t = (ms.get(name) ?? 0) + 40;
            ms.set(name, t);
            f.source.send(name, op.audio ? audio(t, op.size) : video(t, op.key, op.size));
            break;
          }
          case 'behaviour':
            f.rtmp.behaviour = op.b;
            break;
          case 'holdClose':
            f.rtmp.holdClose = op.hold;
            break;
          case 'sink': {
            // Mostly one of the newest sinks (the live ones), sometimes any older one.
            const n = f.rtmp.sinks.length;
            const sink =
              op.idx < 24
                ? f.rtmp.sinks[n - 1 - (op.idx % Math.min(4, Math.max(1, n)))]
                : f.rtmp.sinks[op.idx % Math.max(1, n)];
            if (sink === undefined) break;
            if (op.action === 'fail') sink.fail();
            else if (op.action === 'finishOpen') sink.finishOpen();
            else if (op.action === 'refuseOpen') sink.refuseOpen();
            else if (op.action === 'stall') {
              sink.reading = false;
              sink.bufferLimit = 5000;
            } else if (op.action === 'drain') {
              sink.reading = true;
              sink.drainAll();
            } else sink.finishClose();
            break;
          }
          case 'advance':
            f.clock.advance(op.ms);
            break;
          case 'stopOnNext': {
            const id = `p${op.id}`;
            const listener = (c: PushStateChange): void => {
              if (c.id !== id || c.to !== op.to) return;
              f.registry.off('change', listener);
              f.registry.stopPush(id);
              if (live.delete(id)) stopped.add(id);
            };
            f.registry.on('change', listener);
            break;
          }
        }
        await settle();
        checkInvariants(f, live, stopped, lastSequence);
        // The store holds exactly the pushes that were started and not stopped.
        await f.registry.flush();
        expect((await f.registry.store.load()).map((p) => p.id).sort()).toEqual([...live].sort());
      }
      // Teardown always completes: stop everything, let close() or the teardown timeout finish.
      for (const r of f.registry.listPushes()) f.registry.stopPush(r.id);
      for (const sink of f.rtmp.sinks) sink.finishClose();
      await settle();
      f.clock.advance(10_000);
      await settle();
      expect(f.registry.size).toBe(0);
      expect(f.source.subscriberCount('s0') + f.source.subscriberCount('s1')).toBe(0);
      expect(f.clock.pending).toBe(0);
      for (const c of f.changes) transitions.add(`${c.from}->${c.to}`);
    }),
    parameters,
  );
  return transitions;
}

describe('PushRegistry property: random operation sequences', () => {
  it('never reach an impossible state, never lose a push that was not stopped, keep total* >= current (fixed seed, every transition reached)', async () => {
    const transitions = await runProperty({ numRuns: 300, seed: 20_261_126 });
    for (const t of [
      'null->ready',
      'ready->connecting',
      'connecting->pushing',
      'connecting->error',
      'pushing->error',
      'pushing->ready',
      'error->connecting',
      'error->ready',
      'pushing->stopping',
      'error->stopping',
      'ready->stopping',
      'connecting->stopping',
      'stopping->stopped',
    ]) {
      expect([...transitions].sort().join(' '), t).toContain(t);
    }
  });

  it('holds for fresh random sequences too (fast-check prints the seed of a failure)', async () => {
    await runProperty({ numRuns: 200 });
  });
});
