/**
 * Every package's public API is curated: `src/index.ts` exports by name (no `export *`),
 * each group of exports has a doc comment, and the package's README lists every exported
 * name (its "## API" section). A name not exported is internal; tests reach it by path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
// srt's README gets its API section from the SRT work of this release (its files are that work's).
const packages = ['media', 'mpegts', 'rtmp', 'push', 'push-redis', 'http', 'server', 'dashboard', 'srt'] as const;
const readmeListed = new Set<string>(packages.filter((p) => p !== 'srt'));

/** The statements of an index: each `export ... from '...';` with the comment right above it, if any. */
function exportStatements(source: string): { text: string; documented: boolean }[] {
  const out: { text: string; documented: boolean }[] = [];
  const re = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?(export\s[^;]*;)/g;
  let previousEnd = -1;
  for (const m of source.matchAll(re)) {
    const start = m.index + (m[1]?.length ?? 0);
    // a statement continues the group above it when only a newline separates them
    const continues = previousEnd >= 0 && source.slice(previousEnd, start) === '\n';
    out.push({ text: m[2]!, documented: m[1] !== undefined || continues });
    previousEnd = m.index + m[0].length;
  }
  return out;
}

function exportedNames(statement: string): string[] {
  const braces = /\{([^}]*)\}/.exec(statement);
  if (!braces) return [];
  return braces[1]!
    .split(',')
    .map((n) => n.trim().replace(/^type\s+/, ''))
    .filter((n) => n.length > 0)
    .map((n) =>
      n
        .split(/\s+as\s+/)
        .pop()!
        .trim(),
    );
}

describe('curated public APIs', () => {
  for (const name of packages) {
    const index = read(`packages/${name}/src/index.ts`);
    const statements = exportStatements(index);

    it(`@sluice/${name}: index.ts exports by name, each group documented`, () => {
      expect(index).not.toMatch(/export\s+\*/);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((s) => !s.documented).map((s) => s.text)).toEqual([]);
    });

    if (readmeListed.has(name)) {
      it(`@sluice/${name}: README.md lists every export`, () => {
        const readme = read(`packages/${name}/README.md`);
        const api = readme.slice(readme.indexOf('\n## API\n'));
        expect(api.length).toBeLessThan(readme.length);
        const missing = statements.flatMap((s) => exportedNames(s.text)).filter((n) => !api.includes(`\`${n}\``));
        expect(missing).toEqual([]);
      });
    }
  }
});
