import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MediaPacket } from '@sluice/media';
import { readFixture } from '@sluice/test-support';
import { TsDemuxer, type TsDemuxError } from './index.js';
import { muxToBytes, readFlv } from './test-support/media-source.js';
import { SectionMemo } from './psi-reader.js';

// ffmpeg's files carry 3-byte start codes (x264), our muxer's 4-byte ones only
const inputs: [string, Uint8Array][] = [
  ['h264-high-aac.ts (ffmpeg)', readFixture('h264-high-aac.ts')],
  ['h265-aac.ts (ffmpeg)', readFixture('h265-aac.ts')],
  ['h264-high-aac.flv muxed by TsMuxer', muxToBytes(readFlv(readFixture('h264-high-aac.flv'))).bytes],
];

const line = (p: MediaPacket): string =>
  `${p.trackId}:${p.dts}:${p.pts}:${p.key}:${Buffer.from(p.data).toString('base64')}`;

/** Packets (summarized when delivered) of `bytes` pushed at once: the reference. */
function viaPush(bytes: Uint8Array): string[] {
  const got: string[] = [];
  const d = new TsDemuxer({ strict: true, onTracks: () => undefined, onPacket: (p) => got.push(line(p)) });
  d.push(bytes);
  d.end();
  return got;
}

/** Reads `bytes` through inputBuffer()/commit() in pieces of `sizes` (cycled); returns the summaries taken on delivery and the packets. */
function viaCommit(
  bytes: Uint8Array,
  sizes: number[],
  packetData: 'owned' | 'transient',
  minBytes?: number,
): { got: string[]; packets: MediaPacket[] } {
  const got: string[] = [];
  const packets: MediaPacket[] = [];
  const d = new TsDemuxer({
    strict: true,
    packetData,
    onTracks: () => undefined,
    onPacket: (p) => {
      got.push(line(p));
      packets.push(p);
    },
  });
  let o = 0;
  let i = 0;
  while (o < bytes.length) {
    const space = d.inputBuffer(minBytes);
    expect(space.length).toBeGreaterThanOrEqual(minBytes ?? 65536);
    const n = Math.min(sizes[i++ % sizes.length]!, space.length, bytes.length - o);
    space.set(bytes.subarray(o, o + n));
    d.commit(n);
    o += n;
  }
  d.end();
  return { got, packets };
}

