/**
 * `pnpm bench`'s last step: reads one run's raw outputs (bench-out/bench-<timestamp>/, written by
 * tools/bench/run-all.sh) and rewrites the section of docs/BENCHMARKS.md between
 * `<!-- pnpm bench: begin -->` and `<!-- pnpm bench: end -->` (made after the title the first
 * time; everything outside the markers is left as it is). A figure comes from the run's files
 * or is shown missing with the reason (step failed, timed out, skipped, not run): never made up.
 *
 * Usage: node --import tsx tools/bench/write-benchmarks.ts RUN_DIR [--no-write] [--doc docs/BENCHMARKS.md]
 * Always writes RUN_DIR/section.md and prints the targets table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PerfSummary } from './perf-summary.js';

export const BEGIN = '<!-- pnpm bench: begin -->';
export const END = '<!-- pnpm bench: end -->';

export type Fields = Record<string, string>;

/** `key=value` tokens of a line. */
export function kv(line: string): Fields {
  const fields: Fields = {};
  for (const token of line.trim().split(/\s+/)) {
    const i = token.indexOf('=');
    if (i > 0) fields[token.slice(0, i)] = token.slice(i + 1);
  }
  return fields;
}

/** A number only if the text is one. */
export function num(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+(\.\d+)?(e-?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** One summary line of the shared harness (fanout.sh, tsfanout.py), as pnpm bench records it: `SYSTEM N S k=v… rc=RC`. */
export interface HarnessLine {
  system: string;
  n: number;
  seconds: number;
  failed: boolean;
  rc: number | undefined;
  f: Fields;
}

export function parseHarness(text: string): HarnessLine[] {
  const lines: HarnessLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z]+) (\d+) (\d+(?:\.\d+)?) (.*)$/.exec(line.trim());
    if (!m || !(m[4]!.includes('cpu_s=') || m[4]!.startsWith('FAILED'))) continue;
    const f = kv(m[4]!);
    lines.push({ system: m[1]!, n: Number(m[2]), seconds: Number(m[3]), failed: !('cpu_s' in f), rc: num(f['rc']), f });
  }
  return lines;
}

export interface Probe {
  added: Fields;
  start: Fields;
}

/** `latency-probe added_ms(…) n=.. p50=.. p99=.. max=.. | startPush_to_first_media_ms n=.. …` */
export function parseProbe(text: string): Probe | undefined {
  const line = text.split('\n').find((l) => l.startsWith('latency-probe '));
  if (line === undefined) return undefined;
  const [added = '', start = ''] = line.split('|');
  return { added: kv(added), start: kv(start) };
}

