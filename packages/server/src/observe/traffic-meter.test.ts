import { describe, expect, it } from 'vitest';
import { TrafficMeter } from './traffic-meter.js';

describe('TrafficMeter', () => {
  it('answers bit/s over the window of the last samples, notes when a counter moved, forgets what is gone', () => {
    let now = 1_000_000;
    let pushes: Array<[string, number]> = [['p', 0]];
    const streams: Array<[string, number]> = [['default/app/s', 0]];
    const meter = new TrafficMeter({ read: () => ({ pushes, streams }), now: () => now, windowSamples: 6 });
    meter.sample();
    expect(meter.pushBitrate('p')).toBeUndefined();
    for (let i = 1; i <= 10; i++) {
      now += 1000;
      pushes = [['p', i * 125_000]]; // 1 Mbit/s
      meter.sample();
    }
    expect(meter.pushBitrate('p')).toBe(1_000_000);
    expect(meter.pushMovedAt('p')).toBe(now);
    expect(meter.streamBitrate('default/app/s')).toBe(0);
    expect(meter.streamMovedAt('default/app/s')).toBe(0);
    // the rate follows the last ~5 s: after a stall it reaches 0
    for (let i = 0; i < 5; i++) {
      now += 1000;
      meter.sample();
    }
    expect(meter.pushBitrate('p')).toBe(0);
    pushes = [];
    meter.sample();
    expect(meter.pushBitrate('p')).toBeUndefined();
  });

  it('starts over when a counter goes back (a new session or publication)', () => {
    let now = 0;
    let bytes = 10_000;
    const meter = new TrafficMeter({ read: () => ({ pushes: [['p', bytes]], streams: [] }), now: () => now });
    meter.sample();
    now += 1000;
    bytes = 5;
    meter.sample();
    expect(meter.pushBitrate('p')).toBeUndefined();
    now += 1000;
    bytes = 1005;
    meter.sample();
    expect(meter.pushBitrate('p')).toBe(8000);
  });
});
