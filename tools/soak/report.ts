/**
 * The soak's figures and criteria: RSS and heap slopes (least squares after the warm-up),
 * descriptors and handles before/after, lag, pushes at the end, captures; printed as a
 * table (the one docs/RELIABILITY.md shows).
 */
import { round, slope, type ProcessFigures } from './process-figures.js';
import type { SoakRun } from './soak.js';

/** One line of the table: a figure, its bound when it is a criterion, whether it holds. */
export interface Criterion {
  name: string;
  value: string;
  bound: string;
  ok: boolean;
}

/** Bounds of the criteria. */
export interface Bounds {
  /** RSS growth after warm-up, MB per hour. */
  rssSlopeMbPerHour: number;
  /** Descriptors and handles after minus before, either way. */
  fdTolerance: number;
  /** Heap used (after GC when the run collected before each sample), MB per hour; no bound when absent. */
  heapSlopeMbPerHour?: number;
}

export interface SoakFigures {
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  rssSlopeMbPerHour: number;
  heapSlopeMbPerHour: number;
  externalSlopeMbPerHour: number;
  lagP99Ms: number;
  lagP99WorstIntervalMs: number;
  fdsRunningMin: number;
  fdsRunningMax: number;
}

export function soakFigures(run: SoakRun): SoakFigures {
  const steady = run.samples.filter((s) => s.t >= run.options.warmupSeconds);
  const perHour = (pick: (s: ProcessFigures) => number): number =>
    round(slope(steady.map((s) => [s.t / 3600, pick(s)])), 1);
  const fds = steady.map((s) => s.fds);
  return {
    rssStartMb: steady[0]?.rssMb ?? 0,
    rssEndMb: steady.at(-1)?.rssMb ?? 0,
    rssMaxMb: Math.max(0, ...run.samples.map((s) => s.rssMb)),
    rssSlopeMbPerHour: perHour((s) => s.rssMb),
    heapSlopeMbPerHour: perHour((s) => s.heapUsedMb),
    externalSlopeMbPerHour: perHour((s) => s.externalMb),
    lagP99Ms: run.lagP99Ms,
    lagP99WorstIntervalMs: Math.max(0, ...steady.map((s) => s.lagP99Ms)),
    fdsRunningMin: Math.min(...fds),
    fdsRunningMax: Math.max(...fds),
  };
}

export function soakCriteria(run: SoakRun, f: SoakFigures, b: Bounds): Criterion[] {
  const total = run.options.pushes;
  const clean = run.captures.filter((c) => c.errors === '').length;
  const delta = (a: number, c: number): string => `${a} → ${c}`;
  return [
    {
      name: 'pushes pushing at the end (bytes growing)',
      value: `${total - run.notPushing.length}/${total}`,
      bound: 'all',
      ok: run.notPushing.length === 0,
    },
    {
      name: 'receivers here still receiving at the end',
      value: run.silentReceivers.length === 0 ? 'all' : `silent: ${run.silentReceivers.join(' ')}`,
      bound: 'all',
      ok: run.silentReceivers.length === 0,
    },
    {
      name: 'captures decoding clean (ffmpeg -v error)',
      value: `${clean}/${run.captures.length}`,
      bound: 'all',
      ok: clean === run.captures.length && run.captures.length > 0,
    },
    {
      name: 'open fds before → after',
      value: delta(run.before.fds, run.after.fds),
      bound: `± ${b.fdTolerance}`,
      ok: Math.abs(run.after.fds - run.before.fds) <= b.fdTolerance,
    },
    {
      name: 'active handles before → after',
      value: delta(run.before.handles, run.after.handles),
      bound: `± ${b.fdTolerance}`,
      ok: Math.abs(run.after.handles - run.before.handles) <= b.fdTolerance,
    },
    {
      name: `RSS slope after ${run.options.warmupSeconds} s (MB/hour)`,
      value: String(f.rssSlopeMbPerHour),
      bound: `< ${b.rssSlopeMbPerHour}`,
      ok: f.rssSlopeMbPerHour < b.rssSlopeMbPerHour,
    },
    {
      name: 'RSS after warm-up → end (max) MB',
      value: `${f.rssStartMb} → ${f.rssEndMb} (${f.rssMaxMb})`,
      bound: '',
      ok: true,
    },
    {
      name: `heap used${run.options.gcEachSample ? ' after GC' : ''} slope (MB/hour)`,
      value: String(f.heapSlopeMbPerHour),
      bound: b.heapSlopeMbPerHour === undefined ? '' : `< ${b.heapSlopeMbPerHour}`,
      ok: b.heapSlopeMbPerHour === undefined || f.heapSlopeMbPerHour < b.heapSlopeMbPerHour,
    },
    { name: 'external slope (MB/hour)', value: String(f.externalSlopeMbPerHour), bound: '', ok: true },
    {
      name: 'heap after GC before → after MB',
      value: delta(run.before.heapUsedMb, run.after.heapUsedMb),
      bound: '',
      ok: true,
    },
    { name: 'open fds while running (min–max)', value: `${f.fdsRunningMin}–${f.fdsRunningMax}`, bound: '', ok: true },
    {
      name: 'event-loop lag p99 (ms), whole run / worst 10 s',
      value: `${f.lagP99Ms} / ${f.lagP99WorstIntervalMs}`,
      bound: '',
      ok: true,
    },
    { name: 'push session restarts', value: String(run.restarts), bound: '', ok: true },
  ];
}

/** A Markdown table of criteria. */
export function criteriaTable(rows: Criterion[]): string {
  const lines = ['| figure | value | bound | ok |', '| --- | --- | --- | --- |'];
  for (const r of rows)
    lines.push(`| ${r.name} | ${r.value} | ${r.bound} | ${r.bound === '' ? '' : r.ok ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
