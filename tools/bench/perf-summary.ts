/**
 * Summarises one `perf record -g -p PID` capture for `pnpm bench`'s profile step: reads
 * `perf script -F pid,tid,ip,sym,dso` on stdin and prints one JSON line (a `PerfSummary`):
 * samples, kernel vs user share (by each sample's leaf frame), main thread vs the other
 * threads (Node: V8's workers for concurrent GC and compilation, libuv's pool), named
 * inclusive shares (write/sendto syscalls, the scheduler, softirq, GC on the main thread),
 * JavaScript's own time (leaf in JIT code or a V8 builtin) and the top inclusive entries.
 *
 * Usage: perf script -i perf.data -F pid,tid,ip,sym,dso | node --import tsx tools/bench/perf-summary.ts SYSTEM
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PerfShare {
  name: string;
  /** % of all samples */
  pct: number;
}

export interface PerfTopEntry {
  symbol: string;
  /** inclusive: % of samples with this symbol anywhere on the stack */
  pct: number;
  /** % of samples with this symbol as the leaf */
  selfPct: number;
  /** how many more symbols were on exactly the same samples (one call chain) */
  same: number;
}

export interface PerfSummary {
  system: string;
  samples: number;
  kernelPct: number;
  userPct: number;
  mainThreadPct: number;
  otherThreadsPct: number;
  shares: PerfShare[];
  top: PerfTopEntry[];
}

interface Frame {
  sym: string;
  dso: string;
}

interface Sample {
  pid: number;
  tid: number;
  /** leaf first */
  frames: Frame[];
}

/** Inclusive shares by symbol: a sample counts once if any frame matches. */
const INCLUSIVE: Array<[string, RegExp, 'all' | 'main']> = [
  // x86-64 since 6.9 dispatches through x64_sys_call with __x64_sys_* inlined: match the ksys_/__sys_ frames too
  ['write/writev syscalls', /^(__x64_sys_write|__x64_sys_writev|ksys_write|do_writev)$/, 'all'],
  [
    'sendto/sendmsg syscalls',
    /^(__x64_sys_sendto|__sys_sendto|__x64_sys_sendmsg|__sys_sendmsg|__sys_sendmmsg)$/,
    'all',
  ],
  ['read/recv syscalls', /^(__x64_sys_read|ksys_read|__x64_sys_readv|do_readv|__sys_recvfrom|__sys_recvmsg)$/, 'all'],
  ['epoll_wait', /^(__x64_sys_epoll_wait|__x64_sys_epoll_pwait|do_epoll_wait)$/, 'all'],
  ['scheduler (__schedule)', /^__schedule$/, 'all'],
  ['softirq (loopback delivery)', /^(__do_softirq|handle_softirqs)$/, 'all'],
  [
    'GC on the main thread',
    /^v8::internal::(Heap::CollectGarbage|Heap::PerformGarbageCollection|ScavengerCollector::|MarkCompactCollector::|MinorMarkCompactCollector::)/,
    'main',
  ],
];

/** Stack roots, the event loop and Node's way into a JS callback: on (nearly) every sample, they say nothing. */
const GENERIC = new RegExp(
  '^(' +
    [
      '\\[unknown\\]|0x[0-9a-f]+|_start|__libc_start_main.*|__libc_start_call_main|main|start_thread|clone3?|__clone3?',
      'entry_SYSCALL_64_after_hwframe|do_syscall_64|x64_sys_call',
      'node::Start|node::NodeMainInstance::Run|node::SpinEventLoop.*|uv_run|uv__io_poll|uv__stream_io|uv__read|uv__async_io.*',
      'node::LibuvStreamWrap::OnUvRead|node::LibuvStreamWrap::ReadStart.*|node::EmitToJSStreamListener::OnStreamRead|node::StreamBase::CallJSOnreadMethod',
      'node::InternalMakeCallback|node::MakeCallback|node::AsyncWrap::MakeCallback|node::InternalCallbackScope::.*',
      'v8::Function::Call|v8::internal::\\(anonymous namespace\\)::Invoke|v8::internal::Execution::Call',
      'Builtins_JSEntry|Builtins_JSEntryTrampoline|Builtins_Call_ReceiverIs.*|Builtins_CallFunction_ReceiverIs.*',
      'ngx_worker_process_cycle|ngx_spawn_process|ngx_start_worker_processes|ngx_master_process_cycle',
      'ngx_process_events_and_timers|ngx_epoll_process_events',
    ].join('|') +
    ')$',
);

