/**
 * One process per core: two RTMP streams fanned out to N RTMP destinations (N/2 each) by
 *
 * - `sluice-1`: one Sluice process with both streams (the single-node server);
 * - `sluice-2`: two Sluice processes in a cluster on a local redis-server, one stream
 *   published on each (the node with the stream runs its pushes, so each process carries
 *   half); all pushes created through the first node's API;
 * - `nginx-2`: nginx-rtmp with `worker_processes 2`, one application per stream with its N/2
 *   `push` directives (a publisher runs in the worker that accepted it);
 *
 * in the same run, on the same source as the shared fan-out harness (`$FANOUT_DIR/big.flv`,
 * 720p30 H.264 + AAC, 5 Mb/s; `ffmpeg -re -stream_loop -1 -c copy`, one per stream) and the
 * same kind of sink (one nginx-rtmp worker, `live on`, discarding; its rtmp_stat page).
 * Once every destination is on the sink and a warm-up has passed, over the window: CPU of
 * the system's processes (utime + stime from /proc: ms per push per media-second, and each
 * process's share of a core), redis-server's CPU, and for every destination the bytes the
 * sink got in the window against what the source sends in that time. A push keeps real
 * time when it got at least 90 % of it (the source's bytes per second vary by GOP: the
 * shared harness's delivered threshold is 80 % of a whole run).
 *
 * Usage (after `pnpm build`): node --import tsx tools/bench/cluster-fanout.ts
 *   [--pushes "20 100"] [--seconds 30] [--file /tmp/fanout/big.flv] [--systems "sluice-1 sluice-2 nginx-2"]
 * One JSON line per run, then a markdown table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegCopyArgs, removeRedisServer, startProcess, startRedisServer, waitFor } from '@sluice/test-support';
import { startNginxWorkers, startSink, startSluice, type PushPlan, type SystemUnderTest } from './fanout-peers.js';
import { arg } from './process-usage.js';

const counts = arg('pushes', '20 100').split(/\s+/).map(Number);
const seconds = Number(arg('seconds', '30'));
const file = arg('file', join(process.env['FANOUT_DIR'] ?? join(tmpdir(), 'fanout'), 'big.flv'));
const systems = arg('systems', 'sluice-1 sluice-2 nginx-2').split(/\s+/);
const warmupMs = 4000;
const REAL_TIME = 0.9;
if (!existsSync(file)) throw new Error(`${file} is missing: run ../shared/bench/fanout.sh once, it makes it`);
const fileSeconds = Number(
  execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  }),
);
const sourceBytesPerSecond = statSync(file).size / fileSeconds;

/** utime + stime of a process in ms (0 when gone). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** [busy, total] jiffies of the whole host. */
function hostJiffies(): [number, number] {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return [total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total];
}

interface RunResult {
  system: string;
  pushes: number;
  /** Seconds from the publishers' start until every destination is on the sink (or gave up). */
  setupS: number;
  windowS: number;
  cpuMsPerPushPerS: number;
  /** Each process's CPU as % of one core. */
  processPercent: number[];
  redisPercent?: number;
  realTime: number;
  minRatio: number;
  medianRatio: number;
  hostBusyPercent: number;
}

