/**
 * The floor of RTMP fan-out in Node: what N connected `net.Socket`s cost when they do
 * nothing but write the source's messages at real time, one `socket.write()` per message
 * per socket, as Sluice's pushes do (no ingest, no parsing, no chunking, no per-push
 * state). The messages are the FLV tags of the harness's source (`big.flv`: one write of
 * the tag's bytes per tag, due at its timestamp; looped), so their count and sizes are
 * the fan-out's. Receivers are plain TCP sockets drained by a child process (not counted).
 * CPU = this process's user + system time over the window, per push per media second:
 * the unit of `../shared/bench/fanout.sh`, so the figure sits beside Sluice's and
 * nginx-rtmp's. On loopback the system share also carries the receiver's TCP input
 * (softirq in the sender's context), as it does for both servers.
 *
 * Usage: node --import tsx tools/bench/tcp-write-floor.ts --file big.flv [--pushes N] [--seconds S]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { arg } from './process-usage.js';

const file = arg('file', 'bench-out/fanout/big.flv');
const pushes = Number(arg('pushes', '20'));
const seconds = Number(arg('seconds', '20'));

/** One FLV tag: its bytes (a view of the file) and its timestamp in ms. */
interface Tag {
  bytes: Uint8Array;
  ms: number;
}

/** The audio and video tags of an FLV file, at most `maxMs` of them. */
function readTags(path: string, maxMs: number): Tag[] {
  const flv = readFileSync(path);
  if (flv.length < 13 || flv.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${path}: not an FLV file`);
  const tags: Tag[] = [];
  let at = flv.readUInt32BE(5) + 4; // DataOffset, then PreviousTagSize0
  while (at + 11 <= flv.length) {
    const type = flv[at]! & 0x1f; // TagType
    const size = flv.readUIntBE(at + 1, 3); // DataSize
    const ms = (flv.readUIntBE(at + 4, 3) | (flv[at + 7]! << 24)) >>> 0; // Timestamp + TimestampExtended
    if (at + 11 + size > flv.length) break;
    if (type === 8 || type === 9) tags.push({ bytes: flv.subarray(at, at + 11 + size), ms });
    if (ms > maxMs) break;
    at += 11 + size + 4; // the tag, then its PreviousTagSize
  }
  if (tags.length === 0) throw new Error(`${path}: no audio or video tags`);
  return tags;
}

const tags = readTags(file, seconds * 1000 + 1000);
const span = tags[tags.length - 1]!.ms - tags[0]!.ms + 40; // one loop of the file, ms

const receiverSource = `
const net = require('node:net');
const server = net.createServer((s) => { s.on('data', () => {}); s.on('error', () => {}); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));`;
const receiver = spawn(process.execPath, ['-e', receiverSource], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) =>
  receiver.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
);
const sockets: Socket[] = [];
for (let i = 0; i < pushes; i++) {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true); // as RtmpConnection does
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  sockets.push(s);
}

const started = performance.now();
const usage0 = process.cpuUsage();
let next = 0; // index of the next tag due, counting loops
let writes = 0;
let full = 0; // writes that found the socket's buffer above its highWaterMark
let bytes = 0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const elapsed = performance.now() - started;
    for (;;) {
      const tag = tags[next % tags.length]!;
      const due = Math.floor(next / tags.length) * span + tag.ms - tags[0]!.ms;
      if (due > elapsed) {
        if (elapsed >= seconds * 1000) return resolve();
        setTimeout(tick, Math.max(0, due - elapsed));
        return;
      }
      for (const s of sockets) if (!s.write(tag.bytes)) full++;
      writes += sockets.length;
      bytes += tag.bytes.length;
      next++;
    }
  };
  tick();
});
const usage = process.cpuUsage(usage0);
const media = (performance.now() - started) / 1000;
const per = (us: number): string => (us / 1000 / pushes / media).toFixed(3);
process.stdout.write(
  `tcp-write-floor pushes=${pushes} seconds=${media.toFixed(1)} messages=${next} writes=${writes} full=${full} ` +
    `mbps=${((bytes * 8) / media / 1e6).toFixed(2)} cpu_ms_per_push_per_s=${per(usage.user + usage.system)} ` +
    `user=${per(usage.user)} system=${per(usage.system)}\n`,
);
for (const s of sockets) s.destroy();
receiver.kill();
