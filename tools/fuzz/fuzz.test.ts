/**
 * CI's short seeded fuzz pass: every target, 1,500 inputs each from a fixed seed (the
 * dedicated run is `pnpm fuzz`: 1,000,000 per target), and every saved finding under
 * test-fixtures/fuzz/ replayed: none may throw anything but its parser's typed error.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, makeInput, tryInput } from './src/engine.js';
import { FUZZ_TARGETS, fuzzTarget } from './src/targets/index.js';

const FIXTURES = fileURLToPath(new URL('../../test-fixtures/fuzz/', import.meta.url));

describe('seeded fuzz pass (1,500 inputs per parser)', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: only typed errors`, { timeout: 120_000 }, async () => {
      const report = await fuzz(target, { inputs: 1500, seed: 20261202 });
      expect(report.findings.map((f) => f.error)).toEqual([]);
      expect(report.inputs).toBe(1500);
      // the mutations reach both outcomes: some inputs still parse, most are refused
      expect(report.accepted).toBeGreaterThan(0);
      expect(report.refused).toBeGreaterThan(0);
    });
  }
});

describe('inputs are reproducible from (seed, index)', () => {
  it('the same index gives the same bytes', async () => {
    const target = fuzzTarget('rtmp-chunk-stream');
    const corpus = await target.seeds();
    for (const index of [0, 1, 999, 123_456])
      expect(makeInput(target, corpus, 7, index)).toEqual(makeInput(target, corpus, 7, index));
    expect(makeInput(target, corpus, 7, 1)).not.toEqual(makeInput(target, corpus, 8, 1));
  });
});

describe('saved findings replay as typed errors', () => {
  const dirs = existsSync(FIXTURES) ? readdirSync(FIXTURES) : [];
  it('every fixture folder names a target', () => {
    for (const dir of dirs) expect(FUZZ_TARGETS.map((t) => t.name)).toContain(dir);
  });
  for (const dir of dirs) {
    for (const file of readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.bin'))) {
      it(`${dir}/${file}`, async () => {
        const input = new Uint8Array(readFileSync(join(FIXTURES, dir, file)));
        expect(await tryInput(fuzzTarget(dir), input)).toBeUndefined();
      });
    }
  }
});
