/**
 * In-process timing and the result line of Sluice's bench scripts: one JSON object on
 * stdout with start-up, wall and CPU seconds, MB/s and peak RSS beside the script's own
 * fields. Cheap at start-up: process.uptime() instead of perf_hooks, writeSync instead of
 * console.log (process.stdout would load Node's stream modules, ~15 ms).
 */
import { writeSync } from 'node:fs';

/** When the timed part began: process age (s) and CPU usage then. */
export interface RunClock {
  readonly start: number;
  readonly cpu: NodeJS.CpuUsage;
}

/** Figures of a timed part, as printed. */
export interface RunTiming {
  startupSeconds: number;
  seconds: number;
  cpuSeconds: number;
  MBps: number;
  peakRssMB: number;
}

/** Starts the clock: call just before the first read. */
export function startClock(): RunClock {
  // process.uptime(): seconds since the process started (no perf_hooks to load)
  return { start: process.uptime(), cpu: process.cpuUsage() };
}

/** Stops the clock: the figures of the part timed since startClock(), over `bytes` of input. */
export function stopClock(clock: RunClock, bytes: number): RunTiming {
  const seconds = process.uptime() - clock.start;
  const cpu = process.cpuUsage(clock.cpu);
  return {
    startupSeconds: Number(clock.start.toFixed(3)),
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    MBps: Number((bytes / 1e6 / seconds).toFixed(1)),
    peakRssMB: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  };
}

/** Prints the result: `fields`, then the timing figures, as one JSON line on stdout. */
export function printResult(fields: Record<string, unknown>, timing: RunTiming): void {
  writeSync(1, `${JSON.stringify({ ...fields, ...timing })}\n`);
}
