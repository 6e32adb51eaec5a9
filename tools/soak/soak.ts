/**
 * The soak: a real server in this process, `ingests` ffmpeg publishers, `pushes` pushes
 * (rtmp to nginx-rtmp, mpegts udp/tcp to receivers here, srt to srt-live-transmit) for
 * `minutes`, sampled every `sampleSeconds`; judged at the end (criteria in report.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ffmpegDecodeErrors, waitFor } from '@sluice/test-support';
import { pushMix, startDestinations, type PushKind } from './destinations.js';
import { processFigures, round, type ProcessFigures } from './process-figures.js';
import { startPublishers, startSoakServer, stopAllPushes, stopPublishers } from './soak-server.js';

export interface SoakOptions {
  minutes: number;
  ingests: number;
  pushes: number;
  /** Captures taken per push kind, at the start and at the end. */
  capturesPerKind: number;
  captureSeconds: number;
  sampleSeconds: number;
  /** Samples before this are left out of the RSS slope. */
  warmupSeconds: number;
  /** A full GC before each sample: its heap figure is what stays reachable (a short run's leak signal). */
  gcEachSample: boolean;
  log: (line: string) => void;
}

export const defaultSoakOptions: SoakOptions = {
  minutes: 30,
  ingests: 10,
  pushes: 100,
  capturesPerKind: 3,
  captureSeconds: 10,
  sampleSeconds: 10,
  warmupSeconds: 60,
  gcEachSample: false,
  log: () => undefined,
};

/** One sample: the process, the loop's lag in the last interval, every push. */
export interface SoakSample extends ProcessFigures {
  /** Seconds since every push was started. */
  t: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Bytes the receivers here (udp, tcp, srt) got in all. */
  receivedBytes: number;
  pushes: Array<{ id: string; state: string; sentBytes: number; sequence: number }>;
}

export interface CaptureResult {
  id: string;
  kind: PushKind;
  when: 'start' | 'end';
  file: string;
  bytes: number;
  /** What `ffmpeg -v error` printed decoding it (empty: clean). */
  errors: string;
}

