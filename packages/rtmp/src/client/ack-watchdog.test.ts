import type { Clock, TimerHandle } from '@sluice/media';
import { describe, expect, it } from 'vitest';
import { AckWatchdog } from './ack-watchdog.js';

/** Time moves and timers fire only when the test says. */
function manualClock(): Clock & { advance: (ms: number) => void; pending: () => number } {
  let now = 0;
  let timers: Array<{ at: number; callback: () => void; handle: TimerHandle }> = [];
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      const handle = {} as TimerHandle;
      timers.push({ at: now + ms, callback, handle });
      return handle;
    },
    clearTimeout: (handle) => (timers = timers.filter((t) => t.handle !== handle)),
    advance: (ms) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.callback();
    },
    pending: () => timers.length,
  };
}

function setup(window = 100) {
  const clock = manualClock();
  let sent = 0;
  const events: string[] = [];
  const watchdog = new AckWatchdog({
    window,
    timeoutMs: 2000,
    clock,
    sentBytes: () => sent,
    onStall: (n) => events.push(`stall ${n}`),
    onCaughtUp: () => events.push('caught up'),
  });
  return { clock, watchdog, events, send: (n: number) => (sent += n) };
}

describe('AckWatchdog', () => {
  it('stays off until the server has acknowledged once (some never do)', () => {
    const { watchdog, send, clock } = setup();
    send(10_000);
    expect(watchdog.check()).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('a stall: more than 2 steps outstanding and no acknowledgement for the timeout', () => {
    const { watchdog, send, events, clock } = setup();
    watchdog.acknowledged(0);
    send(250);
    watchdog.check();
    clock.advance(1999);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(['stall 250']);
  });

  it('no stall while a slow server still acknowledges', () => {
    const { watchdog, send, events, clock } = setup();
    watchdog.acknowledged(0);
    send(1000);
    watchdog.check();
    clock.advance(1500);
    watchdog.acknowledged(150); // read something, still behind
    clock.advance(500);
    expect(events).toEqual([]);
    clock.advance(2000); // then nothing more
    expect(events).toEqual(['stall 850']);
  });

  it('holds back beyond the backlog (4 steps, or 2 s of the measured rate) and says when it catches up', () => {
    const { watchdog, send, events, clock } = setup();
    watchdog.acknowledged(0);
    watchdog.check(); // first rate sample
    send(400);
    expect(watchdog.check()).toBe(true); // 4 steps
    send(1);
    expect(watchdog.check()).toBe(false);
    watchdog.acknowledged(300);
    expect(events).toEqual(['caught up']);
    // a stream of 1000 bytes/s, read as it comes: the backlog becomes 2 s of it
    let total = 401;
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      send(100);
      total += 100;
      watchdog.acknowledged(total);
      expect(watchdog.check()).toBe(true);
    }
    expect(watchdog.backlogLimit).toBeGreaterThan(1900);
    expect(watchdog.backlogLimit).toBeLessThan(3000);
  });

  it('learns a server that acknowledges more coarsely than asked', () => {
    const { watchdog, send, clock, events } = setup();
    send(5000);
    watchdog.acknowledged(5000); // every 5000 bytes whatever was asked
    send(9000);
    expect(watchdog.check()).toBe(true); // 9000 < 4 steps of 5000: not held back
    expect(clock.pending()).toBe(0); // 9000 < 2 steps: no stall watch
    send(2000);
    watchdog.check();
    clock.advance(2000);
    expect(events).toEqual(['stall 11000']);
  });
});
