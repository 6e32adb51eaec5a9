import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlvReader, FlvTagDemuxer, type MediaPacket, type TrackInfo } from '@sluice/media';
import {
  describeWithPeers,
  ffmpegCopyArgs,
  ffmpegDecodeErrors,
  ffprobe,
  freeTcpPort,
  readFixture,
  startProcess,
  type PeerProcess,
  waitFor,
} from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PushRegistry, type PushStateChange } from './push-registry.js';
import { FakeSource } from './test-support/fake-source.js';
import { flvTcpSinks } from './test-support/flv-tcp-sink.js';

/** Tracks and packets of an FLV fixture, timestamps shifted by `offsetMs` (a stream two hours in). */
function demuxFixture(name: string, offsetMs: number): { tracks: TrackInfo[]; packets: MediaPacket[] } {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of [...reader.push(readFixture(name))]) {
    const event = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (event.kind === 'packet')
      packets.push({ ...event.packet, dts: event.packet.dts + offsetMs, pts: event.packet.pts + offsetMs });
  }
  return { tracks: demuxer.tracks, packets };
}

/** A registry pushing FLV over TCP (under a protocol name of its own) from a fake source, retrying fast. */
function flvRegistry(): { source: FakeSource; registry: PushRegistry } {
  const source = new FakeSource();
  const registry = new PushRegistry({
    source,
    sinks: { flv: flvTcpSinks },
    retry: { initialDelayMs: 100, maxDelayMs: 300 },
  });
  return { source, registry };
}

/** Push `p` of stream `live` as FLV to tcp://127.0.0.1:port. */
function startFlvPush(registry: PushRegistry, port: number): void {
  registry.startPush({
    id: 'p',
    vhost: 'default',
    app: 'app',
    stream: { name: 'live' },
    protocol: 'flv',
    url: `tcp://127.0.0.1:${port}`,
  });
}

/** ffmpeg listening on tcp://127.0.0.1:port for one FLV connection, copying it into `file`. */
function listenFlv(port: number, file: string): PeerProcess {
  return startProcess(
    'ffmpeg',
    ffmpegCopyArgs(`tcp://127.0.0.1:${port}?listen=1`, file, { inputOptions: ['-y', '-f', 'flv'], format: 'flv' }),
  );
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'PushRegistry with a real peer (ffmpeg receiving FLV over TCP)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-push-interop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('retries until the receiver listens, then sends from the hub GOP keyframe with config, timestamps from 0, decodable', async () => {
    const { tracks, packets } = demuxFixture('h264-high-aac.flv', 7_200_000);
    const { source, registry } = flvRegistry();
    const changes: PushStateChange[] = [];
    registry.on('change', (c) => changes.push(c));
    const port = await freeTcpPort();
    const out = join(dir, 'received.flv');

    // The stream is 1.5 s in when the push starts; the hub keeps its GOP from the 1 s keyframe.
    source.publish('live', tracks);
    const firstHalf = packets.filter((p) => p.dts < 7_201_500);
    const secondHalf = packets.filter((p) => p.dts >= 7_201_500);
    for (const p of firstHalf) source.send('live', p);
    // Nobody listens yet: refused, error, retries with backoff.
    startFlvPush(registry, port);
    await waitFor(() => changes.some((c) => c.to === 'error'), 5000, 'a refused attempt');
    expect(registry.getPush('p')?.lastError).toMatch(/ECONNREFUSED/);

    const ffmpeg = listenFlv(port, out);
    await waitFor(() => registry.getPush('p')?.state === 'pushing', 15_000, 'pushing');
    for (const p of secondHalf) source.send('live', p);
    const record = registry.getPush('p');
    expect(record?.sequence).toBeGreaterThanOrEqual(1);
    expect(record?.sentBytes).toBeGreaterThan(0);
    registry.stopPush('p');
    await waitFor(() => registry.size === 0, 5000, 'teardown');
    expect(await ffmpeg.exited).toBe(0);

    const probe = await ffprobe(out);
    const video = probe.packets.filter((p) => p.codec_type === 'video');
    const audio = probe.packets.filter((p) => p.codec_type === 'audio');
    const sourceVideo = packets.filter(
      (p) => p.trackId === tracks.find((t) => t.kind === 'video')?.id && p.dts >= 7_201_000,
    );
    expect(video[0]?.flags).toContain('K');
    expect(video[0]?.dts).toBe(0);
    expect(video).toHaveLength(sourceVideo.length); // every frame from the GOP keyframe on, none lost
    expect(Math.min(...audio.map((p) => p.dts ?? Infinity))).toBeGreaterThanOrEqual(0);
    expect(Math.min(...audio.map((p) => p.dts ?? Infinity))).toBeLessThan(50);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(await ffmpegDecodeErrors(out)).toBe('');
    expect(changes.filter((c) => c.id === 'p').map((c) => c.to)).toEqual(
      expect.arrayContaining(['ready', 'connecting', 'error', 'pushing', 'stopping', 'stopped']),
    );
  });

  it('survives the receiver leaving: error, retry, and the next session starts again at a keyframe from 0', async () => {
    const { tracks, packets } = demuxFixture('h264-high-aac.flv', 0);
    const loop = (n: number): MediaPacket[] =>
      packets.map((p) => ({ ...p, dts: p.dts + n * 3000, pts: p.pts + n * 3000 }));
    const { source, registry } = flvRegistry();
    const port = await freeTcpPort();
    const listen = (file: string): PeerProcess => listenFlv(port, join(dir, file));

    source.publish('live', tracks);
    const first = listen('first.flv');
    startFlvPush(registry, port);
    await waitFor(() => registry.getPush('p')?.state === 'pushing', 15_000, 'first session pushing');
    for (const p of loop(0)) source.send('live', p);
    await first.stop(); // the receiver goes away
    await waitFor(() => registry.getPush('p')?.state === 'error', 5000, 'error after the receiver left');
    const failed = registry.getPush('p');
    expect(failed?.totalsentBytes).toBeGreaterThan(0);
    expect(failed?.sentBytes).toBe(0);
    for (const p of loop(1).filter((p) => p.dts < 4500)) source.send('live', p); // the hub's GOP now starts at 4000 ms

    const second = listen('second.flv');
    await waitFor(() => registry.getPush('p')?.state === 'pushing', 15_000, 'second session pushing');
    for (const p of loop(1).filter((p) => p.dts >= 4500)) source.send('live', p);
    const again = registry.getPush('p');
    expect(again?.sequence).toBeGreaterThanOrEqual(1);
    expect(again?.totalsentBytes).toBeGreaterThan(again?.sentBytes ?? 0);
    registry.stopPush('p');
    await waitFor(() => registry.size === 0, 5000, 'teardown');
    expect(await second.exited).toBe(0);

    const probe = await ffprobe(join(dir, 'second.flv'));
    const video = probe.packets.filter((p) => p.codec_type === 'video');
    expect(video[0]?.flags).toContain('K');
    expect(video[0]?.dts).toBe(0);
    expect(video).toHaveLength(
      packets.filter((p) => p.trackId === tracks.find((t) => t.kind === 'video')?.id && p.dts >= 1000).length,
    );
    expect(await ffmpegDecodeErrors(join(dir, 'second.flv'))).toBe('');
  });
});
