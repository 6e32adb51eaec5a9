import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const packages = ['media', 'mpegts', 'srt', 'rtmp', 'push', 'push-redis', 'http', 'server', 'dashboard'] as const;

/** Tests import workspace packages from their sources: no build needed. */
const alias = Object.fromEntries<string>([
  ...packages.map((name): [string, string] => [`@sluice/${name}`, here(`./packages/${name}/src/index.ts`)]),
  ['@sluice/test-support', here('./tools/test-support/src/index.ts')],
]);

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`, `packages/${name}/src/**/*.test.tsx`] },
      })),
      { extends: true as const, test: { name: 'tools', include: ['tools/**/*.test.ts'] } },
    ],
  },
});
