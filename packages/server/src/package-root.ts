/** Files shipped with @sluice/server, found from the package root (works from src/ and dist/). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package folder: this file lives in `src/` or `dist/`, one level below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Server.xml shipped with the package (`conf/Server.xml`). */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../conf/Server.xml', import.meta.url));

/** The version of @sluice/server from its package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
