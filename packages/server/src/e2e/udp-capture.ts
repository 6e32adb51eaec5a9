/**
 * Plain UDP receivers for the pacing e2e test, in child processes (so that the server's
 * event loop does not read for them): one socket per port with the kernel's default
 * receive buffer, one recv loop ('message'), every datagram kept with its arrival time
 * (epoch ms). On SIGTERM it writes `p<i>.ts` (the datagrams) and `p<i>.times` (Float64
 * pairs: arrival ms, size) into its folder. And what the test measures on a capture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsDemuxer, type TsStreamStats } from '@sluice/mpegts';
import { startProcess, waitFor, type PeerProcess } from '@sluice/test-support';

const RECEIVER = `
const dgram = require('node:dgram');
const fs = require('node:fs');
const n = Number(process.argv[1]);
const dir = process.argv[2];
const first = Number(process.argv[3]);
const caps = [];
let bound = 0;
for (let i = 0; i < n; i++) {
  const s = dgram.createSocket('udp4');
  const c = { chunks: [], times: [], port: 0 };
  caps.push(c);
  s.on('message', (m) => {
    c.times.push(performance.timeOrigin + performance.now(), m.length);
    c.chunks.push(m);
  });
  s.bind(0, '127.0.0.1', () => {
    c.port = s.address().port;
    if (++bound === n) console.log(JSON.stringify(caps.map((x) => x.port)));
  });
}
process.on('SIGTERM', () => {
  caps.forEach((c, i) => {
    fs.writeFileSync(dir + '/p' + (first + i) + '.ts', Buffer.concat(c.chunks));
    fs.writeFileSync(dir + '/p' + (first + i) + '.times', Buffer.from(new Float64Array(c.times).buffer));
  });
  process.exit(0);
});
`;

/** A child process receiving on `ports`. */
export interface UdpCaptures {
  ports: number[];
  /** Stops the receivers; their captures are then in `dir`. */
  stop: () => Promise<void>;
}

/**
 * Starts `n` receivers writing into `dir`, `perProcess` sockets per child process (each
 * destination of a real fan-out is its own device; on a loaded 2-core machine one process
 * reading 20 streams is the bottleneck, not the sender).
 */
export async function startUdpCaptures(n: number, dir: string, perProcess = 5): Promise<UdpCaptures> {
  const children: PeerProcess[] = [];
  const ports: number[] = [];
  for (let first = 0; first < n; first += perProcess) {
    const count = Math.min(perProcess, n - first);
    const p = startProcess(process.execPath, ['-e', RECEIVER, String(count), dir, String(first)]);
    children.push(p);
    await waitFor(() => p.stdout().includes(']'), 10_000, 'udp receivers bound');
    ports.push(...(JSON.parse(p.stdout().split('\n')[0]!) as number[]));
  }
  return {
    ports,
    stop: async () => {
      await Promise.all(children.map((p) => p.stop(10_000)));
    },
  };
}

/** What one receiver saw. */
export interface CaptureFigures {
  file: string;
  bytes: number;
  datagrams: number;
  stats: TsStreamStats;
  /** Epoch ms of the first datagram. */
  firstAt: number;
  /** Most bytes received within any 10 ms. */
  maxBytesPer10Ms: number;
  /** From the first datagram until the stream's PCR clock stopped running ahead of the wall clock (within 50 ms). */
  catchUpMs: number;
}

/** Reads capture `i` of `dir` and measures it. */
export function measureCapture(dir: string, i: number): CaptureFigures {
  const file = join(dir, `p${i}.ts`);
  const data = new Uint8Array(readFileSync(file));
  const raw = readFileSync(join(dir, `p${i}.times`));
  const times = new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
  const demuxer = new TsDemuxer({ onTracks: () => undefined, onPacket: () => undefined, onError: () => undefined });
  demuxer.push(data);
  demuxer.end();
  let maxBytes = 0;
  let from = 0;
  let inWindow = 0;
  for (let k = 0; k < times.length; k += 2) {
    inWindow += times[k + 1]!;
    while (times[k]! - times[from]! >= 10) {
      inWindow -= times[from + 1]!;
      from += 2;
    }
    if (inWindow > maxBytes) maxBytes = inWindow;
  }
  return {
    file,
    bytes: data.length,
    datagrams: times.length / 2,
    stats: demuxer.stats,
    firstAt: times[0] ?? Number.NaN,
    maxBytesPer10Ms: maxBytes,
    catchUpMs: catchUp(data, times),
  };
}

/** 2^33 ticks of 90 kHz, in ms: where PCR bases wrap. */
const PCR_WRAP_MS = 2 ** 33 / 90;

/** PCR (ms) of the first PCR-carrying packet in each datagram paired with its arrival; then where the lead settles. */
function catchUp(data: Uint8Array, times: Float64Array): number {
  const points: Array<[number, number]> = [];
  let offset = 0;
  for (let k = 0; k < times.length; k += 2) {
    const size = times[k + 1]!;
    for (let o = offset; o + 188 <= offset + size; o += 188) {
      const afc = (data[o + 3]! >> 4) & 3;
      if (!(afc & 2) || data[o + 4]! < 7 || !(data[o + 5]! & 0x10)) continue;
      const base =
        data[o + 6]! * 2 ** 25 +
        data[o + 7]! * 2 ** 17 +
        data[o + 8]! * 2 ** 9 +
        data[o + 9]! * 2 +
        (data[o + 10]! >> 7);
      // unwrapped (a push's timeline starts near 0 and its first PCRs, pcrDelayMs behind, wrap at 2^33)
      const prev = points.length > 0 ? points[points.length - 1]![1] : Number.NaN;
      let ms = base / 90;
      while (ms - prev < -PCR_WRAP_MS / 2) ms += PCR_WRAP_MS;
      while (ms - prev > PCR_WRAP_MS / 2) ms -= PCR_WRAP_MS;
      points.push([times[k]!, ms]);
      break;
    }
    offset += size;
  }
  if (points.length < 2) return Number.NaN;
  const [w0, p0] = points[0]!;
  const lead = points.map(([w, p]) => p - p0 - (w - w0));
  const final = lead[lead.length - 1]!;
  const at = lead.findIndex((l) => l >= final - 50);
  return points[at]![0] - w0;
}