export interface SoakRun {
  options: Omit<SoakOptions, 'log'>;
  mix: Record<PushKind, number>;
  startedAt: string;
  /** Before any peer started (server listening) and after everything stopped (server still listening). */
  before: ProcessFigures;
  after: ProcessFigures;
  samples: SoakSample[];
  /** The whole run after warm-up, ms. */
  lagP99Ms: number;
  captures: CaptureResult[];
  /** Pushes whose state was not `pushing` at the end, or whose bytes did not grow in the last interval. */
  notPushing: Array<{ id: string; state: string; why: string }>;
  /** Session restarts seen (sum of `sequence` at the end; the first session is 0). */
  restarts: number;
  /** Destinations here whose bytes did not grow in the last interval. */
  silentReceivers: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the soak; everything it starts is stopped before it resolves. */
export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakRun> {
  const o: SoakOptions = { ...defaultSoakOptions, ...partial };
  const work = mkdtempSync(join(tmpdir(), 'sluice-soak-captures-'));
  const server = await startSoakServer();
  await server.pushes(); // the API's first call opens what stays open
  await sleep(6000); // and its keep-alive connection closes after 4 s idle, as it will at the end
  const before = processFigures(true);
  const mix = pushMix(o.pushes);
  const names = Array.from({ length: o.ingests }, (_, i) => `s${i}`);
  const startedAt = new Date().toISOString();
  const destinations = await startDestinations(mix);
  const publishers = await startPublishers(server, names).catch(async (e: unknown) => {
    await destinations.close();
    throw e;
  });
  const interval = monitorEventLoopDelay({ resolution: 10 });
  const whole = monitorEventLoopDelay({ resolution: 10 });
  let wholeOn = false;
  const samples: SoakSample[] = [];
  const captures: CaptureResult[] = [];
  let notPushing: SoakRun['notPushing'] = [];
  let silentReceivers: string[] = [];
  let restarts = 0;
  try {
    const list = destinations.list;
    for (const [i, d] of list.entries()) {
      await server.startPush({ id: d.id, stream: { name: names[i % names.length] }, ...d.push });
    }
    o.log(`${list.length} pushes started (${JSON.stringify(mix)}), ${names.length} ingests live`);
    await waitFor(
      async () => (await server.pushes()).every((p) => p.state === 'pushing'),
      60_000,
      'every push pushing',
      250,
    ).catch((e: unknown) => o.log(String(e)));
    const t0 = Date.now();
    interval.enable();
    const chosen = (['rtmp', 'udp', 'tcp', 'srt'] as const).flatMap((k) =>
      list.filter((d) => d.kind === k).slice(0, o.capturesPerKind),
    );
    const capture = (when: 'start' | 'end'): Promise<void[]> =>
      Promise.all(
        chosen.map(async (d) => {
          const file = join(work, `${d.id}-${when}.${d.kind === 'rtmp' ? 'flv' : 'ts'}`);
          const bytes = await d.capture(file, o.captureSeconds);
          captures.push({ id: d.id, kind: d.kind, when, file, bytes, errors: '' });
        }),
      );
    const starting = capture('start');
    const endAt = t0 + o.minutes * 60_000;
    let ending: Promise<void[]> | undefined;
    let previous: Map<string, number> = new Map();
    for (let next = t0 + o.sampleSeconds * 1000; ; next += o.sampleSeconds * 1000) {
      if (ending === undefined && next >= endAt - (o.captureSeconds + 5) * 1000) ending = capture('end');
      await sleep(Math.max(0, next - Date.now()));
      const t = round((Date.now() - t0) / 1000, 1);
      if (t >= o.warmupSeconds && !wholeOn) wholeOn = whole.enable();
      const records = await server.pushes();
      const sample: SoakSample = {
        t,
        ...processFigures(o.gcEachSample),
        lagP99Ms: round(interval.percentile(99) / 1e6),
        lagMaxMs: round(interval.max / 1e6),
        receivedBytes: list.reduce((sum, d) => sum + (d.bytes() ?? 0), 0),
        pushes: records.map((p) => ({ id: p.id, state: p.state, sentBytes: p.sentBytes, sequence: p.sequence })),
      };
      interval.reset();
      samples.push(sample);
      const pushing = records.filter((p) => p.state === 'pushing').length;
      o.log(
        `t=${t}s rss=${sample.rssMb}MB heap=${sample.heapUsedMb}MB ext=${sample.externalMb}MB fds=${sample.fds} lag99=${sample.lagP99Ms}ms pushing=${pushing}/${records.length}`,
      );
      const received = new Map(list.map((d) => [d.id, d.bytes() ?? -1]));
      if (Date.now() >= endAt) {
        const sent = new Map((samples.at(-2)?.pushes ?? []).map((p) => [p.id, p.sentBytes]));
        notPushing = list.flatMap((d) => {
          const r = records.find((p) => p.id === d.id);
          if (r === undefined) return [{ id: d.id, state: 'absent', why: 'not listed' }];
          if (r.state !== 'pushing') return [{ id: d.id, state: r.state, why: r.lastError ?? '' }];
          if (r.sentBytes <= (sent.get(d.id) ?? 0) && r.sequence === 0)
            return [{ id: d.id, state: r.state, why: 'sentBytes did not grow' }];
          return [];
        });
        silentReceivers = list
          .filter((d) => d.bytes() !== undefined && (received.get(d.id) ?? 0) <= (previous.get(d.id) ?? 0))
          .map((d) => d.id);
        restarts = records.reduce((sum, p) => sum + p.sequence, 0);
        break;
      }
      previous = received;
    }
    await starting;
    await ending;
  } finally {
    interval.disable();
    whole.disable();
    await stopAllPushes(server).catch((e: unknown) => o.log(`stopping pushes: ${String(e)}`));
    await stopPublishers(publishers);
    await destinations.close();
  }
  for (const c of captures) {
    c.errors = c.bytes === 0 ? 'nothing captured' : (await ffmpegDecodeErrors(c.file)).trim();
  }
  // keep-alive connections of the API client close after 4 s of idleness
  await sleep(6000);
  const after = processFigures(true);
  await server.close();
  const { log: _log, ...options } = o;
  return {
    options,
    mix,
    startedAt,
    before,
    after,
    samples,
    lagP99Ms: round(whole.count > 0 ? whole.percentile(99) / 1e6 : 0),
    captures,
    notPushing,
    restarts,
    silentReceivers,
  };
}
