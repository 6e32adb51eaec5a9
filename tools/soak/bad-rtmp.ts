/**
 * Many short bad RTMP sessions against the real server's RTMP port (RELIABILITY.md,
 * `rtmp-ingest-session`): each connects, sends a valid simple handshake (C0C1, then a C2
 * of zeros, as the fuzz target does), then a mutation of a real publisher stream (the fuzz
 * target's seeds and mutator: connect, publish, metadata, media), in two writes, and goes
 * away (end or reset) when the server closes or after `holdMs`. Memory after GC, fds and
 * handles are read before, every tenth of the run and after.
 */
import { connect } from 'node:net';
import { ClientHandshake } from '@sluice/rtmp';
import { mutate } from '../fuzz/src/mutate.js';
import { Prng } from '../fuzz/src/prng.js';
import { publisherStream } from '../fuzz/src/targets/rtmp-bytes.js';
import { processFigures, round, type ProcessFigures } from './process-figures.js';
import type { Criterion } from './report.js';
import { startSoakServer } from './soak-server.js';

export interface BadRtmpOptions {
  sessions: number;
  concurrency: number;
  holdMs: number;
  seed: number;
  log: (line: string) => void;
}

export interface BadRtmpRun {
  sessions: number;
  seconds: number;
  before: ProcessFigures;
  after: ProcessFigures;
  series: Array<{ sessions: number } & ProcessFigures>;
  /** How sessions ended: closed by the server first, or by us after holdMs. */
  endings: { serverClosed: number; weClosed: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One session; resolves true when the server closed it first. */
function session(port: number, input: Uint8Array, holdMs: number, reset: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let done = false;
    const finish = (serverClosed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (reset) socket.resetAndDestroy();
      else socket.end(() => socket.destroy());
      resolve(serverClosed);
    };
    const timer = setTimeout(() => finish(false), holdMs);
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      socket.write(new ClientHandshake('simple').start());
      socket.write(new Uint8Array(1536));
      const half = input.length >> 1;
      socket.write(input.subarray(0, half));
      socket.write(input.subarray(half));
    });
  });
}

export async function runBadRtmp(partial: Partial<BadRtmpOptions> & { sessions: number }): Promise<BadRtmpRun> {
  const o: BadRtmpOptions = { concurrency: 16, holdMs: 200, seed: 1, log: () => undefined, ...partial };
  const server = await startSoakServer();
  const port = server.rtmpPort;
  const seeds = [publisherStream('h264-baseline-aac.flv', 40), publisherStream('h264-high-aac.flv', 20)];
  const rng = new Prng(o.seed);
  const endings = { serverClosed: 0, weClosed: 0 };
  let started = 0;
  const worker = async (until: number): Promise<void> => {
    while (started < until) {
      started++;
      const seed = seeds[rng.below(seeds.length)] as Uint8Array;
      const input = rng.oneIn(10) ? seed : mutate(seed, seeds, rng, 64 * 1024);
      if (await session(port, input, o.holdMs, rng.oneIn(2))) endings.serverClosed++;
      else endings.weClosed++;
    }
  };
  const batch = async (until: number): Promise<void> => {
    await Promise.all(Array.from({ length: o.concurrency }, () => worker(until)));
  };
  try {
    await batch(200); // warm-up
    await sleep(1000);
    const before = processFigures(true);
    o.log(`before: ${JSON.stringify(before)}`);
    const series: BadRtmpRun['series'] = [];
    const t0 = performance.now();
    const step = Math.max(1, Math.round(o.sessions / 10));
    for (let done = step; done <= o.sessions; done += step) {
      await batch(200 + done);
      series.push({ sessions: done, ...processFigures(true) });
      o.log(`${done} sessions: ${JSON.stringify(series.at(-1))} ${JSON.stringify(endings)}`);
    }
    const seconds = round((performance.now() - t0) / 1000, 1);
    await sleep(2000);
    const after = processFigures(true);
    o.log(`after: ${JSON.stringify(after)}`);
    return { sessions: o.sessions, seconds, before, after, series, endings };
  } finally {
    await server.close();
  }
}

export function badRtmpCriteria(run: BadRtmpRun, heapBoundMb: number, tolerance = 2): Criterion[] {
  const { before, after } = run;
  const first = run.series[0];
  const last = run.series.at(-1);
  const d = (x: number, y: number): string => {
    const v = round(y - x);
    return `${x} → ${y} (${v >= 0 ? '+' : ''}${v})`;
  };
  return [
    {
      name: 'bad RTMP sessions (closed by the server / by us)',
      value: `${run.sessions} in ${run.seconds} s (${run.endings.serverClosed} / ${run.endings.weClosed})`,
      bound: '',
      ok: true,
    },
    {
      name: 'heap used after GC, before → after MB',
      value: d(before.heapUsedMb, after.heapUsedMb),
      bound: `< +${heapBoundMb}`,
      ok: after.heapUsedMb - before.heapUsedMb < heapBoundMb,
    },
    {
      name: 'external after GC, before → after MB',
      value: d(before.externalMb, after.externalMb),
      bound: `< +${heapBoundMb}`,
      ok: after.externalMb - before.externalMb < heapBoundMb,
    },
    {
      name: `arrayBuffers after GC, first → last tenth MB`,
      value: d(first?.arrayBuffersMb ?? 0, last?.arrayBuffersMb ?? 0),
      bound: '',
      ok: true,
    },
    { name: 'RSS after GC, before → after MB', value: d(before.rssMb, after.rssMb), bound: '', ok: true },
    {
      name: 'open fds before → after',
      value: `${before.fds} → ${after.fds}`,
      bound: `± ${tolerance}`,
      ok: Math.abs(after.fds - before.fds) <= tolerance,
    },
    {
      name: 'active handles before → after',
      value: `${before.handles} → ${after.handles}`,
      bound: `± ${tolerance}`,
      ok: Math.abs(after.handles - before.handles) <= tolerance,
    },
  ];
}
