/**
 * V8 heap settings of the `sluice` command for a streaming workload, applied before the
 * server's modules load (cli.ts). Embedders choose their own flags.
 *
 * The young generation stays at V8's initial size (1 MiB semi-spaces) instead of growing
 * to 16 MiB ones: a media server's garbage is short-lived (per-packet views, per-write
 * objects) and its Buffers are released only when their wrappers are collected, so a
 * large young generation mostly holds dead media bytes. Measured with the shared fan-out
 * harness (docs/BENCHMARKS.md): peak RSS at 100 RTMP pushes 113-114 → 91-92 MB, at 20
 * pushes 94 → 77 MB, with the same or less CPU. Equivalent to `node --max-semi-space-size=1`.
 * Skipped when the process was started with its own semi-space flag (in execArgv or
 * NODE_OPTIONS), which then wins.
 */
import { setFlagsFromString } from 'node:v8';

/** Applies the settings unless the process has its own; returns whether it did. */
export function applyStreamingHeapDefaults(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  if ([...execArgv, nodeOptions].some((arg) => /semi[-_]space/.test(arg))) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
