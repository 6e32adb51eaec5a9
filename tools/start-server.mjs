#!/usr/bin/env node
// `pnpm start`: builds the packages (tsc -b) and runs the reference server with its
// default Server.xml. Arguments after `--` go to the `sluice` CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const build = spawnSync('node_modules/.bin/tsc', ['-b', 'packages/server/tsconfig.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const cli = 'packages/server/dist/cli.js';
if (!existsSync(cli)) {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync('packages/server/package.json', 'utf8'));
  console.log(`sluice ${pkg.version}: the reference server is not built yet (packages/server/src/cli.ts)`);
  process.exit(0);
}
const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 0);
