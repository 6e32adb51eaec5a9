/**
 * Latency probe for the RTMP fan-out harness (../shared/bench/fanout.sh), preloaded into the
 * Sluice CLI: `node --import ./tools/bench/fanout-latency-probe.mjs packages/server/dist/cli.js …`.
 * Nothing in the product changes; the probe wraps net.Socket's emit and write in this process:
 *
 * - added latency: for every 'data' event of an inbound RTMP connection (the ingest) during
 *   which pushes wrote, the time from the event's start to the return of the last push write it
 *   caused (the fan-out is synchronous in the read handler). In-process timestamps: the time the
 *   bytes waited in the kernel before the event loop read them is not included.
 * - startPush -> first media byte: for each outbound socket, the time from the latest
 *   `…:startPush` API request before it connected to its first write of more than 2000 bytes
 *   (the RTMP handshake writes 1537 + 1536 bytes, commands and sequence headers are small: the
 *   first large write is the keyframe that starts the queued GOP).
 *
 * At exit (SIGTERM/SIGINT from the harness) it prints one `latency-probe …` line to stderr
 * (the harness keeps it in the run's sut.log). PROBE_SKIP_S (default 3): events in the first
 * seconds after the first ingest read are left out (connection set-up, GOP flushes).
 */
import net from 'node:net';
import http from 'node:http';

const skipNs = BigInt(Math.round(Number(process.env.PROBE_SKIP_S ?? 3) * 1e9));
const now = () => process.hrtime.bigint();
const added = [];
const firstMedia = [];
let firstIngestAt = 0n;
let lastStartPushAt = 0n;
let depth = 0;
let writesInEvent = 0;
let lastWriteEnd = 0n;
const outbound = new WeakMap();

const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (event, ...args) {
  if (event !== 'data' || depth > 0 || outbound.has(this)) return emit.call(this, event, ...args);
  const start = now();
  if (firstIngestAt === 0n) firstIngestAt = start;
  depth++;
  writesInEvent = 0;
  try {
    return emit.call(this, event, ...args);
  } finally {
    depth--;
    if (writesInEvent > 0 && start - firstIngestAt > skipNs) added.push(Number(lastWriteEnd - start) / 1e6);
  }
};

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  const state = outbound.get(this);
  const result = write.call(this, chunk, ...rest);
  if (state !== undefined) {
    if (depth > 0) {
      writesInEvent++;
      lastWriteEnd = now();
    }
    if (!state.media && typeof chunk !== 'string' && chunk.length > 2000) {
      state.media = true;
      if (state.requestedAt > 0n) firstMedia.push(Number(now() - state.requestedAt) / 1e6);
    }
  }
  return result;
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  outbound.set(this, { requestedAt: lastStartPushAt, media: false });
  return connect.apply(this, args);
};

const serverEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, ...rest) {
  if (event === 'request' && typeof request?.url === 'string' && request.url.endsWith(':startPush'))
    lastStartPushAt = now();
  return serverEmit.call(this, event, request, ...rest);
};

function stats(values) {
  if (values.length === 0) return 'n=0';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);
  return `n=${sorted.length} p50=${at(0.5)} p99=${at(0.99)} max=${sorted[sorted.length - 1].toFixed(3)}`;
}

let reported = false;
function report() {
  if (reported) return;
  reported = true;
  process.stderr.write(
    `latency-probe added_ms(ingest read -> last push write) ${stats(added)} | startPush_to_first_media_ms ${stats(firstMedia)}\n`,
  );
}
for (const signal of ['SIGTERM', 'SIGINT']) process.prependListener(signal, report);
process.on('exit', report);
