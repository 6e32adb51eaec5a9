import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { TimelineDiscontinuity } from '@sluice/push';
import { describe, expect, it } from 'vitest';
import { TimelineGuard } from './timeline-guard.js';

const V = 0;
const A = 1;
const tracks = (timescale = 1000): TrackInfo[] => [
  { id: V, kind: 'video', codec: 'h264', timescale },
  { id: A, kind: 'audio', codec: 'aac', timescale },
];

interface Out {
  trackId: number;
  dts: number;
  pts: number;
}

/** Runs packets through a fresh guard; returns what came out and the events. */
function run(
  input: Array<[number, number, number?]>,
  timescale = 1000,
): { out: Out[]; events: TimelineDiscontinuity[] } {
  const guard = new TimelineGuard();
  guard.setTracks(tracks(timescale));
  const out: Out[] = [];
  const events: TimelineDiscontinuity[] = [];
  for (const [trackId, dts, cto = 0] of input) {
    const p: MediaPacket = { trackId, dts, pts: dts + cto, key: false, data: new Uint8Array(0) };
    const e = guard.adjust(p);
    if (e !== undefined) events.push(e);
    out.push({ trackId: p.trackId, dts: p.dts, pts: p.pts });
  }
  expect(guard.count).toBe(events.length);
  return { out, events };
}

/** Interleaved 30 fps video and ~43 fps audio from `startMs` for `ms`, the source clock given by `clock`. */
function av(startMs: number, ms: number, clock: (t: number) => number = (t) => t): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let v = 0;
  let a = 0;
  while (Math.min(v * 33, a * 23) < ms) {
    const tv = startMs + v * 33;
    const ta = startMs + a * 23;
    if (tv <= ta) {
      out.push([V, clock(tv)]);
      v++;
    } else {
      out.push([A, clock(ta)]);
      a++;
    }
  }
  return out;
}

function expectMonotonic(out: Out[]): void {
  for (const id of [V, A]) {
    const dts = out.filter((o) => o.trackId === id).map((o) => o.dts);
    for (let i = 1; i < dts.length; i++) expect(dts[i]!, `track ${id} at ${i}`).toBeGreaterThan(dts[i - 1]!);
  }
  for (const o of out) expect(o.pts).toBeGreaterThanOrEqual(o.dts);
}

/** Largest |video dts - audio dts| between neighbours in arrival order, after the first packets. */
function maxAvSkew(out: Out[]): number {
  let last: Record<number, number> = {};
  let max = 0;
  for (const o of out) {
    last = { ...last, [o.trackId]: o.dts };
    if (last[V] !== undefined && last[A] !== undefined) max = Math.max(max, Math.abs(last[V] - last[A]));
  }
  return max;
}

/** Largest step of one track's output DTS. */
function maxStep(out: Out[], trackId: number): number {
  const dts = out.filter((o) => o.trackId === trackId).map((o) => o.dts);
  let max = 0;
  for (let i = 1; i < dts.length; i++) max = Math.max(max, dts[i]! - dts[i - 1]!);
  return max;
}

