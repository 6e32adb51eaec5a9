/**
 * MPEG-TS remux throughput: reads an FLV (FlvReader + FlvTagDemuxer) or a TS (TsDemuxer)
 * in 1 MiB reads (into recycled buffers), muxes every packet with TsMuxer and writes the TS to OUT, then
 * prints one JSON line with bytes in/out, wall and CPU time in-process, MB/s and peak RSS.
 *
 * Usage: node --import tsx tools/bench/ts-remux.ts IN.flv|IN.ts OUT.ts
 * (tools/bench/run-ts-remux.sh runs it as one CommonJS bundle: no ESM loader at start-up)
 */
import { closeSync, openSync, readSync, statSync, writevSync } from 'node:fs';
import { FlvReader, FlvTagDemuxer, type MediaPacket, type TrackInfo } from '@sluice/media';
import { TsDemuxer, TsMuxer } from '@sluice/mpegts';
import { printResult, startClock, stopClock } from './run-clock.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: ts-remux.ts IN.flv|IN.ts OUT.ts');
  process.exit(2);
}
const chunkSize = 1 << 20;
const size = statSync(input).size;
const inFd = openSync(input, 'r');
const outFd = openSync(output, 'w');
let outBytes = 0;
let packets = 0;
let muxer: TsMuxer | undefined;

// 'owned' output in ~1 MiB slabs from our own pool: chunks are kept and written out with
// one writev per ~1 MiB; after that every slab but the one being filled is reused.
const SLAB = 188 * 5577;
const pending: Uint8Array[] = [];
let pendingBytes = 0;
const freeSlabs: Uint8Array[] = [];
const usedSlabs: Uint8Array[] = [];
const flushOut = (): void => {
  if (pendingBytes === 0) return;
  outBytes += writevSync(outFd, pending);
  pending.length = 0;
  pendingBytes = 0;
  while (usedSlabs.length > 1) freeSlabs.push(usedSlabs.shift()!);
};
const allocate = (bytes: number): Uint8Array => {
  const slab = bytes <= SLAB ? (freeSlabs.pop() ?? new Uint8Array(SLAB)) : new Uint8Array(bytes);
  usedSlabs.push(slab);
  return slab;
};
const startMuxer = (tracks: readonly TrackInfo[]): TsMuxer =>
  new TsMuxer(tracks, {
    slabSize: SLAB,
    allocate,
    onData: (chunk) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= 1 << 20) flushOut();
    },
  });
const write = (p: MediaPacket): void => {
  packets++;
  muxer!.write(p);
};

const clock = startClock();
if (input.endsWith('.flv')) {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  // Read buffers are recycled: the muxer copies each packet before write() returns, so a
  // chunk is free again once the reader no longer holds bytes of it (it holds at most the
  // last `bufferedBytes` bytes pushed). Fresh memory per read would cost a page fault per
  // 4 KiB (~2x the read time). Track configurations are copied: they are views too.
  // Plain Uint8Arrays, not Buffers: the tags and packets are views of them, and code that
  // sees one kind of array only stays monomorphic (Buffer's subarray is slower, too).
  const free: Uint8Array[] = [];
  const held: Uint8Array[] = [];
  for (;;) {
    const chunk = free.pop() ?? new Uint8Array(Buffer.allocUnsafeSlow(chunkSize).buffer, 0, chunkSize);
    const n = readSync(inFd, chunk, 0, chunkSize, null);
    if (n === 0) break;
    const pushed = n === chunkSize ? chunk : chunk.subarray(0, n);
    for (const tag of reader.push(pushed)) {
      const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
      if (ev.kind !== 'packet') continue;
      muxer ??= startMuxer(demuxer.tracks.map((t) => (t.config ? { ...t, config: t.config.slice() } : t)));
      write(ev.packet);
    }
    held.push(pushed);
    let stillHeld = reader.bufferedBytes;
    let firstHeld = held.length;
    while (firstHeld > 0 && stillHeld > 0) stillHeld -= held[--firstHeld]!.length;
    for (const c of held.splice(0, firstHeld)) if (c.length === chunkSize) free.push(c);
  }
  reader.end();
} else {
  // the muxer copies each packet before write() returns: video data may be transient
  const packetData = process.env.SLUICE_PACKET_DATA === 'owned' ? 'owned' : 'transient';
  const demuxer = new TsDemuxer({ onTracks: (tracks) => (muxer ??= startMuxer(tracks)), onPacket: write, packetData });
  // reads land in the demuxer's own buffer (inputBuffer/commit): no copy on the way in
  for (;;) {
    const space = demuxer.inputBuffer(chunkSize);
    const n = readSync(inFd, space, 0, chunkSize, null);
    if (n === 0) break;
    demuxer.commit(n);
  }
  demuxer.end();
}
muxer?.end();
flushOut();
const timing = stopClock(clock, size);
closeSync(inFd);
closeSync(outFd);
printResult(
  { tool: `sluice ${input.endsWith('.flv') ? 'FLV' : 'TS'} → TS`, input, bytes: size, outBytes, packets },
  timing,
);
