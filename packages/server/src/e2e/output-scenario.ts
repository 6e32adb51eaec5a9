/**
 * One stream pushed at once over every protocol, judged at the far ends: rtmp to
 * nginx-rtmp (record all), mpegts to a plain UDP receiver and to a TCP receiver, and
 * (optionally) srt to srt-live-transmit. `runOutputScenario` reserves the pushes, runs the
 * publisher, waits for the outputs to settle and checks that every output keeps >= 95 % of
 * the frames the hub published, decodes without error and has increasing DTS (ffprobe,
 * MPEG-TS followed across the 33-bit wrap). Used by the timestamp-jump and long-run tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { PushRecord, StreamSubscriber } from '@sluice/push';
import { freeUdpPort, startProcess, waitFor, type NginxRtmp, type PeerProcess } from '@sluice/test-support';
import { expect } from 'vitest';
import { sleep, type TestServer } from './harness.js';
import { judgeOutput, type OutputVerdict } from './output-judge.js';
import { startSrtReceiver, type SrtReceiver } from './srt-receivers.js';
import { startTcpCapture, startUdpCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

/** Frames the hub published for a stream, and whether its timeline stayed increasing. */
export interface HubFrameCount {
  video: number;
  audio: number;
  backwards: number;
  /** DTS of the first and the latest video packet (ms for RTMP ingest; NaN before any). */
  firstVideoDts: number;
  lastVideoDts: number;
  off: () => void;
}

/** Counts what the hub publishes for stream `default/app/NAME`. */
export function countHubFrames(t: TestServer, name: string): HubFrameCount {
  const counts = { video: 0, audio: 0, backwards: 0, firstVideoDts: NaN, lastVideoDts: NaN };
  const kinds = new Map<number, string>();
  const last = new Map<number, number>();
  const subscriber: StreamSubscriber = {
    onStreamStart: (tracks) => tracks.forEach((x) => kinds.set(x.id, x.kind)),
    onPacket: (p) => {
      const kind = kinds.get(p.trackId);
      if (kind === 'video') {
        counts.video++;
        if (Number.isNaN(counts.firstVideoDts)) counts.firstVideoDts = p.dts;
        counts.lastVideoDts = p.dts;
      }
      if (kind === 'audio') counts.audio++;
      if (!(p.dts > (last.get(p.trackId) ?? -Infinity))) counts.backwards++;
      last.set(p.trackId, p.dts);
    },
    onStreamEnd: () => undefined,
  };
  const off = t.server.hub.subscribe({ vhost: 'default', app: 'app', name }, subscriber);
  return Object.assign(counts, { off });
}

/** What a scenario expects and carries. */
export interface OutputScenarioOptions {
  /** Discontinuities the stream and every push must count. */
  discontinuities: number;
  /** Also push over srt to a srt-live-transmit listener (latency 200 ms). */
  srt?: boolean;
  /**
   * How the rtmp output is judged at nginx: its recording (default), or an ffmpeg player
   * that joins once the push is `pushing` (nginx's recorder cuts timestamps of 2^31 ms and
   * more to 0, so a source that far along is judged by what nginx relays to a player).
   */
  rtmpJudge?: 'record' | 'player';
}

/** The judged outputs of a scenario, for the log and further checks. */
export interface OutputScenarioResult {
  hub: { video: number; audio: number };
  records: PushRecord[];
  verdicts: Array<[string, OutputVerdict]>;
}

/**
 * Reserves the pushes of `name`, runs `publish` (resolves when the publisher has
 * finished), then judges the outputs.
 */
