/**
 * `pnpm fuzz`: fuzzes every parser that faces the network or a file, each target in its
 * own worker thread, `--jobs` at a time. A hang (no new input for --hang-ms) or a crash of
 * the thread is reported with the input that caused it; every finding is saved under
 * test-fixtures/fuzz/<target>/ and from then on replayed by tools/fuzz/fuzz.test.ts.
 *
 *   pnpm fuzz                                  # 1,000,000 inputs per target
 *   pnpm fuzz -- --inputs 20000 --target amf0,flv --seed 7 --json out.json
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CoverageFigure } from './src/coverage.js';
import { emptyFuzzReport, type FuzzReport } from './src/engine.js';
import { FUZZ_TARGETS } from './src/targets/index.js';
import type { WorkerData } from './src/worker.js';

interface Options {
  inputs: number;
  seed: number;
  targets: string[];
  jobs: number;
  hangMs: number;
  json: string | undefined;
  coverage: boolean;
}

/** A target's whole run: the worker's reports, hangs and thread crashes added. */
interface TargetResult extends Omit<FuzzReport, 'findings'> {
  findings: Array<{ index: number; error: string; fixture: string }>;
  peakExternalBytes: number;
  coverage: CoverageFigure | undefined;
}

/** A worker's start (loading and compiling the parsers) may take long on a busy machine: not a hang. */
const STARTUP_MS = 180_000;
const FIXTURES = fileURLToPath(new URL('../../test-fixtures/fuzz/', import.meta.url));

function parseArgs(argv: string[]): Options {
  const options: Options = {
    inputs: 1_000_000,
    seed: 1,
    targets: FUZZ_TARGETS.map((t) => t.name),
    jobs: 2,
    hangMs: 10_000,
    json: undefined,
    coverage: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const arg = argv[i];
    if (arg === '--') continue;
    else if (arg === '--inputs') options.inputs = positive(arg, value());
    else if (arg === '--seed') options.seed = positive(arg, value());
    else if (arg === '--jobs') options.jobs = positive(arg, value());
    else if (arg === '--hang-ms') options.hangMs = positive(arg, value());
    else if (arg === '--target') options.targets = value().split(',');
    else if (arg === '--json') options.json = value();
    else if (arg === '--no-coverage') options.coverage = false;
    else
      throw new Error(
        `unknown option ${arg} (--inputs N --seed N --target a,b --jobs N --hang-ms N --json FILE --no-coverage)`,
      );
  }
  for (const name of options.targets)
    if (!FUZZ_TARGETS.some((t) => t.name === name)) throw new Error(`no fuzz target "${name}"`);
  return options;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${text}"`);
  return n;
}

