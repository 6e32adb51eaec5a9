import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { MediaPacket } from '@sluice/media';
import type { PushSink, PushTarget } from '@sluice/push';
import { ChunkStreamId, ChunkStreamWriter, PayloadChunkCache, RtmpServer } from '@sluice/rtmp';
import { waitFor } from '@sluice/test-support';
import { readFlvFixture } from '../../e2e/paced-publisher.js';
import { createRtmpPushProtocol } from './rtmp-push.js';

/** One destination connection as the RTMP server saw it: raw bytes in, packets out. */
interface Received {
  raw: Buffer[];
  packets: MediaPacket[];
  closed: boolean;
}

describe('rtmp push protocol: pushes of one stream share chunked bytes', () => {
  let tap: Server;
  let rtmp: RtmpServer;
  let port: number;
  const received: Received[] = [];
  beforeAll(async () => {
    rtmp = new RtmpServer();
    // Every connection's bytes are recorded before our own ingest session parses them.
    tap = createServer((socket) => {
      const r: Received = { raw: [], packets: [], closed: false };
      received.push(r);
      socket.on('data', (b: Buffer) => r.raw.push(b));
      const session = rtmp.accept(socket);
      session.on('packet', (p: MediaPacket) => r.packets.push(p));
      session.on('close', () => (r.closed = true));
    });
    port = await new Promise<number>((resolve) =>
      tap.listen(0, '127.0.0.1', () => resolve((tap.address() as { port: number }).port)),
    );
  });
  afterAll(async () => {
    await rtmp.close();
    await new Promise((r) => tap.close(r));
  });
  afterEach(() => vi.restoreAllMocks());

  const target = (key: string): PushTarget => ({
    protocol: 'rtmp',
    url: `rtmp://127.0.0.1:${port}/live`,
    streamKey: key,
    connectTimeoutMs: 3000,
    sendTimeoutMs: 2000,
  });

  it('chunks each message once; every push writes the same bytes for its continuation messages, and decodes to its rebased stream', async () => {
    const { tracks, packets } = readFlvFixture('h264-baseline-aac.flv');
    const videoId = tracks.find((t) => t.kind === 'video')!.id;
    const keyIndexes = packets.flatMap((p, i) => (p.trackId === videoId && p.key ? [i] : []));
    expect(keyIndexes.length).toBeGreaterThanOrEqual(3);
    // Pushes 0-2 and 4 start at the first packet; push 3 joins late at a keyframe mid-stream;
    // push 4 drops the rest of a GOP (as a full send queue does) and resumes at the next keyframe.
    const joinAt = [0, 0, 0, keyIndexes.find((i) => i > packets.length / 3) ?? keyIndexes[keyIndexes.length - 1]!, 0];
    expect(joinAt[3]).toBeGreaterThan(0);
    const resumeAt = keyIndexes[2]!;
    const dropped = (i: number, k: number): boolean => i === 4 && k >= keyIndexes[1]! + 3 && k < resumeAt;
    const cache = new PayloadChunkCache(4096);
    const factory = createRtmpPushProtocol({ sharedChunks: cache });
    const first = received.length;
    const sinks: PushSink[] = [];
    for (const [i] of joinAt.entries()) {
      const sink = factory.create(target(`share${i}`));
      await sink.open(tracks);
      sinks.push(sink);
    }
    const encodeParts = vi.spyOn(ChunkStreamWriter.prototype, 'encodeParts');
    // Like @sluice/push's SessionSender: one reused packet object per push, timestamps rebased, the hub's payload view.
    const scratch = sinks.map((): MediaPacket => ({ trackId: 0, dts: 0, pts: 0, key: false, data: new Uint8Array(0) }));
    const sent: MediaPacket[][] = sinks.map(() => []);
    for (const [k, packet] of packets.entries()) {
      for (const [i, sink] of sinks.entries()) {
        if (k < joinAt[i]! || dropped(i, k)) continue;
        const base = packets[joinAt[i]!]!.dts;
        if (packet.dts < base) continue;
        const out = scratch[i]!;
        out.trackId = packet.trackId;
        out.dts = packet.dts - base;
        out.pts = packet.pts - base;
        out.key = packet.key;
        out.data = packet.data;
        sink.send(out);
        sent[i]!.push(packet);
      }
    }
    const media = (csid: unknown): boolean => csid === ChunkStreamId.Video || csid === ChunkStreamId.Audio;
    const ownEncodings = encodeParts.mock.calls.filter((c) => media(c[0])).length;
    const writes = sent.reduce((n, s) => n + s.length, 0);
    // One chunking per message: the shared cache chunked each packet at most once, and a
    // push encoded a message itself only for its first message per chunk stream (2 tracks),
    // and push 4 also for its first messages after the gap.
    expect(cache.chunked).toBeLessThanOrEqual(packets.length);
    expect(cache.chunked).toBeGreaterThan(packets.length - 4);
    expect(ownEncodings).toBeLessThanOrEqual(2 * sinks.length + 2);
    expect(cache.chunked + ownEncodings).toBeLessThanOrEqual(packets.length + 2 * sinks.length + 2);
    expect(cache.sharedWrites).toBe(writes - ownEncodings);
    await Promise.all(sinks.map((s) => s.close()));

    await waitFor(
      () => received.slice(first).length === sinks.length && received.slice(first).every((r) => r.closed),
      5000,
      'destinations closed',
    );
    for (const [i, r] of received.slice(first).entries()) {
      // Continuation messages on the wire are exactly the shared bytes, in order.
      const wire = Buffer.concat(r.raw);
      const seen = new Set<number>();
      let cursor = 0;
      let shared = 0;
      for (const packet of sent[i]!) {
        if (packet === packets[resumeAt] && i === 4) seen.clear();
        const csid = packet.trackId === videoId ? ChunkStreamId.Video : ChunkStreamId.Audio;
        if (!seen.has(csid)) {
          seen.add(csid); // its first message per chunk stream (after a gap) is its own
          continue;
        }
        const bytes = cache.get(packet.data)?.bytes;
        expect(bytes).toBeTruthy();
        const at = wire.indexOf(bytes!, cursor);
        expect(at, `push ${i}: message at dts ${packet.dts}`).toBeGreaterThanOrEqual(0);
        cursor = at + bytes!.length;
        shared++;
      }
      expect(shared).toBe(sent[i]!.length - (i === 4 ? 4 : 2));
      // And each destination decodes its own rebased stream.
      const base = packets[joinAt[i]!]!.dts;
      expect(r.packets.map((p) => [p.trackId, p.dts, p.pts, p.key, p.data.length])).toEqual(
        sent[i]!.map((p) => [p.trackId, p.dts - base, p.pts - base, p.key, p.data.length]),
      );
    }
  });

  it('chunks per push when sharing is off or the chunk sizes differ', async () => {
    const { tracks, packets } = readFlvFixture('h264-baseline-aac.flv');
    const cache = new PayloadChunkCache(4096);
    for (const factory of [
      createRtmpPushProtocol({ shareChunks: false, sharedChunks: cache }),
      createRtmpPushProtocol({ chunkSize: 128, sharedChunks: cache }),
    ]) {
      const sink = factory.create(target('own'));
      await sink.open(tracks);
      for (const p of packets.slice(0, 50)) sink.send(p);
      await sink.close();
    }
    expect([cache.chunked, cache.sharedWrites]).toEqual([0, 0]);
  });
});

describe('rtmp push protocol: the push session keeps the deadlines', () => {
  it('a sink has no connect deadline of its own: open() waits until the session closes it', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket)); // accepts, never answers the handshake
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)),
    );
    try {
      const sink = createRtmpPushProtocol().create({
        protocol: 'rtmp',
        url: `rtmp://127.0.0.1:${port}/live`,
        streamKey: 'k',
        connectTimeoutMs: 50,
        sendTimeoutMs: 50,
      });
      let settled: unknown;
      sink.open(readFlvFixture('h264-high-aac.flv').tracks).then(
        () => (settled = 'opened'),
        (error: unknown) => (settled = error),
      );
      await new Promise((r) => setTimeout(r, 600)); // 12 of the target's connect timeouts
      expect(settled).toBeUndefined(); // no RtmpTimeoutError: the Push's PushConnectTimeout is the one
      await sink.close();
      await waitFor(() => settled !== undefined, 10_000);
      expect(settled).toBeInstanceOf(Error);
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