/** Lines that start with `prefix ` as key=value fields. */
export function prefixed(text: string, prefix: string): Fields[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${prefix} `))
    .map(kv);
}

/** JSON lines (others ignored). */
export function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a truncated line (the step was stopped): left out
    }
  }
  return out;
}

export interface Step {
  status: string;
  rc: number | undefined;
  seconds: number | undefined;
  limit: number | undefined;
}

export function parseSteps(tsv: string): Map<string, Step> {
  const steps = new Map<string, Step>();
  for (const line of tsv.split('\n').slice(1)) {
    const [name, status, rc, seconds, limit] = line.split('\t');
    if (name && status) steps.set(name, { status, rc: num(rc), seconds: num(seconds), limit: num(limit) });
  }
  return steps;
}

export interface ProfileError {
  system: string;
  error: string;
}

export interface CapacityRow {
  system: string;
  pushes: number;
  setupS: number;
  cpuMsPerPushPerS: number;
  processPercent: number[];
  redisPercent?: number;
  realTime: number;
  medianRatio: number;
  hostBusyPercent: number;
}

export interface Run {
  machine: Fields;
  steps: Map<string, Step>;
  commands: string[];
  fanout: HarnessLine[];
  /** tools/bench/tcp-write-floor.ts lines of the fanout step (Node's net.Socket floor per N). */
  tcpFloor: Fields[];
  latency: HarnessLine | undefined;
  probe: Probe | undefined;
  ts: HarnessLine[];
  floor: Fields | undefined;
  idle: Fields[];
  chunking: unknown;
  profile: Array<PerfSummary | ProfileError>;
  profileSkipped: string | undefined;
  capacity: CapacityRow[];
}

/** Reads RUN_DIR's files; a missing file is an empty one. */
export function readRun(dir: string): Run {
  const read = (name: string): string => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  const machine: Fields = {};
  for (const line of read('machine.txt').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) machine[line.slice(0, i)] = line.slice(i + 1);
  }
  let chunking: unknown;
  try {
    chunking = JSON.parse(read('chunking.json'));
  } catch {
    chunking = undefined;
  }
  const ts = read('tsfanout.txt');
  return {
    machine,
    steps: parseSteps(read('steps.tsv')),
    commands: read('commands.txt').split('\n').filter(Boolean),
    fanout: parseHarness(read('fanout.txt')),
    tcpFloor: prefixed(read('fanout.txt'), 'tcp-write-floor'),
    latency: parseHarness(read('latency.txt'))[0],
    probe: parseProbe(read('latency.txt')),
    ts: parseHarness(ts),
    floor: prefixed(ts, 'udp-send-floor')[0],
    idle: prefixed(read('idle.txt'), 'idle-cost'),
    chunking,
    profile: jsonLines(read('profile.txt')) as Array<PerfSummary | ProfileError>,
    profileSkipped: read('profile.skipped').trim() || undefined,
    capacity: jsonLines(read('capacity.txt')) as CapacityRow[],
  };
}

// ---------------------------------------------------------------- rendering

const NAMES: Record<string, string> = {
  project: 'Sluice',
  nginx: 'nginx-rtmp',
  nms: 'node-media-server',
  ffmpeg: 'ffmpeg tee',
};
const name = (system: string): string => NAMES[system] ?? system;
const fmt = (x: number | undefined, digits = 3): string => (x === undefined ? '–' : x.toFixed(digits));
const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: Array<Array<string | number>>): string[] => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
];

/** Why a step's figures are missing, or undefined when it ran. */
export function stepProblem(run: Run, step: string): string | undefined {
  const s = run.steps.get(step);
  if (s === undefined) return 'not run';
  if (s.status === 'ok') return undefined;
  if (s.status === 'timeout') return `timed out after ${s.seconds ?? '?'} s`;
  if (s.status === 'skipped') return 'skipped';
  return `${s.status} (rc ${s.rc ?? '?'})`;
}

/** The figure, or a dash with the reason it is missing. */
function missing(run: Run, step: string, what = ''): string {
  return `– (${stepProblem(run, step) ?? (what || 'no figure in the output')})`;
}

/** The net.Socket floor's line for N pushes, unless it failed. */
function tcpFloor(run: Run, n: number): Fields | undefined {
  return run.tcpFloor.find((f) => f['pushes'] === String(n) && f['cpu_ms_per_push_per_s'] !== undefined);
}

function harnessLine(lines: HarnessLine[], system: string, n: number): HarnessLine | undefined {
  return lines.find((l) => l.system === system && l.n === n);
}

export interface Target {
  target: string;
  sluice: string;
  peer: string;
  ratio: string;
  result: string;
}

const ratioText = (r: number | undefined): string => (r === undefined ? '–' : `${r.toFixed(2)}×`);
const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;

/** Met when `value` ≤ `limit` (< when `strict`), else missed by how much. */
export function verdict(value: number | undefined, limit: number | undefined, unit: string, strict = false): string {
  if (value === undefined || limit === undefined) return 'not measured';
  const digits = unit === ' MB' ? 1 : 3;
  const met = strict ? value < limit : value <= limit;
  return met
    ? `met (${(limit - value).toFixed(digits)}${unit} to spare)`
    : `**missed** by ${(value - limit).toFixed(digits)}${unit} (${ratioText(ratio(value, limit))} the limit)`;
}

export function targets(run: Run): Target[] {
  const out: Target[] = [];
  const figure = (lines: HarnessLine[], system: string, n: number, key: string): number | undefined =>
    num(harnessLine(lines, system, n)?.f[key]);
  const shown = (x: number | undefined, step: string, why: string, unit = '', digits = 3): string =>
    x === undefined ? missing(run, step, why) : `${x.toFixed(digits)}${unit}`;
  const CPU = 'cpu_ms_per_push_per_s';
  for (const n of [20, 100]) {
    const s = figure(run.fanout, 'project', n, CPU);
    const p = figure(run.fanout, 'nginx', n, CPU);
    out.push({
      target: `RTMP CPU per push ≤ nginx-rtmp's, N=${n} (ms per push per media-s)`,
      sluice: shown(s, 'fanout', `no N=${n} run`),
      peer: `${shown(p, 'fanout', `no N=${n} run`)} (Node write floor ${fmt(num(tcpFloor(run, n)?.[CPU]))})`,
      ratio: ratioText(ratio(s, p)),
      result: verdict(s, p, ' ms'),
    });
  }
  const rss = figure(run.fanout, 'project', 100, 'peak_rss_mb');
  out.push({
    target: 'RTMP peak RSS ≤ 64 MB at N=100',
    sluice: shown(rss, 'fanout', 'no N=100 run', ' MB', 1),
    peer: shown(figure(run.fanout, 'nginx', 100, 'peak_rss_mb'), 'fanout', 'no N=100 run', ' MB', 1),
    ratio: ratioText(ratio(rss, 64)),
    result: verdict(rss, 64, ' MB'),
  });
  const tsN = num(run.machine['ts_n']) ?? 20;
  const ts = figure(run.ts, 'project', tsN, CPU);
  const tee = figure(run.ts, 'ffmpeg', tsN, CPU);
  out.push({
    target: `MPEG-TS/UDP CPU per push ≤ 0.5× ffmpeg tee's, N=${tsN}${tsN === 20 ? '' : ' (target: N=20)'} (ms per push per media-s)`,
    sluice: shown(ts, 'tsfanout', 'no figure'),
    peer: `${shown(tee, 'tsfanout', 'no figure')} (Node dgram floor ${fmt(num(run.floor?.[CPU]))})`,
    ratio: ratioText(ratio(ts, tee)),
    result: verdict(ts, tee === undefined ? undefined : tee / 2, ' ms'),
  });
  const a = run.probe?.added;
  const p99 = num(a?.['p99']);
  out.push({
    target: `added latency ingest socket → push socket, p99 < 1 ms at N=${run.machine['latency_n'] ?? '20'}`,
    sluice:
      p99 === undefined
        ? missing(run, 'latency', 'no probe figures')
        : `p50 ${a?.['p50']} / p99 ${a?.['p99']} / max ${a?.['max']} ms (${a?.['n']} reads; host busy ${run.latency?.f['host_busy_pct'] ?? '–'} %)`,
    peer: '– (no peer probe)',
    ratio: ratioText(ratio(p99, 1)),
    result: verdict(p99, 1, ' ms', true),
  });
  const st = run.probe?.start;
  const max = num(st?.['max']);
  out.push({
    target: 'startPush on a live stream → first media byte < 50 ms (every push: the max)',
    sluice:
      max === undefined
        ? missing(run, 'latency', 'no probe figures')
        : `p50 ${st?.['p50']} / max ${st?.['max']} ms (${st?.['n']} pushes)`,
    peer: '– (nginx-rtmp pushes are static config)',
    ratio: ratioText(ratio(max, 50)),
    result: verdict(max, 50, ' ms', true),
  });
  const i = idleFigures(run);
  const phase = (f: Fields | undefined): string => `${f?.['cpu_ms_per_s'] ?? '–'} ms/s, ${f?.['rss_mb'] ?? '–'} MB`;
  // RSS read at the end of a phase: a GC in between can leave less than before (no cost measured, not a negative one)
  const kB = (x: number | undefined): string =>
    x === undefined ? '–' : x < 0 ? `– (RSS fell by ${(-x).toFixed(1)} kB each: a GC)` : `${x.toFixed(1)} kB`;
  out.push({
    target: `idle cost: ${run.machine['idle_pushes'] ?? '1000'} ready pushes + ${run.machine['idle_streams'] ?? '100'} idle streams (CPU, RSS)`,
    sluice: i.full === undefined ? missing(run, 'idle') : `${phase(i.full)} (empty: ${phase(i.empty)})`,
    peer:
      i.nginxIdle === undefined
        ? missing(run, 'idle')
        : `${phase(i.nginxIdle)} with the idle streams (empty: ${phase(i.nginxEmpty)})`,
    ratio: '–',
    result: `no threshold: ${kB(i.perPushKb)} per ready push, ${kB(i.perStreamKb)} per idle stream (nginx-rtmp ${kB(i.nginxPerStreamKb)})`,
  });
  return out;
}

