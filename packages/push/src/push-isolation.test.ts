import { createServer, type Server, type Socket } from 'node:net';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { waitFor } from '@sluice/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { PushSendStalled } from './errors.js';
import { PushRegistry, type PushStateChange } from './push-registry.js';
import { FakeSource } from './test-support/fake-source.js';
import { flvTcpSinks } from './test-support/flv-tcp-sink.js';

const VIDEO: TrackInfo = {
  id: 0,
  kind: 'video',
  codec: 'h264',
  timescale: 1000,
  config: new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 0]),
};

/** A loopback TCP destination: `reading` false = accepts and never reads (a dead receiver). */
async function destination(
  reading: boolean,
): Promise<{ server: Server; port: number; received: () => number; sockets: Socket[] }> {
  let received = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    if (reading) socket.on('data', (d: Buffer) => (received += d.length));
    else socket.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, received: () => received, sockets };
}

const servers: Array<{ server: Server; sockets: Socket[] }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const socket of s.sockets) socket.destroy();
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
  }
});

describe('PushRegistry isolation over real loopback sockets', () => {
  it('a receiver that stops reading gets whole-GOP drops then a send-timeout error; the other push gets everything', async () => {
    const slow = await destination(false);
    const fast = await destination(true);
    servers.push(slow, fast);
    const source = new FakeSource();
    const registry = new PushRegistry({
      source,
      sinks: { mpegts: flvTcpSinks },
      sendTimeoutMs: 400,
      queue: { maxBytes: 1 << 20, maxDurationMs: 60_000 },
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const changes: PushStateChange[] = [];
    registry.on('change', (c) => changes.push(c));
    source.publish('live', [VIDEO]);
    registry.startPush({
      id: 'slow',
      vhost: 'default',
      app: 'app',
      stream: { name: 'live' },
      protocol: 'mpegts',
      url: `tcp://127.0.0.1:${slow.port}`,
    });
    registry.startPush({
      id: 'fast',
      vhost: 'default',
      app: 'app',
      stream: { name: 'live' },
      protocol: 'mpegts',
      url: `tcp://127.0.0.1:${fast.port}`,
    });
    await waitFor(() => registry.listPushes().every((r) => r.state === 'pushing'), 5000, 'both pushing');

    // 40 MB of media: 160 GOPs of 25 frames of 10 kB, delivered in bursts with a turn between (sockets get to write).
    const payload = new Uint8Array(10_000);
    let frames = 0;
    for (let g = 0; g < 160; g++) {
      for (let f = 0; f < 25; f++) {
        const packet: MediaPacket = { trackId: 0, dts: frames * 40, pts: frames * 40, key: f === 0, data: payload };
        source.send('live', packet);
        frames++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const slowRecord = registry.getPush('slow');
    expect(slowRecord?.droppedFrames).toBeGreaterThan(0);
    await waitFor(() => registry.getPush('slow')?.state === 'error', 5000, 'slow push in error');
    const stalled = changes.find((c) => c.id === 'slow' && c.to === 'error');
    expect(stalled?.error).toBeInstanceOf(PushSendStalled);
    // The fast receiver got every frame: 40 MB of payload plus FLV framing.
    await waitFor(() => fast.received() >= frames * 10_000, 10_000, 'fast receiver has everything');
    expect(registry.getPush('fast')).toMatchObject({ state: 'pushing', droppedFrames: 0 });
    expect(registry.getPush('fast')?.sentBytes).toBeGreaterThanOrEqual(frames * 10_000);
    registry.stopPush('slow');
    registry.stopPush('fast');
    await waitFor(() => registry.size === 0, 5000, 'teardown');
  });
});
