/**
 * PushRegistry benchmark: memory per idle and per pushing push with 10,000 registered
 * pushes (fake source and sinks), registry operations per second, and the per-packet
 * fan-out cost through pushing sessions. The peer in the same run is a plain Map of
 * the same push definitions (what any registry must hold at least).
 *
 * Usage: node --expose-gc --import tsx tools/bench/push-registry.ts [--pushes N]
 * Prints one JSON line per measurement. Times are CPU time (user + system) of this process.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { PushRegistry, type PushSink, type PushSinkFactory, type StoredPush } from '@sluice/push';
import { FakeClock } from '../../packages/push/src/test-support/fake-clock.js';
import { FakeSource } from '../../packages/push/src/test-support/fake-source.js';

const args = process.argv.slice(2);
const pushesArg = args.indexOf('--pushes');
const N = pushesArg >= 0 ? Number(args[pushesArg + 1]) : 10_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const VIDEO: TrackInfo = { id: 100, kind: 'video', codec: 'h264', timescale: 90_000, config: new Uint8Array(40) };
const AUDIO: TrackInfo = { id: 101, kind: 'audio', codec: 'aac', timescale: 48_000, config: new Uint8Array(2) };

/** The smallest honest sink: counts bytes, always writable (a real sink adds its socket). */
class CountingSink implements PushSink {
  bytesSent = 0;
  bufferedBytes = 0;
  open(): Promise<void> {
    return Promise.resolve();
  }
  send(packet: MediaPacket): boolean {
    this.bytesSent += packet.data.byteLength;
    return true;
  }
  onDrain(): void {}
  onError(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}
const factory: PushSinkFactory = { cannotCarry: () => null, checkUrl: () => null, create: () => new CountingSink() };

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function emit(name: string, fields: Record<string, number | string>): void {
  console.log(JSON.stringify({ bench: name, pushes: N, ...fields }));
}

function definition(i: number, stream: string): StoredPush {
  return {
    id: `push-${String(i).padStart(6, '0')}`,
    vhost: 'default',
    app: 'app',
    stream: { name: stream },
    protocol: 'rtmp',
    url: 'rtmp://127.0.0.1:1935/app',
    streamKey: `key-${i}`,
    createdTime: Date.now(),
  };
}

/** CPU milliseconds (user + system) since `from`: the machine is shared, wall time is noisy. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** Operations per CPU second. */
function timeOps(count: number, op: (i: number) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) op(i);
  return count / (cpuMs(start) / 1000);
}

async function main(): Promise<void> {
  // Peer: a plain Map of the same definitions.
  let before = heapUsed();
  const baseline = new Map<string, StoredPush>();
  const mapSet = timeOps(N, (i) => baseline.set(`push-${String(i).padStart(6, '0')}`, definition(i, `idle-${i}`)));
  const mapBytes = (heapUsed() - before) / N;
  const mapGet = timeOps(N, (i) => baseline.get(`push-${String(i).padStart(6, '0')}`));
  let start = process.cpuUsage();
  const sortedKeys = [...baseline.keys()].sort();
  const mapListMs = cpuMs(start);
  const mapDelete = timeOps(N, (i) => baseline.delete(`push-${String(i).padStart(6, '0')}`));
  emit('map-baseline', {
    bytesPerEntry: Math.round(mapBytes),
    setPerSec: Math.round(mapSet),
    getPerSec: Math.round(mapGet),
    sortedListMs: +mapListMs.toFixed(2),
    deletePerSec: Math.round(mapDelete),
    keys: sortedKeys.length,
  });

  // Idle pushes: registered, source not live (state ready).
  const clock = new FakeClock();
  const source = new FakeSource();
  const idle = new PushRegistry({ source, sinks: { rtmp: factory }, clock });
  before = heapUsed();
  const startPerSec = timeOps(N, (i) =>
    idle.startPush({
      id: `push-${String(i).padStart(6, '0')}`,
      vhost: 'default',
      app: 'app',
      stream: { name: `idle-${i}` },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:1935/app',
      streamKey: `key-${i}`,
    }),
  );
  await idle.flush();
  const idleBytes = (heapUsed() - before) / N;
  const getPerSec = timeOps(N, (i) => idle.getPush(`push-${String(i).padStart(6, '0')}`));
  const filterPerSec = timeOps(N, (i) => idle.listPushes({ id: `push-${String(i).padStart(6, '0')}` }));
  start = process.cpuUsage();
  const lists = 20;
  for (let i = 0; i < lists; i++) idle.listPushes();
  const listAllMs = cpuMs(start) / lists;
  const stopPerSec = timeOps(N, (i) => idle.stopPush(`push-${String(i).padStart(6, '0')}`));
  emit('registry-idle', {
    bytesPerPush: Math.round(idleBytes),
    startPushPerSec: Math.round(startPerSec),
    getPushPerSec: Math.round(getPerSec),
    listById: Math.round(filterPerSec),
    listAllMs: +listAllMs.toFixed(2),
    stopPushPerSec: Math.round(stopPerSec),
    left: idle.size,
  });

  // Pushing pushes: 100 live streams x N/100 pushes, each with its own session, queue and sink.
  const streams = 100;
  const live = new FakeSource();
  for (let s = 0; s < streams; s++) live.publish(`live-${s}`, [VIDEO, AUDIO]);
  const pushing = new PushRegistry({ source: live, sinks: { rtmp: factory }, clock });
  before = heapUsed();
  for (let i = 0; i < N; i++)
    pushing.startPush({
      id: `push-${String(i).padStart(6, '0')}`,
      vhost: 'default',
      app: 'app',
      stream: { name: `live-${i % streams}` },
      protocol: 'rtmp',
      url: 'rtmp://127.0.0.1:1935/app',
      streamKey: `key-${i}`,
    });
  await settle();
  await pushing.flush();
  const pushingBytes = (heapUsed() - before) / N;
  const states = new Map<string, number>();
  for (const r of pushing.listPushes()) states.set(r.state, (states.get(r.state) ?? 0) + 1);

  // Fan-out: each packet reaches N/100 pushing sessions of its stream.
  const payload = new Uint8Array(4000);
  const rounds = 50;
  start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < streams; s++) {
      live.send(`live-${s}`, { trackId: 100, dts: r * 3600, pts: r * 3600, key: r % 50 === 0, data: payload });
      live.send(`live-${s}`, { trackId: 101, dts: r * 1920, pts: r * 1920, key: true, data: payload.subarray(0, 300) });
    }
  }
  const fanMs = cpuMs(start);
  const deliveries = rounds * streams * 2 * (N / streams);
  emit('registry-pushing', {
    bytesPerPush: Math.round(pushingBytes),
    pushing: states.get('pushing') ?? 0,
    deliveries,
    nsPerPacketPerPush: Math.round((fanMs * 1e6) / deliveries),
    packetDeliveriesPerSec: Math.round(deliveries / (fanMs / 1000)),
  });
  await pushing.close();
  emit('rss', { rssMiB: Math.round(process.memoryUsage().rss / 1048576) });
}

await main();
