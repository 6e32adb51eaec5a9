/**
 * Idle cost (#15): the built server holding 1,000 `ready` pushes (their streams are not
 * published) and 100 idle streams (RTMP publishers that published and sent their
 * sequence headers, then nothing), against the same server with nothing. CPU = utime +
 * stime of the server process (/proc) over a window, per second; RSS at the end of each
 * phase. Phases run one after the other on one server: empty, + 1,000 ready pushes,
 * + 100 idle streams. The peer, in the same run: nginx-rtmp (one process, no recording)
 * empty and with the same 100 idle streams (it has no pushes waiting for a stream: its
 * `push` directives are static config). The publishers run in this process (not counted).
 *
 * Usage: node --import tsx tools/bench/idle-cost.ts [--pushes N] [--streams M] [--window S]
 * The server is run from dist (pnpm build first).
 */
import { FlvReader, FlvTagDemuxer, type TrackInfo } from '@sluice/media';
import { RtmpPublisher } from '@sluice/rtmp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture, removeNginxDir, startNginxRtmp } from '@sluice/test-support';
import { arg, cpuSeconds, rssMb } from './process-usage.js';
import { startSluiceCli } from './sluice-cli.js';

const pushes = Number(arg('pushes', '1000'));
const streams = Number(arg('streams', '100'));
const windowS = Number(arg('window', '20'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fixtureTracks(): TrackInfo[] {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  for (const tag of reader.push(readFixture('h264-high-aac.flv'))) demuxer.demux(tag.type, tag.timestamp, tag.data);
  reader.end();
  return demuxer.tracks;
}

const tracks = fixtureTracks();

/** Opens `count` publishers of `url` (stream keys idle0, idle1, ...) that send their sequence headers, then nothing. */
async function idleStreams(url: string, count: number): Promise<RtmpPublisher[]> {
  const publishers: RtmpPublisher[] = [];
  for (let i = 0; i < count; i++) {
    const p = new RtmpPublisher({ url, streamKey: `idle${i}` });
    await p.open(tracks);
    publishers.push(p);
  }
  return publishers;
}

const nginx = await startNginxRtmp({ apps: ['app'], record: false });
try {
  const nginxPid = Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8').trim());
  await measure('empty', nginxPid, 'nginx-rtmp');
  const publishers = await idleStreams(nginx.url('app'), streams);
  await measure(`${streams}-idle-streams`, nginxPid, 'nginx-rtmp');
  for (const p of publishers) await p.close();
} finally {
  await nginx.stop();
  removeNginxDir(nginx);
}

const sluice = await startSluiceCli();
const pid = sluice.process.child.pid!;
let publishers: RtmpPublisher[] = [];

async function measure(phase: string, pid: number, system = 'sluice'): Promise<void> {
  await sleep(3000); // settle (start-up compilation, the creation burst)
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const cpu = cpuSeconds(pid) - c0;
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(
    `idle-cost system=${system} phase=${phase} window_s=${s.toFixed(1)} cpu_ms_per_s=${((cpu * 1000) / s).toFixed(2)} rss_mb=${rssMb(pid).toFixed(1)}\n`,
  );
}

try {
  await measure('empty', pid);
  for (let i = 0; i < pushes; i++) {
    await sluice.startPush({
      id: `ready${i}`,
      stream: { name: `absent${i % 100}` },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:9/live',
      streamKey: `k${i}`,
    });
  }
  const list = await fetch(`${sluice.api}:pushes`, { method: 'POST', headers: sluice.auth, body: '{}' });
  const records = ((await list.json()) as { response: Array<{ state: string }> }).response;
  const ready = records.filter((r) => r.state === 'ready').length;
  process.stdout.write(`idle-cost pushes=${records.length} ready=${ready}\n`);
  await measure(`${pushes}-ready-pushes`, pid);
  publishers = await idleStreams(`rtmp://127.0.0.1:${sluice.rtmpPort}/app`, streams);
  await measure(`${pushes}-ready-pushes+${streams}-idle-streams`, pid);
} finally {
  for (const p of publishers) await p.close();
  await sluice.stop();
}