describe('TimelineGuard', () => {
  it('passes a regular timeline unchanged', () => {
    const input = av(1000, 5000);
    const { out, events } = run(input);
    expect(events).toEqual([]);
    expect(out.map((o) => o.dts)).toEqual(input.map(([, dts]) => dts));
  });

  it('clamps a DTS that steps back a few ms (and a repeated DTS) without a discontinuity', () => {
    const { out, events } = run([
      [V, 0],
      [V, 33],
      [V, 30, 40],
      [V, 30],
      [V, 100],
    ]);
    expect(events).toEqual([]);
    expect(out.map((o) => [o.dts, o.pts])).toEqual([
      [0, 0],
      [33, 33],
      [34, 70],
      [35, 35],
      [100, 100],
    ]);
  });

  it("absorbs ffmpeg's 31-bit FLV wrap: one event, A/V aligned, continuous and monotonic", () => {
    const wrap = 2 ** 31;
    const start = wrap - 3000;
    const { out, events } = run(av(start, 6000, (t) => t % wrap));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ trackId: V, kind: 'wrap31' });
    expect(events[0]!.fromMs).toBeGreaterThan(wrap - 40);
    expect(events[0]!.toMs).toBeLessThan(40);
    expectMonotonic(out);
    expect(maxAvSkew(out)).toBeLessThanOrEqual(40);
    expect(maxStep(out, V)).toBeLessThanOrEqual(34);
    expect(maxStep(out, A)).toBeLessThanOrEqual(24);
    // the output continues where the source left off: still ~2^31 ms, not back to 0
    expect(out[out.length - 1]!.dts).toBeGreaterThan(wrap + 2900);
  });

  it('absorbs a 2^32 wrap that reaches the hub un-unwrapped (kind wrap32)', () => {
    const wrap = 2 ** 32;
    const { out, events } = run(av(wrap - 2000, 4000, (t) => t % wrap));
    expect(events.map((e) => e.kind)).toEqual(['wrap32']);
    expectMonotonic(out);
    expect(maxAvSkew(out)).toBeLessThanOrEqual(40);
  });

  it('absorbs a forward jump of an hour: the gap is closed, one event', () => {
    const hour = 3_600_000;
    const { out, events } = run(av(10_000, 6000, (t) => (t < 13_000 ? t : t + hour)));
    expect(events.map((e) => e.kind)).toEqual(['forward']);
    expect(events[0]!.toMs - events[0]!.fromMs).toBeGreaterThan(hour);
    expectMonotonic(out);
    expect(maxStep(out, V)).toBeLessThanOrEqual(34);
    expect(maxAvSkew(out)).toBeLessThanOrEqual(40);
  });

  it('takes a forward gap below the bound as it is', () => {
    const { out, events } = run([
      [V, 0],
      [V, 9000],
    ]);
    expect(events).toEqual([]);
    expect(out[1]!.dts).toBe(9000);
  });

  it('absorbs an encoder that restarts its clock at 0, and counts a second restart again', () => {
    const clock = (t: number): number => (t < 60_000 ? t : t < 63_000 ? t - 60_000 : t - 63_000);
    const { out, events } = run(av(57_000, 9000, clock));
    expect(events.map((e) => e.kind)).toEqual(['backward', 'backward']);
    expectMonotonic(out);
    expect(maxAvSkew(out)).toBeLessThanOrEqual(40);
  });

  it('keeps the composition offset of B-frames across a rebase', () => {
    // decode order I P B B with cto 66/99/0/0 ms, then the clock restarts
    const pattern = [66, 132, 0, 0];
    const input: Array<[number, number, number]> = [];
    for (let i = 0; i < 16; i++) {
      const t = 5000 + i * 33;
      input.push([V, i < 8 ? t : t - 5000 - 8 * 33, pattern[i % 4]!]);
    }
    const { out, events } = run(input);
    expect(events).toHaveLength(1);
    expect(out.map((o) => o.pts - o.dts)).toEqual(input.map(([, , cto]) => cto));
    expectMonotonic(out);
  });

  it('works on 90 kHz tracks (MPEG-TS ingest)', () => {
    const input = av(0, 4000, (t) => (t < 2000 ? t : t - 1500)).map(([id, ms]): [number, number] => [id, ms * 90]);
    const { out, events } = run(input, 90_000);
    expect(events.map((e) => e.kind)).toEqual(['backward']);
    expect(events[0]!.fromMs).toBeGreaterThan(1950);
    expectMonotonic(out);
    expect(maxAvSkew(out)).toBeLessThanOrEqual(40 * 90);
  });

  it('a track that joins later starts at the stream-wide offset', () => {
    const guard = new TimelineGuard();
    guard.setTracks([tracks()[0]!]);
    const p = (trackId: number, dts: number): MediaPacket => ({
      trackId,
      dts,
      pts: dts,
      key: false,
      data: new Uint8Array(0),
    });
    for (const dts of [1000, 1033, 0, 33]) guard.adjust(p(V, dts));
    guard.setTracks(tracks());
    const audio = p(A, 50);
    guard.adjust(audio);
    const video = p(V, 66);
    guard.adjust(video);
    expect(guard.count).toBe(1);
    expect(Math.abs(audio.dts - video.dts)).toBeLessThanOrEqual(40);
  });

  it('keeps every track monotonic whatever the input (random jumps)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const input: Array<[number, number, number]> = [];
      const clock = [random() * 2 ** 32, random() * 2 ** 32].map(Math.floor);
      for (let i = 0; i < 400; i++) {
        const id = random() < 0.5 ? V : A;
        const r = random();
        const step =
          r < 0.02 ? -Math.floor(random() * 2 ** 32) : r < 0.04 ? Math.floor(random() * 1e8) : r < 0.1 ? -3 : 20;
        clock[id] = Math.max(0, clock[id]! + step);
        input.push([id, clock[id], id === V && random() < 0.3 ? 66 : 0]);
      }
      expectMonotonic(run(input).out);
    }
  });

  it('refuses bounds out of range', () => {
    expect(() => new TimelineGuard({ maxForwardGapMs: 0 })).toThrow(RangeError);
    expect(() => new TimelineGuard({ maxBackwardStepMs: -1 })).toThrow(RangeError);
  });
});
