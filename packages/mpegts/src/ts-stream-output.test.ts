import { describe, expect, it } from 'vitest';
import { readFixture } from '@sluice/test-support';
import { TsStreamOutput } from './index.js';
import { interleave, readFlv, readTs } from './test-support/media-source.js';

const source = readFlv(readFixture('h264-high-aac.flv'));
const packets = interleave(source);
const ms = (p: { trackId: number; dts: number }): number =>
  (p.dts * 1000) / source.tracks.find((t) => t.id === p.trackId)!.timescale;

/** Feeds every packet at the wall-clock time its DTS says (a live source), returning the output. */
function live(options: { packetSize?: number } = {}): { out: TsStreamOutput; clock: { t: number } } {
  const clock = { t: 1000 };
  const out = new TsStreamOutput({ ...options, now: () => clock.t });
  out.start(source.tracks);
  for (const p of packets) {
    clock.t = 1000 + ms(p);
    out.write(p);
  }
  out.finish();
  return { out, clock };
}

function all(out: TsStreamOutput, from = out.head): Uint8Array[] {
  const d: Uint8Array[] = [];
  for (let s = from; s < out.end; s++) d.push(out.datagram(s));
  return d;
}

describe('TsStreamOutput', () => {
  it('cuts the muxed stream into aligned datagrams, views of the muxer slabs, random-access points on datagram starts', () => {
    const { out } = live();
    const datagrams = all(out);
    expect(datagrams.length).toBeGreaterThan(50);
    expect(datagrams.every((d) => d.length === 1316)).toBe(true);
    // views of large slabs, not copies (only datagrams padded before a keyframe or spanning slabs are)
    const views = datagrams.filter((d) => d.buffer.byteLength > 1316).length;
    expect(views / datagrams.length).toBeGreaterThan(0.9);
    let ras = 0;
    for (let s = out.head; s < out.end; s++) {
      if (!out.isRandomAccess(s)) continue;
      ras++;
      const d = out.datagram(s);
      expect([d[0], d[1]! & 0x1f, d[2]]).toEqual([0x47, 0, 0]); // PAT first
    }
    expect(ras).toBeGreaterThanOrEqual(1);
    // the bytes demux back to the same frames, without errors
    const bytes = Buffer.concat(datagrams);
    const back = readTs(bytes);
    expect(back.errors).toEqual([]);
    expect(back.stats.continuityErrors).toBe(0);
    expect(back.packets.length).toBe(packets.length);
  });

  it('dates live datagrams at their arrival and measures the bit rate', () => {
    const { out } = live();
    let previous = -Infinity;
    for (let s = out.head; s < out.end; s++) {
      const due = out.dueTime(s);
      expect(due).toBeGreaterThanOrEqual(previous - 1);
      previous = due;
    }
    const first = out.dueTime(out.head);
    expect(first).toBeGreaterThanOrEqual(1000 - 150);
    expect(first).toBeLessThan(1000 + 100);
    const bits = out.bytesPerMs * 8000;
    expect(bits).toBeGreaterThan(150_000);
    expect(bits).toBeLessThan(800_000);
  });

  it('dates a replayed GOP in the past, ending now', () => {
    const clock = { t: 50_000 };
    const out = new TsStreamOutput({ now: () => clock.t });
    out.start(source.tracks);
    out.beginReplay();
    for (const p of packets) out.write(p);
    out.endReplay();
    const span = ms(packets.at(-1)!) - ms(packets[0]!);
    expect(out.dueTime(out.head)).toBeLessThan(50_000 - span + 200);
    expect(out.dueTime(out.end - 1)).toBeGreaterThan(50_000 - 50);
    expect(out.dueTime(out.end - 1)).toBeLessThanOrEqual(50_000);
  });

  it('holds a source that runs ahead of real time to within 5 % of it (up to 2 s, then re-anchors)', () => {
    const clock = { t: 0 };
    const out = new TsStreamOutput({ now: () => clock.t });
    out.start(source.tracks);
    // 1.5 s of the file arrives within 150 ms, not replayed: held back to its own pace
    for (const p of packets.filter((x) => ms(x) <= 1500)) {
      clock.t = ms(p) / 10;
      out.write(p);
    }
    expect(out.dueTime(out.end - 1)).toBeGreaterThan(clock.t + 1100);
    // the rest, still 10x too fast, moves more than 2 s ahead: the mapping re-anchors
    for (const p of packets.filter((x) => ms(x) > 1500)) {
      clock.t = ms(p) / 10;
      out.write(p);
    }
    expect(out.dueTime(out.end - 1)).toBeLessThan(clock.t + 2100);
  });

  it('keeps what its readers need and, with none, only the latest GOP', () => {
    const clock = { t: 0 };
    const out = new TsStreamOutput({ now: () => clock.t, maxDatagrams: 1 << 20 });
    out.start(source.tracks);
    const reader = { cursor: 0 };
    out.retain(reader);
    for (let round = 0; round < 20; round++) {
      for (const p of packets) {
        clock.t += 1;
        out.write({ ...p, dts: p.dts + round * 200_000, pts: p.pts + round * 200_000 });
      }
    }
    expect(out.head).toBe(0); // the reader at 0 holds everything
    const kept = out.end;
    out.release(reader);
    for (let round = 20; round < 60 && out.head === 0; round++) {
      for (const p of packets) out.write({ ...p, dts: p.dts + round * 200_000, pts: p.pts + round * 200_000 });
    }
    expect(out.head).toBeGreaterThan(0);
    expect(out.end - out.head).toBeLessThan(kept); // no growth without readers
    expect(out.head).toBeLessThanOrEqual(out.lastRandomAccess);
  });

  it('without keepLatestGop (one reader for good) keeps nothing behind its reader', () => {
    const out = new TsStreamOutput({ keepLatestGop: false });
    out.start(source.tracks);
    const reader = { cursor: 0 };
    out.retain(reader);
    for (const p of packets) out.write(p);
    expect(out.end).toBeGreaterThan(10);
    reader.cursor = out.end - 3;
    out.trim();
    expect(out.head).toBe(out.end - 3);
    expect(out.datagram(out.head).length).toBe(1316);
    out.release(reader);
    out.trim();
    expect(out.head).toBe(out.end);
  });

  it('knows its bit rate while it keeps nothing behind a reader that follows live', () => {
    const clock = { t: 0 };
    const out = new TsStreamOutput({ now: () => clock.t, keepLatestGop: false });
    out.start(source.tracks);
    const reader = { cursor: 0 };
    out.retain(reader);
    // as the pacer sees it: new datagrams pending, everything before them sent and released
    const rates: number[] = [];
    for (const p of packets) {
      clock.t = ms(p);
      const before = out.end;
      out.write(p);
      if (out.end > before && clock.t > 1000) rates.push(out.bytesPerMs * 8000);
      reader.cursor = out.end;
      out.trim();
      expect(out.head).toBe(out.end);
    }
    expect(rates.length).toBeGreaterThan(10);
    for (const bits of rates) {
      expect(bits).toBeGreaterThan(150_000);
      expect(bits).toBeLessThan(800_000);
    }
  });

  it('counts packets the muxer refuses and goes on', () => {
    const out = new TsStreamOutput();
    out.start(source.tracks);
    out.write({ trackId: 99, dts: 0, pts: 0, key: true, data: new Uint8Array(4) });
    expect(out.droppedPackets).toBe(1);
    expect(out.lastDropReason).toMatch(/unknown track/);
    expect(() => new TsStreamOutput({ packetSize: 1000 })).toThrow(/multiple of 188/);
  });
});