function idleFigures(run: Run): {
  empty?: Fields;
  ready?: Fields;
  full?: Fields;
  nginxEmpty?: Fields;
  nginxIdle?: Fields;
  perPushKb?: number;
  perStreamKb?: number;
  nginxPerStreamKb?: number;
} {
  const of = (system: string, test: (phase: string) => boolean): Fields | undefined =>
    run.idle.find((f) => f['system'] === system && f['phase'] !== undefined && test(f['phase']));
  const empty = of('sluice', (p) => p === 'empty');
  const ready = of('sluice', (p) => p.endsWith('-ready-pushes'));
  const full = of('sluice', (p) => p.includes('+'));
  const nginxEmpty = of('nginx-rtmp', (p) => p === 'empty');
  const nginxIdle = of('nginx-rtmp', (p) => p.endsWith('-idle-streams'));
  const pushes = num(run.machine['idle_pushes']) ?? 1000;
  const streams = num(run.machine['idle_streams']) ?? 100;
  const delta = (a: Fields | undefined, b: Fields | undefined, count: number): number | undefined => {
    const x = num(a?.['rss_mb']);
    const y = num(b?.['rss_mb']);
    return x === undefined || y === undefined ? undefined : ((y - x) * 1024) / count;
  };
  return {
    empty,
    ready,
    full,
    nginxEmpty,
    nginxIdle,
    perPushKb: delta(empty, ready, pushes),
    perStreamKb: delta(ready, full, streams),
    nginxPerStreamKb: delta(nginxEmpty, nginxIdle, streams),
  };
}

