import { describe, expect, it } from 'vitest';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { lengthPrefixedNalUnits } from '@sluice/media';
import { readFixture } from '@sluice/test-support';
import { TsMuxer, TsMuxError } from './index.js';
import { readTimestampField } from './timestamp.js';
import { muxToBytes, readFlv, readTs, type MediaSource } from './test-support/media-source.js';

const flv = (): MediaSource => readFlv(readFixture('h264-high-aac.flv'));

/** The 188-byte packets of a byte string as [pid, pusi, afc, cc, offset]. */
function packetsOf(bytes: Uint8Array): Array<{ pid: number; pusi: boolean; afc: number; cc: number; o: number }> {
  const out = [];
  for (let o = 0; o < bytes.length; o += 188) {
    expect(bytes[o]).toBe(0x47);
    out.push({
      pid: ((bytes[o + 1]! & 0x1f) << 8) | bytes[o + 2]!,
      pusi: (bytes[o + 1]! & 0x40) !== 0,
      afc: (bytes[o + 3]! >> 4) & 3,
      cc: bytes[o + 3]! & 0x0f,
      o,
    });
  }
  return out;
}

function payloadStart(bytes: Uint8Array, o: number): number {
  const afc = (bytes[o + 3]! >> 4) & 3;
  return afc & 2 ? o + 5 + bytes[o + 4]! : o + 4;
}

describe('TsMuxer output structure', () => {
  const source = flv();
  const { bytes, randomAccessOffsets, muxer } = muxToBytes(source);
  const packets = packetsOf(bytes);

  it('writes whole 188-byte packets with continuity counters per PID counted on payload packets', () => {
    expect(bytes.length % 188).toBe(0);
    const last = new Map<number, number>();
    for (const p of packets) {
      const prev = last.get(p.pid);
      if (p.afc & 1) {
        if (prev !== undefined) expect(p.cc).toBe((prev + 1) & 15);
        last.set(p.pid, p.cc);
      } else if (prev !== undefined) {
        expect(p.cc).toBe(prev); // adaptation-only packets repeat the counter
      }
    }
    expect(muxer.layout.map((l) => [l.pid, l.streamType])).toEqual([
      [0x100, 0x1b],
      [0x101, 0x0f],
    ]);
    expect(muxer.pcrPid).toBe(0x100);
  });

  it('sets discontinuity_indicator on the first packet of each elementary PID', () => {
    for (const pid of [0x100, 0x101]) {
      const first = packets.find((p) => p.pid === pid)!;
      expect(first.afc & 2).toBe(2);
      expect(bytes[first.o + 5]! & 0x80).toBe(0x80);
      const second = packets.filter((p) => p.pid === pid && p.afc & 2 && bytes[p.o + 4]! > 0)[1]!;
      expect(bytes[second.o + 5]! & 0x80).toBe(0);
    }
  });

  it('writes PTS always and DTS only when it differs; video PES_packet_length 0', () => {
    const video = packets.filter((p) => p.pid === 0x100 && p.pusi).map((p) => payloadStart(bytes, p.o));
    const withDts = video.filter((s) => bytes[s + 7]! >> 6 === 3);
    expect(withDts.length).toBeGreaterThan(0); // B-frames
    for (const s of video) expect((bytes[s + 4]! << 8) | bytes[s + 5]!).toBe(0);
    const audio = packets.filter((p) => p.pid === 0x101 && p.pusi).map((p) => payloadStart(bytes, p.o));
    for (const s of audio) {
      expect(bytes[s + 7]! >> 6).toBe(2);
      expect((bytes[s + 4]! << 8) | bytes[s + 5]!).toBeGreaterThan(0);
    }
    const firstVideo = video[0]!;
    expect(readTimestampField(bytes, firstVideo + 9)).toBe(source.packets.find((p) => p.trackId === 0)!.pts * 90);
  });

  it('pads with adaptation-field stuffing, never with 0xFF payload bytes', () => {
    const back = readTs(bytes, { strict: true });
    const audioIn = source.packets.filter((p) => p.trackId === 1).map((p) => Buffer.from(p.data).toString('hex'));
    const audioOut = back.packets.filter((p) => p.trackId === 0x101).map((p) => Buffer.from(p.data).toString('hex'));
    expect(audioOut).toEqual(audioIn);
  });

  it('starts each video PES with an AUD and puts SPS/PPS on keyframes', () => {
    const back = readTs(bytes, { strict: true });
    // the demuxer drops the leading AUD; check the raw PES instead
    const starts = packets.filter((p) => p.pid === 0x100 && p.pusi).map((p) => payloadStart(bytes, p.o));
    for (const s of starts) {
      const es = s + 9 + bytes[s + 8]!;
      expect([...bytes.subarray(es, es + 6)]).toEqual([0, 0, 0, 1, 0x09, 0xf0]);
    }
    const keys = back.packets.filter((p) => p.trackId === 0x100 && p.key);
    expect(keys.length).toBe(source.packets.filter((p) => p.trackId === 0 && p.key).length);
    for (const k of keys) {
      const types = [...lengthPrefixedNalUnits(k.data, 4)].map((n) => n[0]! & 0x1f);
      expect(types.slice(0, 2)).toEqual([7, 8]);
    }
  });

  it('flags random-access chunks: PAT, PMT, then a keyframe PES with random_access_indicator', () => {
    const keyframes = source.packets.filter((p) => p.trackId === 0 && p.key).length;
    expect(randomAccessOffsets.length).toBe(keyframes);
    for (const o of randomAccessOffsets) {
      const [pat, pmt, pes] = packetsOf(bytes.subarray(o, o + 3 * 188));
      expect([pat!.pid, pmt!.pid, pes!.pid, pes!.pusi]).toEqual([0, 0x1000, 0x100, true]);
      expect(bytes[o + 2 * 188 + 5]! & 0x40).toBe(0x40);
      // a receiver joining here decodes cleanly from a keyframe
      const joined = readTs(bytes.subarray(o), { strict: true });
      expect(joined.errors).toEqual([]);
      expect(joined.packets.find((p) => p.trackId === 0x100)!.key).toBe(true);
    }
  });

  it('writes into caller-provided buffers', () => {
    const given: Uint8Array[] = [];
    const { bytes: out } = muxToBytes(source, {
      slabSize: 188 * 100,
      allocate: (n) => {
        const b = new Uint8Array(n);
        given.push(b);
        return b;
      },
    });
    expect(given.length).toBeGreaterThan(1);
    expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
  });

  it("'transient' output gives the same bytes", () => {
    expect(
      Buffer.from(muxToBytes(source, { output: 'transient', slabSize: 188 * 10 }).bytes).equals(Buffer.from(bytes)),
    ).toBe(true);
  });
});

