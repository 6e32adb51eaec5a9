/**
 * SRT push benchmark: the CPU one SRT push costs Sluice, beside srt-live-transmit (libsrt
 * 1.5, C++) carrying the same stream, in the same run. One live source (ffmpeg -re -c copy of
 * the 5 Mb/s benchmark FLV, looped), N receivers (srt-live-transmit listeners writing what they
 * get to a file, checked to have received > 1 MB each).
 * - peer: ffmpeg sends the stream as MPEG-TS over UDP (pkt_size 1316, tee to N ports) to N
 *   `srt-live-transmit udp://... srt://...` callers; measured: their CPU together.
 * - Sluice: the built CLI; ffmpeg publishes FLV over RTMP; measured twice in the same process:
 *   with no push (the ingest alone), then with N srt pushes (TS muxing + SRT). The difference
 *   is what the pushes cost.
 * CPU = utime + stime from /proc over a window after a warm-up. One JSON line per measurement.
 *
 * Usage: node --import tsx tools/bench/srt-push.ts [--pushes N] [--seconds S] [--passphrase P]
 *        [--pbkeylen 16|24|32] [--file F.flv]
 * Needs ffmpeg and srt-live-transmit; the server runs from dist (pnpm build first).
 */
import { closeSync, existsSync, mkdtempSync, openSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort, startProcess, type PeerProcess } from '@sluice/test-support';
import { arg, cpuSeconds, rssMb } from './process-usage.js';
import { startSluiceCli } from './sluice-cli.js';

const pushes = Number(arg('pushes', '1'));
const seconds = Number(arg('seconds', '20'));
const passphrase = arg('passphrase', '');
const pbkeylen = Number(arg('pbkeylen', '16'));
const file = arg('file', 'bench-out/bench-300s-5mbps.flv');
const warmupMs = 5000;
if (!existsSync(file)) throw new Error(`${file} is missing: tools/make-fixtures.sh bench ${file}`);
const dir = mkdtempSync(join(tmpdir(), 'sluice-srt-bench-'));
const secret = passphrase === '' ? '' : `&passphrase=${passphrase}&pbkeylen=${pbkeylen}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** N srt-live-transmit listeners, each writing what it receives to its own file. */
async function startReceivers(tag: string): Promise<{ ports: number[]; files: string[]; procs: PeerProcess[] }> {
  const ports: number[] = [];
  const files: string[] = [];
  const procs: PeerProcess[] = [];
  for (let i = 0; i < pushes; i++) {
    const port = await freeUdpPort();
    const out = join(dir, `${tag}-${i}.ts`);
    const fd = openSync(out, 'w');
    procs.push(
      startProcess(
        'srt-live-transmit',
        ['-q', '-c', '1316', `srt://127.0.0.1:${port}?mode=listener&latency=120${secret}`, 'file://con'],
        { stdio: ['ignore', fd, 'pipe'] },
      ),
    );
    closeSync(fd);
    ports.push(port);
    files.push(out);
  }
  await sleep(500);
  return { ports, files, procs };
}

const receivedMb = (files: string[]): string =>
  `${files.filter((f) => statSync(f).size > 1e6).length}/${files.length} receivers got > 1 MB (${(
    files.reduce((n, f) => n + statSync(f).size, 0) / 1e6
  ).toFixed(0)} MB)`;

/** CPU of `pids` together over the window; prints one JSON line. */
async function measure(name: string, pids: number[], status: () => string | Promise<string>): Promise<number> {
  const cpu0 = pids.reduce((n, p) => n + cpuSeconds(p), 0);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = pids.reduce((n, p) => n + cpuSeconds(p), 0) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const percent = (100 * cpu) / wall;
  console.log(
    JSON.stringify({
      relay: name,
      pushes,
      encrypted: passphrase !== '',
      seconds: Number(wall.toFixed(2)),
      cpuSeconds: Number(cpu.toFixed(2)),
      cpuPercent: Number(percent.toFixed(1)),
      rssMb: Number(pids.reduce((n, p) => n + rssMb(p), 0).toFixed(0)),
      status: await status(),
    }),
  );
  return percent;
}

const source = (output: string[]): PeerProcess =>
  startProcess('ffmpeg', ['-nostdin', '-v', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', ...output]);

// peer: ffmpeg -> UDP TS -> N srt-live-transmit callers -> N listeners
{
  const rx = await startReceivers('slt');
  const udpPorts: number[] = [];
  const relays: PeerProcess[] = [];
  for (let i = 0; i < pushes; i++) {
    const udp = await freeUdpPort();
    udpPorts.push(udp);
    relays.push(
      startProcess('srt-live-transmit', [
        '-q',
        '-c',
        '1316',
        `udp://127.0.0.1:${udp}`,
        `srt://127.0.0.1:${rx.ports[i]}?latency=120${secret}`,
      ]),
    );
  }
  await sleep(500);
  const tee = udpPorts.map((p) => `[f=mpegts:onfail=ignore]udp://127.0.0.1:${p}?pkt_size=1316`).join('|');
  const src = source(['-map', '0', '-bsf:v', 'h264_mp4toannexb', '-f', 'tee', tee]);
  await sleep(warmupMs);
  await measure(
    'srt-live-transmit (udp -> srt)',
    relays.map((r) => r.child.pid as number),
    () => receivedMb(rx.files),
  );
  await src.stop(5000, 'SIGINT');
  for (const p of [...relays, ...rx.procs]) await p.stop(2000);
}

// Sluice: the built CLI, the ingest alone, then with N srt pushes
{
  const cli = await startSluiceCli();
  const { api, auth } = cli;
  const sluice = cli.process;
  const src = source(['-f', 'flv', `rtmp://127.0.0.1:${cli.rtmpPort}/app/src`]);
  await sleep(warmupMs);
  const pid = sluice.child.pid as number;
  const ingest = await measure('sluice, ingest alone', [pid], () => 'no push');
  const rx = await startReceivers('sluice');
  for (let i = 0; i < pushes; i++) {
    await cli.startPush({
      id: `p${i}`,
      stream: { name: 'src' },
      protocol: 'srt',
      url: `srt://127.0.0.1:${rx.ports[i]}?latency=120000${secret}`,
    });
  }
  await sleep(warmupMs);
  const withPushes = await measure('sluice, ingest + srt pushes', [pid], async () => {
    const res = await fetch(`${api}:pushes`, { method: 'POST', headers: auth });
    const list = (
      (await res.json()) as {
        response: Array<{ state: string; totalsentBytes: number; retransmittedPackets?: number }>;
      }
    ).response;
    const pushing = list.filter((p) => p.state === 'pushing').length;
    const mb = list.reduce((n, p) => n + p.totalsentBytes, 0) / 1e6;
    const rexmit = list.reduce((n, p) => n + (p.retransmittedPackets ?? 0), 0);
    return `${pushing}/${list.length} pushing, ${mb.toFixed(0)} MB sent, ${rexmit} retransmitted, ${receivedMb(rx.files)}`;
  });
  console.log(
    JSON.stringify({ relay: 'sluice, per srt push', cpuPercent: Number(((withPushes - ingest) / pushes).toFixed(2)) }),
  );
  await src.stop(5000, 'SIGINT');
  await cli.stop(5000, 'SIGINT');
  for (const p of rx.procs) await p.stop(2000);
}
