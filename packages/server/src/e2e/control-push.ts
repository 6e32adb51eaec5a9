/**
 * "Others unaffected", measured: a control push (mpegts over UDP to a capture) of a live
 * stream, whose byte rate relative to what the ingest received is taken before the faults
 * (`start`) and compared during each (`unaffected`): within 10 %, still `pushing`, and the
 * ingest's media advancing at real time.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sluice/test-support';
import { expect } from 'vitest';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { countHubFrames } from './output-scenario.js';
import { startUdpCapture, type TsCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

/** A running control push. */
export interface ControlPush {
  /** Runs `during` (for at least 3 s) and checks the control push and the ingest meanwhile. */
  unaffected: (during: () => Promise<void>) => Promise<void>;
  close: () => Promise<void>;
}

/** Starts control push `ctl` of stream `default/app/NAME` and measures its baseline over 4 s. */
export async function startControlPush(t: TestServer, name: string): Promise<ControlPush> {
  const ref = { vhost: 'default', app: 'app', name };
  const capture: TsCapture = await startUdpCapture();
  const answer = await t.api('POST', `${APP}:startPush`, {
    id: 'ctl',
    stream: { name },
    protocol: 'mpegts',
    url: `udp://127.0.0.1:${capture.port}`,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await t.waitForState('ctl', 'pushing', 15_000);
  await waitFor(async () => ((await t.push('ctl'))?.sentBytes ?? 0) > 100_000, 15_000, 'the control push sends');
  const counters = async (): Promise<[number, number]> => [
    (await t.push('ctl'))?.sentBytes ?? 0,
    t.server.hub.stream(ref)?.bytesIn ?? 0,
  ];
  const [sent0, in0] = await counters();
  await sleep(4000);
  const [sent1, in1] = await counters();
  const baseline = (sent1 - sent0) / (in1 - in0);
  expect(baseline).toBeGreaterThan(1); // TS framing on top of the payload

  return {
    unaffected: async (during) => {
      const frames = countHubFrames(t, name);
      const started = Date.now();
      const [s0, i0] = await counters();
      try {
        await during();
        const rest = 3000 - (Date.now() - started); // windows of at least 3 s: rates are meaningful
        if (rest > 0) await sleep(rest);
      } finally {
        frames.off();
      }
      const [s1, i1] = await counters();
      const seconds = (Date.now() - started) / 1000;
      const ratio = (s1 - s0) / (i1 - i0);
      expect(Math.abs(ratio / baseline - 1), `control push ${ratio.toFixed(3)} vs ${baseline.toFixed(3)}`).toBeLessThan(
        0.1,
      );
      // the ingest kept real time: its media advanced as fast as the clock
      const mediaSeconds = (frames.lastVideoDts - frames.firstVideoDts) / 1000;
      expect(mediaSeconds / seconds, `ingest ${mediaSeconds} s of media in ${seconds} s`).toBeGreaterThan(0.9);
      expect((await t.push('ctl'))?.state).toBe('pushing');
    },
    close: () => capture.close(join(tmpdir(), `sluice-control-${process.pid}-${Date.now()}.ts`)),
  };
}

/** A test server with a live ffmpeg stream and its control push: the bench of the fault suites. */
export interface LiveServerWithControl {
  t: TestServer;
  control: ControlPush;
  close: () => Promise<void>;
}

/** Starts a test server, an ffmpeg publisher of `name` and control push `ctl` of it. */
export async function startLiveServerWithControl(name = 'cam'): Promise<LiveServerWithControl> {
  const t = await startTestServer();
  const publisher = startFfmpegPublisher(t.ingestUrl(name));
  try {
    await t.waitForLive(name);
    const control = await startControlPush(t, name);
    return {
      t,
      control,
      close: async () => {
        await stopFfmpeg(publisher);
        await control.close();
        await t.close();
      },
    };
  } catch (error) {
    await stopFfmpeg(publisher);
    await t.close();
    throw error;
  }
}
