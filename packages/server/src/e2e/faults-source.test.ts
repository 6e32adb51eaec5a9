/**
 * End-to-end fault injection, issue 16: sources that misbehave, with real ffmpeg
 * publishers. A control push of another live stream must go on meanwhile
 * (control-push.ts).
 *   - a publisher that stops sending without closing (SIGSTOP): the ingest ends its
 *     stream at its idle timeout, the push waits in `ready`, and a new publisher under
 *     the same name is taken and pushed at once;
 *   - audio-only and video-only sources: rtmp (to nginx-rtmp) and mpegts (UDP) pushes
 *     carry the one track, and the outputs decode.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeers, startNginxRtmp, waitFor, type NginxRtmp, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startControlPush, type ControlPush } from './control-push.js';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { judgeOutput } from './output-judge.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { startUdpCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: source faults (issue 16)', () => {
  let t: TestServer;
  let nginx: NginxRtmp;
  let cam: PeerProcess | undefined;
  let control: ControlPush;
  const publishers: PeerProcess[] = [];

  const start = async (body: Record<string, unknown>): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const stop = async (id: string): Promise<void> => {
    expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
    await t.waitForGone(id);
  };
  const publish = (name: string, fixture?: string): PeerProcess => {
    const p = startFfmpegPublisher(t.ingestUrl(name), fixture);
    publishers.push(p);
    return p;
  };

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'] });
    t = await startTestServer();
    cam = publish('cam');
    await t.waitForLive('cam');
    control = await startControlPush(t, 'cam');
  });

  afterAll(async () => {
    for (const p of publishers) await stopFfmpeg(p);
    await control?.close();
    await t?.close();
    await nginx?.stop();
  });

  it(
    'a publisher that stops sending without closing: its stream ends at the ingest idle timeout, the push waits in ready, a new publisher is pushed at once',
    { timeout: 120_000 },
    async () => {
      const frozen = publish('frozen');
      await t.waitForLive('frozen');
      const capture = await startUdpCapture();
      await start({ id: 'f', stream: { name: 'frozen' }, protocol: 'mpegts', url: `udp://127.0.0.1:${capture.port}` });
      await t.waitForState('f', 'pushing', 15_000);
      const stoppedAt = Date.now();
      await control.unaffected(async () => {
        frozen.child.kill('SIGSTOP');
        try {
          await waitFor(
            () => t.server.hub.stream({ vhost: 'default', app: 'app', name: 'frozen' }) === undefined,
            45_000,
            'the silent stream ended',
          );
        } finally {
          frozen.child.kill('SIGKILL');
        }
      });
      const endedAfter = Date.now() - stoppedAt;
      console.log(`a silent publisher's stream ended ${endedAfter} ms after it stopped sending`);
      expect(endedAfter).toBeLessThan(40_000);
      await t.waitForState('f', 'ready', 10_000);
      expect((await t.push('f'))?.lastError).toBeUndefined(); // the source left: not a push error
      // the name is free again: a new publisher is taken and the push resumes by itself
      const bytes = capture.bytes();
      publish('frozen');
      await t.waitForState('f', 'pushing', 20_000);
      await waitFor(() => capture.bytes() > bytes + 100_000, 15_000, 'media from the new publisher');
      await stop('f');
      await capture.close(join(tmpdir(), `sluice-frozen-${process.pid}.ts`));
    },
  );

  it.each([
    ['audio-only.flv', 'audio'],
    ['video-only.flv', 'video'],
  ] as const)(
    'a %s source: rtmp and mpegts pushes carry its one track, the outputs decode',
    { timeout: 90_000 },
    async (fixture, kind) => {
      const name = kind === 'audio' ? 'aonly' : 'vonly';
      await control.unaffected(async () => {
        publish(name, fixture);
        await t.waitForLive(name);
        const capture = await startUdpCapture();
        await start({
          id: `${name}-rtmp`,
          stream: { name },
          protocol: 'rtmp',
          url: nginx.url('live'),
          streamKey: name,
        });
        await start({ id: `${name}-ts`, stream: { name }, protocol: 'mpegts', url: `udp://127.0.0.1:${capture.port}` });
        for (const id of [`${name}-rtmp`, `${name}-ts`]) await t.waitForState(id, 'pushing', 15_000);
        await sleep(5000);
        const records = await Promise.all([t.push(`${name}-rtmp`), t.push(`${name}-ts`)]);
        for (const r of records) expect(r?.sentBytes, r?.id).toBeGreaterThan(10_000);
        await stop(`${name}-rtmp`);
        await stop(`${name}-ts`);
        const file = join(tmpdir(), `sluice-${name}-${process.pid}.ts`);
        await capture.close(file);
        await sleep(500); // nginx finishes its recording
        const recording = nginx.recordings().find((f) => f.includes(`/${name}-`));
        expect(recording, 'nginx recorded it').toBeDefined();
        for (const output of [file, recording!]) {
          const verdict = await judgeOutput(output);
          expect(verdict.decodeErrors, output).toBe('');
          expect(verdict.nonMonotonic, output).toEqual([]);
          const [mine, other] =
            kind === 'audio' ? [verdict.audioFrames, verdict.videoFrames] : [verdict.videoFrames, verdict.audioFrames];
          expect(mine, `${kind} frames in ${output}`).toBeGreaterThan(50);
          expect(other, `no other track in ${output}`).toBe(0);
        }
      });
    },
  );

  it('the control stream itself is still live and pushed', async () => {
    expect(cam?.child.exitCode).toBeNull();
    expect((await t.push('ctl'))?.state).toBe('pushing');
  });
});
