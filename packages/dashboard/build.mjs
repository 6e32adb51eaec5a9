#!/usr/bin/env node
// Builds the dashboard into dist/: index.html, one script and one style sheet (content-hashed
// names, so they can be cached for good while index.html is revalidated), and prints their
// sizes raw and gzipped. `node build.mjs [outdir]`; also imported by the end-to-end tests.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds into `outdir` (default dist/); resolves with the files written and their sizes. */
export async function buildDashboard(outdir = join(here, 'dist')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src/main.tsx'), styles: join(here, 'src/styles.css') },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').pop());
  const script = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'));
  const styles = outputs.find((f) => f.startsWith('styles-') && f.endsWith('.css'));
  if (script === undefined || styles === undefined) throw new Error(`dashboard build: unexpected outputs ${outputs}`);
  const html = readFileSync(join(here, 'src/index.html'), 'utf8')
    .replace('%SCRIPT%', `./${script}`)
    .replace('%STYLES%', `./${styles}`);
  writeFileSync(join(outdir, 'index.html'), html);
  const files = ['index.html', script, styles].map((name) => {
    const bytes = readFileSync(join(outdir, name));
    return { name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { outdir, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outdir, files } = await buildDashboard(process.argv[2]);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    raw += f.bytes;
    gz += f.gzip;
    console.log(`${f.name.padEnd(28)} ${String(f.bytes).padStart(7)} B  ${String(f.gzip).padStart(6)} B gzip`);
  }
  console.log(`${'total'.padEnd(28)} ${String(raw).padStart(7)} B  ${String(gz).padStart(6)} B gzip  → ${outdir}`);
}
