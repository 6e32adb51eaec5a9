/**
 * What a push does when its source misbehaves: the no-media watchdog (a session that
 * sends nothing while the source delivers ends and a new one starts) and the count of
 * timeline discontinuities the source absorbed.
 */
import { describe, expect, it } from 'vitest';
import { settle } from './test-support/fake-clock.js';
import { AV, audio, video } from './test-support/media.js';
import { makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

const WRAP31_MS = 2 ** 31;

describe('Push: no-media watchdog', () => {
  /** A pushing session on a live source at ~WRAP31_MS - 1 s, sending 25 fps video. */
  async function pushingNearWrap(options: Parameters<typeof makeRegistry>[0] = {}) {
    const f = makeRegistry(options);
    f.source.publish('live', AV);
    f.registry.startPush(rtmpPush('p'));
    await settle();
    let ms = WRAP31_MS - 1000;
    const frames = (n: number, key = (i: number) => i === 0): void => {
      for (let i = 0; i < n; i++) {
        f.source.send('live', video(ms % WRAP31_MS, key(i)));
        f.source.send('live', audio(ms % WRAP31_MS));
        ms += 40;
        f.clock.advance(40);
      }
    };
    return { ...f, frames };
  }

  it('a session that drops everything after a jump back of 2^31 ms ends with lastError and restarts (sequence + 1)', async () => {
    // No hub in front: the source's timeline really jumps back, and the session's own rebase
    // puts every later packet before its first keyframe, so it drops them all (issue 10).
    const { registry, rtmp, frames, statesOf } = await pushingNearWrap();
    frames(25); // 1 s: crosses the wrap after 25 frames
    const sent = rtmp.last.packets.length;
    expect(sent).toBeGreaterThan(0);
    frames(100); // 4 s of source media, none of it sent
    expect(rtmp.last.packets.length).toBe(sent);
    expect(registry.getPush('p')?.state).toBe('pushing');
    frames(50); // the watchdog fires within timeout + a quarter of it
    const record = registry.getPush('p');
    expect(record?.lastError).toBe('no media sent for 5000 ms while the source is live');
    expect(statesOf('p')).toContain('error');
    expect(record?.sequence).toBe(1);
    // the retry (200-500 ms backoff) opens a new session that sends the source's media again
    frames(15);
    await settle();
    expect(registry.getPush('p')?.state).toBe('pushing');
    frames(30, (i) => i === 0);
    expect(rtmp.sinks.length).toBe(2);
    expect(rtmp.last.packets.length).toBeGreaterThan(10);
  });

  it('counts bytes on the wire: a sink that accepts packets but writes nothing ends the session too', async () => {
    const f = makeRegistry();
    f.source.publish('live', AV);
    f.registry.startPush(rtmpPush('p'));
    await settle();
    let ms = 0;
    const frames = (n: number): void => {
      for (let i = 0; i < n; i++, ms += 40) {
        f.source.send('live', video(ms, ms % 2000 === 0));
        f.clock.advance(40);
      }
    };
    frames(50);
    f.rtmp.last.swallow = true;
    frames(120); // 4.8 s: not yet
    expect(f.registry.getPush('p')?.state).toBe('pushing');
    frames(40);
    expect(f.registry.getPush('p')).toMatchObject({
      sequence: 1,
      lastError: 'no media sent for 5000 ms while the source is live',
    });
  });

  it('does not restart a push whose source goes quiet (not the push’s fault)', async () => {
    const { registry, frames, clock } = await pushingNearWrap();
    frames(10);
    clock.advance(30_000);
    expect(registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 0 });
  });

  it('keeps a session that keeps sending (a regular timeline for 20 s)', async () => {
    const f = makeRegistry();
    f.source.publish('live', AV);
    f.registry.startPush(rtmpPush('q'));
    await settle();
    for (let ms = 0; ms < 20_000; ms += 40) {
      f.source.send('live', video(ms, ms % 2000 === 0));
      f.clock.advance(40);
    }
    expect(f.registry.getPush('q')).toMatchObject({ state: 'pushing', sequence: 0 });
  });

  it('is off with noMediaTimeoutMs 0, and follows the per-application value', async () => {
    const off = await pushingNearWrap({ noMediaTimeoutMs: 0 });
    off.frames(300);
    expect(off.registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 0 });
    expect(off.clock.pending).toBe(0);

    const quick = await pushingNearWrap({ timeoutsFor: () => ({ noMediaTimeoutMs: 1000 }) });
    quick.frames(25 + 35); // 1 s to the wrap, then 1.4 s of dropped media
    expect(quick.registry.getPush('p')?.lastError).toBe('no media sent for 1000 ms while the source is live');
  });

  it('refuses a negative timeout', () => {
    expect(() => makeRegistry({ noMediaTimeoutMs: -1 })).toThrow(RangeError);
  });
});

describe('Push: source discontinuities', () => {
  it('counts the discontinuities its sessions went through, over all sessions', async () => {
    const { registry, source, rtmp } = makeRegistry();
    const jump = { trackId: 100, fromMs: WRAP31_MS - 10, toMs: 0, kind: 'wrap31' as const };
    registry.startPush(rtmpPush('p'));
    source.publish('live', AV);
    await settle();
    source.discontinuity('live', jump);
    source.discontinuity('live', { ...jump, kind: 'forward', fromMs: 10, toMs: 3_600_010 });
    expect(registry.getPush('p')?.discontinuities).toBe(2);
    rtmp.last.fail();
    source.discontinuity('live', jump); // between sessions: not one this push went through
    expect(registry.getPush('p')).toMatchObject({ state: 'error', discontinuities: 2 });
  });
});
