/**
 * Observability cost: the CPU of a Sluice server relaying one RTMP ingest to N RTMP pushes,
 * with `/metrics` scraped every second (as a Prometheus with `scrape_interval: 1s` would)
 * and without, alternating windows on the same running server so drift and the shared
 * machine's load fall on both alike. CPU = utime + stime of the server process (/proc) per
 * window; the scraper is this process, so its own CPU is not counted. One JSON line per
 * window, then a summary line.
 *
 * Usage: node --import tsx tools/bench/metrics-cost.ts [--pushes N] [--window S] [--rounds R]
 *          [--interval MS] [--file F.flv]
 * Needs ffmpeg and nginx with the RTMP module (the destination, not recording); the server
 * is run from dist (pnpm build first).
 */
import { existsSync } from 'node:fs';
import { removeNginxDir, startNginxRtmp, startProcess, waitFor } from '@sluice/test-support';
import { arg, cpuSeconds, rssMb } from './process-usage.js';
import { startSluiceCli } from './sluice-cli.js';

const pushes = Number(arg('pushes', '100'));
const windowS = Number(arg('window', '20'));
const rounds = Number(arg('rounds', '3'));
const intervalMs = Number(arg('interval', '1000'));
const file = arg('file', 'bench-out/bench-300s-5mbps.flv');
if (!existsSync(file)) throw new Error(`${file} is missing: tools/make-fixtures.sh bench ${file}`);

interface Window {
  scraped: boolean;
  seconds: number;
  cpuSeconds: number;
  scrapes: number;
  scrapeBytes: number;
  scrapeMs: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2 === 1
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const destination = await startNginxRtmp({ apps: ['live'], record: false });
const cli = await startSluiceCli();
const pid = cli.process.child.pid as number;
const metricsUrl = `http://127.0.0.1:${cli.apiPort}/metrics`;
try {
  await cli.startRtmpPushes(pushes, destination.url('live'));
  const source = startProcess('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-re', '-stream_loop', '-1', '-i', file],
    ...['-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${cli.rtmpPort}/app/src`],
  ]);
  const list = async (): Promise<Array<{ state: string; totalsentBytes: number }>> => {
    const res = await fetch(`${cli.api}:pushes`, { method: 'POST', headers: cli.auth });
    return ((await res.json()) as { response: Array<{ state: string; totalsentBytes: number }> }).response;
  };
  await waitFor(
    async () => (await list()).filter((p) => p.state === 'pushing').length === pushes,
    60_000,
    `${pushes} pushes pushing`,
    500,
  );
  await sleep(5000); // warm-up: every push past its GOP burst, the JIT settled

  const scrapeOnce = async (w: Window): Promise<void> => {
    const t0 = performance.now();
    const res = await fetch(metricsUrl, { headers: cli.auth });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`/metrics: ${res.status} ${text.slice(0, 200)}`);
    w.scrapeMs.push(performance.now() - t0);
    w.scrapes++;
    w.scrapeBytes = text.length;
  };
  const windows: Window[] = [];
  for (let round = 0; round < rounds; round++) {
    // alternate which comes first, so a trend in the machine's load does not favour one
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const scraped of order) {
      const w: Window = { scraped, seconds: 0, cpuSeconds: 0, scrapes: 0, scrapeBytes: 0, scrapeMs: [] };
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      const timer = scraped ? setInterval(() => void scrapeOnce(w), intervalMs) : undefined;
      if (scraped) await scrapeOnce(w);
      await sleep(windowS * 1000);
      clearInterval(timer);
      w.cpuSeconds = cpuSeconds(pid) - cpu0;
      w.seconds = (performance.now() - t0) / 1000;
      windows.push(w);
      console.log(
        JSON.stringify({
          round: round + 1,
          scraped,
          seconds: Number(w.seconds.toFixed(2)),
          cpuPercent: Number(((100 * w.cpuSeconds) / w.seconds).toFixed(2)),
          cpuMsPerPushPerS: Number(((1000 * w.cpuSeconds) / w.seconds / pushes).toFixed(4)),
          scrapes: w.scrapes,
          scrapeBytes: w.scrapeBytes,
          scrapeMsMedian: Number(median(w.scrapeMs).toFixed(1)),
          rssMb: Number(rssMb(pid).toFixed(0)),
        }),
      );
      await sleep(1000); // a scrape still answering belongs to no window
    }
  }
  const pct = (ws: Window[]): number[] => ws.map((w) => (100 * w.cpuSeconds) / w.seconds);
  const off = pct(windows.filter((w) => !w.scraped));
  const on = pct(windows.filter((w) => w.scraped));
  const scrapedWindows = windows.filter((w) => w.scraped);
  const scrapes = scrapedWindows.reduce((n, w) => n + w.scrapes, 0);
  const extraCpuS =
    scrapedWindows.reduce((n, w) => n + w.cpuSeconds, 0) -
    (windows.filter((w) => !w.scraped).reduce((n, w) => n + w.cpuSeconds / w.seconds, 0) / off.length) *
      scrapedWindows.reduce((n, w) => n + w.seconds, 0);
  const final = await list();
  console.log(
    JSON.stringify({
      pushes,
      windowS,
      rounds,
      intervalMs,
      cpuPercentNotScraped: off.map((x) => Number(x.toFixed(2))),
      cpuPercentScraped: on.map((x) => Number(x.toFixed(2))),
      cpuMsPerPushPerSNotScraped: Number(((median(off) * 10) / pushes).toFixed(4)),
      cpuMsPerPushPerSScraped: Number(((median(on) * 10) / pushes).toFixed(4)),
      cpuMsPerScrape: Number(((1000 * extraCpuS) / scrapes).toFixed(2)),
      scrapeBytes: scrapedWindows.at(-1)?.scrapeBytes,
      scrapeMsMedian: Number(median(scrapedWindows.flatMap((w) => w.scrapeMs)).toFixed(1)),
      status: `${final.filter((p) => p.state === 'pushing').length}/${final.length} pushing, ${(final.reduce((n, p) => n + p.totalsentBytes, 0) / 1e9).toFixed(2)} GB sent`,
    }),
  );
  await source.stop(5000, 'SIGINT');
} finally {
  await cli.stop(5000, 'SIGINT');
  await destination.stop();
  removeNginxDir(destination);
}