describe('TsMuxer timestamps', () => {
  function shifted(source: MediaSource, offsetMs: number): MediaSource {
    return {
      tracks: source.tracks,
      packets: source.packets.map((p) => ({ ...p, dts: p.dts + offsetMs, pts: p.pts + offsetMs })),
    };
  }

  // 13 h and 26.5 h; and streams crossing 2^32 and 2^33 ticks within the fixture
  const offsets = [13 * 3600_000, 26.5 * 3600_000, Math.floor(2 ** 32 / 90) - 1500, Math.floor(2 ** 33 / 90) - 1500];
  for (const offset of offsets) {
    it(`round-trips a stream starting at ${(offset / 3600_000).toFixed(4)} h`, () => {
      const source = shifted(flv(), offset);
      const { bytes } = muxToBytes(source);
      const back = readTs(bytes, { strict: true });
      expect(back.errors).toEqual([]);
      const want = source.packets.filter((p) => p.trackId === 0).map((p) => [p.dts * 90, p.pts * 90]);
      const got = back.packets.filter((p) => p.trackId === 0x100).map((p) => [p.dts, p.pts]);
      expect(got).toEqual(want);
      expect(back.stats.maxPcrGapMs).toBeLessThanOrEqual(40);
      expect(back.stats.pcrAheadOfDts).toBe(0);
    });
  }

  it('muxes a stream that has run for 3 days: timestamps modulo 2^33, still monotonic when demuxed', () => {
    const offset = 3 * 86_400_000;
    const source = shifted(flv(), offset);
    const back = readTs(muxToBytes(source).bytes, { strict: true });
    expect(back.errors).toEqual([]);
    const want = source.packets.filter((p) => p.trackId === 0).map((p) => p.dts * 90);
    const got = back.packets.filter((p) => p.trackId === 0x100).map((p) => p.dts);
    expect(got.map((g, i) => (want[i]! - g) % 2 ** 33)).toEqual(want.map(() => 0));
    expect(back.stats.maxPcrGapMs).toBeLessThanOrEqual(40);
  });

  it('marks a timestamp jump with discontinuity_indicator and restarts the PCR', () => {
    const source = flv();
    const packets = source.packets.map((p, i) =>
      i >= source.packets.length / 2 ? { ...p, dts: p.dts + 60_000, pts: p.pts + 60_000 } : p,
    );
    const { bytes } = muxToBytes({ tracks: source.tracks, packets });
    const back = readTs(bytes, { strict: true });
    expect(back.stats.pcrDiscontinuities).toBe(2); // the first PCR and the jump
    expect(back.stats.maxPcrGapMs).toBeLessThanOrEqual(40);
  });

  it('gathers AAC frames into one PES with a bounded delay', () => {
    const source = flv();
    const { bytes } = muxToBytes(source, { audioPesMaxDelayMs: 60 });
    const back = readTs(bytes, { strict: true });
    const audioIn = source.packets.filter((p) => p.trackId === 1);
    const audioOut = back.packets.filter((p) => p.trackId === 0x101);
    expect(audioOut.length).toBe(audioIn.length);
    expect(back.stats.pesCount).toBeLessThan(source.packets.length * 0.8);
    audioOut.forEach((p, i) => {
      expect(Math.abs(p.pts - audioIn[i]!.pts * 90)).toBeLessThanOrEqual(90); // interpolated within 1 ms
      expect(Buffer.from(p.data).equals(Buffer.from(audioIn[i]!.data))).toBe(true);
    });
  });
});

