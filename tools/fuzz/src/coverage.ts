/**
 * Block coverage of the parsers, measured with V8's precise coverage (node:inspector):
 * start before the parsers are imported, take it after the run. The figure is the share
 * of each file's (transpiled) bytes inside blocks that ran at least once.
 */
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

/** Coverage of the files whose path contains one of the fragments. */
export interface CoverageFigure {
  files: number;
  /** Bytes in blocks that ran / all bytes, over those files, 0..1. */
  blockShare: number;
  /** Per file: path relative to the repository root, and its share. */
  perFile: Array<{ file: string; share: number }>;
}

interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface V8Script {
  url: string;
  functions: Array<{ ranges: V8Range[] }>;
}

/** A running coverage measurement. */
export class CoverageMeter {
  private constructor(private readonly session: Session) {}

  /** Starts precise block coverage in this thread. */
  static async start(): Promise<CoverageMeter> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
    return new CoverageMeter(session);
  }

  /** Takes the coverage so far of the files matching `fragments` and stops. */
  async take(fragments: readonly string[]): Promise<CoverageFigure> {
    const { result } = (await this.session.post('Profiler.takePreciseCoverage')) as { result: V8Script[] };
    await this.session.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    let covered = 0;
    let total = 0;
    const perFile: CoverageFigure['perFile'] = [];
    for (const script of result) {
      if (!script.url.startsWith('file://')) continue;
      const path = fileURLToPath(script.url);
      const relative = path.startsWith(root) ? path.slice(root.length) : path;
      if (!relative.startsWith('packages/') || relative.includes('.test.')) continue;
      if (!fragments.some((f) => relative.includes(f))) continue;
      const [c, t] = coveredBytes(script);
      covered += c;
      total += t;
      perFile.push({ file: relative, share: t === 0 ? 0 : c / t });
    }
    perFile.sort((a, b) => a.file.localeCompare(b.file));
    return { files: perFile.length, blockShare: total === 0 ? 0 : covered / total, perFile };
  }
}

/** Bytes in executed blocks and all bytes of one script (inner ranges override outer ones). */
function coveredBytes(script: V8Script): [number, number] {
  const ranges = script.functions.flatMap((f) => f.ranges);
  if (ranges.length === 0) return [0, 0];
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const length = Math.max(...ranges.map((r) => r.endOffset));
  const counts = new Uint8Array(length);
  for (const r of ranges) counts.fill(r.count > 0 ? 1 : 0, r.startOffset, r.endOffset);
  let covered = 0;
  for (let i = 0; i < length; i++) covered += counts[i] ?? 0;
  return [covered, length];
}
