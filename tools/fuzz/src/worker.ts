/**
 * One target's run in a worker thread. It writes the current input (index, length, bytes)
 * into shared memory before running it, so that the runner can save the input of a hang
 * or a crash of the whole thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CoverageMeter } from './coverage.js';

export interface WorkerData {
  target: string;
  inputs: number;
  seed: number;
  from: number;
  /** Int32 [index, length] then the input bytes. */
  shared: SharedArrayBuffer;
  coverage: boolean;
}

/** External memory (ArrayBuffers) above this after an input is a finding: the input made us allocate it. */
const MEMORY_LIMIT = 512 * 1024 * 1024;

const data = workerData as WorkerData;
const meter = data.coverage ? await CoverageMeter.start() : undefined;
const { fuzzTarget } = await import('./targets/index.js');
const { fuzz } = await import('./engine.js');
const target = fuzzTarget(data.target);
const header = new Int32Array(data.shared, 0, 2);
const bytes = new Uint8Array(data.shared, 8);
let peakExternal = 0;

const report = await fuzz(target, {
  inputs: data.inputs,
  seed: data.seed,
  from: data.from,
  onInput: (index, input) => {
    bytes.set(input.subarray(0, bytes.length));
    Atomics.store(header, 1, input.length);
    Atomics.store(header, 0, index);
    if ((index & 255) === 0) {
      const external = process.memoryUsage().arrayBuffers;
      if (external > peakExternal) peakExternal = external;
      if (external > MEMORY_LIMIT) throw new Error(`external memory ${external} bytes after input ${index}`);
    }
  },
  onProgress: (done) => parentPort?.postMessage({ kind: 'progress', done }),
});
const coverage = meter === undefined ? undefined : await meter.take(target.coverage);
parentPort?.postMessage({ kind: 'done', report, coverage, peakExternal });