const isKernel = (f: Frame): boolean => f.dso === '[kernel.kallsyms]' || f.dso.startsWith('[kernel');
const isJit = (f: Frame): boolean => /perf-\d+\.map$/.test(f.dso) || f.sym.startsWith('JS:');

/** Parses `perf script -F pid,tid,ip,sym,dso` output (with call chains). */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  let current: Sample | undefined;
  for (const line of text.split('\n')) {
    const head = /^\s*(\d+)\/(\d+)\s*$/.exec(line);
    if (head) {
      current = { pid: Number(head[1]), tid: Number(head[2]), frames: [] };
      samples.push(current);
      continue;
    }
    const frame = /^\s+[0-9a-f]+ (.*) \(([^()]*)\)$/.exec(line);
    if (frame && current) current.frames.push({ sym: frame[1]!, dso: frame[2]! });
  }
  return samples;
}

const pct = (count: number, total: number): number => (total > 0 ? Math.round((1000 * count) / total) / 10 : 0);

export function summarise(system: string, samples: Sample[], topCount = 12): PerfSummary {
  const total = samples.length;
  let kernel = 0;
  let main = 0;
  let jit = 0;
  let builtins = 0;
  const named = INCLUSIVE.map(() => 0);
  const inclusive = new Map<string, { count: number; self: number; depth: number; samples: number }>();
  for (const [index, s] of samples.entries()) {
    const leaf = s.frames[0];
    const onMain = s.pid === s.tid;
    if (onMain) main++;
    if (leaf && isKernel(leaf)) kernel++;
    if (leaf && isJit(leaf)) jit++;
    if (leaf?.sym.startsWith('Builtins_')) builtins++;
    INCLUSIVE.forEach(([, re, where], i) => {
      if ((where === 'all' || onMain) && s.frames.some((f) => re.test(f.sym))) named[i]!++;
    });
    const seen = new Set<string>();
    s.frames.forEach((f, depth) => {
      const sym = isJit(f) && f.sym === '[unknown]' ? '[JIT code]' : f.sym;
      if (seen.has(sym)) return;
      seen.add(sym);
      const e = inclusive.get(sym) ?? { count: 0, self: 0, depth, samples: 0 };
      e.count++;
      e.samples += index + 1; // with the count: frames of one call chain are on the same samples
      if (depth === 0) e.self++;
      e.depth = Math.min(e.depth, depth);
      inclusive.set(sym, e);
    });
  }
  // Frames of one call chain are on the same samples: keep the one nearest the leaf, note the others.
  const sorted = [...inclusive.entries()]
    .filter(([sym]) => !GENERIC.test(sym))
    .sort((a, b) => b[1].count - a[1].count || a[1].samples - b[1].samples || a[1].depth - b[1].depth);
  const top: PerfTopEntry[] = [];
  let last: { count: number; samples: number } | undefined;
  for (const [sym, e] of sorted) {
    const previous = top[top.length - 1];
    if (previous && last && e.count === last.count && e.samples === last.samples) {
      previous.same++;
      continue;
    }
    if (top.length === topCount) break;
    last = e;
    top.push({ symbol: sym, pct: pct(e.count, total), selfPct: pct(e.self, total), same: 0 });
  }
  return {
    system,
    samples: total,
    kernelPct: pct(kernel, total),
    userPct: pct(total - kernel, total),
    mainThreadPct: pct(main, total),
    otherThreadsPct: pct(total - main, total),
    shares: [
      ...INCLUSIVE.map(([name], i) => ({ name, pct: pct(named[i]!, total) })),
      { name: 'JavaScript (leaf in JIT code)', pct: pct(jit, total) },
      { name: 'V8 builtins (leaf)', pct: pct(builtins, total) },
    ],
    top,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const system = process.argv[2] ?? 'unknown';
  process.stdout.write(`${JSON.stringify(summarise(system, parsePerfScript(readFileSync(0, 'utf8'))))}\n`);
}
