/**
 * End-to-end, RTMP fan-out: several pushes of one ingest stream share chunked bytes
 * (the rtmp sink factory's PayloadChunkCache). ffmpeg publishes to our ingest; three
 * pushes go to one nginx-rtmp (one of them joining late) and a fourth to another
 * nginx-rtmp that is restarted mid-push, so that push reconnects while the others run.
 * Every recording must carry H.264 + AAC, start at a keyframe and decode without errors.
 */
import { basename } from 'node:path';
import { PayloadChunkCache } from '@sluice/rtmp';
import { describeWithPeers, ffmpegDecodeErrors, ffprobe, startNginxRtmp, waitFor } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { sleep, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';

const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: RTMP pushes of one stream share chunked bytes', () => {
  let stable: NginxRtmp;
  let flapping: NginxRtmp;
  let t: TestServer;
  let publisher: PeerProcess | undefined;
  let chunk: MockInstance<PayloadChunkCache['chunk']>;

  const recordingsOf = (nginx: NginxRtmp, key: string): string[] =>
    nginx.recordings().filter((f) => basename(f).startsWith(`${key}-`));
  const start = async (id: string, nginx: NginxRtmp): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, {
      id,
      stream: { name: 'fan' },
      protocol: 'rtmp',
      url: nginx.url('live'),
      streamKey: id,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const stop = async (id: string): Promise<void> => {
    expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
    await t.waitForGone(id);
  };

  beforeAll(async () => {
    chunk = vi.spyOn(PayloadChunkCache.prototype, 'chunk');
    [stable, flapping] = await Promise.all([startNginxRtmp({ apps: ['live'] }), startNginxRtmp({ apps: ['live'] })]);
    t = await startTestServer();
  });

  afterAll(async () => {
    chunk?.mockRestore();
    if (publisher !== undefined) await stopFfmpeg(publisher);
    await t?.close();
    await Promise.all([stable?.stop(), flapping?.stop()]);
  });

  it('three pushes to one nginx (one joining late) and one that reconnects after its nginx restarts all record decodable H.264 + AAC', async () => {
    publisher = startFfmpegPublisher(t.ingestUrl('fan'));
    await t.waitForLive('fan');
    await Promise.all([start('early1', stable), start('early2', stable), start('flap', flapping)]);
    for (const id of ['early1', 'early2', 'flap']) await t.waitForState(id, 'pushing');
    await sleep(1500);
    await start('late', stable);
    await t.waitForState('late', 'pushing');
    await sleep(1500);

    await flapping.stop();
    await waitFor(() => t.statesOf('flap').includes('error'), 10_000, 'push flap in error');
    await sleep(300);
    await flapping.restart();
    await waitFor(
      () => t.statesOf('flap').filter((s) => s === 'pushing').length >= 2,
      10_000,
      'push flap pushing again',
    );
    await waitFor(
      async () => ((await t.push('flap'))?.sentBytes ?? 0) > 30_000,
      10_000,
      'media flows to the restarted nginx',
    );
    await sleep(1500);

    // The pushes shared one cache, and most writes were of shared bytes.
    const caches = new Set(chunk.mock.contexts as PayloadChunkCache[]);
    expect(caches.size).toBe(1);
    const cache = [...caches][0]!;
    expect(cache.chunked).toBeGreaterThan(100);
    expect(cache.sharedWrites, `chunked ${cache.chunked}, shared writes ${cache.sharedWrites}`).toBeGreaterThan(
      2.5 * cache.chunked,
    );

    for (const id of ['early1', 'early2', 'late', 'flap']) await stop(id);
    const files = {
      early1: recordingsOf(stable, 'early1'),
      early2: recordingsOf(stable, 'early2'),
      late: recordingsOf(stable, 'late'),
      flap: recordingsOf(flapping, 'flap'),
    };
    expect(
      Object.values(files).map((f) => f.length),
      JSON.stringify(files),
    ).toEqual([1, 1, 1, 2]);
    for (const file of Object.values(files).flat()) {
      const probe = await ffprobe(file);
      expect(probe.streams.map((s) => s.codec_name).sort(), file).toEqual(['aac', 'h264']);
      expect(probe.packets.find((p) => p.codec_type === 'video')?.flags, `${file} starts with a keyframe`).toMatch(
        /^K/,
      );
      expect(probe.packets.length, file).toBeGreaterThan(50);
      expect(await ffmpegDecodeErrors(file), file).toBe('');
    }
  });
});
