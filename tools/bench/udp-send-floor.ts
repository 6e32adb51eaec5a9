/**
 * The floor of MPEG-TS/UDP fan-out in Node: what N connected `dgram` sockets cost when
 * they do nothing but send 1316-byte datagrams (views of one prepared buffer, no muxing,
 * no ingest, no callbacks) at a stream's rate, batched on a 4 ms timer as the TsPacer
 * does. Receivers are plain UDP sockets read in a loop by a child process (not counted).
 * CPU = this process's user + system time over the window, per push per media second:
 * the same unit as `../shared/bench/tsfanout.py`, so the figure sits beside Sluice's and
 * ffmpeg tee's there. The system share is the kernel's sendto() (on loopback it also
 * delivers to the receiver's queue).
 *
 * Usage: node --import tsx tools/bench/udp-send-floor.ts [--pushes N] [--seconds S] [--mbps R]
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { arg } from './process-usage.js';

const pushes = Number(arg('pushes', '20'));
const seconds = Number(arg('seconds', '20'));
const mbps = Number(arg('mbps', '5'));
const DATAGRAM = 1316;
const perSecond = (mbps * 1e6) / 8 / DATAGRAM;

const receiverSource = `
const dgram = require('node:dgram');
const n = Number(process.argv[1]); const ports = []; let bound = 0;
for (let i = 0; i < n; i++) {
  const s = dgram.createSocket('udp4');
  s.on('message', () => {});
  s.bind(0, '127.0.0.1', () => { ports[i] = s.address().port; if (++bound === n) process.stdout.write(ports.join(' ') + '\\n'); });
}`;

const receiver = spawn(process.execPath, ['-e', receiverSource, String(pushes)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ports = await new Promise<number[]>((resolve) =>
  receiver.stdout.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').map(Number))),
);
const sockets: Socket[] = [];
for (const port of ports) {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.connect(port, '127.0.0.1', resolve));
  sockets.push(s);
}
const ring = 1024;
const bytes = new Uint8Array(DATAGRAM * ring).fill(0xff);
for (let o = 0; o < bytes.length; o += 188) bytes[o] = 0x47;

const started = performance.now();
const usage0 = process.cpuUsage();
let sent = 0;
let k = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const elapsed = performance.now() - started;
    const due = Math.floor((elapsed / 1000) * perSecond);
    for (const s of sockets) {
      for (let j = sent; j < due; j++) s.send(new Uint8Array(bytes.buffer, (k++ % ring) * DATAGRAM, DATAGRAM));
    }
    sent = due;
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, 4);
});
const usage = process.cpuUsage(usage0);
const cpuMs = (usage.user + usage.system) / 1000;
const media = (performance.now() - started) / 1000;
process.stdout.write(
  `udp-send-floor pushes=${pushes} seconds=${media.toFixed(1)} mbps=${mbps} datagrams=${sent * pushes} ` +
    `cpu_ms_per_push_per_s=${(cpuMs / pushes / media).toFixed(3)} user=${(usage.user / 1000 / pushes / media).toFixed(3)} ` +
    `system=${(usage.system / 1000 / pushes / media).toFixed(3)}\n`,
);
for (const s of sockets) s.close();
receiver.kill();