/** `obj.a.b` as a number, if it is one. */
function at(obj: unknown, ...path: string[]): number | undefined {
  let v: unknown = obj;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function fanoutSection(run: Run): string[] {
  const systems = (run.machine['systems'] ?? 'project nginx nms').split(/\s+/).filter(Boolean);
  const planned = (run.machine['ns'] ?? '20 100').split(/\s+/).map(Number);
  const ns = [...new Set([...planned, ...run.fanout.map((l) => l.n)])].sort((x, y) => x - y);
  const rows: string[][] = [];
  for (const n of ns) {
    const nginx = num(harnessLine(run.fanout, 'nginx', n)?.f['cpu_ms_per_push_per_s']);
    for (const system of systems) {
      const lines = run.fanout.filter((l) => l.system === system && l.n === n);
      if (lines.length === 0)
        rows.push([name(system), String(n), missing(run, 'fanout', 'not run'), '', '', '', '', '', '']);
      for (const l of lines) {
        if (l.failed) {
          rows.push([name(system), String(n), `– (harness failed, rc ${l.rc ?? '?'})`, '', '', '', '', '', '']);
          continue;
        }
        const c = num(l.f['cpu_ms_per_push_per_s']);
        rows.push([
          name(system),
          String(n),
          `${fmt(c)} (${l.f['steady_cpu_ms_per_push_per_s'] ?? '–'})`,
          system === 'nginx' || c === undefined || nginx === undefined ? '' : ratioText(c / nginx),
          l.f['peak_rss_mb'] ?? '–',
          `${l.f['delivered'] ?? '–'}${l.rc !== undefined && l.rc !== 0 ? ` (rc ${l.rc})` : ''}`,
          l.f['median_ratio'] ?? '–',
          l.f['t_all_flowing_s'] ?? '–',
          l.f['host_busy_pct'] ?? '–',
        ]);
      }
    }
    const floor = run.tcpFloor.find((f) => f['pushes'] === String(n));
    if (floor === undefined) continue;
    const c = num(floor['cpu_ms_per_push_per_s']);
    rows.push([
      'Node write floor',
      String(n),
      c === undefined
        ? missing(run, 'fanout', 'floor failed')
        : `${fmt(c)} (user ${floor['user'] ?? '–'}, system ${floor['system'] ?? '–'})`,
      c === undefined || nginx === undefined ? '' : ratioText(c / nginx),
      '–',
      `${floor['messages'] ?? '–'} messages × ${n}`,
      '–',
      '–',
      '–',
    ]);
  }
  return [
    `### RTMP fan-out (shared harness, ${run.machine['seconds'] ?? '?'} s window, ${run.machine['reps'] ?? '1'} repetition)`,
    '',
    ...table(
      [
        'system',
        'N',
        'CPU ms per push per media-s (steady)',
        '× nginx-rtmp',
        'peak RSS MB',
        'delivered',
        'bytes ratio',
        'all flowing after s',
        'host busy %',
      ],
      rows,
    ),
    '',
    'CPU = utime + stime of the process tree over the publishing window (steady: from 1 s after all pushes flow);',
    'bytes ratio = median bytes on the sink per push / bytes published (nginx-rtmp has no GOP cache: ~0.92 in 30 s).',
    "Node write floor (tools/bench/tcp-write-floor.ts, same window, after the systems): one Node process writing the source's",
    'FLV messages at real time to N sockets, one `socket.write()` per message per socket, drained by a child (not counted);',
    "no ingest, parsing, chunking or per-push state: what any Node server's fan-out costs at least, beside what Sluice adds.",
  ];
}

function latencySection(run: Run): string[] {
  const a = run.probe?.added;
  const s = run.probe?.start;
  const l = run.latency;
  const harness =
    l === undefined || l.failed
      ? missing(run, 'latency', 'harness failed')
      : `${l.f['cpu_ms_per_push_per_s'] ?? '–'} ms per push per media-s, delivered ${l.f['delivered'] ?? '–'}, host busy ${l.f['host_busy_pct'] ?? '–'} %`;
  return [
    `### Latency and start (probe preloaded, N=${run.machine['latency_n'] ?? '20'}, pushes created on the live stream)`,
    '',
    ...table(
      ['measure', 'n', 'p50 ms', 'p99 ms', 'max ms'],
      [
        a === undefined
          ? ['added latency: ingest read → last push write', missing(run, 'latency', 'no probe line'), '', '', '']
          : [
              'added latency: ingest read → last push write',
              a['n'] ?? '–',
              a['p50'] ?? '–',
              a['p99'] ?? '–',
              a['max'] ?? '–',
            ],
        s === undefined
          ? ['startPush → first media write', missing(run, 'latency', 'no probe line'), '', '', '']
          : ['startPush → first media write', s['n'] ?? '–', s['p50'] ?? '–', s['p99'] ?? '–', s['max'] ?? '–'],
      ],
    ),
    '',
    `In-process timestamps (tools/bench/fanout-latency-probe.mjs; the first 3 s left out); the harness run itself: ${harness}.`,
  ];
}

function tsSection(run: Run): string[] {
  const n = num(run.machine['ts_n']) ?? 20;
  const line = (system: string): HarnessLine | undefined => harnessLine(run.ts, system, n);
  const cell = (system: string, key: string): string => {
    const l = line(system);
    if (l === undefined) return missing(run, 'tsfanout', 'not run');
    if (l.failed) return `– (failed, rc ${l.rc ?? '?'})`;
    return l.f[key] ?? '–';
  };
  const floor = run.floor;
  const floorCpu =
    floor?.['cpu_ms_per_push_per_s'] === undefined
      ? missing(run, 'tsfanout', 'floor failed')
      : `${floor['cpu_ms_per_push_per_s']} (user ${floor['user'] ?? '–'}, system ${floor['system'] ?? '–'})`;
  const cc = (system: string): string => {
    const l = line(system);
    return l === undefined || l.failed
      ? cell(system, 'x')
      : `${l.f['cc_errors_total'] ?? '–'} (ports ${l.f['ports_with_cc_errors'] ?? '–'})`;
  };
  return [
    `### MPEG-TS/UDP fan-out (tsfanout.py, N=${n}, ${run.machine['ts_seconds'] ?? '?'} s)`,
    '',
    ...table(
      ['', 'Sluice', 'ffmpeg tee', 'Node dgram floor'],
      [
        [
          'CPU ms per push per media-s',
          cell('project', 'cpu_ms_per_push_per_s'),
          cell('ffmpeg', 'cpu_ms_per_push_per_s'),
          floorCpu,
        ],
        ['peak RSS MB', cell('project', 'peak_rss_mb'), cell('ffmpeg', 'peak_rss_mb'), '–'],
        ['continuity errors at the receivers', cc('project'), cc('ffmpeg'), '–'],
        [
          'MB received per port, median / min',
          `${cell('project', 'received_mb_median')} / ${cell('project', 'received_mb_min')}`,
          `${cell('ffmpeg', 'received_mb_median')} / ${cell('ffmpeg', 'received_mb_min')}`,
          '–',
        ],
      ],
    ),
  ];
}

function idleSection(run: Run): string[] {
  const i = idleFigures(run);
  const c = (f: Fields | undefined, k: string): string =>
    f === undefined ? missing(run, 'idle', 'no figure') : (f[k] ?? '–');
  const pushes = run.machine['idle_pushes'] ?? '1000';
  const streams = run.machine['idle_streams'] ?? '100';
  return [
    `### Idle cost (idle-cost.ts, ${run.machine['idle_window'] ?? '?'} s windows)`,
    '',
    ...table(
      ['', 'Sluice CPU ms/s', 'Sluice RSS MB', 'nginx-rtmp CPU ms/s', 'nginx-rtmp RSS MB'],
      [
        [
          'empty',
          c(i.empty, 'cpu_ms_per_s'),
          c(i.empty, 'rss_mb'),
          c(i.nginxEmpty, 'cpu_ms_per_s'),
          c(i.nginxEmpty, 'rss_mb'),
        ],
        [`+ ${pushes} ready pushes`, c(i.ready, 'cpu_ms_per_s'), c(i.ready, 'rss_mb'), '–', '–'],
        [
          `+ ${streams} idle streams`,
          c(i.full, 'cpu_ms_per_s'),
          c(i.full, 'rss_mb'),
          c(i.nginxIdle, 'cpu_ms_per_s'),
          c(i.nginxIdle, 'rss_mb'),
        ],
      ],
    ),
    '',
    `/proc counts CPU in 10 ms ticks: one tick in a ${run.machine['idle_window'] ?? '?'} s window is ${(10 / (num(run.machine['idle_window']) ?? 20)).toFixed(2)} ms/s. RSS at the end of each phase.`,
  ];
}

function chunkingSection(run: Run): string[] {
  const j = run.chunking;
  const head = '### RTMP chunking and fan-out (rtmp-chunking.ts)';
  if (j === undefined) return [head, '', missing(run, 'chunking', 'no JSON output')];
  const n = at(j, 'fanout-chunk-once', 'destinations') ?? '?';
  const perMedia = (who: string): number | undefined => {
    const cpu = at(j, 'single', who, 'cpu');
    const media = at(j, 'single', who, 'media');
    return cpu !== undefined && media ? cpu / media : undefined;
  };
  const ms = (x: number | undefined): string => (x === undefined ? '–' : (x * 1000).toFixed(3));
  return [
    head,
    '',
    ...table(
      ['measure', 'Sluice', 'peer (same run)'],
      [
        [
          'chunking, chunk size 4096, in memory (MB/s; × real time)',
          `${fmt(at(j, 'chunking', 'MBps'), 0)}; ${fmt(at(j, 'chunking', 'realtimeX'), 0)}×`,
          '–',
        ],
        [
          'ingest parsing + tracks, chunk 4096 / 128 (MB/s)',
          `${fmt(at(j, 'ingest-parse-chunk4096', 'readerPlusTracksMBps'), 0)} / ${fmt(at(j, 'ingest-parse-chunk128', 'readerPlusTracksMBps'), 0)}`,
          '–',
        ],
        [
          'one destination, as fast as nginx-rtmp takes it (CPU ms per media-s)',
          ms(perMedia('sluice')),
          `ffmpeg -c copy: ${ms(perMedia('ffmpeg'))}`,
        ],
        [
          `${n} destinations, chunked once / per destination (CPU ms per destination per media-s)`,
          `${ms(at(j, 'fanout-chunk-once', 'cpuPerDestinationPerMediaSecond'))} / ${ms(at(j, 'fanout-per-destination', 'cpuPerDestinationPerMediaSecond'))}`,
          `nginx-rtmp receiving: ${fmt(at(j, 'fanout-chunk-once', 'nginxReceivingCpu'), 2)} s CPU`,
        ],
        [
          `real-time ingest → ${n} destinations (% of one core)`,
          fmt(at(j, 'realtime-ingest-fanout', 'cpuPercentOfOneCore'), 1),
          `nginx-rtmp receiving: ${fmt(at(j, 'realtime-ingest-fanout', 'nginxPercentOfOneCore'), 1)}`,
        ],
      ],
    ),
  ];
}

/** A JS frame's file relative to the repository, at most 100 characters. */
function shortSymbol(symbol: string, root: string | undefined): string {
  const text = (root ? symbol.split(`${root}/`).join('') : symbol).replace('file://', '');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

const isSummary = (p: PerfSummary | ProfileError): p is PerfSummary => 'samples' in p;

function profileSection(run: Run): string[] {
  const head = `### Where the time goes (perf, N=${run.machine['profile_n'] ?? '100'}, ${run.machine['profile_seconds'] ?? '10'} s at 999 Hz from ${run.machine['profile_delay'] ?? '10'} s into the window)`;
  if (run.profileSkipped !== undefined) return [head, '', run.profileSkipped];
  const problem = stepProblem(run, 'profile');
  if (run.profile.length === 0) return [head, '', `– (${problem ?? 'no profile output'})`];
  const systems = ['project', 'nginx'];
  const of = (system: string): PerfSummary | ProfileError | undefined => run.profile.find((p) => p.system === system);
  const cell = (system: string, value: (p: PerfSummary) => string): string => {
    const p = of(system);
    if (p === undefined) return `– (${problem ?? 'not run'})`;
    return isSummary(p) ? value(p) : `– (${p.error})`;
  };
  const shareNames = run.profile.filter(isSummary)[0]?.shares.map((s) => s.name) ?? [];
  const share = (p: PerfSummary, n: string): string => {
    const s = p.shares.find((x) => x.name === n);
    return s === undefined ? '–' : `${s.pct.toFixed(1)}`;
  };
  const lines = [
    head,
    '',
    ...table(
      ['% of the samples', ...systems.map((s) => `${name(s)}${s === 'nginx' ? ' (worker)' : ''}`)],
      [
        ['samples', ...systems.map((s) => cell(s, (p) => String(p.samples)))],
        [
          'kernel / user (leaf)',
          ...systems.map((s) => cell(s, (p) => `${p.kernelPct.toFixed(1)} / ${p.userPct.toFixed(1)}`)),
        ],
        [
          'main thread / other threads',
          ...systems.map((s) => cell(s, (p) => `${p.mainThreadPct.toFixed(1)} / ${p.otherThreadsPct.toFixed(1)}`)),
        ],
        ...shareNames.map((n) => [n, ...systems.map((s) => cell(s, (p) => share(p, n)))]),
      ],
    ),
    '',
    'Inclusive unless marked "leaf"; other threads are V8\'s workers (concurrent GC, compiler) and libuv\'s pool. Top inclusive entries (stack roots and event-loop plumbing left out; "+k" = k more frames on the same samples, one call chain, named by its frame nearest the leaf):',
    '',
  ];
  for (const s of systems) {
    const p = of(s);
    if (p === undefined || !isSummary(p)) continue;
    const top = p.top
      .map(
        (t) =>
          `\`${shortSymbol(t.symbol, run.machine['root'])}\` ${t.pct.toFixed(1)} %${t.same > 0 ? ` (+${t.same})` : ''}`,
      )
      .join('; ');
    lines.push(`- ${name(s)}: ${top}`);
  }
  return lines;
}

function capacitySection(run: Run): string[] {
  if (run.steps.get('capacity') === undefined) return [];
  const head = '### One process per core (cluster-fanout.ts, optional step)';
  if (run.capacity.length === 0) return [head, '', missing(run, 'capacity', 'no results')];
  return [
    head,
    '',
    ...table(
      [
        'system',
        'N',
        'set-up s',
        'CPU ms per push per media-s',
        'CPU % of a core, per process',
        'redis %',
        'kept real time',
        'host busy %',
      ],
      run.capacity.map((r) => [
        r.system,
        r.pushes,
        r.setupS,
        r.cpuMsPerPushPerS,
        (r.processPercent ?? []).join(' + '),
        r.redisPercent ?? '–',
        `${r.realTime}/${r.pushes}`,
        r.hostBusyPercent,
      ]),
    ),
  ];
}

/** At most `max` characters, cut at a word. */
const short = (text: string, max = 60): string =>
  text.length <= max
    ? text
    : `${text.slice(0, text.lastIndexOf(' ', max - 1) > 0 ? text.lastIndexOf(' ', max - 1) : max - 1)}…`;

/** The whole marked section, markers included. */
export function render(run: Run): string {
  const m = run.machine;
  const root = m['root'];
  const rel = (s: string): string => (root ? s.split(`${root}/`).join('') : s);
  const busy = [...run.fanout, ...run.ts]
    .map((l) => num(l.f['host_busy_pct']))
    .filter((x): x is number => x !== undefined);
  const minutes = (s: string | undefined): string => (num(s) === undefined ? '?' : (Number(s) / 60).toFixed(1));
  const t = targets(run);
  const lines = [
    BEGIN,
    '',
    `## Current figures: \`pnpm bench\` (${m['date'] ?? '?'})`,
    '',
    'Generated by `pnpm bench` (tools/bench/run-all.sh, then tools/bench/write-benchmarks.ts) from one run: every figure',
    'beside its peer from the same run, on the same machine. The next run rewrites everything between the markers; the',
    'sections below them are earlier, hand-written measurements.',
    '',
    `- Machine: ${m['nproc'] ?? '?'} CPUs (${m['cpu'] ?? '?'}), ${m['mem_mb'] ? `${(Number(m['mem_mb']) / 1024).toFixed(1)} GB` : '?'}, ${m['kernel'] ?? '?'}; load average ${m['load_start'] ?? '?'} at the start, ${m['load_end'] ?? '?'} at the end${busy.length > 0 ? `; host busy ${Math.min(...busy).toFixed(0)}-${Math.max(...busy).toFixed(0)} % over the harness windows (the host is shared: read the same-run ratios)` : ''}.`,
    `- Versions: Node ${m['node'] ?? '?'}, ffmpeg ${m['ffmpeg'] ?? '?'}, nginx ${m['nginx'] ?? '?'} + libnginx-mod-rtmp ${m['nginx_rtmp'] ?? '?'}, node-media-server ${m['nms'] || '–'}, Python ${m['python'] ?? '?'}, perf ${m['perf'] || '–'}; Sluice at \`${m['commit'] ?? '?'}\` (${short(m['commit_subject'] ?? '')})${num(m['dirty']) ? ` with ${m['dirty']} uncommitted changes` : ''}, the built CLI (\`pnpm build\`).`,
    `- Run: ${minutes(m['duration_s'])} min (expected ~${minutes(m['expected_s'])}, bound ${minutes(m['limit_s'])}); steps: ${[...run.steps.entries()].map(([k, s]) => `${k} ${s.status} ${s.seconds ?? '?'} s`).join(', ')}.`,
    '',
    'Commands, as run (from the repository root; the shared harness is `../shared/bench`, its README explains its fields):',
    '',
    '```sh',
    ...run.commands.map(rel),
    '```',
    '',
    '### Targets (issue 15)',
    '',
    ...table(
      ['target', 'Sluice', 'peer, same run', 'ratio', 'result'],
      t.map((x) => [x.target, x.sluice, x.peer, x.ratio, x.result]),
    ),
    '',
    ...fanoutSection(run),
    '',
    ...latencySection(run),
    '',
    ...tsSection(run),
    '',
    ...idleSection(run),
    '',
    ...chunkingSection(run),
    '',
    ...profileSection(run),
    '',
    ...capacitySection(run),
  ];
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.map(rel).join('\n')}\n\n${END}`;
}

/** `doc` with its marked section replaced by `section` (inserted after the title the first time). */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + END.length);
  if (begin >= 0 || end >= 0)
    throw new Error(`only one of the markers, or in the wrong order: fix ${BEGIN} / ${END} by hand`);
  const title = /^# .*\n/m.exec(doc);
  const at = title ? title.index + title[0].length : 0;
  return `${doc.slice(0, at)}\n${section}\n${doc.slice(at)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (dir === undefined) throw new Error('usage: write-benchmarks.ts RUN_DIR [--no-write] [--doc docs/BENCHMARKS.md]');
  const docIndex = args.indexOf('--doc');
  const doc = docIndex >= 0 ? args[docIndex + 1]! : 'docs/BENCHMARKS.md';
  const run = readRun(dir);
  const section = render(run);
  writeFileSync(join(dir, 'section.md'), `${section}\n`);
  console.log(
    table(
      ['target', 'Sluice', 'peer, same run', 'ratio', 'result'],
      targets(run).map((x) => [x.target, x.sluice, x.peer, x.ratio, x.result]),
    ).join('\n'),
  );
  if (args.includes('--no-write'))
    console.log(`--no-write: ${doc} left alone; the section is in ${join(dir, 'section.md')}`);
  else {
    writeFileSync(doc, replaceSection(readFileSync(doc, 'utf8'), section));
    console.log(`rewrote the marked section of ${doc}`);
  }
}
