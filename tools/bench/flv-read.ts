/**
 * FLV reader throughput: streams a file through FlvReader (+ FlvTagDemuxer into
 * MediaPackets) in 64 KiB chunks, as a socket would deliver it, and prints one JSON line
 * with bytes, tags, packets, start-up, wall and CPU time in-process, MB/s and peak RSS.
 *
 * Usage: node --import tsx tools/bench/flv-read.ts FILE [--tags-only] [--chunk BYTES]
 * (tools/bench/run-flv.sh runs it as one CommonJS bundle: no ESM loader at start-up)
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FlvReader, FlvTagDemuxer } from '@sluice/media';
import { printResult, startClock, stopClock } from './run-clock.js';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: flv-read.ts FILE [--tags-only] [--chunk BYTES]');
  process.exit(2);
}
const tagsOnly = args.includes('--tags-only');
const chunkArg = args.indexOf('--chunk');
const chunkSize = chunkArg >= 0 ? Number(args[chunkArg + 1]) : 65_536;

const size = statSync(file).size;
const fd = openSync(file, 'r');
const reader = new FlvReader();
const demuxer = new FlvTagDemuxer();
let tags = 0;
let packets = 0;
let payloadBytes = 0;
const clock = startClock();
for (;;) {
  // A fresh buffer per read: the reader hands out views into it, as with socket chunks.
  const chunk = Buffer.allocUnsafeSlow(chunkSize);
  const n = readSync(fd, chunk, 0, chunkSize, null);
  if (n === 0) break;
  for (const tag of reader.push(n === chunkSize ? chunk : chunk.subarray(0, n))) {
    tags++;
    if (tagsOnly) continue;
    const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (ev.kind === 'packet') {
      packets++;
      payloadBytes += ev.packet.data.length;
    }
  }
}
reader.end();
const timing = stopClock(clock, size);
closeSync(fd);
printResult(
  {
    tool: tagsOnly ? 'sluice FlvReader (tags)' : 'sluice FlvReader+FlvTagDemuxer (packets)',
    file,
    bytes: size,
    tags,
    packets,
    payloadBytes,
  },
  timing,
);
