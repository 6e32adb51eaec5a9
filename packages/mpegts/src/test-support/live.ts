/** Test helpers for live sends: pacing a source through a muxer into a sender, waiting for a UDP listener. */
import { createSocket } from 'node:dgram';
import { TsMuxer, type TsSender } from '../index.js';
import { interleave, type MediaSource } from './media-source.js';

/** Resolves once something is bound to UDP 127.0.0.1:port (our own bind attempt fails). */
export async function waitForUdpListener(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(true);
      });
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (bound) return;
    if (Date.now() > deadline) throw new Error(`nothing bound UDP 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Muxes `source` into `sender`, paced at `speed` × real time by DTS. */
export async function sendLive(source: MediaSource, sender: TsSender, speed = 2): Promise<void> {
  const muxer = new TsMuxer(source.tracks, { onData: (chunk) => void sender.send(chunk) });
  const scale = new Map(source.tracks.map((t) => [t.id, 1000 / t.timescale]));
  const packets = interleave(source);
  const start = Date.now();
  const t0 = packets[0]!.dts * (scale.get(packets[0]!.trackId) ?? 1);
  for (const p of packets) {
    const due = start + (p.dts * (scale.get(p.trackId) ?? 1) - t0) / speed;
    const wait = due - Date.now();
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
    muxer.write(p);
  }
  muxer.end();
}
