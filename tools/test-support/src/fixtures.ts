/** The committed media fixtures in test-fixtures/ and their expected packet lists. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute path of the repository's test-fixtures folder. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../test-fixtures/', import.meta.url));

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** Reads a fixture file (whole). */
export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** Fixture media files with the given extension ('flv' or 'ts'), sorted by name. */
export function listFixtures(ext: 'flv' | 'ts'): string[] {
  if (!existsSync(FIXTURES_DIR)) return [];
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(`.${ext}`))
    .sort();
}

/** The `*.packets.json` beside a fixture: ffprobe's `-show_packets -show_streams` output. */
export function readExpectedPackets(name: string): {
  packets: Array<Record<string, unknown>>;
  streams: Array<Record<string, unknown>>;
} {
  const json = JSON.parse(readFileSync(fixturePath(`${name}.packets.json`), 'utf8')) as {
    packets?: Array<Record<string, unknown>>;
    streams?: Array<Record<string, unknown>>;
  };
  return { packets: json.packets ?? [], streams: json.streams ?? [] };
}
