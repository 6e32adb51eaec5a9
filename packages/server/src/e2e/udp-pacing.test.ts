/**
 * End-to-end, issue #10 part 1: mpegts pushes to udp:// started on a live stream reach a
 * plain receiver (default SO_RCVBUF, one recv loop, in a child process) without loss.
 * A real ffmpeg publisher (720p30 2 Mbit/s and 1080p60 6 Mbit/s H.264 + AAC, made with
 * libx264 veryfast from testsrc2/sine, 13 s, published once with -re) is live for 3 s (mid-GOP) when the pushes
 * start: one push, then 20 at once. Each capture: 0 continuity errors (the join is a
 * PID's first packet, not an error), PCR gaps <= 40 ms, PAT/PMT gaps <= 100 ms, ffmpeg
 * decodes it without an error. Printed: the first datagram's delay after startPush, the
 * largest burst (bytes in any 10 ms) and the catch-up time (packages/mpegts/README.md).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithPeers,
  ffmpegDecodeErrors,
  ffmpegGenerate,
  startProcess,
  type GeneratedMedia,
  type PeerProcess,
} from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { stopFfmpeg } from './peers.js';
import { measureCapture, startUdpCaptures, type CaptureFigures } from './udp-capture.js';

const APP = '/v1/vhosts/default/apps/app';

interface Source {
  name: string;
  size: string;
  rate: number;
  bitrate: string;
}

const SOURCES: Source[] = [
  { name: 'p720', size: '1280x720', rate: 30, bitrate: '2M' },
  { name: 'p1080', size: '1920x1080', rate: 60, bitrate: '6M' },
];

describeWithPeers(['ffmpeg', 'ffprobe'], 'e2e: paced MPEG-TS over UDP to plain receivers (#10.1)', () => {
  let t: TestServer;
  const media = new Map<string, GeneratedMedia>();
  const publishers: PeerProcess[] = [];

  beforeAll(async () => {
    for (const s of SOURCES) {
      const args = [
        ...['-f', 'lavfi', '-i', `testsrc2=size=${s.size}:rate=${s.rate}`],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '13'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', String(2 * s.rate), '-keyint_min', String(2 * s.rate)],
        ...['-sc_threshold', '0', '-b:v', s.bitrate, '-maxrate', s.bitrate, '-bufsize', s.bitrate],
        ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-f', 'flv'],
      ];
      media.set(s.name, await ffmpegGenerate(`${s.name}.flv`, args, 300_000));
    }
    t = await startTestServer();
  }, 400_000);

  afterAll(async () => {
    for (const p of publishers) await stopFfmpeg(p);
    await t?.close();
  });

  /** Publishes `source` as stream `name`, starts `n` pushes 3 s later, captures ~7 s, returns the figures. */
  async function run(
    source: Source,
    name: string,
    n: number,
  ): Promise<{ figures: CaptureFigures[]; delays: number[] }> {
    const publisher = startProcess('ffmpeg', [
      // one pass of a 13 s file (longer than the test's window): no loop point in the capture
      ...['-nostdin', '-v', 'error', '-re', '-i', media.get(source.name)!.path],
      ...['-c', 'copy', '-f', 'flv', t.ingestUrl(name)],
    ]);
    publishers.push(publisher);
    await t.waitForLive(name);
    // mid-GOP (GOP 2 s): a push starts with the second of the GOP it joins, then catches up
    await sleep(3000);
    const dir = mkdtempSync(join(tmpdir(), `sluice-pacing-${name}-`));
    const rx = await startUdpCaptures(n, dir);
    const startedAt: number[] = [];
    const ids = rx.ports.map((_, i) => `${name}-${i}`);
    await Promise.all(
      rx.ports.map(async (port, i) => {
        startedAt[i] = performance.timeOrigin + performance.now();
        const answer = await t.api('POST', `${APP}:startPush`, {
          id: ids[i],
          stream: { name },
          protocol: 'mpegts',
          url: `udp://127.0.0.1:${port}`,
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      }),
    );
    await sleep(7000);
    for (const id of ids) await t.api('POST', `${APP}:stopPush`, { id });
    for (const id of ids) await t.waitForGone(id);
    await rx.stop();
    await stopFfmpeg(publisher);
    const figures = rx.ports.map((_, i) => measureCapture(dir, i));
    return { figures, delays: figures.map((f, i) => f.firstAt - startedAt[i]!) };
  }

  function report(label: string, r: { figures: CaptureFigures[]; delays: number[] }): void {
    const max = (xs: number[]): number => Math.max(...xs);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    console.log(
      `${label}: pushes=${r.figures.length} first datagram after startPush median ${median(r.delays).toFixed(1)} ms max ${max(r.delays).toFixed(1)} ms; ` +
        `largest burst ${max(r.figures.map((f) => f.maxBytesPer10Ms))} bytes/10 ms; ` +
        `catch-up median ${median(r.figures.map((f) => f.catchUpMs)).toFixed(0)} ms max ${max(r.figures.map((f) => f.catchUpMs)).toFixed(0)} ms; ` +
        `max PCR gap ${max(r.figures.map((f) => f.stats.maxPcrGapMs)).toFixed(1)} ms; max PAT gap ${max(r.figures.map((f) => f.stats.maxPatGapMs)).toFixed(1)} ms; ` +
        `cc errors ${r.figures.reduce((s, f) => s + f.stats.continuityErrors, 0)}; MB received median ${(median(r.figures.map((f) => f.bytes)) / 1e6).toFixed(2)}`,
    );
  }

  /** Transport checks on every capture; ffmpeg decodes the first, middle and last without an error. */
  async function check(r: { figures: CaptureFigures[]; delays: number[] }): Promise<void> {
    const median = [...r.figures.map((f) => f.bytes)].sort((a, b) => a - b)[r.figures.length >> 1]!;
    for (const [i, f] of r.figures.entries()) {
      expect(f.datagrams, f.file).toBeGreaterThan(100);
      expect(f.bytes, f.file).toBeGreaterThanOrEqual(0.75 * median); // the pushes are stopped one after the other
      expect(f.stats.continuityErrors, f.file).toBe(0);
      // the GOP the push joins with (~1 s) goes out at 2.5x the stream's rate: live within ~0.7 s
      expect(f.catchUpMs, f.file).toBeLessThan(4000);
      expect(f.stats.maxPcrGapMs, f.file).toBeLessThanOrEqual(40);
      expect(f.stats.maxPatGapMs, f.file).toBeLessThanOrEqual(100);
      expect(f.stats.maxPmtGapMs, f.file).toBeLessThanOrEqual(100);
      expect(f.stats.pesErrors + f.stats.esErrors + f.stats.syncLosses, f.file).toBe(0);
      // decoding 20 captures costs a minute of CPU: the first, middle and last
      if (i === 0 || i === r.figures.length >> 1 || i === r.figures.length - 1) {
        const errors = await ffmpegDecodeErrors(f.file);
        expect(errors, f.file).toBe('');
      }
    }
    // a loaded machine delays the first datagram, never by seconds
    for (const d of r.delays) expect(d).toBeLessThan(1500);
  }

  for (const source of SOURCES) {
    it(`${source.name}: one push started on the live stream`, { timeout: 120_000 }, async () => {
      const r = await run(source, `${source.name}-one`, 1);
      report(`${source.name} x1`, r);
      await check(r);
    });

    it(`${source.name}: 20 pushes started at once`, { timeout: 240_000 }, async () => {
      const r = await run(source, `${source.name}-twenty`, 20);
      report(`${source.name} x20`, r);
      await check(r);
    });
  }
});