export async function runOutputScenario(
  t: TestServer,
  nginx: NginxRtmp,
  name: string,
  publish: () => Promise<void>,
  options: OutputScenarioOptions,
): Promise<OutputScenarioResult> {
  const work = mkdtempSync(join(tmpdir(), `sluice-e2e-${name}-`));
  const start = async (body: unknown): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const udp = await startUdpCapture();
  const tcp = await startTcpCapture();
  const protocols = ['rtmp', 'udp', 'tcp'];
  let srt: SrtReceiver | undefined;
  await start({ id: `${name}-rtmp`, stream: { name }, protocol: 'rtmp', url: nginx.url('live'), streamKey: name });
  await start({ id: `${name}-udp`, stream: { name }, protocol: 'mpegts', url: `udp://127.0.0.1:${udp.port}` });
  await start({ id: `${name}-tcp`, stream: { name }, protocol: 'mpegts', url: `tcp://127.0.0.1:${tcp.port}` });
  if (options.srt === true) {
    const port = await freeUdpPort();
    srt = startSrtReceiver('srt-live-transmit', { port, latencyMs: 200 });
    await start({
      id: `${name}-srt`,
      stream: { name },
      protocol: 'srt',
      url: `srt://127.0.0.1:${port}?latency=200000&streamid=${name}`,
    });
    protocols.push('srt');
  }
  const hub = countHubFrames(t, name);
  const playerFile = join(work, `${name}-player.flv`);
  let player: PeerProcess | undefined;
  const joinPlayer = async (): Promise<void> => {
    await t.waitForState(`${name}-rtmp`, 'pushing', 15_000);
    // -rw_timeout: the player ends by itself 3 s after nginx stops sending (nginx keeps a
    // player waiting for the next publish), so its file is complete
    const args = [
      '-nostdin',
      '-v',
      'error',
      '-rw_timeout',
      '3000000',
      '-i',
      `${nginx.url('live')}/${name}`,
      '-c',
      'copy',
      '-y',
      playerFile,
    ];
    player = startProcess('ffmpeg', args);
  };
  const joined = options.rtmpJudge === 'player' ? joinPlayer() : Promise.resolve();
  let streamJumps: number | undefined;
  const watch = setInterval(() => {
    const live = t.server.hub.stream({ vhost: 'default', app: 'app', name });
    if (live !== undefined) streamJumps = live.discontinuities;
  }, 200);
  try {
    await Promise.all([publish(), joined]);
  } finally {
    clearInterval(watch);
    hub.off();
  }
  const ids = protocols.map((p) => `${name}-${p}`);
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
  await srt?.stop();
  let recordings: string[] = [];
  await waitFor(
    () => (recordings = nginx.recordings().filter((f) => basename(f).startsWith(`${name}-`))).length > 0,
    10_000,
    `nginx recording of ${name}`,
  );
  await sleep(500); // nginx finishes the file on unpublish
  if (player !== undefined) {
    const code = await Promise.race([player.exited, sleep(15_000).then(() => 'running')]);
    if (code === 'running') await player.stop();
    expect(code, `the player at nginx ends with the stream: ${player.stderr()}`).not.toBe('running');
  }

  expect(hub.backwards, 'hub timeline increasing').toBe(0);
  expect(hub.video).toBeGreaterThan(250);
  expect(streamJumps, 'stream discontinuities').toBe(options.discontinuities);
  for (const r of records) {
    expect(r, r.id).toMatchObject({ sequence: 1, discontinuities: options.discontinuities });
    expect(r.lastError, r.id).toBeUndefined();
  }
  expect(recordings).toHaveLength(1);
  const outputs: Array<[string, string]> = [
    ['rtmp', player === undefined ? recordings[0]! : playerFile],
    ['udp', udpFile],
    ['tcp', tcpFile],
  ];
  if (srt !== undefined) outputs.push(['srt', srt.file]);
  const verdicts: Array<[string, OutputVerdict]> = [];
  for (const [label, file] of outputs) verdicts.push([label, await judgeOutput(file)]);
  const summary = verdicts.map(
    ([label, v]) => `${label}: video ${v.videoFrames}/${hub.video} audio ${v.audioFrames}/${hub.audio}`,
  );
  console.log(`${name}: ${summary.join('; ')}`);
  for (const [label, v] of verdicts) {
    expect(v.decodeErrors, `${label} decodes`).toBe('');
    expect(v.nonMonotonic, `${label} DTS increasing`).toEqual([]);
    // a player joins late: it must see most of the stream, every other output all of it
    const share = label === 'rtmp' && player !== undefined ? 0.6 : 0.95;
    expect(v.videoFrames, `${label} video frames`).toBeGreaterThanOrEqual(share * hub.video);
    expect(v.audioFrames, `${label} audio frames`).toBeGreaterThanOrEqual(share * hub.audio);
  }
  return { hub: { video: hub.video, audio: hub.audio }, records, verdicts };
}
