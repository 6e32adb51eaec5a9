/**
 * SRT receivers from libsrt's world, each listening on 127.0.0.1:port and writing the
 * MPEG-TS it receives into a file: srt-live-transmit, ffmpeg (libsrt) and GStreamer's srtsrc.
 * `netns` runs the receiver inside a network namespace (`ip netns exec NS ...`).
 */
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type PeerProcess } from '@sluice/test-support';
import { ffmpegTsCopyArgs } from './peers.js';

/** Which program receives. */
export type SrtReceiverKind = 'srt-live-transmit' | 'ffmpeg' | 'gstreamer';

/** How the receiver listens. */
export interface SrtReceiverOptions {
  port: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string | undefined;
  latencyMs: number;
  passphrase?: string | undefined;
  pbkeylen?: number | undefined;
  /** Run inside this network namespace. */
  netns?: string | undefined;
  /** srt-live-transmit: write its cumulative counters as JSON lines here (every 100 packets). */
  statsFile?: string | undefined;
}

/** A running receiver and the file it writes. */
export interface SrtReceiver {
  kind: SrtReceiverKind;
  file: string;
  process: PeerProcess;
  /** Ends it (ffmpeg and srt-live-transmit end by themselves when the caller shuts down; this waits for that first). */
  stop: () => Promise<void>;
}

function command(kind: SrtReceiverKind, o: SrtReceiverOptions, file: string): [string, string[]] {
  const host = o.host ?? '127.0.0.1';
  const secret = o.passphrase === undefined ? '' : `&passphrase=${o.passphrase}&pbkeylen=${o.pbkeylen ?? 16}`;
  switch (kind) {
    case 'srt-live-transmit':
      // libsrt URI: latency in milliseconds; -a:no: end when the caller leaves
      return [
        'srt-live-transmit',
        [
          '-a:no',
          '-q',
          '-c',
          '1316',
          ...(o.statsFile === undefined ? [] : ['-s:100', '-pf:json', '-f', `-statsout:${o.statsFile}`]),
          `srt://${host}:${o.port}?mode=listener&latency=${o.latencyMs}${secret}`,
          'file://con',
        ],
      ];
    case 'ffmpeg':
      // ffmpeg: latency in microseconds
      return [
        'ffmpeg',
        ffmpegTsCopyArgs(`srt://${host}:${o.port}?mode=listener&latency=${o.latencyMs * 1000}${secret}`, file),
      ];
    case 'gstreamer':
      return [
        'gst-launch-1.0',
        [
          '-q',
          'srtsrc',
          `uri=srt://${host}:${o.port}?mode=listener`,
          `latency=${o.latencyMs}`,
          ...(o.passphrase === undefined ? [] : [`passphrase=${o.passphrase}`, `pbkeylen=${o.pbkeylen ?? 16}`]),
          '!',
          'filesink',
          `location=${file}`,
        ],
      ];
  }
}

/** Starts a receiver listening for our push. */
export function startSrtReceiver(kind: SrtReceiverKind, options: SrtReceiverOptions): SrtReceiver {
  const file = join(mkdtempSync(join(tmpdir(), `sluice-srt-${kind}-`)), 'capture.ts');
  const [cmd, args] = command(kind, options, file);
  const [exe, argv] =
    options.netns === undefined ? [cmd, args] : ['ip', ['netns', 'exec', options.netns, cmd, ...args]];
  let proc: PeerProcess;
  if (kind === 'srt-live-transmit') {
    // file://con: the stream on stdout, straight into the file
    const fd = openSync(file, 'w');
    proc = startProcess(exe, argv, { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
  } else {
    proc = startProcess(exe, argv);
  }
  return {
    kind,
    file,
    process: proc,
    stop: async () => {
      // ffmpeg finishes its file at EOF, srt-live-transmit exits (-a:no); srtsrc keeps listening
      if (kind !== 'gstreamer') await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
      await proc.stop(3000, 'SIGINT');
    },
  };
}

/** The receiving counters srt-live-transmit reports (`-pf:json -f`, cumulative). */
export interface SltReceiveStats {
  packets: number;
  packetsUnique: number;
  packetsLost: number;
  packetsDropped: number;
  packetsRetransmitted: number;
  packetsBelated: number;
  bytesUnique: number;
  bytesDropped: number;
}

/** The last report in an srt-live-transmit stats file (undefined when there is none yet). */
export function lastReceiveStats(text: string): SltReceiveStats | undefined {
  let last: SltReceiveStats | undefined;
  for (const line of text.split('\n')) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    try {
      const parsed = JSON.parse(line.slice(start)) as { recv?: SltReceiveStats };
      if (parsed.recv !== undefined) last = parsed.recv;
    } catch {
      // a line cut by the process ending
    }
  }
  return last;
}
