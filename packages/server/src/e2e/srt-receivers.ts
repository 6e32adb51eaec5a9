/**
 * SRT receivers from libsrt's world, each listening on 127.0.0.1:port and writing the
 * MPEG-TS it receives into a file: srt-live-transmit, ffmpeg (libsrt) and GStreamer's srtsrc.
 * `netns` runs the receiver inside a network namespace (`ip netns exec NS ...`).
 */
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  /** Ends it: waits (at most 5 s) for it to end by itself, as each does when the caller shuts down, then SIGINT. */
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
      // srtsrc (keep-listening=false, the default) ends its stream with EOS once the caller's
      // SHUTDOWN broke the socket, and filesink writes out its buffer at that EOS. -e: stop()'s
      // fallback SIGINT sends an EOS too and waits for it (without -e it sets the pipeline to
      // NULL, and an EOS already on its way fails in filesink, its buffered tail lost)
      return [
        'gst-launch-1.0',
        [
          '-q',
          '-e',
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
      // Each ends by itself when the caller shuts down: ffmpeg finishes its file at EOF,
      // srt-live-transmit exits (-a:no), gst-launch exits after srtsrc's EOS reached filesink.
      // A signal is only the fallback: sent right away, it raced gst's own end on a busy machine
      // (filesink: "Error while writing to file", the capture ends in a cut frame)
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
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

const TS_PACKET = 188;

/**
 * The capture `file` without each elementary stream's last PES packet, written next to it
 * (its path and size): a capture that lost its tail (cut after any whole TS packet) is then
 * whole PES packets only, which decode cleanly unless something before the cut was damaged.
 * PSI (PAT, PMT) is kept. For srtsrc's captures: srtsrc checks the socket state before each
 * read and ends the stream once the caller's SHUTDOWN broke it, dropping what libsrt still
 * holds for it, so a gst-launch that lags its play time (a busy machine) loses the tail.
 */
export function withoutLastPes(file: string): { file: string; bytes: number } {
  const ts = readFileSync(file);
  const count = Math.floor(ts.length / TS_PACKET);
  const pidOf = (i: number): number => ((ts[i * TS_PACKET + 1]! & 0x1f) << 8) | ts[i * TS_PACKET + 2]!;
  /** Whether TS packet i starts a PES packet (payload_unit_start, its payload opening with 00 00 01). */
  const pesStart = (i: number): boolean => {
    const o = i * TS_PACKET;
    if (ts[o] !== 0x47 || (ts[o + 1]! & 0x40) === 0 || (ts[o + 3]! & 0x10) === 0) return false;
    const payload = o + 4 + ((ts[o + 3]! & 0x20) !== 0 ? 1 + ts[o + 4]! : 0);
    return payload + 3 <= o + TS_PACKET && ts[payload] === 0 && ts[payload + 1] === 0 && ts[payload + 2] === 1;
  };
  const lastPes = new Map<number, number>();
  for (let i = 0; i < count; i++) if (pesStart(i)) lastPes.set(pidOf(i), i);
  const kept: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const from = lastPes.get(pidOf(i));
    if (from === undefined || i < from) kept.push(ts.subarray(i * TS_PACKET, (i + 1) * TS_PACKET));
  }
  const out = join(dirname(file), 'capture-whole-pes.ts');
  const bytes = Buffer.concat(kept);
  writeFileSync(out, bytes);
  return { file: out, bytes: bytes.length };
}
