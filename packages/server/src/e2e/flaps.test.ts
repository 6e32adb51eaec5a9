/**
 * End-to-end, one server: the destination and the source go away and come back.
 *   4. nginx is stopped and restarted 3 times during a push: error → connecting → pushing
 *      each time, `sequence` counts the sessions, every recording segment decodes from its first frame
 *   5. the publisher stops and starts again: the push waits in `ready` and resumes without a new API call
 */
import { basename } from 'node:path';
import type { PushRecord } from '@sluice/push';
import { describeWithPeers, ffmpegDecodeErrors, ffprobe, startNginxRtmp, waitFor } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import { rtmpPushToNginx, startFfmpegPublisher, stopFfmpeg } from './peers.js';

const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: destination and source flaps (scenarios 4, 5)', () => {
  let nginx: NginxRtmp;
  let t: TestServer;
  const publishers: PeerProcess[] = [];

  const count = (id: string, state: string): number => t.statesOf(id).filter((s) => s === state).length;
  const recordingsOf = (key: string): string[] => nginx.recordings().filter((f) => basename(f).startsWith(`${key}-`));
  const start = async (body: unknown): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const stop = async (id: string): Promise<PushRecord> => {
    const answer = await t.api<PushRecord[]>('POST', `${APP}:stopPush`, { id });
    expect(answer.status).toBe(200);
    await t.waitForGone(id);
    return answer.body?.response?.[0] as PushRecord;
  };
  const expectSegmentsDecode = async (key: string, segments: number): Promise<void> => {
    const files = recordingsOf(key);
    expect(files.length, `${key} recordings: ${files.join(', ')}`).toBeGreaterThanOrEqual(segments);
    for (const file of files) {
      const probe = await ffprobe(file);
      expect(probe.streams.map((s) => s.codec_name).sort(), file).toEqual(['aac', 'h264']);
      expect(probe.packets.find((p) => p.codec_type === 'video')?.flags, `${file} starts with a keyframe`).toMatch(
        /^K/,
      );
      expect(await ffmpegDecodeErrors(file), file).toBe('');
    }
  };

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'] });
    // The contract's retry defaults (500 ms doubling to 5 s): fast recovery comes from the reachability probes.
    t = await startTestServer({ contractRetryDefaults: true });
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => stopFfmpeg(p)));
    await t?.close();
    await nginx?.stop();
  });

  it('4. destination flaps: nginx stopped and restarted 3 times; the push reconnects each time', async () => {
    publishers.push(startFfmpegPublisher(t.ingestUrl('dest')));
    await t.waitForLive('dest');
    await start(rtmpPushToNginx(nginx, 'flap', 'dest'));
    await t.waitForState('flap', 'pushing');
    await sleep(1200);
    const outagesMs = [300, 3500, 6000]; // 3.5 s: an nginx restart; 6 s: past the 5 s backoff ceiling
    const recoveryMs: number[] = [];
    for (let round = 1; round <= 3; round++) {
      await nginx.stop();
      await waitFor(() => count('flap', 'error') >= round, 10_000, `push in error (round ${round})`);
      await sleep(outagesMs[round - 1] ?? 0);
      await nginx.restart(); // resolves once nginx accepts connections
      const back = Date.now();
      await waitFor(() => count('flap', 'pushing') >= round + 1, 10_000, `push pushing again (round ${round})`, 10);
      recoveryMs.push(Date.now() - back);
      await waitFor(
        async () => ((await t.push('flap'))?.sentBytes ?? 0) > 30_000,
        10_000,
        `media flows (round ${round})`,
      );
      // nginx's record_unique names files by the second: keep sessions in different seconds
      await sleep(1200);
    }
    // media flows again within about a second of the destination coming back, whatever the outage
    for (const ms of recoveryMs) expect(ms, `recovery times ${recoveryMs.join(', ')} ms`).toBeLessThanOrEqual(1000);
    const record = await stop('flap');
    // every error ended a session; failed reconnects while nginx was down end one each too
    expect(record.sequence).toBeGreaterThanOrEqual(3);
    expect(record.totalsentBytes).toBeGreaterThan(record.sentBytes);
    const states = t.statesOf('flap');
    for (let i = 0; i < states.length; i++) {
      if (states[i] !== 'error') continue;
      const next = states.slice(i + 1, i + 3);
      expect(['connecting', 'ready'], `after error: ${states.join(' ')}`).toContain(next[0]);
    }
    expect(states.filter((s) => s === 'pushing')).toHaveLength(4);
    await expectSegmentsDecode('flap', 4);
  });

  it('5. source flaps: the push waits in ready and resumes by itself when the stream is published again', async () => {
    let publisher = startFfmpegPublisher(t.ingestUrl('src'));
    publishers.push(publisher);
    await t.waitForLive('src');
    await start(rtmpPushToNginx(nginx, 'source', 'src'));
    await t.waitForState('source', 'pushing');
    for (let round = 1; round <= 2; round++) {
      await sleep(1200);
      await stopFfmpeg(publisher);
      const waiting = await t.waitForState('source', 'ready');
      expect(waiting.sequence).toBe(round);
      await sleep(300);
      publisher = startFfmpegPublisher(t.ingestUrl('src'));
      publishers.push(publisher);
      await waitFor(() => count('source', 'pushing') >= round + 1, 15_000, `push resumed (round ${round})`);
    }
    await sleep(1200);
    await stop('source');
    await expectSegmentsDecode('source', 3);
  });
});
