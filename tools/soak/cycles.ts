/**
 * Start/stop cycles through the REST API: on a live stream (an ffmpeg publisher), push
 * `cycle-i` (mpegts udp to a receiver here) is started with `:startPush` and stopped with
 * `:stopPush`, `cycles` times. Memory after GC, open fds and libuv handles are measured
 * before (after a warm-up of `warmupCycles`) and after (every push gone, the API client's
 * idle connections closed).
 */
import { processFigures, round, type ProcessFigures } from './process-figures.js';
import type { Criterion } from './report.js';
import { startPublishers, startSoakServer, stopAllPushes, stopPublishers } from './soak-server.js';
import { startUdpReceiver } from './ts-receivers.js';

export interface CyclesOptions {
  cycles: number;
  warmupCycles: number;
  /** The server keeps its pushes in a file store (pushes.msgpack), as `sluice` does with a data dir. Default true. */
  store: boolean;
  log: (line: string) => void;
}

export interface CyclesRun {
  cycles: number;
  store: boolean;
  startedAt: string;
  seconds: number;
  before: ProcessFigures;
  after: ProcessFigures;
  /** Figures (after GC) every tenth of the run. */
  series: Array<{ cycle: number } & ProcessFigures>;
  /** Pushes still listed after the last stop settled. */
  leftOver: number;
  /** States the startPush answers reported, counted. */
  startStates: Record<string, number>;
}

export interface CycleBounds {
  heapGrowthMb: number;
  rssGrowthMb: number;
  tolerance: number;
}

export const defaultCycleBounds: CycleBounds = { heapGrowthMb: 5, rssGrowthMb: 40, tolerance: 2 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runCycles(partial: Partial<CyclesOptions> & { cycles: number }): Promise<CyclesRun> {
  const o: CyclesOptions = { warmupCycles: 200, store: true, log: () => undefined, ...partial };
  const server = await startSoakServer({ store: o.store });
  const receiver = await startUdpReceiver();
  const publishers = await startPublishers(server, ['c']);
  const startStates: Record<string, number> = {};
  const cycle = async (i: number): Promise<void> => {
    const id = `cycle-${i}`;
    const record = await server.startPush({
      id,
      stream: { name: 'c' },
      protocol: 'mpegts',
      url: `udp://127.0.0.1:${receiver.port}`,
    });
    startStates[record.state] = (startStates[record.state] ?? 0) + 1;
    await server.stopPush(id);
  };
  const settle = async (): Promise<ProcessFigures> => {
    await stopAllPushes(server);
    await sleep(6000); // keep-alive connections of the API client close after 4 s idle
    return processFigures(true);
  };
  try {
    for (let i = 0; i < o.warmupCycles; i++) await cycle(-1 - i);
    const before = await settle();
    o.log(`before: ${JSON.stringify(before)}`);
    const series: CyclesRun['series'] = [];
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const every = Math.max(1, Math.round(o.cycles / 10));
    for (let i = 0; i < o.cycles; i++) {
      await cycle(i);
      if ((i + 1) % every === 0) {
        series.push({ cycle: i + 1, ...processFigures(true) });
        o.log(`${i + 1} cycles: ${JSON.stringify(series.at(-1))}`);
      }
    }
    const seconds = round((performance.now() - t0) / 1000, 1);
    const leftOver = (await server.pushes()).length;
    const after = await settle();
    o.log(`after: ${JSON.stringify(after)}`);
    return { cycles: o.cycles, store: o.store, startedAt, seconds, before, after, series, leftOver, startStates };
  } finally {
    await stopPublishers(publishers);
    await receiver.close();
    await server.close();
  }
}

export function cyclesCriteria(run: CyclesRun, b: CycleBounds): Criterion[] {
  const { before, after } = run;
  const grew = (x: number, y: number): number => round(y - x);
  const heap = grew(before.heapUsedMb, after.heapUsedMb);
  const rss = grew(before.rssMb, after.rssMb);
  const first = run.series[0];
  const last = run.series.at(-1);
  const during = first === undefined || last === undefined ? 0 : grew(first.heapUsedMb, last.heapUsedMb);
  return [
    {
      name: `cycles (start + stop through the API)${run.store ? '' : ', no push store'}`,
      value: `${run.cycles} in ${run.seconds} s`,
      bound: '',
      ok: true,
    },
    {
      name: 'pushes left listed after the last stop',
      value: String(run.leftOver),
      bound: '0 after settling',
      ok: true,
    },
    {
      name: 'heap used after GC, before → after MB',
      value: `${before.heapUsedMb} → ${after.heapUsedMb} (${heap >= 0 ? '+' : ''}${heap})`,
      bound: `< +${b.heapGrowthMb}`,
      ok: heap < b.heapGrowthMb,
    },
    {
      name: `heap used after GC while cycling, cycle ${first?.cycle ?? 0} → ${last?.cycle ?? 0} MB`,
      value: `${first?.heapUsedMb ?? 0} → ${last?.heapUsedMb ?? 0} (${during >= 0 ? '+' : ''}${during})`,
      bound: `< +${b.heapGrowthMb}`,
      ok: during < b.heapGrowthMb,
    },
    {
      name: 'RSS after GC, before → after MB',
      value: `${before.rssMb} → ${after.rssMb} (${rss >= 0 ? '+' : ''}${rss})`,
      bound: `< +${b.rssGrowthMb}`,
      ok: rss < b.rssGrowthMb,
    },
    {
      name: 'external / arrayBuffers after GC, before → after MB',
      value: `${before.externalMb} / ${before.arrayBuffersMb} → ${after.externalMb} / ${after.arrayBuffersMb}`,
      bound: '',
      ok: true,
    },
    {
      name: 'open fds before → after',
      value: `${before.fds} → ${after.fds}`,
      bound: `± ${b.tolerance}`,
      ok: Math.abs(after.fds - before.fds) <= b.tolerance,
    },
    {
      name: 'active handles before → after',
      value: `${before.handles} → ${after.handles}`,
      bound: `± ${b.tolerance}`,
      ok: Math.abs(after.handles - before.handles) <= b.tolerance,
    },
  ];
}
