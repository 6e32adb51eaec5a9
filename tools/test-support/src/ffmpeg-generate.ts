/** Generates small media files with ffmpeg into a temporary folder removed when the test process exits. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './process.js';

let dir: string | undefined;

function tempDir(): string {
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'sluice-ffmpeg-'));
    dir = made;
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

/** A file ffmpeg wrote: its path and bytes. */
export interface GeneratedMedia {
  path: string;
  data: Uint8Array;
}

/**
 * Runs `ffmpeg -nostdin -v error -y <args> <tmp>/<outputName>` and returns the file.
 * Throws with ffmpeg's stderr when it fails.
 */
export async function ffmpegGenerate(outputName: string, args: string[], timeoutMs = 60_000): Promise<GeneratedMedia> {
  const path = join(tempDir(), outputName);
  const r = await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args, path], timeoutMs);
  if (r.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return { path, data: new Uint8Array(readFileSync(path)) };
}
