/**
 * What one send costs on this machine, Node beside a plain C-library caller (Python's
 * socket.send, tools/bench/tcp-send-cost.py, the same pattern): N connected loopback
 * sockets, every 10 ms one write of SIZE bytes to each, ROUNDS times, into a draining child
 * (not counted). Prints user and system µs per write of this process. Modes: `write`
 * (net.Socket.write of a Buffer), `u8` (of a plain Uint8Array: Node wraps it in a Buffer).
 *
 * Usage: node tools/bench/tcp-send-cost.mjs [--pushes 100] [--rounds 300] [--size 8000] [--mode write|u8]
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const pushes = Number(arg('pushes', '100'));
const rounds = Number(arg('rounds', '300'));
const size = Number(arg('size', '8000'));
const mode = arg('mode', 'write');

const receiver = spawn(
  process.execPath,
  [
    '-e',
    "const s = require('node:net').createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); });" +
      "s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));",
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise((resolve) => receiver.stdout.once('data', (d) => resolve(Number(String(d)))));
const sockets = [];
for (let i = 0; i < pushes; i++) {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise((resolve) => s.once('connect', resolve));
  sockets.push(s);
}
const bytes = mode === 'u8' ? new Uint8Array(size).fill(1) : Buffer.alloc(size, 1);
const usage0 = process.cpuUsage();
for (let round = 0; round < rounds; round++) {
  for (const s of sockets) s.write(bytes);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const usage = process.cpuUsage(usage0);
const writes = pushes * rounds;
process.stdout.write(
  `tcp-send-cost node mode=${mode} pushes=${pushes} size=${size} writes=${writes} ` +
    `user_us_per_write=${(usage.user / writes).toFixed(2)} system_us_per_write=${(usage.system / writes).toFixed(2)}\n`,
);
for (const s of sockets) s.destroy();
receiver.kill();
