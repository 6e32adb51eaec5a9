import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePerfScript, summarise } from './perf-summary.js';
import {
  BEGIN,
  END,
  kv,
  num,
  parseHarness,
  parseProbe,
  parseSteps,
  readRun,
  render,
  replaceSection,
  targets,
  type Run,
} from './write-benchmarks.js';

/** Recorded outputs of a short `pnpm bench --no-write` (N=5, 10 s windows). */
const sample = new URL('./testdata/bench-run/', import.meta.url).pathname;

/** A copy of the sample run with some files replaced. */
function variant(files: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
  cpSync(sample, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return readRun(dir);
}

const line = (system: string, n: number, cpu: number, rss: number, rc = 0): string =>
  `${system} ${n} 30 cpu_s=1 cpu_ms_per_push_per_s=${cpu} peak_rss_mb=${rss} delivered=${n}/${n} median_ratio=0.999 ` +
  `t_all_flowing_s=0.76 steady_cpu_ms_per_push_per_s=${cpu} window_s=30.4 host_busy_pct=12.5 rc=${rc}`;

const stepsTsv = (rows: string[]): string => ['step\tstatus\trc\tseconds\tlimit_s', ...rows].join('\n');

describe('parsing', () => {
  it('reads key=value tokens and numbers only when they are numbers', () => {
    expect(kv('a=1 b=x=y c= d')).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(num('0.125')).toBe(0.125);
    expect(num('never')).toBeUndefined();
    expect(num(undefined)).toBeUndefined();
    expect(num('')).toBeUndefined();
  });

  it("keeps the harness's summary lines and FAILED lines, not run_matrix's table", () => {
    const lines = parseHarness(
      [
        readFileSync(join(sample, 'fanout.txt'), 'utf8'),
        'nms 100 30 FAILED rc=1',
        'system       N   cpu_s ms/push/s',
        'project     20    1.23      1.528',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.system, l.n, l.failed, l.rc])).toEqual([
      ['project', 5, false, 0],
      ['nginx', 5, false, 3],
      ['nms', 5, false, 0],
      ['nms', 100, true, 1],
    ]);
    expect(lines[0]!.f['cpu_ms_per_push_per_s']).toBe('6.152');
  });

  it("reads the probe's two halves", () => {
    const probe = parseProbe(readFileSync(join(sample, 'latency.txt'), 'utf8'));
    expect(probe?.added).toEqual({ n: '230', p50: '0.468', p99: '3.316', max: '4.065' });
    expect(probe?.start['max']).toBe('18.719');
    expect(parseProbe('project 20 30 FAILED rc=1')).toBeUndefined();
  });

  it('reads the step table', () => {
    const steps = parseSteps(stepsTsv(['fanout\ttimeout\t124\t435\t435', 'idle\tok\t0\t31\t210']));
    expect(steps.get('fanout')).toEqual({ status: 'timeout', rc: 124, seconds: 435, limit: 435 });
    expect(steps.get('idle')?.status).toBe('ok');
  });

  it('reads a whole recorded run', () => {
    const run = readRun(sample);
    expect(run.machine['node']).toBe('v20.20.2');
    expect(run.fanout).toHaveLength(3); // the floor's line is not a harness line
    expect(run.tcpFloor.map((f) => [f['pushes'], f['cpu_ms_per_push_per_s']])).toEqual([['5', '0.912']]);
    expect(run.ts.map((l) => l.system)).toEqual(['project', 'ffmpeg']);
    expect(run.floor?.['cpu_ms_per_push_per_s']).toBe('7.920');
    expect(run.idle).toHaveLength(6);
    expect(run.profile.map((p) => p.system)).toEqual(['project', 'nginx']);
    expect(run.capacity).toEqual([]);
  });
});

