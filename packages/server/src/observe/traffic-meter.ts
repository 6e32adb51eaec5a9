/**
 * TrafficMeter: bit rates without per-packet work. Once a second it reads the byte
 * counters the pushes and streams keep anyway (a push's `totalsentBytes`, a stream's
 * socket bytes) and keeps the last few samples of each: the bit rate is the change over
 * the window (~5 s). It also notes when each counter last moved (`lastSentTime`,
 * `lastRecvTime` of the stats, to the second). Things that are gone leave with the next sample.
 */

/** One counter read at one time. */
interface Sample {
  at: number;
  bytes: number;
}

/** The samples of one counter, oldest first. */
interface Series {
  samples: Sample[];
  /** When the counter last grew (0: never seen growing). */
  movedAt: number;
}

/** What a sample reads: key → byte counter, for pushes and for streams. */
export interface TrafficReading {
  pushes: Iterable<readonly [string, number]>;
  streams: Iterable<readonly [string, number]>;
}

/** Options of TrafficMeter. */
export interface TrafficMeterOptions {
  /** Reads the counters. */
  read: () => TrafficReading;
  /** Milliseconds between samples (default 1000). */
  intervalMs?: number | undefined;
  /** Samples kept per counter (default 6: a 5 s window at 1 s). */
  windowSamples?: number | undefined;
  now?: (() => number) | undefined;
}

/** Samples byte counters once per interval and answers bit rates. */
export class TrafficMeter {
  private readonly pushes = new Map<string, Series>();
  private readonly streams = new Map<string, Series>();
  private readonly read: () => TrafficReading;
  private readonly intervalMs: number;
  private readonly windowSamples: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** When the last sample was taken (0 before the first). */
  lastSampleAt = 0;

  constructor(options: TrafficMeterOptions) {
    this.read = options.read;
    this.intervalMs = options.intervalMs ?? 1000;
    this.windowSamples = Math.max(2, options.windowSamples ?? 6);
    this.now = options.now ?? Date.now;
  }

  /** Starts sampling (idempotent). */
  start(): void {
    if (this.timer !== undefined) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample now. */
  sample(): void {
    const at = this.now();
    const reading = this.read();
    this.lastSampleAt = at;
    update(this.pushes, reading.pushes, at, this.windowSamples);
    update(this.streams, reading.streams, at, this.windowSamples);
  }

  /** Bit/s of a push over the window; undefined before two samples. */
  pushBitrate(key: string): number | undefined {
    return bitrate(this.pushes.get(key));
  }

  streamBitrate(key: string): number | undefined {
    return bitrate(this.streams.get(key));
  }

  /** When a push's byte count last grew (ms since the epoch), or 0. */
  pushMovedAt(key: string): number {
    return this.pushes.get(key)?.movedAt ?? 0;
  }

  streamMovedAt(key: string): number {
    return this.streams.get(key)?.movedAt ?? 0;
  }
}

function update(
  map: Map<string, Series>,
  reading: Iterable<readonly [string, number]>,
  at: number,
  keep: number,
): void {
  const seen = new Set<string>();
  for (const [key, bytes] of reading) {
    seen.add(key);
    let series = map.get(key);
    if (series === undefined) {
      series = { samples: [], movedAt: 0 };
      map.set(key, series);
    }
    const last = series.samples[series.samples.length - 1];
    if (last !== undefined && bytes < last.bytes) series.samples.length = 0; // the counter restarted
    if (last !== undefined && bytes > last.bytes) series.movedAt = at;
    series.samples.push({ at, bytes });
    if (series.samples.length > keep) series.samples.shift();
  }
  for (const key of map.keys()) if (!seen.has(key)) map.delete(key);
}

function bitrate(series: Series | undefined): number | undefined {
  if (series === undefined || series.samples.length < 2) return undefined;
  const first = series.samples[0] as Sample;
  const last = series.samples[series.samples.length - 1] as Sample;
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return undefined;
  return Math.round(((last.bytes - first.bytes) * 8) / seconds);
}

/** The meter's key of a stream: `vhost/app/name`. */
export function meterKey(ref: { vhost: string; app: string; name: string }): string {
  return `${ref.vhost}/${ref.app}/${ref.name}`;
}
