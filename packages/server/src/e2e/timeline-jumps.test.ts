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
import { basename, join } from 'node:path';
import type { PushRecord, StreamSubscriber } from '@sluice/push';
import {
  describeWithPeers,
  fixturePath,
  runCommand,
  startNginxRtmp,
  startProcess,
  waitFor,
  type NginxRtmp,
} from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { judgeOutput, type OutputVerdict } from './output-judge.js';
import { startPacedPublisher } from './paced-publisher.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { startTcpCapture, startUdpCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';
const PUBLISH_MS = 13_000;
const HOUR_MS = 3_600_000;

/** Frames the hub published for a stream, and whether its timeline stayed increasing. */
function countFrames(
  t: TestServer,
  name: string,
): { video: number; audio: number; backwards: number; off: () => void } {
  const counts = { video: 0, audio: 0, backwards: 0 };
  const kinds = new Map<number, string>();
  const last = new Map<number, number>();
  const subscriber: StreamSubscriber = {
    onStreamStart: (tracks) => tracks.forEach((x) => kinds.set(x.id, x.kind)),
    onPacket: (p) => {
      const kind = kinds.get(p.trackId);
      if (kind === 'video') counts.video++;
      if (kind === 'audio') counts.audio++;
      if (!(p.dts > (last.get(p.trackId) ?? -Infinity))) counts.backwards++;
      last.set(p.trackId, p.dts);
    },
    onStreamEnd: () => undefined,
  };
  const off = t.server.hub.subscribe({ vhost: 'default', app: 'app', name }, subscriber);
  return Object.assign(counts, { off });
}

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

  const start = async (body: unknown): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };

  /**
   * Reserves the three pushes of `name`, runs `publish` (resolves when the publisher has
   * finished), then judges the outputs.
   */
  async function scenario(name: string, publish: () => Promise<void>, discontinuities: number): Promise<void> {
    const udp = await startUdpCapture();
    const tcp = await startTcpCapture();
    await start({ id: `${name}-rtmp`, stream: { name }, protocol: 'rtmp', url: nginx.url('live'), streamKey: name });
    await start({ id: `${name}-udp`, stream: { name }, protocol: 'mpegts', url: `udp://127.0.0.1:${udp.port}` });
    await start({ id: `${name}-tcp`, stream: { name }, protocol: 'mpegts', url: `tcp://127.0.0.1:${tcp.port}` });
    const hub = countFrames(t, name);
    let streamJumps: number | undefined;
    const watch = setInterval(() => {
      const live = t.server.hub.stream({ vhost: 'default', app: 'app', name });
      if (live !== undefined) streamJumps = live.discontinuities;
    }, 200);
    try {
      await publish();
    } finally {
      clearInterval(watch);
      hub.off();
    }
    const ids = ['rtmp', 'udp', 'tcp'].map((p) => `${name}-${p}`);
    for (const id of ids) await t.waitForState(id, 'ready', 15_000); // the stream ended: sessions ended
    await waitFor(() => udp.quietFor() > 1000 && tcp.quietFor() > 1000, 10_000, 'captures quiet');
    const records = (await Promise.all(ids.map((id) => t.push(id)))) as PushRecord[];
    for (const id of ids) {
      expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
      await t.waitForGone(id);
    }
    const udpFile = join(work, `${name}-udp.ts`);
    const tcpFile = join(work, `${name}-tcp.ts`);
    await udp.close(udpFile);
    await tcp.close(tcpFile);
    let recordings: string[] = [];
    await waitFor(
      () => (recordings = nginx.recordings().filter((f) => basename(f).startsWith(`${name}-`))).length > 0,
      10_000,
      `nginx recording of ${name}`,
    );
    await sleep(500); // nginx finishes the file on unpublish

    expect(hub.backwards, 'hub timeline increasing').toBe(0);
    expect(hub.video).toBeGreaterThan(250);
    expect(streamJumps, 'stream discontinuities').toBe(discontinuities);
    for (const r of records) {
      expect(r, r.id).toMatchObject({ sequence: 1, discontinuities });
      expect(r.lastError, r.id).toBeUndefined();
    }
    expect(recordings).toHaveLength(1);
    const outputs: Array<[string, string]> = [
      ['rtmp', recordings[0]!],
      ['udp', udpFile],
      ['tcp', tcpFile],
    ];
    const verdicts: Array<[string, OutputVerdict]> = [];
    for (const [label, file] of outputs) verdicts.push([label, await judgeOutput(file)]);
    const summary = verdicts.map(
      ([label, v]) => `${label}: video ${v.videoFrames}/${hub.video} audio ${v.audioFrames}/${hub.audio}`,
    );
    console.log(`${name}: ${summary.join('; ')}`);
    for (const [label, v] of verdicts) {
      expect(v.decodeErrors, `${label} decodes`).toBe('');
      expect(v.nonMonotonic, `${label} DTS increasing`).toEqual([]);
      expect(v.videoFrames, `${label} video frames`).toBeGreaterThanOrEqual(0.95 * hub.video);
      expect(v.audioFrames, `${label} audio frames`).toBeGreaterThanOrEqual(0.95 * hub.audio);
    }
  }

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
