/**
 * End-to-end, issue 10 part 2: a source whose timestamps jump. Real publishers into our
 * RTMP ingest, each stream pushed at once over rtmp to nginx-rtmp (record all) and over
 * mpegts to a plain UDP receiver and a TCP receiver; every output must keep >= 95 % of
 * the frames the ingest received, decode without error and have increasing DTS (ffprobe).
 *   - ffmpeg with `-output_ts_offset 2147477.6`: its 31-bit FLV timestamps jump back by
 *     2^31 ms six seconds in;
 *   - ffmpeg with a `setts` bitstream filter: timestamps jump forward by an hour;
 *   - our RtmpPublisher sending a real captured stream (B-frames) whose timestamps cross
 *     2^32 ms (ffmpeg cannot write 32-bit RTMP timestamps): the ingest unwraps it, so the
 *     timeline is continuous and no discontinuity is counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithPeers,
  fixturePath,
  runCommand,
  startNginxRtmp,
  startProcess,
  type NginxRtmp,
} from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { runOutputScenario } from './output-scenario.js';
import { startPacedPublisher } from './paced-publisher.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';

const PUBLISH_MS = 13_000;
const HOUR_MS = 3_600_000;

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: source timestamp jumps (issue 10)', () => {
  let nginx: NginxRtmp;
  let t: TestServer;
  const work = mkdtempSync(join(tmpdir(), 'sluice-e2e-jumps-'));

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'] });
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.close();
    await nginx?.stop();
  });

  const scenario = async (name: string, publish: () => Promise<void>, discontinuities: number): Promise<void> => {
    await runOutputScenario(t, nginx, name, publish, { discontinuities });
  };

  const ffmpegFor = async (name: string, options: string[]): Promise<void> => {
    const p = startFfmpegPublisher(t.ingestUrl(name), 'h264-baseline-aac.flv', options);
    await t.waitForLive(name);
    await sleep(PUBLISH_MS);
    await stopFfmpeg(p);
  };

  it('ffmpeg whose 31-bit FLV timestamps jump back by 2^31 ms: every push keeps its frames', { timeout: 120_000 }, () =>
    scenario('wrap31', () => ffmpegFor('wrap31', ['-output_ts_offset', '2147477.6']), 1),
  );

  it('ffmpeg whose timestamps jump forward by an hour: every push keeps its frames', { timeout: 120_000 }, async () => {
    // ffmpeg 5.1 flushes bitstream filters at each -stream_loop turn: loop into a file first
    const long = join(work, 'long.flv');
    const loop = ['-stream_loop', '4', '-i', fixturePath('h264-baseline-aac.flv'), '-c', 'copy', '-t', '14', long];
    const made = await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...loop]);
    expect(made.code, made.stderr).toBe(0);
    // pts/dts + 1 h from the 6th second on (decided on the DTS so B-frame offsets stay whole)
    const shift = `if(gte(DTS*TB\\,6)\\,${HOUR_MS / 1000}/TB\\,0)`;
    const setts = `setts=pts=PTS+${shift}:dts=DTS+${shift}`;
    const args = ['-nostdin', '-v', 'error', '-re', '-i', long, '-c', 'copy', '-bsf:v', setts, '-bsf:a', setts];
    await scenario(
      'hour',
      async () => {
        const p = startProcess('ffmpeg', [...args, '-f', 'flv', t.ingestUrl('hour')]);
        await t.waitForLive('hour');
        await Promise.race([p.exited, sleep(30_000)]);
        await stopFfmpeg(p);
      },
      1,
    );
  });

  it(
    'a captured stream whose RTMP timestamps cross 2^32 ms (our RtmpPublisher): unwrapped, no discontinuity',
    { timeout: 120_000 },
    () =>
      scenario(
        'wrap32',
        async () => {
          const p = startPacedPublisher(
            t.ingestUrl('').replace(/\/$/, ''),
            'wrap32',
            (ms) => 2 ** 32 - 6000 + ms,
            PUBLISH_MS,
          );
          await p.done;
        },
        0,
      ),
  );
});