/** Saves a finding's input; returns its path relative to the repository. */
function saveFixture(target: string, input: Uint8Array, error: string): string {
  const dir = join(FIXTURES, target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha1').update(input).digest('hex').slice(0, 12);
  writeFileSync(join(dir, `${name}.bin`), input);
  writeFileSync(join(dir, `${name}.txt`), `${error}\n`);
  return `test-fixtures/fuzz/${target}/${name}.bin`;
}

/** Runs one target to the end, restarting its worker after a hang or a crash. */
async function runTarget(name: string, options: Options): Promise<TargetResult> {
  const result: TargetResult = { ...emptyFuzzReport(name), findings: [], peakExternalBytes: 0, coverage: undefined };
  const maxLength = FUZZ_TARGETS.find((t) => t.name === name)?.maxLength ?? 65536;
  let from = 0;
  const started = performance.now();
  while (from < options.inputs) {
    const shared = new SharedArrayBuffer(8 + maxLength);
    const header = new Int32Array(shared, 0, 2);
    Atomics.store(header, 0, from - 1);
    const data: WorkerData = {
      target: name,
      inputs: options.inputs - from,
      seed: options.seed,
      from,
      shared,
      coverage: options.coverage,
    };
    const worker = new Worker(new URL('./src/worker-entry.mjs', import.meta.url), { workerData: data });
    const current = (): { index: number; input: Uint8Array } => {
      const length = Atomics.load(header, 1);
      return { index: Atomics.load(header, 0), input: new Uint8Array(shared, 8, Math.min(length, maxLength)).slice() };
    };
    const outcome = await new Promise<
      | { kind: 'done'; report: FuzzReport; coverage?: CoverageFigure; peakExternal: number }
      | { kind: 'failed'; error: string }
    >((resolve) => {
      let lastIndex = -2;
      let lastChange = Date.now();
      const watchdog = setInterval(() => {
        const index = Atomics.load(header, 0);
        if (index !== lastIndex) {
          lastIndex = index;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > (index < from ? STARTUP_MS : options.hangMs)) {
          clearInterval(watchdog);
          void worker.terminate();
          resolve({ kind: 'failed', error: `hang: no progress for ${options.hangMs} ms` });
        }
      }, 250);
      worker.on('message', (message: { kind: string }) => {
        if (message.kind === 'done') {
          clearInterval(watchdog);
          resolve(message as { kind: 'done'; report: FuzzReport; coverage?: CoverageFigure; peakExternal: number });
        } else if (message.kind === 'progress')
          process.stderr.write(`  ${name}: ${from + (message as unknown as { done: number }).done}\r`);
      });
      worker.on('error', (error) => {
        clearInterval(watchdog);
        resolve({ kind: 'failed', error: `thread crashed: ${error.name}: ${error.message}` });
      });
      worker.on('exit', (code) => {
        clearInterval(watchdog);
        resolve({ kind: 'failed', error: `thread exited with code ${code}` });
      });
    });
    if (outcome.kind === 'done') {
      const r = outcome.report;
      result.inputs += r.inputs;
      result.accepted += r.accepted;
      result.refused += r.refused;
      result.slowestMs = Math.max(result.slowestMs, r.slowestMs);
      result.peakExternalBytes = Math.max(result.peakExternalBytes, outcome.peakExternal);
      result.coverage = outcome.coverage;
      for (const f of r.findings)
        result.findings.push({ index: f.index, error: f.error, fixture: saveFixture(name, f.input, f.error) });
      break;
    }
    const { index, input } = current();
    if (index < from) {
      // the thread failed before its first input: a broken target, not a finding about an input
      result.findings.push({ index, error: `target failed to start: ${outcome.error}`, fixture: '' });
      break;
    }
    result.findings.push({ index, error: outcome.error, fixture: saveFixture(name, input, outcome.error) });
    result.inputs += Math.max(0, index + 1 - from);
    from = index + 1;
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

const options = parseArgs(process.argv.slice(2));
console.log(
  `fuzz: ${options.inputs} inputs per target, seed ${options.seed}, ${options.jobs} at a time: ${options.targets.join(', ')}`,
);
const queue = [...options.targets];
const results: TargetResult[] = [];
await Promise.all(
  Array.from({ length: Math.min(options.jobs, queue.length) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const r = await runTarget(name, options);
      results.push(r);
      const cov =
        r.coverage === undefined
          ? ''
          : `, block coverage ${(100 * r.coverage.blockShare).toFixed(1)} % of ${r.coverage.files} files`;
      console.log(
        `${name}: ${r.inputs} inputs (${r.accepted} accepted, ${r.refused} refused) in ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
          `slowest ${r.slowestMs.toFixed(1)} ms, peak external ${(r.peakExternalBytes / 2 ** 20).toFixed(1)} MiB${cov}, ` +
          `${r.findings.length} findings`,
      );
      for (const f of r.findings) console.log(`  finding at input ${f.index}: ${f.error} -> ${f.fixture}`);
    }
  }),
);
results.sort((a, b) => options.targets.indexOf(a.target) - options.targets.indexOf(b.target));
if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify({ options, results }, null, 2)}\n`);
const findings = results.reduce((n, r) => n + r.findings.length, 0);
console.log(`fuzz: ${results.reduce((n, r) => n + r.inputs, 0)} inputs, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
