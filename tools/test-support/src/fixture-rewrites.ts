/** For the suites that rewrite every fixture and let ffprobe and ffmpeg judge the result. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ffmpegDecodeErrors, ffprobe, type ProbeResult } from './ffprobe.js';
import { readExpectedPackets } from './fixtures.js';

/** What the peers made of a rewritten fixture. */
export interface FixtureRewrite {
  /** The file written. */
  file: string;
  /** ffprobe's listing of the file. */
  probe: ProbeResult;
  /** ffprobe's listing of the fixture itself (its `*.packets.json`). */
  expected: ReturnType<typeof readExpectedPackets>;
  /** ffmpeg's decode errors on the file ('' = clean). */
  decodeErrors: string;
}

/**
 * A temp folder named `prefix…`, removed after the current suite, and the check to run in
 * it: `rewrite(name, bytes, fileName = name)` writes `bytes` (what the code under test made
 * of fixture `name`) there, then probes and decodes the file.
 */
export function fixtureRewrites(
  prefix: string,
): (name: string, bytes: Uint8Array, fileName?: string) => Promise<FixtureRewrite> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return async (name, bytes, fileName = name) => {
    const file = join(dir, fileName);
    writeFileSync(file, bytes);
    const probe = await ffprobe(file);
    return { file, probe, expected: readExpectedPackets(name), decodeErrors: await ffmpegDecodeErrors(file) };
  };
}
