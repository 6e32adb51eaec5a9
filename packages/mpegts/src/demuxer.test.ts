import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFixture } from '@sluice/test-support';
import { TsDemuxer, TsDemuxError } from './index.js';
import { muxToBytes, readFlv, readTs } from './test-support/media-source.js';

const muxed = muxToBytes(readFlv(readFixture('h264-high-aac.flv'))).bytes;
const reference = readTs(muxed, { strict: true });

function summary(r: ReturnType<typeof readTs>): string[] {
  return r.packets.map((p) => `${p.trackId}:${p.dts}:${p.pts}:${p.key}:${Buffer.from(p.data).toString('base64')}`);
}

/** Runs a demuxer over `bytes` in `pieces`; returns what was thrown (strict) besides TsDemuxError. */
function run(
  bytes: Uint8Array,
  pieces: number[],
  strict: boolean,
): { foreign: unknown[]; typed: number; packets: number } {
  const foreign: unknown[] = [];
  let typed = 0;
  let packets = 0;
  const d = new TsDemuxer({ strict, onTracks: () => undefined, onPacket: () => packets++ });
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof TsDemuxError) typed++;
      else foreign.push(e);
    }
  };
  let o = 0;
  for (const n of pieces) {
    if (o >= bytes.length) break;
    guard(() => d.push(bytes.subarray(o, o + n)));
    o += n;
  }
  if (o < bytes.length) guard(() => d.push(bytes.subarray(o)));
  guard(() => d.end());
  return { foreign, typed, packets };
}

describe('TsDemuxer', () => {
  it('gives the same packets for any chunking', () => {
    const want = summary(reference);
    for (const size of [1, 7, 187, 188, 189, 1316, 65536])
      expect(summary(readTs(muxed, { chunkSize: size, strict: true }))).toEqual(want);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 50 }), (sizes) => {
        const got: string[] = [];
        const d = new TsDemuxer({
          strict: true,
          onTracks: () => undefined,
          onPacket: (p) =>
            got.push(`${p.trackId}:${p.dts}:${p.pts}:${p.key}:${Buffer.from(p.data).toString('base64')}`),
        });
        let o = 0;
        let i = 0;
        while (o < muxed.length) {
          const n = sizes[i++ % sizes.length]!;
          d.push(muxed.subarray(o, o + n));
          o += n;
        }
        d.end();
        expect(got).toEqual(want);
      }),
      { numRuns: 20 },
    );
  });

  it('regains sync after garbage and reports it', () => {
    const garbage = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const at = 188 * 200;
    const bytes = Buffer.concat([garbage, muxed.subarray(0, at), garbage, muxed.subarray(at)]);
    const r = readTs(bytes, { chunkSize: 500 });
    expect(r.stats.syncLosses).toBe(2);
    expect(r.stats.syncLossBytes).toBeGreaterThanOrEqual(2000);
    expect(r.errors.some((e) => e.code === 'sync')).toBe(true);
    expect(r.packets.length).toBeGreaterThan(reference.packets.length - 5);
  });

  it('counts a continuity error when a packet is lost and drops the damaged PES', () => {
    const lost = 188 * 300;
    const bytes = Buffer.concat([muxed.subarray(0, lost), muxed.subarray(lost + 188)]);
    const r = readTs(bytes);
    expect(r.stats.continuityErrors).toBe(1);
    expect(r.errors.map((e) => e.code)).toContain('continuity');
    const d = new TsDemuxer({ strict: true, onTracks: () => undefined, onPacket: () => undefined });
    expect(() => d.push(bytes)).toThrow(TsDemuxError);
  });

  it('reports a PSI CRC mismatch as TsDemuxError crc', () => {
    const bytes = Uint8Array.from(muxed);
    bytes[10] = bytes[10]! ^ 0x01; // inside the first PAT section
    const r = readTs(bytes);
    expect(r.stats.crcErrors).toBe(1);
    expect(r.errors[0]!.code).toBe('crc');
  });

  it('caps PES size', () => {
    const d = new TsDemuxer({ maxPesSize: 4096, onTracks: () => undefined, onPacket: () => undefined });
    const errors: string[] = [];
    const d2 = new TsDemuxer({
      maxPesSize: 4096,
      onTracks: () => undefined,
      onPacket: () => undefined,
      onError: (e) => errors.push(e.code),
    });
    d.push(muxed);
    d2.push(muxed);
    expect(d.stats.pesErrors).toBeGreaterThan(0);
    expect(errors).toContain('too-large');
  });

  it('announces new tracks when the stream set changes (a restarted upstream muxer, same PMT version)', () => {
    const audioOnly = muxToBytes(readFlv(readFixture('audio-only.flv'))).bytes;
    const announced: string[][] = [];
    let packets = 0;
    const d = new TsDemuxer({ onTracks: (t) => announced.push(t.map((x) => x.codec)), onPacket: () => packets++ });
    d.push(audioOnly);
    d.push(muxed);
    d.end();
    expect(announced).toEqual([['aac'], ['h264', 'aac']]);
    expect(packets).toBeGreaterThan(reference.packets.length);
  });

  it('validates its options', () => {
    expect(() => new TsDemuxer({} as never)).toThrow('onTracks must be a function');
    expect(() => new TsDemuxer({ onTracks: () => undefined, onPacket: () => undefined, maxPesSize: 10 })).toThrow(
      'maxPesSize must be an integer in 1024..268435456, got 10',
    );
  });

  it('fuzz: random bytes, mutations and arbitrary chunking raise only TsDemuxError', () => {
    const pieces = fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 5000 }), pieces, fc.boolean(), (bytes, sizes, strict) => {
        const r = run(bytes, sizes, strict);
        expect(r.foreign).toEqual([]);
        if (!strict) expect(r.typed).toBe(0);
      }),
      { numRuns: 200 },
    );
    const slice = muxed.subarray(0, 188 * 400);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: slice.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        pieces,
        fc.boolean(),
        (mutations, sizes, strict) => {
          const bytes = Uint8Array.from(slice);
          for (const m of mutations) bytes[m.at] = m.value;
          const r = run(bytes, sizes, strict);
          expect(r.foreign).toEqual([]);
          if (!strict) expect(r.typed).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fuzz: mutated PSI and PES headers (sync bytes kept) raise only TsDemuxError', () => {
    const slice = muxed.subarray(0, 188 * 200);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            packet: fc.nat({ max: 199 }),
            byte: fc.integer({ min: 1, max: 40 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.boolean(),
        (mutations, strict) => {
          const bytes = Uint8Array.from(slice);
          for (const m of mutations) bytes[m.packet * 188 + m.byte] = m.value;
          const r = run(bytes, [bytes.length], strict);
          expect(r.foreign).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
