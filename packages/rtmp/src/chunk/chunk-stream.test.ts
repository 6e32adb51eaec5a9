import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkStreamReader } from './chunk-stream-reader.js';
import { ChunkStreamWriter } from './chunk-stream-writer.js';
import { chunkAfterPrevious } from './chunked-message.js';
import type { ChunkedMessage, PreviousChunkMessage } from './chunked-message.js';
import { encodeChunks } from './chunk-encoding.js';
import { abortMessage, setChunkSizeMessage } from './protocol-control.js';
import { RtmpProtocolError } from '../errors.js';
import type { RtmpMessage } from '../message.js';

function collect(options = {}): { reader: ChunkStreamReader; got: Array<RtmpMessage & { csid: number }> } {
  const got: Array<RtmpMessage & { csid: number }> = [];
  const reader = new ChunkStreamReader((m, csid) => got.push({ ...m, payload: m.payload.slice(), csid }), options);
  return { reader, got };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('ChunkStreamWriter + ChunkStreamReader', () => {
  it('round-trips messages with header compression fmt 0/1/2/3 and checks the chosen formats', () => {
    const w = new ChunkStreamWriter();
    const a = w.encode(6, { typeId: 9, timestamp: 1000, streamId: 1, payload: bytes(100) });
    const b = w.encode(6, { typeId: 9, timestamp: 1033, streamId: 1, payload: bytes(50) });
    const c = w.encode(6, { typeId: 9, timestamp: 1073, streamId: 1, payload: bytes(50) });
    const d = w.encode(6, { typeId: 9, timestamp: 1113, streamId: 1, payload: bytes(50, 7) });
    expect([a[0]! >> 6, b[0]! >> 6, c[0]! >> 6, d[0]! >> 6]).toEqual([0, 1, 2, 3]);
    expect(d.length).toBe(1 + 50);
    const { reader, got } = collect();
    reader.push(concat([a, b, c, d]));
    expect(got.map((m) => [m.timestamp, m.payload.length, m.streamId, m.csid])).toEqual([
      [1000, 100, 1, 6],
      [1033, 50, 1, 6],
      [1073, 50, 1, 6],
      [1113, 50, 1, 6],
    ]);
    expect(got[3]!.payload).toEqual(bytes(50, 7));
  });

  it('splits at the chunk size, announced with Set Chunk Size, and uses extended timestamps on every chunk', () => {
    const w = new ChunkStreamWriter();
    const announce = w.setChunkSize(4096);
    const big = bytes(10_000);
    const m = w.encode(4, { typeId: 8, timestamp: 0x1234567, streamId: 1, payload: big });
    // 3 chunks: first header 1+11+4, two type-3 headers 1+4 each
    expect(m.length).toBe(16 + 10_000 + 2 * 5);
    const { reader, got } = collect();
    reader.push(concat([announce, m]));
    expect(reader.chunkSize).toBe(4096);
    expect(got).toHaveLength(1);
    expect(got[0]!.timestamp).toBe(0x1234567);
    expect(got[0]!.payload).toEqual(big);
  });

  it('wraps timestamps past 2^32 ms as deltas, and reads 2- and 3-byte chunk stream ids', () => {
    const w = new ChunkStreamWriter();
    const t0 = 2 ** 32 - 10;
    const parts = [
      w.encode(100, { typeId: 9, timestamp: t0, streamId: 1, payload: bytes(10) }),
      w.encode(100, { typeId: 9, timestamp: t0 + 20, streamId: 1, payload: bytes(10) }),
      w.encode(40000, { typeId: 8, timestamp: 2 ** 33, streamId: 1, payload: bytes(3) }),
    ];
    const { reader, got } = collect();
    reader.push(concat(parts));
    expect(got.map((m) => [m.csid, m.timestamp])).toEqual([
      [100, t0],
      [100, 10],
      [40000, 0],
    ]);
  });

  it('handles interleaved chunk streams, Abort, and byte-by-byte delivery', () => {
    // two messages of 300 bytes at chunk size 128, chunks interleaved by hand
    const va = encodeChunks(
      6,
      { fmt: 0, timestampField: 5, extended: false, typeId: 9, streamId: 1 },
      bytes(300, 1),
      128,
    );
    const aa = encodeChunks(
      4,
      { fmt: 0, timestampField: 6, extended: false, typeId: 8, streamId: 1 },
      bytes(300, 2),
      128,
    );
    const split = (m: Uint8Array) => [m.subarray(0, 12 + 128), m.subarray(140, 140 + 129), m.subarray(269)];
    const [v1, v2, v3] = split(va);
    const [a1, a2, a3] = split(aa);
    const abort = new ChunkStreamWriter().encode(2, abortMessage(4));
    const stream = concat([v1!, a1!, v2!, a2!, abort, v3!, aa]);
    const { reader, got } = collect();
    for (const b of stream) reader.push(Uint8Array.of(b));
    expect(got.map((m) => [m.csid, m.timestamp, m.payload.length])).toEqual([
      [6, 5, 300],
      [4, 6, 300],
    ]);
    expect(got[0]!.payload).toEqual(bytes(300, 1));
    expect(got[1]!.payload).toEqual(bytes(300, 2));
    void a3;
  });

  it('reads type-3 new messages as nginx-rtmp and ffmpeg write them (delta 0 after type 0, delta repeated after type 1/2)', () => {
    const h = (fmt: 0 | 1 | 2 | 3, field: number, len = 2) =>
      encodeChunks(
        6,
        { fmt, timestampField: field, extended: field >= 0xffffff, typeId: 9, streamId: 1 },
        new Uint8Array(len),
        128,
      );
    const { reader, got } = collect();
    reader.push(concat([h(0, 100), h(3, 0), h(1, 40), h(3, 0), h(2, 0x1000000), h(3, 0x1000000)]));
    expect(got.map((m) => m.timestamp)).toEqual([100, 100, 140, 180, 180 + 0x1000000, 180 + 2 * 0x1000000]);
  });

  it('gives a chunk stream opened with a type 1 header the last type 0 message stream id', () => {
    const a = encodeChunks(
      5,
      { fmt: 0, timestampField: 0, extended: false, typeId: 20, streamId: 1 },
      new Uint8Array(3),
      128,
    );
    const b = encodeChunks(
      6,
      { fmt: 1, timestampField: 40, extended: false, typeId: 9, streamId: 0 },
      new Uint8Array(3),
      128,
    );
    const { reader, got } = collect();
    reader.push(concat([a, b]));
    expect(got.map((m) => [m.csid, m.streamId, m.timestamp])).toEqual([
      [5, 1, 0],
      [6, 1, 40],
    ]);
  });

  it('accepts the largest chunk size, 2^31-1', () => {
    const w = new ChunkStreamWriter();
    const announce = w.setChunkSize(0x7fffffff);
    const big = bytes(300_000);
    const m = w.encode(6, { typeId: 9, timestamp: 5, streamId: 1, payload: big });
    expect(m.length).toBe(12 + 300_000);
    const { reader, got } = collect();
    reader.push(concat([announce, m]));
    expect(reader.chunkSize).toBe(0x7fffffff);
    expect(got[0]!.payload).toEqual(big);
  });

  it('emits single-chunk messages as views of the pushed buffer (no copy)', () => {
    const w = new ChunkStreamWriter();
    const data = w.encode(6, { typeId: 9, timestamp: 1, streamId: 1, payload: bytes(64) });
    let payload: Uint8Array | undefined;
    new ChunkStreamReader((m) => (payload = m.payload)).push(data);
    expect(payload!.buffer).toBe(data.buffer);
  });

  it('rejects Set Chunk Size 0 or above 2^31-1, oversize messages, too many chunk streams', () => {
    const w = new ChunkStreamWriter();
    const zero = w.encode(2, { typeId: 1, timestamp: 0, streamId: 0, payload: new Uint8Array(4) });
    expect(() => collect().reader.push(zero)).toThrow(RtmpProtocolError);
    const top = new ChunkStreamWriter().encode(2, {
      typeId: 1,
      timestamp: 0,
      streamId: 0,
      payload: Uint8Array.of(0x80, 0, 0, 1),
    });
    expect(() => collect().reader.push(top)).toThrow(/Set Chunk Size/);
    const big = encodeChunks(
      6,
      { fmt: 0, timestampField: 0, extended: false, typeId: 9, streamId: 1 },
      new Uint8Array(2000),
      128,
    );
    expect(() => collect({ maxMessageLength: 1000 }).reader.push(big)).toThrow(/exceeds the 1000-byte limit/);
    const many = concat(
      Array.from({ length: 5 }, (_, i) =>
        encodeChunks(
          10 + i,
          { fmt: 0, timestampField: 0, extended: false, typeId: 9, streamId: 1 },
          new Uint8Array(200),
          128,
        ).subarray(0, 140),
      ),
    );
    expect(() => collect({ maxChunkStreams: 4 }).reader.push(many)).toThrow(/more than 4 chunk streams/);
    expect(() => setChunkSizeMessage(0)).toThrow(RangeError);
    expect(() => collect().reader.push(Uint8Array.of(0x86, 1, 2, 3))).toThrow(/type 2 header/);
  });

  it('property: any message sequence at any chunk size round-trips, under any split of the bytes', () => {
    const msg = fc.record({
      csid: fc.constantFrom(3, 4, 6, 63, 64, 319, 320, 65599),
      typeId: fc.constantFrom(8, 9, 18, 20),
      dt: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(0xffffff), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
      len: fc.integer({ min: 0, max: 700 }),
      streamId: fc.constantFrom(0, 1, 0x1234567),
    });
    fc.assert(
      fc.property(
        fc.array(msg, { maxLength: 30 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        (msgs, chunkSize, cuts) => {
          const w = new ChunkStreamWriter();
          const out: Uint8Array[] = [w.setChunkSize(chunkSize)];
          const clock = new Map<number, number>();
          const expected: Array<[number, number, number, number]> = [];
          for (const [i, m] of msgs.entries()) {
            const ts = (clock.get(m.csid) ?? 0) + m.dt;
            clock.set(m.csid, ts);
            out.push(
              w.encode(m.csid, { typeId: m.typeId, timestamp: ts, streamId: m.streamId, payload: bytes(m.len, i) }),
            );
            expected.push([m.csid, ts % 2 ** 32, m.len, m.streamId]);
          }
          const all = concat(out);
          const { reader, got } = collect();
          let o = 0;
          let k = 0;
          while (o < all.length) {
            const n = cuts[k++ % cuts.length]!;
            reader.push(all.subarray(o, o + n));
            o += n;
          }
          expect(got.map((m) => [m.csid, m.timestamp, m.payload.length, m.streamId])).toEqual(expected);
          for (const [i, m] of got.entries()) expect(m.payload).toEqual(bytes(msgs[i]!.len, i));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random bytes only ever throw RtmpProtocolError and never hold more than the caps', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        const reader = new ChunkStreamReader(() => undefined, {
          maxMessageLength: 100_000,
          maxChunkStreams: 8,
          maxPendingBytes: 200_000,
        });
        try {
          reader.push(data);
        } catch (e) {
          expect(e).toBeInstanceOf(RtmpProtocolError);
        }
        expect(reader.bufferedBytes).toBeLessThanOrEqual(200_000);
      }),
      { numRuns: 2000 },
    );
  });
});

/** A source that chunks each of its messages once, after its own previous message on the chunk stream. */
function chunkOnce(chunkSize: number) {
  const last = new Map<number, PreviousChunkMessage>();
  return (csid: number, typeId: number, ts: number, payload: Uint8Array, head = new Uint8Array(0)): ChunkedMessage => {
    const m = chunkAfterPrevious(csid, typeId, ts, head, payload, chunkSize, last.get(csid));
    last.set(csid, { timestamp: ts, length: m.length, typeId });
    return m;
  };
}

describe('chunkAfterPrevious + encodeCached (chunk once, write to N connections)', () => {
  it('shares bytes between connections that started at different messages, and they decode to their own timestamps', () => {
    const add = chunkOnce(128);
    const source = Array.from({ length: 6 }, (_, i) => ({
      ts: 1000 + i * 40,
      payload: bytes(i % 2 === 0 ? 300 : 200, i),
    }));
    const cached = source.map((s) => add(6, 9, s.ts, s.payload));
    expect(cached[0]!.bytes).toBeNull();
    // connection A joined at message 0, B at message 2 (rebased to 0 there)
    const wa = new ChunkStreamWriter();
    const wb = new ChunkStreamWriter();
    wa.setChunkSize(128);
    wb.setChunkSize(128);
    const outA: Uint8Array[] = [];
    const outB: Uint8Array[] = [];
    let shared = 0;
    for (const [i, m] of cached.entries()) {
      const a = wa.encodeCached(m, m.timestamp - 1000, 1);
      outA.push(a);
      if (a === m.bytes) shared++;
      if (i >= 2) {
        const b = wb.encodeCached(m, m.timestamp - source[2]!.ts, 7);
        outB.push(b);
        if (b === m.bytes) shared++;
      }
    }
    expect(shared).toBe(5 + 3);
    const ra = collect();
    ra.reader.push(concat(outA));
    expect(ra.got.map((m) => m.timestamp)).toEqual([0, 40, 80, 120, 160, 200]);
    const rb = collect();
    rb.reader.push(concat(outB));
    expect(rb.got.map((m) => [m.timestamp, m.streamId])).toEqual([
      [0, 7],
      [40, 7],
      [80, 7],
      [120, 7],
    ]);
    expect(rb.got[3]!.payload).toEqual(bytes(200, 5));
  });

  it('falls back to own encoding after a gap or with a different chunk size', () => {
    const add = chunkOnce(128);
    const m0 = add(6, 9, 0, bytes(10));
    const m1 = add(6, 9, 40, bytes(10));
    const m2 = add(6, 9, 80, bytes(10));
    const w = new ChunkStreamWriter();
    w.encodeCached(m0, 0, 1);
    expect(w.encodeCached(m2, 80, 1)).not.toBe(m2.bytes); // skipped m1: delta differs
    const other = new ChunkStreamWriter();
    other.setChunkSize(4096);
    other.encodeCached(m0, 0, 1);
    expect(other.encodeCached(m1, 40, 1)).not.toBe(m1.bytes);
  });

  it("property: any join point and any dropped messages decode to exactly the session's own messages", () => {
    const msg = fc.record({
      csid: fc.constantFrom(4, 6),
      dt: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(0x1000000)),
      len: fc.integer({ min: 0, max: 300 }),
      typeId: fc.constantFrom(8, 9),
    });
    fc.assert(
      fc.property(
        fc.array(msg, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.constantFrom(64, 128, 4096),
        (msgs, joinSeed, drops, chunkSize) => {
          const add = chunkOnce(chunkSize);
          const writer = new ChunkStreamWriter();
          const out: Uint8Array[] = [writer.setChunkSize(chunkSize)];
          const join = joinSeed % msgs.length;
          let ts = 0;
          let base: number | undefined;
          const expected: Array<[number, number, number]> = [];
          for (const [i, m] of msgs.entries()) {
            ts += m.dt;
            const cached = add(m.csid, m.typeId, ts, bytes(m.len, i), Uint8Array.of(i & 0xff));
            if (i < join || drops[i] === true) continue;
            base ??= ts;
            out.push(writer.encodeCached(cached, ts - base, 1));
            expected.push([m.csid, ts - base, m.len + 1]);
          }
          const { reader, got } = collect();
          reader.push(concat(out));
          expect(got.map((g) => [g.csid, g.timestamp, g.payload.length])).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