describe('TsMuxer argument checks', () => {
  const video: TrackInfo = { id: 1, kind: 'video', codec: 'h264', timescale: 1000 };
  const onData = (): void => undefined;
  const packet = (p: Partial<MediaPacket>): MediaPacket => ({
    trackId: 1,
    dts: 0,
    pts: 0,
    key: true,
    data: new Uint8Array([0, 0, 0, 2, 0x09, 0xf0]),
    ...p,
  });

  it('rejects bad tracks and options with exact messages', () => {
    expect(() => new TsMuxer([], { onData })).toThrow(new TsMuxError('tracks must be a non-empty array'));
    expect(() => new TsMuxer([{ ...video, codec: 'av1' }], { onData })).toThrow(
      'track 1: codec av1 cannot be carried in MPEG-TS',
    );
    expect(() => new TsMuxer([{ id: 2, kind: 'audio', codec: 'aac', timescale: 1000 }], { onData })).toThrow(
      'track 2: AAC needs its AudioSpecificConfig in track.config',
    );
    expect(() => new TsMuxer([video, video], { onData })).toThrow('duplicate track id 1');
    expect(() => new TsMuxer([video], { onData, pcrIntervalMs: 60 })).toThrow(
      'pcrIntervalMs must be an integer in 1..50, got 60',
    );
    expect(() => new TsMuxer([video], { onData, slabSize: 1000 })).toThrow(
      'slabSize must be a multiple of 188, got 1000',
    );
    expect(() => new TsMuxer([video], {} as never)).toThrow('onData must be a function');
  });

  it('rejects unknown tracks, bad timestamps and malformed access units', () => {
    const m = new TsMuxer([video], { onData });
    expect(() => m.write(packet({ trackId: 9 }))).toThrow('unknown track id 9');
    expect(() => m.write(packet({ dts: -1 }))).toThrow('track 1: dts must be a non-negative integer, got -1');
    expect(() => m.write(packet({ pts: 1.5 }))).toThrow('track 1: pts must be a non-negative integer, got 1.5');
    expect(() => m.write(packet({ data: new Uint8Array([0, 0, 0, 9, 1]) }))).toThrow(TsMuxError);
    m.end();
    expect(() => m.write(packet({}))).toThrow('write after end()');
  });

  it('allocates no output per packet: chunks of one slab share its buffer', () => {
    const buffers = new Set<ArrayBufferLike>();
    let chunks = 0;
    const source = flv();
    const m = new TsMuxer(source.tracks, {
      onData: (c) => {
        buffers.add(c.buffer);
        chunks++;
      },
    });
    for (const p of source.packets) m.write(p);
    m.end();
    expect(chunks).toBeGreaterThan(100);
    expect(buffers.size).toBeLessThan(chunks / 20);
  });
});
