import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from './clock.js';
import { callIsolated, ListenerList } from './listeners.js';
import { KernelByteCounter, SendWatchdog } from './send-watchdog.js';

/** A manual clock: advance() fires the timers that are due. */
class ManualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void; handle: object }> = [];
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.push({ at: this.t + ms, fn, handle });
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((x) => x.handle !== handle);
  }
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.timers.find((x) => x.at <= this.t);
      if (due === undefined) return;
      this.clearTimeout(due.handle);
      due.fn();
    }
  }
}

describe('SendWatchdog', () => {
  function setup(timeoutMs = 1000) {
    const clock = new ManualClock();
    const state = { flushed: 0, buffered: 100, stalls: 0, idles: 0 };
    const watchdog = new SendWatchdog({
      timeoutMs,
      flushedBytes: () => state.flushed,
      bufferedBytes: () => state.buffered,
      onStall: () => state.stalls++,
      onIdle: () => state.idles++,
      clock,
    });
    return { clock, state, watchdog };
  }

  it('fires once a whole timeout passed with bytes waiting and none reaching the kernel', () => {
    const { clock, state, watchdog } = setup();
    watchdog.arm();
    watchdog.arm(); // no second timer
    clock.advance(999);
    expect(state.stalls).toBe(0);
    clock.advance(1);
    expect([state.stalls, watchdog.armed]).toEqual([1, false]);
  });

  it('re-arms while bytes still leave, and reports an emptied buffer as idle', () => {
    const { clock, state, watchdog } = setup();
    watchdog.arm();
    state.flushed = 10;
    clock.advance(1000);
    expect([state.stalls, watchdog.armed]).toEqual([0, true]);
    state.buffered = 0;
    clock.advance(1000);
    expect([state.stalls, state.idles, watchdog.armed]).toEqual([0, 1, false]);
  });

  it('stop() cancels the check', () => {
    const { clock, state, watchdog } = setup();
    watchdog.arm();
    watchdog.stop();
    clock.advance(5000);
    expect(state.stalls).toBe(0);
  });

  it('timeoutMs 0 is off: arm() sets no timer (the caller watches, e.g. a push session)', () => {
    const { clock, state, watchdog } = setup(0);
    watchdog.arm();
    expect(watchdog.armed).toBe(false);
    clock.advance(60_000);
    expect([state.stalls, state.idles]).toEqual([0, 0]);
  });
});

describe('KernelByteCounter', () => {
  it('counts handed minus buffered, never decreasing, and keeps the count once the socket is gone', () => {
    const counter = new KernelByteCounter();
    expect(counter.read(undefined)).toBe(0);
    counter.wrote(1000);
    expect(counter.read({ writableLength: 400, destroyed: false })).toBe(600);
    expect(counter.read({ writableLength: 900, destroyed: false })).toBe(600);
    counter.wrote(4000);
    expect(counter.read({ writableLength: 0, destroyed: true })).toBe(600);
    expect(counter.read({ writableLength: 1000, destroyed: false })).toBe(4000);
  });

  it('agrees with node:net socket.bytesWritten - writableLength on a real socket', async () => {
    const { createServer, connect } = await import('node:net');
    const server = createServer((s) => s.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    const counter = new KernelByteCounter();
    const write = (n: number): void => {
      counter.wrote(n);
      socket.write(new Uint8Array(n));
    };
    write(10); // before connect: queued
    expect(counter.read(socket)).toBe(socket.bytesWritten - socket.writableLength);
    await new Promise<void>((r) => socket.once('connect', r));
    for (let i = 0; i < 50; i++) write(64 * 1024);
    expect(counter.read(socket)).toBe(socket.bytesWritten - socket.writableLength);
    await new Promise<void>((r) => socket.end(r));
    expect(counter.read(socket)).toBe(10 + 50 * 64 * 1024);
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('listener isolation', () => {
  it('ListenerList calls every listener in order; a throwing one goes to onError', () => {
    const errors: unknown[] = [];
    const calls: string[] = [];
    const list = new ListenerList<[number]>((e) => errors.push(e));
    list.add((n) => calls.push(`a${n}`));
    list.add(() => {
      throw new Error('boom');
    });
    list.add((n) => calls.push(`c${n}`));
    list.emit(1);
    expect([calls, (errors[0] as Error).message, list.size]).toEqual([['a1', 'c1'], 'boom', 3]);
  });

  it('callIsolated rethrows in a microtask by default, not to the caller', async () => {
    const seen = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    expect(() =>
      callIsolated(() => {
        throw new Error('later');
      }),
    ).not.toThrow();
    expect(((await seen) as Error).message).toBe('later');
  });
});
