/**
 * Push sessions failing, against fake sinks and a fake clock: refused and hanging connections,
 * retries and their backoff, reachability probes, the source ending or returning during a retry.
 */
import { describe, expect, it } from 'vitest';
import { PushConnectTimeout } from './errors.js';
import { settle } from './test-support/fake-clock.js';
import { AV, video } from './test-support/media.js';
import { makePushingRegistry, makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

describe('Push: failures and backoff', () => {
  it('goes to error on a refused connection and retries after 500, 1000, 2000, 4000, 5000, 5000 ms', async () => {
    const { registry, source, rtmp, clock, statesOf } = makeRegistry();
    rtmp.behaviour = 'reject';
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = registry.getPush('p');
      expect(r?.state).toBe('error');
      expect(r?.lastError).toBe('Connection refused');
      delays.push(r?.reconnectIn ?? -1);
      clock.advance(r?.reconnectIn ?? 0);
      await settle();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(registry.getPush('p')?.sequence).toBe(7); // the first attempt and six retries, all refused
    expect(rtmp.sinks).toHaveLength(7);
    expect(statesOf('p').slice(0, 6)).toEqual(['ready', 'connecting', 'error', 'connecting', 'error', 'connecting']);
  });

  it('keeps every delay within ±20 % jitter', async () => {
    for (const [random, expected] of [
      [0, [400, 800, 1600, 3200, 4000]],
      [0.999_999, [600, 1200, 2400, 4800, 6000]],
    ] as const) {
      const { registry, source, rtmp, clock } = makeRegistry({ random: () => random });
      rtmp.behaviour = 'reject';
      source.publish('live', AV);
      registry.startPush(rtmpPush('p'));
      await settle();
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        const wait = registry.getPush('p')?.reconnectIn ?? -1;
        delays.push(wait);
        clock.advance(wait - 1);
        await settle();
        expect(registry.getPush('p')?.state).toBe('error'); // not a millisecond early
        clock.advance(1);
        await settle();
      }
      expect(delays).toEqual(expected);
    }
  });

  it('resets the backoff after a session that pushed 10 s, not after a shorter one', async () => {
    const { registry, rtmp, clock } = await makePushingRegistry();
    rtmp.last.fail();
    expect(registry.getPush('p')?.reconnectIn).toBe(500);
    clock.advance(500);
    await settle();
    clock.advance(9999);
    rtmp.last.fail();
    expect(registry.getPush('p')?.reconnectIn).toBe(1000);
    clock.advance(1000);
    await settle();
    clock.advance(10_000);
    rtmp.last.fail('Connection reset by peer');
    expect(registry.getPush('p')).toMatchObject({
      state: 'error',
      reconnectIn: 500,
      lastError: 'Connection reset by peer',
      sequence: 3,
    });
  });

  it('sends media again as soon as the destination is back (first retry that connects)', async () => {
    const { registry, source, rtmp, clock } = await makePushingRegistry();
    source.send('live', video(0, true));
    rtmp.behaviour = 'reject';
    rtmp.last.fail();
    source.send('live', video(40, false));
    source.send('live', video(2000, true, 700));
    clock.advance(500);
    await settle(); // refused again
    rtmp.behaviour = 'resolve'; // destination back
    clock.advance(1000);
    await settle();
    const r = registry.getPush('p');
    expect(r?.state).toBe('pushing');
    // The retry resubscribed: the hub replayed its current GOP, so media flows at once from its keyframe.
    expect(rtmp.last.packets.map((p) => [p.dts, p.key, p.size])).toEqual([[0, true, 700]]);
    expect(r).toMatchObject({ sequence: 2, sentBytes: 700, totalsentBytes: 1700 });
    expect(r?.lastError).toBeUndefined();
  });

  it('with retry.maxDelayMs 1000, pushes again within 1.2 s of a destination returning after any outage', async () => {
    for (const outageMs of [700, 3500, 12_000]) {
      const { registry, source, rtmp, clock } = makeRegistry({ retry: { maxDelayMs: 1000 }, random: () => 0.999_999 });
      source.publish('live', AV);
      registry.startPush(rtmpPush('p'));
      await settle();
      rtmp.behaviour = 'reject';
      rtmp.last.fail(); // the destination goes away at t0
      const t0 = clock.now();
      while (clock.now() - t0 < outageMs) {
        clock.advance(50);
        await settle();
      }
      rtmp.behaviour = 'resolve'; // ...and is back
      const back = clock.now();
      while (registry.getPush('p')?.state !== 'pushing') {
        clock.advance(10);
        await settle();
      }
      expect(clock.now() - back).toBeLessThanOrEqual(1200);
    }
  });

  it('with a reachability probe and default retry, pushes again within 0.4 s of an unreachable destination returning', async () => {
    for (const outageMs of [700, 3500, 12_000, 30_000]) {
      const { registry, source, rtmp, clock } = makeRegistry({ random: () => 0.999_999 });
      rtmp.reachable = true;
      source.publish('live', AV);
      registry.startPush(rtmpPush('p'));
      await settle();
      rtmp.behaviour = 'reject';
      rtmp.reachable = false;
      rtmp.last.fail(); // the destination goes away at t0
      const t0 = clock.now();
      while (clock.now() - t0 < outageMs) {
        clock.advance(50);
        await settle();
      }
      rtmp.behaviour = 'resolve';
      rtmp.reachable = true; // ...and is back
      const back = clock.now();
      while (registry.getPush('p')?.state !== 'pushing') {
        clock.advance(10);
        await settle();
      }
      expect(clock.now() - back).toBeLessThanOrEqual(400);
      // probes are spaced by the interval, never a busy loop
      expect(rtmp.probes).toBeLessThanOrEqual(Math.ceil(outageMs / 250) + 10);
    }
  });

  it('keeps the plain backoff when the destination answers probes but refuses the push', async () => {
    const { registry, source, rtmp, clock } = makeRegistry({ random: () => 0.5 });
    rtmp.reachable = true;
    rtmp.behaviour = 'reject';
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    expect(registry.getPush('p')).toMatchObject({ state: 'error', reconnectIn: 500 });
    const sinksBefore = rtmp.sinks.length;
    clock.advance(499);
    await settle();
    expect(rtmp.sinks.length).toBe(sinksBefore); // no early reconnect
    expect(rtmp.probes).toBe(1); // one probe at the failure, none after it answered
    clock.advance(1);
    await settle();
    expect(rtmp.sinks.length).toBe(sinksBefore + 1);
    expect(registry.getPush('p')).toMatchObject({ state: 'error', reconnectIn: 1000 });
  });

  it('cancels probes when the push is stopped during the backoff', async () => {
    const { registry, source, rtmp, clock } = makeRegistry();
    rtmp.reachable = false;
    rtmp.behaviour = 'reject';
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    expect(registry.getPush('p')?.state).toBe('error');
    registry.stopPush('p');
    await settle();
    const probes = rtmp.probes;
    rtmp.reachable = true;
    clock.advance(10_000);
    await settle();
    expect(rtmp.probes).toBe(probes);
    expect(registry.getPush('p')).toBeUndefined();
  });

  it('fails a connection that does not open within the connection timeout', async () => {
    const { registry, source, rtmp, clock, changes } = makeRegistry({
      timeoutsFor: () => ({ connectTimeoutMs: 3000 }),
    });
    rtmp.behaviour = 'hang';
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    expect(rtmp.last.target.connectTimeoutMs).toBe(3000);
    clock.advance(2999);
    expect(registry.getPush('p')?.state).toBe('connecting');
    clock.advance(1);
    expect(registry.getPush('p')).toMatchObject({
      state: 'error',
      lastError: 'Connection timed out after 3000 ms',
      sequence: 1,
    });
    expect(changes.at(-1)?.error).toBeInstanceOf(PushConnectTimeout);
    expect(rtmp.last.closeCalls).toBe(1);
    rtmp.last.finishOpen(); // too late: ignored
    await settle();
    expect(registry.getPush('p')?.state).toBe('error');
  });

  it('fails the session when the sink cannot even be created', async () => {
    const { registry, source, rtmp } = makeRegistry();
    rtmp.throwOnCreate = true;
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    expect(registry.getPush('p')).toMatchObject({ state: 'error', lastError: 'cannot create sink', reconnectIn: 500 });
  });

  it('returns to ready (retry cancelled) when the source ends during the backoff', async () => {
    const { registry, source, rtmp, clock } = await makePushingRegistry();
    rtmp.last.fail();
    source.end('live');
    expect(registry.getPush('p')?.state).toBe('ready');
    expect(registry.getPush('p')?.reconnectIn).toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('waits for the backoff when the stream republishes during it', async () => {
    const { registry, source, rtmp, clock } = await makePushingRegistry();
    rtmp.last.fail();
    source.publish('live', AV);
    expect(rtmp.sinks).toHaveLength(1);
    clock.advance(500);
    await settle();
    expect(registry.getPush('p')?.state).toBe('pushing');
  });

  it('reconnects after the backoff, and goes to ready when the retry finds the source gone', async () => {
    const { registry, source, rtmp, clock } = await makePushingRegistry();
    rtmp.last.fail();
    clock.advance(500);
    await settle();
    expect(registry.getPush('p')?.state).toBe('pushing');
    rtmp.last.fail();
    // A hub that no longer replays the stream on subscribe (it vanished without onStreamEnd).
    source.subscribe = () => () => undefined;
    clock.advance(1000);
    expect(registry.getPush('p')).toMatchObject({ state: 'ready', sequence: 2 });
    expect(rtmp.sinks).toHaveLength(2);
  });

  it('stops cleanly while connecting and while waiting to retry', async () => {
    const { registry, source, rtmp, clock } = makeRegistry();
    rtmp.behaviour = 'hang';
    source.publish('live', AV);
    registry.startPush(rtmpPush('a'));
    expect(registry.stopPush('a').state).toBe('stopping');
    await settle();
    expect(registry.size).toBe(0);
    expect(rtmp.last.closeCalls).toBe(1);
    rtmp.behaviour = 'reject';
    registry.startPush(rtmpPush('b'));
    await settle();
    expect(registry.stopPush('b').state).toBe('stopped');
    expect(clock.pending).toBe(0);
  });
});
