/**
 * This process's own figures for the soak: memory (RSS, V8 heap, external and
 * ArrayBuffer memory), open file descriptors (/proc/self/fd), libuv handles, and the
 * least-squares slope of a series.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One reading of the process. Memory in MB. */
export interface ProcessFigures {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  fds: number;
  handles: number;
}

const MB = 1024 * 1024;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Open file descriptors of this process (the listing's own descriptor not counted). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length - 1;
}

/** libuv handles keeping the loop alive (sockets, servers, timers, child processes). */
export function activeHandles(): number {
  const p = process as unknown as { _getActiveHandles?: () => unknown[] };
  return p._getActiveHandles?.().length ?? -1;
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection: `global.gc` when node runs with --expose-gc, else exposed at run time. */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) gcFunction = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

/** The figures now; `gc` collects garbage twice first (so the heap is what is reachable). */
export function processFigures(gc = false): ProcessFigures {
  if (gc) {
    collectGarbage();
    collectGarbage();
  }
  const m = process.memoryUsage();
  return {
    rssMb: round(m.rss / MB),
    heapUsedMb: round(m.heapUsed / MB),
    externalMb: round(m.external / MB),
    arrayBuffersMb: round(m.arrayBuffers / MB),
    fds: openFds(),
    handles: activeHandles(),
  };
}

/** Least-squares slope of y over x (0 with fewer than 2 points). */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? 0 : num / den;
}

export { round };
