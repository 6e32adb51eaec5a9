/**
 * The soak's destinations, one per push: nginx-rtmp (record off, players start at a
 * keyframe) for rtmp; receivers in this process for mpegts udp and tcp; srt-live-transmit
 * listeners for srt, each relaying what it receives over UDP to a receiver here (so its
 * bytes are counted and captured the same way). Captures are written by the receivers
 * (TS) or by an ffmpeg player reading from nginx (FLV).
 */
import { statSync } from 'node:fs';
import { startNginxRtmp, freeUdpPort, startProcess, type NginxRtmp, type PeerProcess } from '@sluice/test-support';
import { waitForUdpListener } from '../../packages/server/src/e2e/peers.js';
import { startTcpReceiver, startUdpReceiver, type TsReceiver } from './ts-receivers.js';

export type PushKind = 'rtmp' | 'udp' | 'tcp' | 'srt';

/** One push's destination. */
export interface Destination {
  id: string;
  kind: PushKind;
  /** The startPush body's protocol, url (and streamKey). */
  push: { protocol: 'rtmp' | 'mpegts' | 'srt'; url: string; streamKey?: string };
  /** Bytes that arrived (undefined for rtmp: nginx does not say). */
  bytes: () => number | undefined;
  /** Writes the next `seconds` of what arrives to `file` (FLV for rtmp, TS otherwise). */
  capture: (file: string, seconds: number) => Promise<number>;
}

/** How many pushes of each kind `total` pushes are: a few srt, a quarter udp, a quarter tcp, the rest rtmp. */
export function pushMix(total: number): Record<PushKind, number> {
  const srt = Math.max(1, Math.round(total * 0.06));
  const udp = Math.round(total * 0.25);
  const tcp = Math.round(total * 0.25);
  return { rtmp: total - srt - udp - tcp, udp, tcp, srt };
}

/** Every destination and how to stop them. */
export interface Destinations {
  list: Destination[];
  close: () => Promise<void>;
}

/** ffmpeg reading rtmp://…/live/KEY from nginx for `seconds`, copied into `file`. */
async function rtmpCapture(nginx: NginxRtmp, key: string, file: string, seconds: number): Promise<number> {
  const player = startProcess('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-rw_timeout', '10000000'],
    ...['-i', `${nginx.url('live')}/${key}`, '-t', String(seconds), '-c', 'copy', '-f', 'flv', '-y', file],
  ]);
  const timer = setTimeout(() => void player.stop(3000, 'SIGINT'), (seconds + 30) * 1000);
  await player.exited;
  clearTimeout(timer);
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Starts the destinations of `mix` (ids `rtmp-0`, `udp-0`, ...). */
export async function startDestinations(mix: Record<PushKind, number>): Promise<Destinations> {
  const receivers: TsReceiver[] = [];
  const relays: PeerProcess[] = [];
  let nginx: NginxRtmp | undefined;
  const list: Destination[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(relays.map((r) => r.stop(3000, 'SIGINT')));
    await Promise.all(receivers.map((r) => r.close()));
    await nginx?.stop();
  };
  try {
    if (mix.rtmp > 0) {
      nginx = await startNginxRtmp({ apps: ['live'], record: false, appDirectives: 'wait_key on; wait_video on;' });
    }
    for (let i = 0; i < mix.rtmp; i++) {
      const n = nginx as NginxRtmp;
      const id = `rtmp-${i}`;
      list.push({
        id,
        kind: 'rtmp',
        push: { protocol: 'rtmp', url: n.url('live'), streamKey: id },
        bytes: () => undefined,
        capture: (file, seconds) => rtmpCapture(n, id, file, seconds),
      });
    }
    for (const kind of ['udp', 'tcp'] as const) {
      for (let i = 0; i < mix[kind]; i++) {
        const r = kind === 'udp' ? await startUdpReceiver() : await startTcpReceiver();
        receivers.push(r);
        list.push({
          id: `${kind}-${i}`,
          kind,
          push: { protocol: 'mpegts', url: `${kind}://127.0.0.1:${r.port}` },
          bytes: r.bytes,
          capture: r.capture,
        });
      }
    }
    for (let i = 0; i < mix.srt; i++) {
      const r = await startUdpReceiver();
      receivers.push(r);
      const port = await freeUdpPort();
      // libsrt URI: latency in ms; auto-reconnect (the default): it listens again if the caller leaves
      relays.push(
        startProcess('srt-live-transmit', [
          ...['-q', '-c', '1316'],
          `srt://127.0.0.1:${port}?mode=listener&latency=120`,
          `udp://127.0.0.1:${r.port}`,
        ]),
      );
      await waitForUdpListener(port);
      list.push({
        id: `srt-${i}`,
        kind: 'srt',
        push: { protocol: 'srt', url: `srt://127.0.0.1:${port}?latency=120000&streamid=soak` },
        bytes: r.bytes,
        capture: r.capture,
      });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { list, close };
}
