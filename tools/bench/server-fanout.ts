/**
 * Server fan-out benchmark: one RTMP ingest relayed to N RTMP destinations, Sluice
 * (the `sluice` CLI with N pushes) beside ffmpeg doing the same relay (`-listen 1`, `-c copy`,
 * tee muxer with N FLV/RTMP outputs), in the same run, on the same source (ffmpeg -re
 * -stream_loop -1 -c copy of the 5 Mb/s benchmark FLV: looped, so that a file shorter than
 * the warm-up and the window, such as test-fixtures/h264-high-aac.flv, keeps the relay fed).
 * Measures the relay process's CPU time (/proc/PID/stat utime+stime) and RSS over a window
 * after a warm-up. A destination counts as received when its recording holds at least half
 * of what the source sent during the window. One JSON line per relay.
 *
 * Usage: node --import tsx tools/bench/server-fanout.ts [--pushes N] [--seconds S] [--file F.flv]
 * Needs ffmpeg and nginx with the RTMP module (the destination, recording); the server is
 * run from dist (pnpm build first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ffmpegCopyArgs, freeTcpPort, removeNginxDir, startNginxRtmp, startProcess } from '@sluice/test-support';
import { arg, cpuSeconds, rssMb } from './process-usage.js';
import { startSluiceCli } from './sluice-cli.js';

const pushes = Number(arg('pushes', '10'));
const seconds = Number(arg('seconds', '20'));
const file = arg('file', 'bench-out/bench-300s-5mbps.flv');
const warmupMs = 5000;
if (!existsSync(file)) throw new Error(`${file} is missing: tools/make-fixtures.sh bench ${file}`);
const fileSeconds = Number(
  execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  }),
);
/** Half of what the source sends in the window: a destination with less did not get the stream. */
const receivedBytes = (0.5 * statSync(file).size * seconds) / fileSeconds;
const receivedText = `> ${(receivedBytes / 1e6).toFixed(1)} MB`;

async function measure(
  name: string,
  pid: number,
  publish: string,
  check: () => string | Promise<string>,
): Promise<void> {
  const source = startProcess(
    'ffmpeg',
    ffmpegCopyArgs(file, publish, { inputOptions: ['-re', '-stream_loop', '-1'], format: 'flv' }),
  );
  await new Promise((r) => setTimeout(r, warmupMs));
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuSeconds(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const status = await check();
  console.log(
    JSON.stringify({
      relay: name,
      pushes,
      seconds: Number(wall.toFixed(2)),
      cpuSeconds: Number(cpu.toFixed(2)),
      cpuPercent: Number(((100 * cpu) / wall).toFixed(1)),
      rssMb: Number(rssMb(pid).toFixed(0)),
      status,
    }),
  );
  await source.stop(5000, 'SIGINT');
}

const destination = await startNginxRtmp({ apps: ['live'], record: true });
/** Destination recordings of names starting with `prefix` holding at least `receivedBytes`. */
const received = (prefix: string): number =>
  destination.recordings().filter((f) => basename(f).startsWith(prefix) && statSync(f).size > receivedBytes).length;
try {
  // ffmpeg as the relay: listens for the publisher, tee-muxes the same packets to N RTMP outputs
  const relayPort = await freeTcpPort();
  const tee = Array.from({ length: pushes }, (_, i) => `[f=flv:onfail=ignore]${destination.url('live')}/f${i}`).join(
    '|',
  );
  const relay = startProcess(
    'ffmpeg',
    ffmpegCopyArgs(`rtmp://127.0.0.1:${relayPort}/in/src`, tee, {
      inputOptions: ['-listen', '1'],
      format: 'tee',
      outputOptions: ['-map', '0'],
    }),
  );
  await new Promise((r) => setTimeout(r, 1500)); // (a test connection would be its one client)
  await measure(
    'ffmpeg -listen 1 ... -c copy -f tee',
    relay.child.pid as number,
    `rtmp://127.0.0.1:${relayPort}/in/src`,
    () =>
      relay.child.exitCode === null
        ? `${received('f')}/${pushes} destinations received ${receivedText}`
        : `exited ${relay.child.exitCode}: ${relay.stderr()}`,
  );
  await relay.stop(5000, 'SIGINT');

  // Sluice as the relay: the built CLI, N pushes through the REST API
  const cli = await startSluiceCli();
  const { api, auth } = cli;
  await cli.startRtmpPushes(pushes, destination.url('live'));
  await measure('sluice', cli.process.child.pid as number, `rtmp://127.0.0.1:${cli.rtmpPort}/app/src`, async () => {
    const res = await fetch(`${api}:pushes`, { method: 'POST', headers: auth });
    const list = ((await res.json()) as { response: Array<{ state: string; totalsentBytes: number }> }).response;
    const pushing = list.filter((p) => p.state === 'pushing').length;
    const mb = list.reduce((n, p) => n + p.totalsentBytes, 0) / 1e6;
    return `${pushing}/${list.length} pushing, ${mb.toFixed(0)} MB sent, ${received('s')}/${pushes} destinations received ${receivedText}`;
  });
  await cli.stop(5000, 'SIGINT');
} finally {
  await destination.stop();
  removeNginxDir(destination);
}