async function run(system: string, n: number): Promise<RunResult> {
  const sink = await startSink();
  const tag = `${system.replace('-', '')}n${n}`;
  const plan: PushPlan[] = Array.from({ length: n }, (_, i) => ({ stream: i < n / 2 ? 0 : 1, key: `${tag}k${i}` }));
  const sinkUrl = `rtmp://127.0.0.1:${sink.port}/live`;
  const redis = system === 'sluice-2' ? await startRedisServer({ persistence: 'none' }) : undefined;
  let sut: SystemUnderTest | undefined;
  const publishers: Array<ReturnType<typeof startProcess>> = [];
  try {
    if (system === 'nginx-2') sut = await startNginxWorkers(2, plan, sink.port);
    else sut = await startSluice(system === 'sluice-2' ? 2 : 1, plan, sinkUrl, redis?.url);
    await sut.createPushes();
    for (const index of [0, 1])
      publishers.push(
        startProcess(
          'ffmpeg',
          ffmpegCopyArgs(file, sut.publishUrl(index), { inputOptions: ['-re', '-stream_loop', '-1'], format: 'flv' }),
        ),
      );
    // Over capacity, some never get there (connection timeouts, retries): measured all the same.
    let present = 0;
    const setupStart = performance.now();
    await waitFor(
      async () => {
        const bytes = await sink.bytesIn();
        present = plan.filter((p) => (bytes.get(p.key) ?? 0) > 0).length;
        return present === n;
      },
      30_000 + 60 * n,
      '',
      250,
    ).catch(() => console.error(`${system} N=${n}: ${present} destinations on the sink; ${sut?.diagnosis() ?? ''}`));
    const setupS = Number(((performance.now() - setupStart) / 1000).toFixed(1));
    await new Promise((r) => setTimeout(r, warmupMs));
    const pids = sut.pids();
    const redisPid = redis?.process().child.pid;
    const cpu0 = pids.map(cpuMs);
    const redis0 = redisPid === undefined ? 0 : cpuMs(redisPid);
    const host0 = hostJiffies();
    const bytes0 = await sink.bytesIn();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const bytes1 = await sink.bytesIn();
    const windowS = (performance.now() - t0) / 1000;
    const cpu1 = pids.map(cpuMs);
    const host1 = hostJiffies();
    const perProcess = cpu1.map((c, i) => c - (cpu0[i] ?? 0));
    const total = perProcess.reduce((a, b) => a + b, 0);
    const expected = sourceBytesPerSecond * windowS;
    const ratios = plan.map((p) => ((bytes1.get(p.key) ?? 0) - (bytes0.get(p.key) ?? 0)) / expected).sort();
    const result: RunResult = {
      system,
      pushes: n,
      setupS,
      windowS: Number(windowS.toFixed(2)),
      cpuMsPerPushPerS: Number((total / (n * windowS)).toFixed(3)),
      // nginx: the master (idle) left out of the per-process shares
      processPercent: perProcess
        .slice(system === 'nginx-2' ? 1 : 0)
        .map((ms) => Number(((100 * ms) / (1000 * windowS)).toFixed(1))),
      realTime: ratios.filter((r) => r >= REAL_TIME).length,
      minRatio: Number((ratios[0] ?? 0).toFixed(3)),
      medianRatio: Number((ratios[Math.floor(ratios.length / 2)] ?? 0).toFixed(3)),
      hostBusyPercent: Number(((100 * (host1[0] - host0[0])) / (host1[1] - host0[1])).toFixed(1)),
    };
    if (redisPid !== undefined)
      result.redisPercent = Number(((100 * (cpuMs(redisPid) - redis0)) / (1000 * windowS)).toFixed(1));
    return result;
  } finally {
    await Promise.all(publishers.map((p) => p.stop(2000, 'SIGINT')));
    await sut?.stop();
    if (redis !== undefined) await removeRedisServer(redis);
    await sink.stop();
  }
}

const results: RunResult[] = [];
for (const n of counts) {
  for (const system of systems) {
    const result = await run(system, n);
    console.log(JSON.stringify(result));
    results.push(result);
  }
}
console.log(
  '\n| system | N | set-up s | CPU ms per push per media-s | CPU % of a core, per process | redis % | kept real time | min / median bytes ratio | host busy % |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.system} | ${r.pushes} | ${r.setupS} | ${r.cpuMsPerPushPerS} | ${r.processPercent.join(' + ')} | ${r.redisPercent ?? '–'} | ${r.realTime}/${r.pushes} | ${r.minRatio} / ${r.medianRatio} | ${r.hostBusyPercent} |`,
  );
process.exit(0);