describe('targets', () => {
  it('judges each target from the same run, and says when a figure was not measured', () => {
    const t = targets(readRun(sample));
    expect(t[0]).toMatchObject({ sluice: '– (no N=20 run)', result: 'not measured' });
    expect(t[3]).toMatchObject({
      sluice: '13.774',
      ratio: '1.89×',
      result: '**missed** by 10.134 ms (3.78× the limit)',
    });
    expect(t[4]!.result).toBe('**missed** by 2.316 ms (3.32× the limit)');
    expect(t[5]!.result).toBe('met (31.281 ms to spare)');
    expect(t[6]!.sluice).toContain('3.33 ms/s, 61.7 MB');
    expect(t[6]!.result).toContain('– (RSS fell by 67.6 kB each: a GC) per ready push'); // never a negative cost
  });

  it('compares CPU with nginx-rtmp and RSS with 64 MB at N=20 and N=100', () => {
    const run = variant({
      'fanout.txt': [
        line('project', 20, 1.528, 92.1),
        line('nginx', 20, 0.328, 15.9),
        line('project', 100, 0.25, 60.5),
        line('nginx', 100, 0.271, 17.4),
        'tcp-write-floor pushes=20 seconds=30.0 messages=2200 cpu_ms_per_push_per_s=0.301 user=0.1 system=0.2 rc=0',
        'tcp-write-floor pushes=100 FAILED rc=124',
      ].join('\n'),
    });
    const t = targets(run);
    expect(t[0]).toMatchObject({
      sluice: '1.528',
      peer: '0.328 (Node write floor 0.301)',
      ratio: '4.66×',
      result: '**missed** by 1.200 ms (4.66× the limit)',
    });
    expect(t[1]).toMatchObject({
      peer: '0.271 (Node write floor –)',
      ratio: '0.92×',
      result: 'met (0.021 ms to spare)',
    });
    const text = render(run);
    expect(text).toContain('| Node write floor | 20 | 0.301 (user 0.1, system 0.2) | 0.92× | – | 2200 messages × 20 |');
    expect(text).toContain('| Node write floor | 100 | – (floor failed) |');
    expect(t[2]).toMatchObject({ sluice: '60.5 MB', result: 'met (3.5 MB to spare)' });
  });

  it('shows a failed, timed-out or skipped step as such, never as a number', () => {
    const run = variant({
      'steps.tsv': stepsTsv([
        'fanout\ttimeout\t124\t435\t435',
        'latency\tfailed\t1\t20\t110',
        'tsfanout\tok\t0\t33\t224',
      ]),
      'fanout.txt': 'project 20 30 FAILED rc=1 rc=1\n',
      'latency.txt': 'project 5 10 FAILED rc=1\n',
      'tsfanout.txt':
        'project 5 8 FAILED rc=1\nffmpeg 5 8 cpu_s=0.31 cpu_ms_per_push_per_s=7.280 rc=0\nudp-send-floor FAILED rc=1\n',
      'idle.txt': '',
      'chunking.json': '{ truncated',
      'profile.txt': '',
      'profile.skipped': 'profile: skipped, perf is not installed (Debian: linux-perf)\n',
    });
    const t = targets(run);
    expect(t[0]!.sluice).toBe('– (timed out after 435 s)');
    expect(t[0]!.result).toBe('not measured');
    expect(t[3]!.sluice).toBe('– (no figure)');
    expect(t[3]!.peer).toBe('7.280 (Node dgram floor –)');
    expect(t[4]!.sluice).toBe('– (failed (rc 1))');
    expect(t[6]!.sluice).toBe('– (not run)');
    const text = render(run);
    expect(text).toContain('| Sluice | 20 | – (harness failed, rc 1) |');
    expect(text).toContain('| CPU ms per push per media-s | – (failed, rc 1) | 7.280 | – (floor failed) |');
    expect(text).toContain('### RTMP chunking and fan-out (rtmp-chunking.ts)\n\n– (not run)');
    expect(text).toContain('profile: skipped, perf is not installed');
    expect(text).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('rendering', () => {
  it('renders one section between the markers with tables of even width', () => {
    const text = render(readRun(sample));
    expect(text.startsWith(BEGIN)).toBe(true);
    expect(text.endsWith(END)).toBe(true);
    expect(text).not.toMatch(/NaN|undefined|Infinity/);
    expect(text).not.toContain('/work/wt/bench15/'); // paths relative to the repository root
    expect(text).toContain('| Sluice | 5 | 6.152 (6.028) | 8.13× | 82.2 | 5/5 | 0.999 | 0.76 | 5.5 |');
    expect(text).toContain('| nginx-rtmp | 5 | 0.757 (0.856) |  | 15.7 | 0/5 (rc 3) |');
    expect(text).toContain(
      '| Node write floor | 5 | 0.912 (user 0.401, system 0.511) | 1.20× | – | 740 messages × 5 |',
    );
    expect(text).toContain('| sendto/sendmsg syscalls | 0.0 | 40.0 |');
    let columns = 0;
    for (const row of text.split('\n')) {
      if (!row.startsWith('|')) {
        columns = 0;
        continue;
      }
      const n = row.split(' | ').length;
      if (columns === 0) columns = n;
      expect(n, row).toBe(columns);
    }
  });

  it('inserts the section after the title the first time, then replaces only it', () => {
    const doc = '# Benchmarks\n\n## media: FLV reader\n\ntext\n';
    const once = replaceSection(doc, `${BEGIN}\nfirst\n${END}`);
    expect(once).toBe(`# Benchmarks\n\n${BEGIN}\nfirst\n${END}\n\n## media: FLV reader\n\ntext\n`);
    const twice = replaceSection(once, `${BEGIN}\nsecond\n${END}`);
    expect(twice).toBe(once.replace('first', 'second'));
    expect(() => replaceSection(`# B\n${BEGIN}\n`, `${BEGIN}\nx\n${END}`)).toThrow(/markers/);
  });
});

describe('perf-summary', () => {
  const samples = parsePerfScript(readFileSync(new URL('./testdata/perf-script.txt', import.meta.url), 'utf8'));

  it('parses pid/tid headers and frames (symbols with spaces and parentheses)', () => {
    expect(samples).toHaveLength(12);
    expect(samples[0]!.frames[0]).toEqual({
      sym: 'v8::internal::(anonymous namespace)::IterateObjectCache',
      dso: '/usr/bin/node',
    });
  });

  it('summarises kernel share, syscalls, GC and the top inclusive entries', () => {
    const s = summarise('project', samples, 4);
    expect(s.samples).toBe(12);
    expect(s.kernelPct).toBe(83.3);
    expect(s.mainThreadPct).toBe(100);
    const share = (name: string): number | undefined => s.shares.find((x) => x.name === name)?.pct;
    expect(share('write/writev syscalls')).toBe(16.7); // ksys_write: __x64_sys_write is inlined on 6.9+
    expect(share('read/recv syscalls')).toBe(58.3);
    expect(share('GC on the main thread')).toBeGreaterThan(0);
    expect(s.top).toHaveLength(4);
    // the read chain (ksys_read … tcp_recvmsg_locked) is one entry, named by its frame nearest the leaf
    expect(s.top[0]).toEqual({ symbol: 'tcp_recvmsg_locked', pct: 58.3, selfPct: 8.3, same: 6 });
    expect(s.top.map((t) => t.symbol)).toContain('[JIT code]'); // a JIT frame without a name in the map
    for (const root of ['node::Start', 'uv__io_poll', 'uv_run']) expect(s.top.map((t) => t.symbol)).not.toContain(root);
  });
});
