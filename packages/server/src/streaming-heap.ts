/**
 * V8 heap settings of the `sluice` command for a streaming workload, applied before the
 * server's modules load (cli.ts). Embedders choose their own flags.
 *
 * A media server's garbage is short-lived (per-packet views, per-write objects), but its
 * media Buffers are released only when their wrappers are collected, and the wrappers of
 * what the GOP keeps (~2 s) are promoted: their bytes wait for the next full GC.
 * - The young generation stays at V8's initial size (1 MiB semi-spaces) instead of
 *   growing to 16 MiB ones, which mostly held dead media bytes: peak RSS at 100 RTMP
 *   pushes 113-114 → 91-92 MB, at 20 pushes 94 → 77 MB, with the same or less CPU.
 *   Equivalent to `node --max-semi-space-size=1`.
 * - The old generation may grow by 30 % between full GCs (`--heap-growing-percent=30`)
 *   instead of V8's factor for small heaps, so promoted media bytes are released every
 *   few seconds rather than after ~20 MB of them: peak RSS at 100 pushes 91-93 → 80 MB
 *   (CPU the same), at 20 pushes 77-84 → 78 MB for ~4 % more CPU (more full GCs of a
 *   small heap; 10 % cost 11 %). docs/BENCHMARKS.md.
 * Each is skipped when the process was started with its own flag for it (in execArgv or
 * NODE_OPTIONS), which then wins.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags, each with the pattern that recognises a process's own choice for it. */
const STREAMING_FLAGS: ReadonlyArray<{ flag: string; own: RegExp }> = [
  { flag: '--semi-space-growth-factor=1', own: /semi[-_]space/ },
  { flag: '--heap-growing-percent=30', own: /heap[-_]growing[-_]percent/ },
];

/** Applies the settings the process has not chosen itself; returns the flags it set. */
export function applyStreamingHeapDefaults(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const own = [...execArgv, nodeOptions];
  const applied: string[] = [];
  for (const { flag, own: pattern } of STREAMING_FLAGS) {
    if (own.some((arg) => pattern.test(arg))) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
