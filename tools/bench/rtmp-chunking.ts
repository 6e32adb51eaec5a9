/**
 * RTMP chunking and fan-out benchmark (@sluice/rtmp), with peers measured in the same run.
 *
 * 1. Chunking throughput: every packet of a 5 Mb/s FLV (FlvTagMuxer tag headers +
 *    ChunkStreamWriter.encodeParts at chunk size 4096), in memory.
 * 1b. Ingest parsing: the same stream chunked (4096 and 128) read back by ChunkStreamReader
 *    (+ IngestTracks) in 64 KiB pieces.
 * 2. One destination: RtmpPublisher pushing the first SINGLE_S seconds to nginx-rtmp as fast as
 *    it accepts, beside `ffmpeg -t SINGLE_S -i FILE -c copy -f flv rtmp://...` doing the same
 *    (CPU seconds per media second; ffmpeg's under /usr/bin/time, includes its demuxing).
 * 3. Fan-out: the first FANOUT_S seconds written to N=100 RtmpPublishers connected to nginx-rtmp,
 *    (a) chunked once (one PayloadChunkCache shared by the publishers) and (b) chunked per
 *    destination (no cache), as fast as all destinations accept; our process's CPU time per destination.
 *
 * Usage: node --import tsx tools/bench/rtmp-chunking.ts [FILE.flv]
 * (default bench-out/bench-300s-5mbps.flv from tools/make-fixtures.sh bench).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FlvReader, FlvTagDemuxer, FlvTagMuxer, FlvTagType } from '@sluice/media';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import {
  ChunkStreamReader,
  ChunkStreamWriter,
  IngestTracks,
  PayloadChunkCache,
  RtmpPublisher,
  RtmpServer,
} from '@sluice/rtmp';
import { publishAll } from '../../packages/rtmp/src/test-support/publish-all.js';
import { ffmpegCopyArgs, runCommand, startNginxRtmp, removeNginxDir, type CommandResult } from '@sluice/test-support';
import { cpuSeconds as procCpuSecondsOf } from './process-usage.js';

const file = process.argv[2] ?? 'bench-out/bench-300s-5mbps.flv';
const N = Number(process.env['FANOUT'] ?? 100);
const SINGLE_S = Number(process.env['SINGLE_S'] ?? 60);
const FANOUT_S = Number(process.env['FANOUT_S'] ?? 10);

function load(): { tracks: TrackInfo[]; packets: MediaPacket[]; duration: number } {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of reader.push(new Uint8Array(readFileSync(file)))) {
    const e = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (e.kind === 'packet') packets.push(e.packet);
  }
  reader.end();
  const duration = (packets[packets.length - 1]!.dts - packets[0]!.dts) / 1000;
  return { tracks: demuxer.tracks, packets, duration };
}

/** ffmpeg with these arguments under /usr/bin/time: its last stderr line is "wall user system" seconds. */
function timedFfmpeg(args: string[]): Promise<CommandResult> {
  return runCommand('/usr/bin/time', ['-f', '%e %U %S', 'ffmpeg', ...args], 120_000);
}

