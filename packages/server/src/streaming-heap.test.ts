import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyStreamingHeapDefaults } from './streaming-heap.js';

describe('applyStreamingHeapDefaults', () => {
  it('leaves a process started with its own semi-space flag alone', () => {
    expect(applyStreamingHeapDefaults(['--max-semi-space-size=8'], '')).toBe(false);
    expect(applyStreamingHeapDefaults([], '--max_semi_space_size=4')).toBe(false);
  });

  it('keeps the young generation at its initial size in a process that allocates a lot', () => {
    const module = fileURLToPath(new URL('./streaming-heap.ts', import.meta.url));
    const script = `
      const { applyStreamingHeapDefaults } = await import(${JSON.stringify(module)});
      const v8 = await import('node:v8');
      const applied = applyStreamingHeapDefaults();
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i, b: [i] }); if (keep.length > 20000) keep = []; }
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      console.log(JSON.stringify({ applied, newSpace: space.space_size }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const { applied, newSpace } = JSON.parse(out.trim().split('\n').pop() as string) as {
      applied: boolean;
      newSpace: number;
    };
    expect(applied).toBe(true);
    expect(newSpace).toBeLessThanOrEqual(4 * 1024 * 1024); // V8 grows it to 32 MiB without the setting
  });
});
