import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyStreamingHeapDefaults } from './streaming-heap.js';

const module = fileURLToPath(new URL('./streaming-heap.ts', import.meta.url));

/** Runs `body` in a fresh node after `applyStreamingHeapDefaults(ownArgs, '')`; returns its last JSON line. */
function inChild<T>(ownArgs: string[], body: string): T {
  const script = `
    const { applyStreamingHeapDefaults } = await import(${JSON.stringify(module)});
    const applied = applyStreamingHeapDefaults(${JSON.stringify(ownArgs)}, '');
    ${body}`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

describe('applyStreamingHeapDefaults', () => {
  it('leaves each setting alone when the process was started with its own flag for it', () => {
    expect(applyStreamingHeapDefaults(['--max-semi-space-size=8', '--heap-growing-percent=50'], '')).toEqual([]);
    expect(applyStreamingHeapDefaults([], '--max_semi_space_size=4 --heap_growing_percent=50')).toEqual([]);
  });

  it('keeps the young generation at its initial size in a process that allocates a lot', () => {
    const { applied, newSpace } = inChild<{ applied: string[]; newSpace: number }>(
      [],
      `const v8 = await import('node:v8');
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i, b: [i] }); if (keep.length > 20000) keep = []; }
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      console.log(JSON.stringify({ applied, newSpace: space.space_size }));`,
    );
    expect(applied).toContain('--semi-space-growth-factor=1');
    expect(newSpace).toBeLessThanOrEqual(4 * 1024 * 1024); // V8 grows it to 32 MiB without the setting
  });

  it('collects promoted garbage more often (the old generation grows by 30 % between full GCs)', () => {
    // objects that live long enough to be promoted, then die in the old generation (as media
    // Buffers the GOP kept do): count the full GCs with and without the setting
    const body = `const { PerformanceObserver, constants } = await import('node:perf_hooks');
      let majors = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
      }).observe({ entryTypes: ['gc'] });
      const ring = new Array(50000);
      for (let i = 0; i < 2e6; i++) ring[i % ring.length] = { i, data: new Uint8Array(64) };
      setTimeout(() => console.log(JSON.stringify({ applied, majors })), 50);`;
    const set = inChild<{ applied: string[]; majors: number }>([], body);
    const own = inChild<{ applied: string[]; majors: number }>(['--heap-growing-percent=0'], body);
    expect(set.applied).toContain('--heap-growing-percent=30');
    expect(own.applied).not.toContain('--heap-growing-percent=30');
    expect(set.majors).toBeGreaterThan(own.majors); // measured here: more than twice as many
  });
});