/** CPU seconds (user + system) this process has used since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

const { tracks, packets, duration } = load();
const head = (s: number): MediaPacket[] => packets.filter((p) => p.dts - packets[0]!.dts < s * 1000);
const results: Record<string, unknown> = { file, duration, packets: packets.length, node: process.version };

// 1. chunking throughput
{
  const muxer = new FlvTagMuxer(tracks);
  let best = Infinity;
  let bytes = 0;
  for (let run = 0; run < 5; run++) {
    const w = new ChunkStreamWriter();
    w.setChunkSize(4096);
    bytes = 0;
    const t = performance.now();
    for (const p of packets) {
      const tag = muxer.packetTag(p)!;
      bytes += w.encodeParts(
        tag.type === FlvTagType.Video ? 6 : 4,
        tag.type,
        tag.timestamp,
        1,
        tag.header,
        tag.data,
      ).length;
    }
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  results['chunking'] = { seconds: best, MBps: bytes / 1e6 / best, realtimeX: duration / best, outBytes: bytes };
}

// 1b. ingest parsing: the chunked stream (chunk size 4096 and 128) read back by ChunkStreamReader
// in 64 KiB socket-like pieces (fresh buffers), alone and with IngestTracks (FlvTagDemuxer).
for (const size of [4096, 128]) {
  const muxer = new FlvTagMuxer(tracks);
  const w = new ChunkStreamWriter();
  const pieces: Uint8Array[] = [w.setChunkSize(size)];
  for (const p of packets) {
    const tag = muxer.packetTag(p)!;
    pieces.push(w.encodeParts(tag.type === FlvTagType.Video ? 6 : 4, tag.type, tag.timestamp, 1, tag.header, tag.data));
  }
  const total = pieces.reduce((n, x) => n + x.length, 0);
  const stream = new Uint8Array(total);
  let o = 0;
  for (const x of pieces) {
    stream.set(x, o);
    o += x.length;
  }
  const reads: Uint8Array[] = [];
  for (let k = 0; k < total; k += 65536) reads.push(stream.slice(k, k + 65536));
  const row: Record<string, number> = {};
  for (const withTracks of [false, true, false, true]) {
    let best = Infinity;
    let count = 0;
    for (let run = 0; run < 3; run++) {
      count = 0;
      const ingest = new IngestTracks({
        tracks: () => undefined,
        packet: () => void count++,
        metadata: () => undefined,
      });
      const reader = new ChunkStreamReader((m) =>
        withTracks ? ingest.onMessage(m.typeId, m.timestamp, m.payload) : void count++,
      );
      const t = performance.now();
      for (const r of reads) reader.push(r);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    const key = withTracks ? 'readerPlusTracksMBps' : 'readerMBps';
    row[key] = Math.max(row[key] ?? 0, total / 1e6 / best);
    row[withTracks ? 'packets' : 'messages'] = count;
  }
  results[`ingest-parse-chunk${size}`] = row;
}

const nginx = await startNginxRtmp({ record: false });
try {
  // 2. one destination: us vs ffmpeg
  {
    const part = head(SINGLE_S);
    const media = (part[part.length - 1]!.dts - part[0]!.dts) / 1000;
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const p = new RtmpPublisher({ url: nginx.url(), streamKey: 'single' });
    await p.open(tracks);
    await publishAll(p, part);
    const sent = p.bytesSent;
    await p.close();
    const wall = (performance.now() - t) / 1000;
    const ours = { wall, cpu: cpuSeconds(cpu0), media, MBps: sent / 1e6 / wall };
    const r = await timedFfmpeg(
      ffmpegCopyArgs(file, `${nginx.url()}/ffmpeg`, { inputOptions: ['-t', String(SINGLE_S)], format: 'flv' }),
    );
    const [fw, fu, fs] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    results['single'] = {
      sluice: ours,
      ffmpeg: { wall: fw, cpu: (fu ?? 0) + (fs ?? 0), media, MBps: sent / 1e6 / (fw ?? 1) },
    };
  }

  // 3. fan-out to N destinations
  const part = head(FANOUT_S);
  const media = (part[part.length - 1]!.dts - part[0]!.dts) / 1000;
  for (const mode of ['chunk-once', 'per-destination'] as const) {
    const cache = mode === 'chunk-once' ? new PayloadChunkCache(4096) : undefined;
    const pubs = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const p = new RtmpPublisher({
          url: nginx.url(),
          streamKey: `${mode}-${i}`,
          connectTimeoutMs: 20_000,
          sendTimeoutMs: 20_000,
          chunkSize: 4096,
          ...(cache !== undefined ? { sharedChunks: cache } : {}),
        });
        await p.open(tracks);
        return p;
      }),
    );
    const base = part[0]!.dts;
    let blocked = 0;
    const drained = (): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (pubs.every((p) => p.bufferedBytes < 1 << 20)) resolve();
          else setTimeout(check, 1);
        };
        check();
      });
    const nginxPid = nginx.process().child.pid!;
    const nginxCpu0 = procCpuSecondsOf(nginxPid);
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (const packet of part) {
      let full = false;
      const q = { ...packet, dts: packet.dts - base, pts: packet.pts - base };
      for (const p of pubs) if (!p.send(q)) full = true;
      if (full) {
        blocked++;
        await drained();
      }
    }
    await new Promise<void>((resolve) => {
      const check = (): void => (pubs.every((p) => p.bufferedBytes === 0) ? resolve() : void setTimeout(check, 2));
      check();
    });
    const wall = (performance.now() - t) / 1000;
    const cpu = cpuSeconds(cpu0);
    const nginxCpu = procCpuSecondsOf(nginxPid) - nginxCpu0;
    const sent = pubs.reduce((n, p) => n + p.bytesSent, 0);
    await Promise.all(pubs.map((p) => p.close()));
    results[`fanout-${mode}`] = {
      destinations: N,
      media,
      wall,
      cpu,
      cpuPerDestinationPerMediaSecond: cpu / N / media,
      MBps: sent / 1e6 / wall,
      blocked,
      sharedFraction: cache !== undefined ? cache.sharedWrites / (N * part.length) : 0,
      nginxReceivingCpu: nginxCpu,
    };
  }

  // 4. real time: ffmpeg -re publishes into our RtmpServer; each packet is chunked once and written to N destinations
  {
    const server = new RtmpServer();
    const port = await server.listen(0);
    const cache = new PayloadChunkCache(4096);
    const pubs = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const p = new RtmpPublisher({
          url: nginx.url(),
          streamKey: `live-${i}`,
          connectTimeoutMs: 20_000,
          chunkSize: 4096,
          sharedChunks: cache,
        });
        await p.open(tracks);
        return p;
      }),
    );
    let base: number | undefined;
    let ingestPackets = 0;
    server.on('publish', (session) =>
      session.on('packet', (packet) => {
        ingestPackets++;
        base ??= packet.dts;
        const q = { ...packet, dts: packet.dts - base, pts: packet.pts - base };
        for (const p of pubs) p.send(q);
      }),
    );
    const nginxPid = nginx.process().child.pid!;
    const nginxCpu0 = procCpuSecondsOf(nginxPid);
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const r = await timedFfmpeg(
      ffmpegCopyArgs(file, `rtmp://127.0.0.1:${port}/live/in`, {
        inputOptions: ['-re', '-t', String(FANOUT_S)],
        format: 'flv',
      }),
    );
    const wall = (performance.now() - t) / 1000;
    const cpu = cpuSeconds(cpu0);
    const nginxCpu = procCpuSecondsOf(nginxPid) - nginxCpu0;
    const [, fu, fs] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    await Promise.all(pubs.map((p) => p.close()));
    await server.close();
    results['realtime-ingest-fanout'] = {
      destinations: N,
      wall,
      ingestPackets,
      cpu,
      cpuPercentOfOneCore: (100 * cpu) / wall,
      perDestinationPercent: (100 * cpu) / wall / N,
      ffmpegPublisherCpu: (fu ?? 0) + (fs ?? 0),
      nginxReceivingCpu: nginxCpu,
      nginxPercentOfOneCore: (100 * nginxCpu) / wall,
    };
  }
} finally {
  await nginx.stop();
  removeNginxDir(nginx);
}
console.log(JSON.stringify(results, null, 2));
