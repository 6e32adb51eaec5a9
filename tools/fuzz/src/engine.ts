/**
 * The fuzzing loop: input i is a pure function of (seed, i) — a mutation of one of the
 * target's real seeds (85 %), fresh random bytes (10 %) or a seed's prefix (5 %) — so any
 * input can be made again from its index. Each input runs once; what the target throws is
 * a finding, shrunk to a small input that still throws the same kind of error.
 */
import { Prng } from './prng.js';
import { mutate } from './mutate.js';
import { describe, type FuzzTarget } from './target.js';

/** How a run went. */
export interface FuzzReport {
  target: string;
  inputs: number;
  accepted: number;
  refused: number;
  findings: Finding[];
  /** Slowest single input, ms. */
  slowestMs: number;
  elapsedMs: number;
}

/** One input that threw something other than the target's typed error, shrunk. */
export interface Finding {
  index: number;
  error: string;
  input: Uint8Array;
}

export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** Where inputs start (a resumed run after a hang). */
  from?: number;
  /** Called before each input (the runner records it for hang reports). */
  onInput?: (index: number, input: Uint8Array) => void;
  /** Called every 4096 inputs. */
  onProgress?: (done: number) => void;
  /** Stop after this many distinct findings (default 20). */
  maxFindings?: number;
}

/** Input number `index` of a run with `seed` over `corpus`. */
export function makeInput(target: FuzzTarget, corpus: readonly Uint8Array[], seed: number, index: number): Uint8Array {
  const rng = new Prng((Math.imul(seed, 0x2c1b3c6d) ^ index) >>> 0);
  const choice = rng.below(20);
  if (corpus.length === 0 || choice < 2) {
    const out = new Uint8Array(rng.below(Math.min(target.maxLength, 2048) + 1));
    for (let i = 0; i < out.length; i++) out[i] = rng.below(256);
    return out;
  }
  const base = corpus[rng.below(corpus.length)] ?? new Uint8Array(0);
  if (choice === 2) return base.slice(0, rng.below(base.length + 1));
  return mutate(base, corpus, rng, target.maxLength);
}

/** Runs one input; resolves with the error it threw (not a typed refusal), or undefined. */
export async function tryInput(target: FuzzTarget, input: Uint8Array): Promise<unknown> {
  try {
    const outcome = target.run(input);
    if (outcome instanceof Promise) await outcome;
    return undefined;
  } catch (error) {
    return error ?? new Error('undefined thrown');
  }
}

/** The report of `target` before its first input: every count 0, no findings. */
export function emptyFuzzReport(target: string): FuzzReport {
  return { target, inputs: 0, accepted: 0, refused: 0, findings: [], slowestMs: 0, elapsedMs: 0 };
}

/** Fuzzes `target` with `options.inputs` inputs. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const corpus = await target.seeds();
  const report = emptyFuzzReport(target.name);
  const seen = new Set<string>();
  const started = performance.now();
  const end = (options.from ?? 0) + options.inputs;
  for (let index = options.from ?? 0; index < end; index++) {
    const input = makeInput(target, corpus, options.seed, index);
    options.onInput?.(index, input);
    const t0 = performance.now();
    let outcome: 'accepted' | 'refused' | undefined;
    let error: unknown;
    try {
      const result = target.run(input);
      outcome = result instanceof Promise ? await result : result;
    } catch (e) {
      error = e ?? new Error('undefined thrown');
    }
    const ms = performance.now() - t0;
    if (ms > report.slowestMs) report.slowestMs = ms;
    report.inputs++;
    if (outcome === 'accepted') report.accepted++;
    else if (outcome === 'refused') report.refused++;
    else {
      const kind = signature(error);
      if (!seen.has(kind)) {
        seen.add(kind);
        report.findings.push({ index, error: describe(error), input: await shrink(target, input, kind) });
        if (report.findings.length >= (options.maxFindings ?? 20)) break;
      }
    }
    if ((report.inputs & 4095) === 0) options.onProgress?.(report.inputs);
    // let the event loop turn now and then, as it does between a server's socket reads:
    // without it a synchronous target never runs the close events and timers of the
    // sessions it ended, and they pile up (the rtmp-ingest-session memory trips)
    if ((report.inputs & 255) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

/** The kind of a finding: its class and the first frame of its stack (one report per bug). */
function signature(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${typeof error}`;
  const thrown = (error as { thrown?: unknown }).thrown;
  const inner = error.name === 'FuzzFinding' && thrown instanceof Error ? thrown : error;
  const frame = (inner.stack ?? '').split('\n').find((line) => line.trimStart().startsWith('at ')) ?? '';
  return `${inner.constructor.name} ${frame.trim()}`;
}

/** Removes blocks of bytes while the input still throws an error of the same kind (bounded tries). */
async function shrink(target: FuzzTarget, input: Uint8Array, kind: string): Promise<Uint8Array> {
  let best = input;
  let tries = 0;
  for (let block = best.length >> 1; block >= 1 && tries < 2000; block >>= 1) {
    for (let at = 0; at + block <= best.length && tries < 2000;) {
      tries++;
      const candidate = new Uint8Array(best.length - block);
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + block), at);
      const error = await tryInput(target, candidate);
      if (error !== undefined && signature(error) === kind) best = candidate;
      else at += block;
    }
  }
  return best;
}
