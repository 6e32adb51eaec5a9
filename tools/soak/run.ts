/**
 * `pnpm soak`: a real server with 10 ingests and 100 pushes (rtmp to nginx-rtmp, mpegts
 * udp/tcp to receivers here, srt to srt-live-transmit) for 30 minutes; or, with
 * `--cycles N`, N start/stop cycles of a push through the REST API. Prints a table, writes
 * JSON with every sample (--json FILE), exits 1 when a criterion fails.
 *
 *   pnpm soak                                    # 30 minutes, 10 ingests, 100 pushes
 *   pnpm soak -- --minutes 2 --pushes 20 --ingests 3 --json /tmp/soak.json
 *   pnpm soak -- --bad-rtmp 100000              # short bad RTMP sessions (mutated publisher streams)
 *   pnpm soak -- --cycles 10000                 # --no-store: without the server's push store file
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { badRtmpCriteria, runBadRtmp } from './bad-rtmp.js';
import { cyclesCriteria, defaultCycleBounds, runCycles } from './cycles.js';
import { criteriaTable, soakCriteria, soakFigures, type Criterion } from './report.js';
import { runSoak } from './soak.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
function arg(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
}
function numberArg(name: string, fallback: number): number {
  const value = arg(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const json = arg('json');
let rows: Criterion[];
let result: unknown;

if (arg('bad-rtmp') !== undefined) {
  const run = await runBadRtmp({ sessions: numberArg('bad-rtmp', 100_000), seed: numberArg('seed', 1), log });
  rows = badRtmpCriteria(run, numberArg('heap-bound', 20));
  result = { machine, ...run, criteria: rows };
} else if (arg('cycles') !== undefined) {
  const cycles = numberArg('cycles', 10_000);
  const run = await runCycles({ cycles, store: !args.includes('--no-store'), log });
  rows = cyclesCriteria(run, {
    ...defaultCycleBounds,
    heapGrowthMb: numberArg('heap-bound', defaultCycleBounds.heapGrowthMb),
  });
  result = { machine, ...run, criteria: rows };
} else {
  const minutes = numberArg('minutes', 30);
  const run = await runSoak({
    minutes,
    ingests: numberArg('ingests', 10),
    pushes: numberArg('pushes', 100),
    log,
  });
  const figures = soakFigures(run);
  // a 30-minute run's slope is a bound per hour; shorter runs' regressions are noisier
  const defaultBound = minutes >= 20 ? 20 : 600;
  rows = soakCriteria(run, figures, {
    rssSlopeMbPerHour: numberArg('rss-bound', defaultBound),
    fdTolerance: numberArg('fd-tolerance', 2),
  });
  for (const c of run.captures.filter((c) => c.errors !== '')) log(`capture ${c.file}: ${c.errors.slice(0, 500)}`);
  for (const p of run.notPushing) log(`push ${p.id} ${p.state}: ${p.why}`);
  result = { machine, ...run, figures, criteria: rows };
}

console.log(`\n${machine}\n\n${criteriaTable(rows)}\n`);
if (json !== undefined) writeFileSync(json, JSON.stringify(result, null, 1));
const failed = rows.filter((r) => !r.ok);
console.log(failed.length === 0 ? 'soak: ok' : `soak: FAILED (${failed.map((r) => r.name).join('; ')})`);
process.exit(failed.length === 0 ? 0 : 1);
