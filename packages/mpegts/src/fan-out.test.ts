import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, freeUdpPort, readFixture, startFfmpegFrameCrc } from '@sluice/test-support';
import { TsFanOut, TsMuxer, UdpTsSender, analyzeTransportStream } from './index.js';
import { waitForUdpListener } from './test-support/live.js';
import { interleave, readFlv, readTs } from './test-support/media-source.js';

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

describe('TsFanOut', () => {
  const source = readFlv(readFixture('h264-high-aac.flv'));
  const packets = interleave(source);

  function run(
    joinAt: number,
    options?: ConstructorParameters<typeof TsFanOut>[0],
  ): { early: Uint8Array[]; late: Uint8Array[]; fanOut: TsFanOut } {
    const fanOut = new TsFanOut(options);
    const muxer = new TsMuxer(source.tracks, { onData: fanOut.write });
    const early: Uint8Array[] = [];
    const late: Uint8Array[] = [];
    fanOut.subscribe((c) => early.push(c));
    packets.forEach((p, i) => {
      if (i === joinAt) fanOut.subscribe((c) => late.push(c));
      muxer.write(p);
    });
    muxer.end();
    return { early, late, fanOut };
  }

  it('hands the same chunks to every receiver; a joiner starts with the current GOP at PAT/PMT + keyframe', () => {
    const joinAt = Math.floor(packets.length / 2) + 7;
    const { early, late, fanOut } = run(joinAt);
    expect(fanOut.size).toBe(2);
    expect(late.length).toBeGreaterThan(0);
    // no copies: the late receiver's chunks are the early receiver's objects
    const shared = new Set(early);
    expect(late.every((c) => shared.has(c))).toBe(true);
    const bytes = concat(late);
    expect([bytes[0], ((bytes[1]! & 0x1f) << 8) | bytes[2]!]).toEqual([0x47, 0]); // PAT first
    const joined = readTs(bytes, { strict: true });
    expect(joined.errors).toEqual([]);
    expect(joined.packets.find((p) => p.trackId === 0x100)!.key).toBe(true);
    // the joiner got whole GOPs: everything from a keyframe at or before its join point
    const keyIndex = packets
      .slice(0, joinAt)
      .map((p, i) => (p.trackId === 0 && p.key ? i : -1))
      .filter((i) => i >= 0)
      .at(-1)!;
    const expectedVideo = packets.slice(keyIndex).filter((p) => p.trackId === 0).length;
    expect(joined.packets.filter((p) => p.trackId === 0x100).length).toBe(expectedVideo);
  });

  it('without the GOP cache a joiner waits for the next random-access chunk', () => {
    const joinAt = Math.floor(packets.length / 2) + 7;
    const { late } = run(joinAt, { startWithCurrentGop: false });
    const joined = readTs(concat(late), { strict: true });
    const nextKey = packets.findIndex((p, i) => i >= joinAt && p.trackId === 0 && p.key);
    expect(joined.packets.find((p) => p.trackId === 0x100)!.dts).toBe(packets[nextKey]!.dts * 90);
  });
});

describe('analyzeTransportStream', () => {
  it('finds nothing wrong in our output', () => {
    const source = readFlv(readFixture('h264-baseline-aac.flv'));
    const chunks: Uint8Array[] = [];
    const m = new TsMuxer(source.tracks, { onData: (c) => chunks.push(c) });
    for (const p of interleave(source)) m.write(p);
    m.end();
    const a = analyzeTransportStream(concat(chunks));
    expect(a.violations).toEqual([]);
    expect(a.tracks.map((t) => t.codec)).toEqual(['h264', 'aac']);
  });

  it("flags ffmpeg's default 100 ms PCR/PSI spacing against the live limits", () => {
    const a = analyzeTransportStream(readFixture('h264-high-aac.ts'));
    expect(a.stats.continuityErrors).toBe(0);
    expect(a.violations.some((v) => v.startsWith('PCR gap'))).toBe(true);
  });
});

describeWithPeers(['ffmpeg'], 'TsFanOut over UDP', () => {
  it('an ffmpeg receiver joining mid-stream decodes cleanly from the current GOP', async () => {
    const source = readFlv(readFixture('h264-high-aac.flv'));
    const packets = interleave(source);
    const sink = createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    const first = new UdpTsSender(`udp://127.0.0.1:${sink.address().port}`);
    await first.open();
    const fanOut = new TsFanOut();
    fanOut.subscribe((c) => void first.send(c));
    const muxer = new TsMuxer(source.tracks, { onData: fanOut.write });

    const port = await freeUdpPort();
    const ffmpeg = startFfmpegFrameCrc(`udp://127.0.0.1:${port}?timeout=2000000`, '0:v');
    const late = new UdpTsSender(`udp://127.0.0.1:${port}`);
    const joinAt = Math.floor(packets.length / 2) + 5;
    const start = Date.now();
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      const wait = start + p.dts / 2 - Date.now(); // FLV milliseconds, twice real time
      if (wait > 2) await new Promise((r) => setTimeout(r, wait));
      if (i === joinAt) {
        await waitForUdpListener(port);
        await late.open();
        fanOut.subscribe((c) => void late.send(c));
      }
      muxer.write(p);
    }
    muxer.end();
    await late.close();
    await first.close();
    await new Promise<void>((r) => sink.close(() => r()));
    await ffmpeg.exited;
    const keyIndex = packets
      .slice(0, joinAt)
      .map((p, i) => (p.trackId === 0 && p.key ? i : -1))
      .filter((i) => i >= 0)
      .at(-1)!;
    const frames = ffmpeg.frames(0);
    expect(frames).toBe(packets.slice(keyIndex).filter((p) => p.trackId === 0).length);
    expect(ffmpeg.errorsBeyondUdpTimeout()).toEqual([]);
  });
});