describe('TsDemuxer inputBuffer()/commit()', () => {
  it.each(inputs)('%s: the same packets as push(), for any read sizes, owned and transient', (_name, bytes) => {
    const want = viaPush(bytes);
    expect(want.length).toBeGreaterThan(10);
    for (const sizes of [[bytes.length], [188], [7], [187, 189], [1316, 7, 100000]]) {
      expect(viaCommit(bytes, sizes, 'owned').got).toEqual(want);
      expect(viaCommit(bytes, sizes, 'transient', 188).got).toEqual(want);
    }
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(188, 4096, 65536),
        (sizes, minBytes) => {
          expect(viaCommit(bytes, sizes, 'owned', minBytes).got).toEqual(want);
          expect(viaCommit(bytes, sizes, 'transient', minBytes).got).toEqual(want);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('owned: packet data is never rewritten by later input (video is a view of the demuxer slab)', () => {
    const [, bytes] = inputs[0]!;
    const { got, packets } = viaCommit(bytes, [3000, 188 * 7, 65536], 'owned', 4096);
    expect(packets.map(line)).toEqual(got);
    const video = packets.find((p) => p.trackId === 0x100)!;
    expect(video.data.byteLength).toBeLessThan(video.data.buffer.byteLength); // a view, not a copy
  });

  it('transient: video data is valid during onPacket, its memory is reused afterwards', () => {
    const [, bytes] = inputs[0]!;
    const { got, packets } = viaCommit(bytes, [65536], 'transient', 65536);
    expect(got).toEqual(viaPush(bytes));
    // later reads overwrote earlier access units
    expect(packets.map(line)).not.toEqual(got);
  });

  it('push() and commit() mix', () => {
    const [, bytes] = inputs[0]!;
    const got: string[] = [];
    const d = new TsDemuxer({ strict: true, onTracks: () => undefined, onPacket: (p) => got.push(line(p)) });
    for (let o = 0, i = 0; o < bytes.length; i++) {
      const n = Math.min(5000 + i, bytes.length - o);
      if (i % 2) {
        d.push(bytes.subarray(o, o + n));
      } else {
        d.inputBuffer(8192).set(bytes.subarray(o, o + n));
        d.commit(n);
      }
      o += n;
    }
    d.end();
    expect(got).toEqual(viaPush(bytes));
  });

  it('a lost and a duplicated video packet read in place: the same packets and counts as push()', () => {
    const [, bytes] = inputs[0]!;
    // video (PID 0x100) payload-only packets, the ones the in-place short cut takes
    const video: number[] = [];
    for (let o = 0; o < bytes.length; o += 188)
      if (
        (((bytes[o + 1]! & 0x1f) << 8) | bytes[o + 2]!) === 0x100 &&
        (bytes[o + 1]! & 0x40) === 0 &&
        (bytes[o + 3]! & 0x30) === 0x10
      )
        video.push(o);
    const lost = video[40]!;
    const dup = video[120]!;
    const edited = Buffer.concat([
      bytes.subarray(0, lost),
      bytes.subarray(lost + 188, dup),
      bytes.subarray(dup, dup + 188),
      bytes.subarray(dup),
    ]);
    const run = (commit: boolean): { got: string[]; continuityErrors: number; pesErrors: number } => {
      const got: string[] = [];
      const d = new TsDemuxer({ onTracks: () => undefined, onPacket: (p) => got.push(line(p)) });
      for (let o = 0; o < edited.length; o += 5000) {
        const piece = edited.subarray(o, o + 5000);
        if (commit) {
          d.inputBuffer(8192).set(piece);
          d.commit(piece.length);
        } else {
          d.push(piece);
        }
      }
      d.end();
      return { got, continuityErrors: d.stats.continuityErrors, pesErrors: d.stats.pesErrors };
    };
    const pushed = run(false);
    expect(pushed.continuityErrors).toBe(1);
    expect(pushed.pesErrors).toBe(1);
    expect(pushed.got.length).toBe(viaPush(bytes).length - 1);
    expect(run(true)).toEqual(pushed);
  });

  it('regains sync after garbage read in place', () => {
    const [, bytes] = inputs[2]!;
    const garbage = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const at = 188 * 200;
    const all = Buffer.concat([garbage, bytes.subarray(0, at), garbage, bytes.subarray(at)]);
    const errors: TsDemuxError[] = [];
    let packets = 0;
    const d = new TsDemuxer({ onTracks: () => undefined, onPacket: () => packets++, onError: (e) => errors.push(e) });
    for (let o = 0; o < all.length; o += 777) {
      const n = Math.min(777, all.length - o);
      d.inputBuffer(1024).set(all.subarray(o, o + n));
      d.commit(n);
    }
    d.end();
    expect(d.stats.syncLosses).toBe(2);
    expect(errors.every((e) => e.code === 'sync')).toBe(true);
    expect(packets).toBeGreaterThan(viaPush(bytes).length - 5);
  });

  it('validates its arguments with exact messages', () => {
    const d = new TsDemuxer({ onTracks: () => undefined, onPacket: () => undefined });
    expect(() => d.commit(0)).toThrow('commit() needs an inputBuffer() first (push() and end() discard it)');
    expect(() => d.inputBuffer(100)).toThrow('minBytes must be an integer in 188..16777216, got 100');
    expect(() => d.inputBuffer(1.5e9)).toThrow(RangeError);
    const space = d.inputBuffer(188);
    expect(() => d.commit(space.length + 1)).toThrow(
      `bytes must be an integer in 0..${space.length}, got ${space.length + 1}`,
    );
    d.push(new Uint8Array(0));
    expect(() => d.commit(0)).toThrow('commit() needs an inputBuffer() first');
    expect(
      () => new TsDemuxer({ onTracks: () => undefined, onPacket: () => undefined, packetData: 'x' as 'owned' }),
    ).toThrow("packetData must be 'owned' or 'transient', got x");
  });
});

describe('TsDemuxer PSI repetitions', () => {
  it('counts every PAT and PMT, repetitions included (they are recognised, not parsed again)', () => {
    for (const [, bytes] of inputs) {
      let pats = 0;
      let pmts = 0;
      for (let o = 0; o < bytes.length; o += 188) {
        const pid = ((bytes[o + 1]! & 0x1f) << 8) | bytes[o + 2]!;
        const unitStart = (bytes[o + 1]! & 0x40) !== 0;
        if (unitStart && pid === 0) pats++;
        if (unitStart && pid === 0x1000) pmts++; // the PMT PID of ffmpeg and of TsMuxer
      }
      const d = new TsDemuxer({ strict: true, onTracks: () => undefined, onPacket: () => undefined });
      d.push(bytes);
      d.end();
      expect(d.stats.patCount).toBe(pats);
      expect(d.stats.pmtCount).toBe(pmts);
      expect(pats).toBeGreaterThan(1);
    }
  });

  it('SectionMemo recognises the same bytes only', () => {
    const memo = new SectionMemo();
    const a = new Uint8Array([0, 0xb0, 13, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0, 1, 2, 3, 4]);
    expect(memo.same(a, a.length)).toBe(false);
    memo.remember(a, a.length);
    expect(memo.same(a.slice(), a.length)).toBe(true);
    const b = a.slice();
    b[15] = 5;
    expect(memo.same(b, b.length)).toBe(false);
    expect(memo.same(a, a.length - 1)).toBe(false);
    memo.clear();
    expect(memo.same(a, a.length)).toBe(false);
  });
});
